//go:build deployvalidate

package validate

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// External objects: created by hand (deploy/README.md says how), never committed.
var (
	externalSecrets    = map[string]bool{"ledgerbridge": true, "ledgerbridge-webhooks-tls": true}
	externalConfigMaps = map[string]bool{"ledgerbridge-mapping": true}
)

// listenVars are the listeners a container's ports must match.
var listenVars = []string{"GATEWAY_ADDR", "GATEWAY_INTERNAL_ADDR", "WORKER_HEALTH_ADDR"}

type cluster struct {
	name        string
	namespace   string
	deployments map[string]*appsv1.Deployment
	jobs        map[string]*batchv1.Job
	services    map[string]*corev1.Service
	configMaps  map[string]*corev1.ConfigMap
	pdbs        map[string]*policyv1.PodDisruptionBudget
	ingresses   map[string]*networkingv1.Ingress
	netpols     map[string]*networkingv1.NetworkPolicy
	namespaces  map[string]*corev1.Namespace
}

func loadCluster(t *testing.T, name, dir string) *cluster {
	t.Helper()
	c := &cluster{name: name, deployments: map[string]*appsv1.Deployment{}, jobs: map[string]*batchv1.Job{},
		services: map[string]*corev1.Service{}, configMaps: map[string]*corev1.ConfigMap{}, pdbs: map[string]*policyv1.PodDisruptionBudget{},
		ingresses: map[string]*networkingv1.Ingress{}, netpols: map[string]*networkingv1.NetworkPolicy{}, namespaces: map[string]*corev1.Namespace{}}
	for _, o := range render(t, dir) {
		v := kinds[o.APIVersion+"/"+o.Kind]()
		if err := decodeStrict(o.APIVersion, o.Kind, o.JSON, v); err != nil {
			t.Fatalf("%s: rendered %s: %v", name, o.id(), err)
		}
		switch x := v.(type) {
		case *appsv1.Deployment:
			c.deployments[o.Name] = x
		case *batchv1.Job:
			c.jobs[o.Name] = x
		case *corev1.Service:
			c.services[o.Name] = x
		case *corev1.ConfigMap:
			c.configMaps[o.Name] = x
		case *policyv1.PodDisruptionBudget:
			c.pdbs[o.Name] = x
		case *networkingv1.Ingress:
			c.ingresses[o.Name] = x
		case *networkingv1.NetworkPolicy:
			c.netpols[o.Name] = x
		case *corev1.Namespace:
			c.namespaces[o.Name] = x
		}
		if !clusterScoped[o.Kind] {
			if o.Namespace == "" {
				t.Errorf("%s: %s has no namespace (set kustomization namespace)", name, o.id())
			} else if c.namespace == "" {
				c.namespace = o.Namespace
			} else if o.Namespace != c.namespace {
				t.Errorf("%s: %s is in namespace %s, the rest in %s", name, o.id(), o.Namespace, c.namespace)
			}
		}
	}
	if _, ok := c.namespaces[c.namespace]; !ok {
		t.Errorf("%s: no Namespace %s among the manifests", name, c.namespace)
	}
	return c
}

var clusters = []struct{ name, dir string }{
	{"base", "../k8s/base"},
	{"production", "../k8s/overlays/production"},
	{"dev", "../k8s/overlays/dev"},
}

func TestKubernetesManifests(t *testing.T) {
	b := parseDockerfile(t)
	secretKeys := readmeSecretKeys(t)
	for _, cl := range clusters {
		t.Run(cl.name, func(t *testing.T) {
			c := loadCluster(t, cl.name, cl.dir)
			for _, want := range []string{"ledgerbridge-worker", "ledgerbridge-gateway"} {
				if _, ok := c.deployments[want]; !ok {
					t.Fatalf("no Deployment %s", want)
				}
			}
			if len(c.jobs) != 1 {
				t.Errorf("want one Job (namespace and search attributes), have %d", len(c.jobs))
			}
			for name, d := range c.deployments {
				who := "Deployment " + name
				if d.Spec.Selector == nil || !selects(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) || len(d.Spec.Selector.MatchExpressions) > 0 {
					t.Errorf("%s: selector %v does not select its pod template's labels %v", who, d.Spec.Selector, d.Spec.Template.Labels)
				}
				if d.Spec.Replicas == nil || *d.Spec.Replicas < 1 {
					t.Errorf("%s: replicas not set", who)
				}
				c.checkPod(t, who, &d.Spec.Template, true, b, secretKeys)
			}
			for name, j := range c.jobs {
				who := "Job " + name
				c.checkPod(t, who, &j.Spec.Template, false, b, secretKeys)
				if got := j.Spec.Template.Spec.Containers[0].Command; strings.Join(got, " ") != b.binDir+"/worker setup" {
					t.Errorf("%s: command %q, want %s/worker setup", who, got, b.binDir)
				}
				if j.Spec.BackoffLimit == nil || j.Spec.ActiveDeadlineSeconds == nil || j.Spec.TTLSecondsAfterFinished == nil {
					t.Errorf("%s: set backoffLimit, activeDeadlineSeconds and ttlSecondsAfterFinished (a finished Job blocks the next apply)", who)
				}
				if rp := j.Spec.Template.Spec.RestartPolicy; rp != corev1.RestartPolicyOnFailure && rp != corev1.RestartPolicyNever {
					t.Errorf("%s: restartPolicy %q", who, rp)
				}
			}
			c.checkServices(t)
			c.checkPDBs(t)
			c.checkIngress(t)
			c.checkNetworkPolicies(t)
		})
	}
}

// checkPod: every container is resourced, probed (Deployments), locked down, runs a binary of
// the image with an image reference that pins a registry and tag, and gets a configuration of
// variables internal/config knows, from objects that exist, that config.Load accepts.
func (c *cluster) checkPod(t *testing.T, who string, tpl *corev1.PodTemplateSpec, probes bool, b built, secretKeys []string) {
	t.Helper()
	spec := &tpl.Spec
	known := knownVars()
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("%s: automountServiceAccountToken should be false (ledgerbridge never calls the Kubernetes API)", who)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
		if v.ConfigMap != nil && c.configMaps[v.ConfigMap.Name] == nil && !externalConfigMaps[v.ConfigMap.Name] {
			t.Errorf("%s: volume %s mounts ConfigMap %s, which neither the manifests nor deploy/README.md create", who, v.Name, v.ConfigMap.Name)
		}
		if v.HostPath != nil {
			t.Errorf("%s: hostPath volume %s", who, v.Name)
		}
	}
	psc := spec.SecurityContext
	if len(spec.Containers) == 0 {
		t.Fatalf("%s: no containers", who)
	}
	for _, ctr := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		cw := fmt.Sprintf("%s container %s", who, ctr.Name)
		checkImage(t, cw, ctr.Image)
		b.checkCommand(t, cw, ctr.Command)
		checkResources(t, cw, ctr.Resources)
		checkSecurity(t, cw, psc, ctr.SecurityContext)
		for _, m := range ctr.VolumeMounts {
			if _, ok := volumes[m.Name]; !ok {
				t.Errorf("%s: mounts undefined volume %s", cw, m.Name)
			}
		}

		env := map[string]string{}
		for _, ef := range ctr.EnvFrom {
			switch {
			case ef.ConfigMapRef != nil:
				cm := c.configMaps[ef.ConfigMapRef.Name]
				if cm == nil {
					t.Errorf("%s: envFrom ConfigMap %s does not exist in the manifests", cw, ef.ConfigMapRef.Name)
					continue
				}
				for k, v := range cm.Data {
					if !known[k] {
						t.Errorf("ConfigMap %s: key %s is not a variable internal/config reads (typo?)", cm.Name, k)
					}
					env[k] = v
				}
			case ef.SecretRef != nil:
				if !externalSecrets[ef.SecretRef.Name] {
					t.Errorf("%s: envFrom Secret %s is not one deploy/README.md creates", cw, ef.SecretRef.Name)
				}
				fake := fakeSecrets()
				for _, k := range secretKeys {
					env[k] = fake[k]
				}
			default:
				t.Errorf("%s: envFrom without configMapRef or secretRef", cw)
			}
		}
		for _, e := range ctr.Env {
			if !known[e.Name] {
				t.Errorf("%s: env %s is not a variable internal/config reads (typo?)", cw, e.Name)
			}
			if e.ValueFrom != nil {
				t.Errorf("%s: env %s uses valueFrom: use envFrom with the ConfigMap or Secret", cw, e.Name)
			}
			env[e.Name] = e.Value
		}
		loadConfig(t, cw, env)

		ports := map[string]int32{}
		byNumber := map[int32]bool{}
		for _, p := range ctr.Ports {
			if p.Name == "" {
				t.Errorf("%s: port %d has no name", cw, p.ContainerPort)
			}
			ports[p.Name] = p.ContainerPort
			byNumber[p.ContainerPort] = true
		}
		listens := map[int32]string{}
		for _, v := range listenVars {
			if addr, ok := env[v]; ok && addr != "" {
				host, port, err := net.SplitHostPort(addr)
				if err != nil {
					t.Errorf("%s: %s=%q: %v", cw, v, addr, err)
					continue
				}
				if host != "0.0.0.0" && host != "" {
					t.Errorf("%s: %s=%s: a pod listens on all its addresses (0.0.0.0)", cw, v, addr)
				}
				n, _ := strconv.Atoi(port)
				listens[int32(n)] = v
				if !byNumber[int32(n)] {
					t.Errorf("%s: %s listens on %d, which is not a containerPort", cw, v, n)
				}
			}
		}
		for _, p := range ctr.Ports {
			if _, ok := listens[p.ContainerPort]; !ok {
				t.Errorf("%s: containerPort %d (%s) is no listener's port (%s)", cw, p.ContainerPort, p.Name, strings.Join(listenVars, ", "))
			}
		}
		if a := tpl.Annotations; a["prometheus.io/scrape"] == "true" {
			n, _ := strconv.Atoi(a["prometheus.io/port"])
			if v := listens[int32(n)]; v != "GATEWAY_INTERNAL_ADDR" && v != "WORKER_HEALTH_ADDR" {
				t.Errorf("%s: prometheus.io/port %q is not the internal or worker health listener", cw, a["prometheus.io/port"])
			}
			if a["prometheus.io/path"] != "/metrics" {
				t.Errorf("%s: prometheus.io/path %q, want /metrics", cw, a["prometheus.io/path"])
			}
		}

		if !probes {
			if ctr.LivenessProbe != nil || ctr.ReadinessProbe != nil {
				t.Errorf("%s: a one-shot Job has no probes", cw)
			}
			continue
		}
		// The worker serves /healthz and /readyz on its health listener, the gateway on its
		// public one.
		probePort := ""
		for n, v := range listens {
			if v == "WORKER_HEALTH_ADDR" || v == "GATEWAY_ADDR" {
				probePort = strconv.Itoa(int(n))
			}
		}
		for _, pr := range []struct {
			kind, path string
			p          *corev1.Probe
		}{{"startupProbe", "/healthz", ctr.StartupProbe}, {"livenessProbe", "/healthz", ctr.LivenessProbe}, {"readinessProbe", "/readyz", ctr.ReadinessProbe}} {
			if pr.p == nil || pr.p.HTTPGet == nil {
				t.Errorf("%s: no HTTP %s", cw, pr.kind)
				continue
			}
			if pr.p.HTTPGet.Path != pr.path {
				t.Errorf("%s: %s GET %s, want %s", cw, pr.kind, pr.p.HTTPGet.Path, pr.path)
			}
			port, ok := resolvePort(pr.p.HTTPGet.Port, ports, byNumber)
			if !ok {
				t.Errorf("%s: %s port %s is not a containerPort", cw, pr.kind, pr.p.HTTPGet.Port.String())
			} else if strconv.Itoa(int(port)) != probePort {
				t.Errorf("%s: %s on port %d, but /healthz and /readyz are served on %s", cw, pr.kind, port, probePort)
			}
			if pr.p.TimeoutSeconds < 1 || pr.p.PeriodSeconds < 1 || pr.p.FailureThreshold < 1 {
				t.Errorf("%s: %s: set timeoutSeconds, periodSeconds and failureThreshold explicitly", cw, pr.kind)
			}
			if pr.p.TimeoutSeconds >= pr.p.PeriodSeconds {
				t.Errorf("%s: %s: timeout %ds is not shorter than its period %ds", cw, pr.kind, pr.p.TimeoutSeconds, pr.p.PeriodSeconds)
			}
		}
	}
}

func resolvePort(p intstr.IntOrString, named map[string]int32, numbers map[int32]bool) (int32, bool) {
	if p.Type == intstr.String {
		n, ok := named[p.StrVal]
		return n, ok
	}
	return p.IntVal, numbers[p.IntVal]
}

var registryImage = regexp.MustCompile(`^[a-z0-9.-]+\.[a-z]{2,}(:[0-9]+)?/[a-z0-9._/-]+:[A-Za-z0-9._-]+$`)

func checkImage(t *testing.T, who, image string) {
	t.Helper()
	_, tag := splitImage(image)
	if !registryImage.MatchString(image) || tag == "latest" {
		t.Errorf("%s: image %q: want registry/name:tag with a fixed tag (set by kustomize images:)", who, image)
	}
}

func checkResources(t *testing.T, who string, r corev1.ResourceRequirements) {
	t.Helper()
	for _, n := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, ok := r.Requests[n]
		if !ok || req.IsZero() {
			t.Errorf("%s: no %s request", who, n)
		}
		lim, ok := r.Limits[n]
		if !ok || lim.IsZero() {
			t.Errorf("%s: no %s limit", who, n)
		} else if req.Cmp(lim) > 0 {
			t.Errorf("%s: %s request %s above its limit %s", who, n, req.String(), lim.String())
		}
	}
}

func checkSecurity(t *testing.T, who string, pod *corev1.PodSecurityContext, c *corev1.SecurityContext) {
	t.Helper()
	if c == nil {
		t.Errorf("%s: no securityContext", who)
		return
	}
	nonRoot := c.RunAsNonRoot != nil && *c.RunAsNonRoot || c.RunAsNonRoot == nil && pod != nil && pod.RunAsNonRoot != nil && *pod.RunAsNonRoot
	if !nonRoot {
		t.Errorf("%s: runAsNonRoot is not true", who)
	}
	if c.ReadOnlyRootFilesystem == nil || !*c.ReadOnlyRootFilesystem {
		t.Errorf("%s: readOnlyRootFilesystem is not true", who)
	}
	if c.AllowPrivilegeEscalation == nil || *c.AllowPrivilegeEscalation {
		t.Errorf("%s: allowPrivilegeEscalation is not false", who)
	}
	if c.Privileged != nil && *c.Privileged {
		t.Errorf("%s: privileged", who)
	}
	if c.Capabilities == nil || len(c.Capabilities.Add) > 0 || !containsCap(c.Capabilities.Drop, "ALL") {
		t.Errorf("%s: capabilities must drop ALL and add none", who)
	}
	sp := c.SeccompProfile
	if sp == nil && pod != nil {
		sp = pod.SeccompProfile
	}
	if sp == nil || sp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: seccompProfile is not RuntimeDefault", who)
	}
}

func containsCap(caps []corev1.Capability, want corev1.Capability) bool {
	for _, c := range caps {
		if c == want {
			return true
		}
	}
	return false
}

// selects: every selector label is on the pod.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// selected returns the one Deployment whose pods the selector picks (nil, and an error, if not
// exactly one).
func (c *cluster) selected(selector map[string]string) (*appsv1.Deployment, error) {
	var hits []*appsv1.Deployment
	for _, d := range c.deployments {
		if selects(selector, d.Spec.Template.Labels) {
			hits = append(hits, d)
		}
	}
	if len(hits) != 1 {
		return nil, fmt.Errorf("selector %v picks %d Deployments, want 1", selector, len(hits))
	}
	return hits[0], nil
}

// containerPorts of a Deployment's containers (all of them), by name and by number, and the
// listener variable behind each number.
func containerPorts(d *appsv1.Deployment) (map[string]int32, map[int32]bool, map[int32]string) {
	named, numbers, listens := map[string]int32{}, map[int32]bool{}, map[int32]string{}
	for _, ctr := range d.Spec.Template.Spec.Containers {
		for _, p := range ctr.Ports {
			named[p.Name], numbers[p.ContainerPort] = p.ContainerPort, true
		}
		for _, e := range ctr.Env {
			for _, v := range listenVars {
				if e.Name == v {
					if _, port, err := net.SplitHostPort(e.Value); err == nil {
						n, _ := strconv.Atoi(port)
						listens[int32(n)] = v
					}
				}
			}
		}
	}
	return named, numbers, listens
}

func (c *cluster) checkServices(t *testing.T) {
	t.Helper()
	public := 0
	for name, s := range c.services {
		who := "Service " + name
		if s.Spec.Type != "" && s.Spec.Type != corev1.ServiceTypeClusterIP {
			t.Errorf("%s: type %s: every Service is ClusterIP (the Ingress is the only way in)", who, s.Spec.Type)
		}
		d, err := c.selected(s.Spec.Selector)
		if err != nil {
			t.Errorf("%s: %v", who, err)
			continue
		}
		named, numbers, listens := containerPorts(d)
		for _, p := range s.Spec.Ports {
			target := p.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(p.Port)
			}
			n, ok := resolvePort(target, named, numbers)
			if !ok {
				t.Errorf("%s: port %d targets %s, which is not a containerPort of %s", who, p.Port, target.String(), d.Name)
				continue
			}
			if listens[n] == "GATEWAY_ADDR" {
				public++
				if p.Port != 80 {
					t.Errorf("%s: the gateway's public listener is served on port %d, want 80", who, p.Port)
				}
				if s.Annotations["prometheus.io/scrape"] != "" {
					t.Errorf("%s: scrapes the public listener (metrics are on the internal one)", who)
				}
			}
			if s.Annotations["prometheus.io/scrape"] == "true" && s.Annotations["prometheus.io/port"] == strconv.Itoa(int(p.Port)) &&
				listens[n] != "GATEWAY_INTERNAL_ADDR" && listens[n] != "WORKER_HEALTH_ADDR" {
				t.Errorf("%s: prometheus.io/port %d is not an internal or health listener", who, p.Port)
			}
		}
		if s.Annotations["prometheus.io/scrape"] == "true" {
			port, _ := strconv.Atoi(s.Annotations["prometheus.io/port"])
			found := false
			for _, p := range s.Spec.Ports {
				found = found || int(p.Port) == port
			}
			if !found || s.Annotations["prometheus.io/path"] != "/metrics" {
				t.Errorf("%s: prometheus.io/port %q must be one of its ports, path /metrics", who, s.Annotations["prometheus.io/port"])
			}
		}
	}
	if public != 1 {
		t.Errorf("want exactly one Service port for the gateway's public listener, have %d", public)
	}
	scraped := map[string]bool{}
	for _, s := range c.services {
		if s.Annotations["prometheus.io/scrape"] == "true" {
			if d, err := c.selected(s.Spec.Selector); err == nil {
				scraped[d.Name] = true
			}
		}
	}
	for name := range c.deployments {
		if !scraped[name] {
			t.Errorf("Deployment %s: no Service with Prometheus scrape annotations for its metrics", name)
		}
	}
}

func (c *cluster) checkPDBs(t *testing.T) {
	t.Helper()
	covered := map[string]bool{}
	for name, p := range c.pdbs {
		who := "PodDisruptionBudget " + name
		if p.Spec.Selector == nil {
			t.Errorf("%s: no selector", who)
			continue
		}
		d, err := c.selected(p.Spec.Selector.MatchLabels)
		if err != nil {
			t.Errorf("%s: %v", who, err)
			continue
		}
		covered[d.Name] = true
		replicas := *d.Spec.Replicas
		switch {
		case p.Spec.MinAvailable != nil && p.Spec.MaxUnavailable != nil:
			t.Errorf("%s: both minAvailable and maxUnavailable", who)
		case p.Spec.MinAvailable != nil:
			if p.Spec.MinAvailable.Type != intstr.Int || p.Spec.MinAvailable.IntVal < 1 || p.Spec.MinAvailable.IntVal >= replicas {
				t.Errorf("%s: minAvailable %s with %d replicas: want at least 1 and fewer than the replicas (else no node can be drained)",
					who, p.Spec.MinAvailable.String(), replicas)
			}
		case p.Spec.MaxUnavailable != nil:
			if p.Spec.MaxUnavailable.Type != intstr.Int || p.Spec.MaxUnavailable.IntVal < 1 {
				t.Errorf("%s: maxUnavailable %s", who, p.Spec.MaxUnavailable.String())
			}
		default:
			t.Errorf("%s: neither minAvailable nor maxUnavailable", who)
		}
	}
	for name := range c.deployments {
		if !covered[name] {
			t.Errorf("Deployment %s: no PodDisruptionBudget", name)
		}
	}
}

func (c *cluster) checkIngress(t *testing.T) {
	t.Helper()
	if len(c.ingresses) != 1 {
		t.Fatalf("want one Ingress (the webhook path), have %d", len(c.ingresses))
	}
	for name, in := range c.ingresses {
		who := "Ingress " + name
		if in.Spec.DefaultBackend != nil {
			t.Errorf("%s: a default backend exposes more than /webhooks/", who)
		}
		tlsHosts := map[string]bool{}
		for _, tls := range in.Spec.TLS {
			for _, h := range tls.Hosts {
				tlsHosts[h] = true
			}
			if tls.SecretName == "" || !externalSecrets[tls.SecretName] {
				t.Errorf("%s: TLS secret %q is not one deploy/README.md names", who, tls.SecretName)
			}
		}
		if len(in.Spec.Rules) == 0 {
			t.Errorf("%s: no rules", who)
		}
		for _, r := range in.Spec.Rules {
			if r.Host == "" || !tlsHosts[r.Host] {
				t.Errorf("%s: host %q is not served over TLS (Stripe delivers to https only)", who, r.Host)
			}
			if r.HTTP == nil {
				t.Errorf("%s: rule without paths", who)
				continue
			}
			for _, p := range r.HTTP.Paths {
				if p.Path != "/webhooks/" || p.PathType == nil || *p.PathType != networkingv1.PathTypePrefix {
					pt := "no pathType"
					if p.PathType != nil {
						pt = string(*p.PathType)
					}
					t.Errorf("%s: path %q (%s): route only the Prefix /webhooks/", who, p.Path, pt)
				}
				be := p.Backend.Service
				if be == nil {
					t.Errorf("%s: path %s has no Service backend", who, p.Path)
					continue
				}
				s := c.services[be.Name]
				if s == nil {
					t.Errorf("%s: backend Service %s does not exist", who, be.Name)
					continue
				}
				var sp *corev1.ServicePort
				for i := range s.Spec.Ports {
					if be.Port.Name != "" && s.Spec.Ports[i].Name == be.Port.Name || be.Port.Name == "" && s.Spec.Ports[i].Port == be.Port.Number {
						sp = &s.Spec.Ports[i]
					}
				}
				if sp == nil {
					t.Errorf("%s: Service %s has no port %v", who, be.Name, be.Port)
					continue
				}
				d, err := c.selected(s.Spec.Selector)
				if err != nil {
					t.Errorf("%s: %v", who, err)
					continue
				}
				named, numbers, listens := containerPorts(d)
				if n, ok := resolvePort(sp.TargetPort, named, numbers); !ok || listens[n] != "GATEWAY_ADDR" {
					t.Errorf("%s: routes to %s port %s, which is not the gateway's public listener", who, be.Name, sp.TargetPort.String())
				}
			}
		}
	}
}

func (c *cluster) checkNetworkPolicies(t *testing.T) {
	t.Helper()
	covered := map[string]bool{}
	for name, np := range c.netpols {
		who := "NetworkPolicy " + name
		if len(np.Spec.PolicyTypes) == 0 || np.Spec.PolicyTypes[0] != networkingv1.PolicyTypeIngress {
			t.Errorf("%s: policyTypes %v, want [Ingress] (egress stays open)", who, np.Spec.PolicyTypes)
		}
		var d *appsv1.Deployment
		for _, dd := range c.deployments {
			if selects(np.Spec.PodSelector.MatchLabels, dd.Spec.Template.Labels) {
				d = dd
			}
		}
		if d == nil {
			job := false
			for _, j := range c.jobs {
				job = job || selects(np.Spec.PodSelector.MatchLabels, j.Spec.Template.Labels)
			}
			if !job {
				t.Errorf("%s: selects no pod of the manifests", who)
			} else if len(np.Spec.Ingress) > 0 {
				t.Errorf("%s: the setup Job accepts no connections", who)
			}
			continue
		}
		covered[d.Name] = true
		_, _, listens := containerPorts(d)
		allowed := map[int32]string{} // port → "anyone" | "monitoring"
		for _, rule := range np.Spec.Ingress {
			from := "anyone"
			if len(rule.From) > 0 {
				from = "restricted"
				for _, peer := range rule.From {
					if peer.NamespaceSelector == nil || len(peer.NamespaceSelector.MatchLabels) == 0 || peer.IPBlock != nil {
						t.Errorf("%s: a rule admits %v: internal ports are for a labelled monitoring namespace only", who, peer)
					}
				}
			}
			if len(rule.Ports) == 0 {
				t.Errorf("%s: a rule without ports opens every port", who)
			}
			for _, p := range rule.Ports {
				if p.Port == nil || p.Port.Type != intstr.Int {
					t.Errorf("%s: use port numbers", who)
					continue
				}
				if allowed[p.Port.IntVal] != "anyone" { // any rule open to anyone opens the port to anyone
					allowed[p.Port.IntVal] = from
				}
			}
		}
		for port, v := range listens {
			switch {
			case v == "GATEWAY_ADDR" && allowed[port] != "anyone":
				t.Errorf("%s: the public listener %d must take traffic from the Ingress controller, wherever it runs", who, port)
			case v != "GATEWAY_ADDR" && allowed[port] != "restricted":
				t.Errorf("%s: %s port %d is %q: want it open to the monitoring namespace only", who, v, port, allowed[port])
			}
		}
		for port := range allowed {
			if listens[port] == "" {
				t.Errorf("%s: opens port %d, which no listener uses", who, port)
			}
		}
	}
	for name := range c.deployments {
		if !covered[name] {
			t.Errorf("Deployment %s: no NetworkPolicy", name)
		}
	}
}

// TestOverlaysDiffer: production and dev are not copies of the base.
func TestOverlaysDiffer(t *testing.T) {
	base := loadCluster(t, "base", "../k8s/base")
	for _, cl := range clusters[1:] {
		c := loadCluster(t, cl.name, cl.dir)
		for name, d := range c.deployments {
			bd := base.deployments[name]
			if *d.Spec.Replicas == *bd.Spec.Replicas {
				t.Errorf("%s: Deployment %s keeps the base's %d replicas", cl.name, name, *bd.Spec.Replicas)
			}
			r, br := d.Spec.Template.Spec.Containers[0].Resources, bd.Spec.Template.Spec.Containers[0].Resources
			if r.Limits.Memory().Cmp(*br.Limits.Memory()) == 0 {
				t.Errorf("%s: Deployment %s keeps the base's resources", cl.name, name)
			}
		}
		if equalJSON(c.configMaps["ledgerbridge"].Data, base.configMaps["ledgerbridge"].Data) {
			t.Errorf("%s: ConfigMap ledgerbridge is the base's", cl.name)
		}
	}
	prod, dev := loadCluster(t, "production", "../k8s/overlays/production"), loadCluster(t, "dev", "../k8s/overlays/dev")
	if pi, di := prod.deployments["ledgerbridge-worker"].Spec.Template.Spec.Containers[0].Image,
		dev.deployments["ledgerbridge-worker"].Spec.Template.Spec.Containers[0].Image; pi == di {
		t.Errorf("production and dev run the same image %s", pi)
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// readmeSecretKeys: the keys of the `ledgerbridge` Secret, as deploy/README.md tells operators
// to create it; each is a variable internal/config reads. The README also says how to create
// every other external object.
func readmeSecretKeys(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(repoPath("deploy", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	i := strings.Index(readme, "create secret generic ledgerbridge ")
	if i < 0 {
		t.Fatal("deploy/README.md does not show `kubectl create secret generic ledgerbridge …`")
	}
	block := readme[i:]
	if j := strings.Index(block, "\n\n"); j > 0 {
		block = block[:j]
	}
	known := knownVars()
	var keys []string
	for _, m := range regexp.MustCompile(`--from-literal=([A-Z0-9_]+)=`).FindAllStringSubmatch(block, -1) {
		if !known[m[1]] {
			t.Errorf("deploy/README.md: Secret key %s is not a variable internal/config reads", m[1])
		}
		keys = append(keys, m[1])
	}
	for _, want := range []string{"STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "SAGE_API_KEY", "LEDGERBRIDGE_ADMIN_TOKEN", "LEDGERBRIDGE_CODEC_KEYS"} {
		found := false
		for _, k := range keys {
			found = found || k == want
		}
		if !found {
			t.Errorf("deploy/README.md: the ledgerbridge Secret has no %s", want)
		}
	}
	for name := range externalConfigMaps {
		if !strings.Contains(readme, "create configmap "+name) {
			t.Errorf("deploy/README.md does not say how to create ConfigMap %s", name)
		}
	}
	for name := range externalSecrets {
		if !strings.Contains(readme, name) {
			t.Errorf("deploy/README.md does not mention Secret %s", name)
		}
	}
	return keys
}
