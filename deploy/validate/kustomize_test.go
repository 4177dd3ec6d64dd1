//go:build deployvalidate

package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"sigs.k8s.io/yaml"
)

// kustomization is every kustomization.yaml field this loader implements. It is decoded
// strictly: a field it does not know (namePrefix, commonLabels, configMapGenerator, …) fails the
// test instead of being silently ignored, so nobody adds a kustomize feature the validation
// would not see.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace,omitempty"`
	Resources  []string `json:"resources"`
	Images     []struct {
		Name    string `json:"name"`
		NewName string `json:"newName,omitempty"`
		NewTag  string `json:"newTag,omitempty"`
	} `json:"images,omitempty"`
	Replicas []struct {
		Name  string `json:"name"`
		Count int32  `json:"count"`
	} `json:"replicas,omitempty"`
	// Strategic-merge patches of whole objects, found by apiVersion, kind and name.
	Patches []struct {
		Path string `json:"path"`
	} `json:"patches,omitempty"`
}

// object is one rendered manifest: its identity, its JSON, and where it came from.
type object struct {
	APIVersion, Kind, Name, Namespace string
	JSON                              []byte
	Source                            string
}

func (o object) id() string { return o.Kind + "/" + o.Name }

// kinds maps each manifest kind this project uses to its Kubernetes API type; any other kind is
// an error (add it here with its type to use it).
var kinds = map[string]func() any{
	"v1/Namespace":                       func() any { return &corev1.Namespace{} },
	"v1/ConfigMap":                       func() any { return &corev1.ConfigMap{} },
	"v1/Service":                         func() any { return &corev1.Service{} },
	"apps/v1/Deployment":                 func() any { return &appsv1.Deployment{} },
	"batch/v1/Job":                       func() any { return &batchv1.Job{} },
	"policy/v1/PodDisruptionBudget":      func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/Ingress":       func() any { return &networkingv1.Ingress{} },
	"networking.k8s.io/v1/NetworkPolicy": func() any { return &networkingv1.NetworkPolicy{} },
}

var clusterScoped = map[string]bool{"Namespace": true}

// decodeStrict decodes one manifest's JSON into its API type, refusing unknown fields.
func decodeStrict(apiVersion, kind string, data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("%s %s: %w", apiVersion, kind, err)
	}
	return nil
}

// parseManifests splits a YAML file into objects, each strictly decoded (duplicate keys and
// unknown fields refused) into its API type.
func parseManifests(path string) ([]object, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []object
	for i, doc := range splitYAML(data) {
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			return nil, fmt.Errorf("%s document %d: %w", path, i+1, err)
		}
		if string(js) == "null" {
			continue
		}
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(js, &meta); err != nil {
			return nil, fmt.Errorf("%s document %d: %w", path, i+1, err)
		}
		newT, ok := kinds[meta.APIVersion+"/"+meta.Kind]
		if !ok {
			return nil, fmt.Errorf("%s document %d: %s %s is not a kind deploy/validate knows (add it to kinds)", path, i+1, meta.APIVersion, meta.Kind)
		}
		if err := decodeStrict(meta.APIVersion, meta.Kind, js, newT()); err != nil {
			return nil, fmt.Errorf("%s document %d: %w", path, i+1, err)
		}
		if meta.Metadata.Name == "" {
			return nil, fmt.Errorf("%s document %d: %s without metadata.name", path, i+1, meta.Kind)
		}
		out = append(out, object{APIVersion: meta.APIVersion, Kind: meta.Kind, Name: meta.Metadata.Name,
			Namespace: meta.Metadata.Namespace, JSON: js, Source: path})
	}
	return out, nil
}

func splitYAML(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if bytes.Equal(bytes.TrimRight(line, "\r\n"), []byte("---")) {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
			cur.Reset()
			continue
		}
		cur.Write(line)
	}
	return append(docs, cur.Bytes())
}

// render builds the kustomization in dir as `kubectl kustomize` would for the features above:
// resources (files, or directories built recursively), then patches, namespace, replicas and
// images, each required to hit what it names.
func render(t *testing.T, dir string) []object {
	t.Helper()
	objs, err := renderDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func renderDir(dir string) ([]object, error) {
	path := filepath.Join(dir, "kustomization.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var k kustomization
	if err := yaml.UnmarshalStrict(data, &k); err != nil {
		return nil, fmt.Errorf("%s: %w (a kustomize field deploy/validate does not implement? add it to the loader first)", path, err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		return nil, fmt.Errorf("%s: want apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization", path)
	}
	var objs []object
	for _, r := range k.Resources {
		p := filepath.Join(dir, r)
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: resource %s: %w", path, r, err)
		}
		var more []object
		if st.IsDir() {
			more, err = renderDir(p)
		} else {
			more, err = parseManifests(p)
		}
		if err != nil {
			return nil, err
		}
		objs = append(objs, more...)
	}
	seen := map[string]string{}
	for _, o := range objs {
		if prev, dup := seen[o.id()]; dup {
			return nil, fmt.Errorf("%s: %s defined twice (%s, %s)", path, o.id(), prev, o.Source)
		}
		seen[o.id()] = o.Source
	}
	for _, p := range k.Patches {
		patches, err := parseManifests(filepath.Join(dir, p.Path))
		if err != nil {
			return nil, err
		}
		for _, patch := range patches {
			i := find(objs, patch.APIVersion, patch.Kind, patch.Name)
			if i < 0 {
				return nil, fmt.Errorf("%s: patch %s: no %s %s to patch", path, p.Path, patch.Kind, patch.Name)
			}
			merged, err := strategicpatch.StrategicMergePatch(objs[i].JSON, patch.JSON, kinds[patch.APIVersion+"/"+patch.Kind]())
			if err != nil {
				return nil, fmt.Errorf("%s: patch %s on %s: %w", path, p.Path, patch.id(), err)
			}
			if err := decodeStrict(patch.APIVersion, patch.Kind, merged, kinds[patch.APIVersion+"/"+patch.Kind]()); err != nil {
				return nil, fmt.Errorf("%s: patched %s: %w", path, patch.id(), err)
			}
			objs[i].JSON = merged
		}
	}
	if k.Namespace != "" {
		for i, o := range objs {
			if clusterScoped[o.Kind] {
				if o.Kind == "Namespace" && o.Name != k.Namespace {
					return nil, fmt.Errorf("%s: namespace %s would rename Namespace %s: not implemented", path, k.Namespace, o.Name)
				}
				continue
			}
			if objs[i].JSON, err = setPath(o.JSON, k.Namespace, "metadata", "namespace"); err != nil {
				return nil, err
			}
			objs[i].Namespace = k.Namespace
		}
	}
	for _, r := range k.Replicas {
		i := find(objs, "apps/v1", "Deployment", r.Name)
		if i < 0 {
			return nil, fmt.Errorf("%s: replicas: no Deployment %s", path, r.Name)
		}
		if objs[i].JSON, err = setPath(objs[i].JSON, r.Count, "spec", "replicas"); err != nil {
			return nil, err
		}
	}
	for _, im := range k.Images {
		hits := 0
		for i, o := range objs {
			var changed bool
			if objs[i].JSON, changed, err = setImages(o, im.Name, im.NewName, im.NewTag); err != nil {
				return nil, err
			}
			if changed {
				hits++
			}
		}
		if hits == 0 {
			return nil, fmt.Errorf("%s: images: no container uses image %s", path, im.Name)
		}
	}
	return objs, nil
}

func find(objs []object, apiVersion, kind, name string) int {
	for i, o := range objs {
		if o.APIVersion == apiVersion && o.Kind == kind && o.Name == name {
			return i
		}
	}
	return -1
}

func setPath(js []byte, value any, path ...string) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, err
	}
	cur := m
	for _, p := range path[:len(path)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	cur[path[len(path)-1]] = value
	return json.Marshal(m)
}

// setImages applies one `images:` entry to the containers of a Deployment or Job: kustomize
// matches the image name without its tag.
func setImages(o object, name, newName, newTag string) ([]byte, bool, error) {
	var spec *corev1.PodSpec
	var v any
	switch o.Kind {
	case "Deployment":
		d := &appsv1.Deployment{}
		v, spec = d, &d.Spec.Template.Spec
	case "Job":
		j := &batchv1.Job{}
		v, spec = j, &j.Spec.Template.Spec
	default:
		return o.JSON, false, nil
	}
	if err := json.Unmarshal(o.JSON, v); err != nil {
		return nil, false, err
	}
	changed := false
	for _, cs := range []*[]corev1.Container{&spec.InitContainers, &spec.Containers} {
		for i := range *cs {
			c := &(*cs)[i]
			n, tag := splitImage(c.Image)
			if n != name {
				continue
			}
			if newName != "" {
				n = newName
			}
			if newTag != "" {
				tag = newTag
			}
			c.Image = n
			if tag != "" {
				c.Image += ":" + tag
			}
			changed = true
		}
	}
	if !changed {
		return o.JSON, false, nil
	}
	// Write back only the containers, keeping every other field as it was.
	var m map[string]any
	if err := json.Unmarshal(o.JSON, &m); err != nil {
		return nil, false, err
	}
	pod := m["spec"].(map[string]any)
	if o.Kind == "Deployment" || o.Kind == "Job" {
		pod = pod["template"].(map[string]any)["spec"].(map[string]any)
	}
	for key, cs := range map[string][]corev1.Container{"containers": spec.Containers, "initContainers": spec.InitContainers} {
		list, _ := pod[key].([]any)
		for i := range list {
			list[i].(map[string]any)["image"] = cs[i].Image
		}
	}
	js, err := json.Marshal(m)
	return js, true, err
}

// splitImage splits registry/name:tag into its name and tag (a registry port is not a tag).
func splitImage(image string) (name, tag string) {
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		return image[:i], image[i+1:]
	}
	return image, ""
}
