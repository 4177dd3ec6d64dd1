//go:build deployvalidate

package validate

import (
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// requiredSecrets must be set for compose to start anything (`${VAR:?…}`).
var requiredSecrets = []string{"STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "SAGE_URL", "SAGE_API_KEY", "LEDGERBRIDGE_CODEC_KEYS"}

// The other images' variables: each is one the image reads (the Temporal images' names are
// cross-checked against their sources when the module cache has them, after make cluster-tools).
var imageEnv = map[string]map[string]bool{
	"postgres":               set("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"),
	"temporalio/admin-tools": set("POSTGRES_SEEDS", "DB_PORT", "POSTGRES_USER", "SQL_PASSWORD"),
	"temporalio/server": set("DB", "DB_PORT", "POSTGRES_SEEDS", "POSTGRES_USER", "POSTGRES_PWD", "BIND_ON_IP",
		"NUM_HISTORY_SHARDS", "DYNAMIC_CONFIG_FILE_PATH"),
	"temporalio/ui": set("TEMPORAL_ADDRESS", "TEMPORAL_UI_PORT", "TEMPORAL_DEFAULT_NAMESPACE", "TEMPORAL_CORS_ORIGINS"),
	"caddy":         set(),
}

// Where those images take their variables from, in the Go module cache (server v1.32.1 and
// ui-server v2.42.1 are the versions the images are pinned to).
var imageEnvSources = map[string]string{
	"temporalio/server": "go.temporal.io/server@v1.32.1/common/config/config_template_embedded.yaml",
	"temporalio/ui":     "github.com/temporalio/ui-server/v2@v2.42.1/config/docker.yaml",
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

var (
	oneShots    = set("temporal-schema", "ledgerbridge-setup")
	wantService = set("postgresql", "temporal-schema", "temporal", "temporal-ui", "ledgerbridge-setup",
		"worker-1", "worker-2", "gateway-1", "gateway-2", "webhook-proxy")
	publishers = set("webhook-proxy", "temporal-ui")
	// temporal-ui has no healthcheck: nothing depends on it, and its image's tools are not ours.
	noHealthcheck = set("temporal-ui")
)

func composeEnv(drop string) map[string]string {
	env := map[string]string{}
	for k, v := range fakeSecrets() {
		if k != drop {
			env[k] = v
		}
	}
	return env
}

func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	dir, err := filepath.Abs(repoPath("deploy"))
	if err != nil {
		t.Fatal(err)
	}
	// Schema validation is on (compose-go validates against the compose-spec JSON schema it
	// embeds); interpolation uses only env, never this process's environment.
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, "docker-compose.yml")}},
		Environment: env,
	})
}

func TestComposeRequiresSecrets(t *testing.T) {
	if _, err := loadCompose(t, composeEnv("")); err != nil {
		t.Fatalf("with every secret set: %v", err)
	}
	for _, name := range requiredSecrets {
		_, err := loadCompose(t, composeEnv(name))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: want an error naming it, got %v", name, err)
		}
	}
}

func TestCompose(t *testing.T) {
	p, err := loadCompose(t, composeEnv(""))
	if err != nil {
		t.Fatal(err)
	}
	b := parseDockerfile(t)
	known := knownVars()
	repo, _ := filepath.Abs(root)
	for name := range wantService {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("no service %s", name)
		}
	}
	for name, s := range p.Services {
		if !wantService[name] {
			t.Errorf("service %s is not one this test knows: add it to wantService and check it", name)
		}
		ours := strings.HasPrefix(s.Image, "ghcr.io/ledgerbridge/ledgerbridge:")
		// Lifetime and health.
		if oneShots[name] {
			if s.Restart != "no" {
				t.Errorf("%s: a one-shot has restart \"no\", not %q", name, s.Restart)
			}
		} else {
			if s.Restart != "unless-stopped" {
				t.Errorf("%s: restart %q, want unless-stopped", name, s.Restart)
			}
			if !noHealthcheck[name] {
				hc := s.HealthCheck
				if hc == nil || hc.Disable || len(hc.Test) < 2 || hc.Interval == nil || hc.Timeout == nil || hc.Retries == nil {
					t.Errorf("%s: no healthcheck with test, interval, timeout and retries", name)
				}
			}
		}
		for dep, d := range s.DependsOn {
			ds, ok := p.Services[dep]
			switch {
			case !ok:
				t.Errorf("%s depends on unknown %s", name, dep)
			case d.Condition == types.ServiceConditionHealthy:
				if ds.HealthCheck == nil {
					t.Errorf("%s waits for %s to be healthy, which has no healthcheck", name, dep)
				}
			case d.Condition == types.ServiceConditionCompletedSuccessfully:
				if !oneShots[dep] {
					t.Errorf("%s waits for %s to complete, which is not a one-shot", name, dep)
				}
			default:
				t.Errorf("%s depends on %s with condition %q: want service_healthy or service_completed_successfully", name, dep, d.Condition)
			}
		}
		// Published ports: loopback only, and only the webhook proxy and Web UI.
		for _, port := range s.Ports {
			if !publishers[name] {
				t.Errorf("%s publishes %s:%s: only the webhook proxy and Web UI are published", name, port.Published, strconv.Itoa(int(port.Target)))
			}
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes port %d on %q: bind it to 127.0.0.1", name, port.Target, port.HostIP)
			}
		}
		if name == "webhook-proxy" && (len(s.Ports) != 1 || s.Ports[0].Target != 8080 || s.Ports[0].Published != "8080") {
			t.Errorf("webhook-proxy: want 127.0.0.1:8080:8080, have %v", s.Ports)
		}
		if len(s.Expose) > 0 {
			t.Errorf("%s: expose %v", name, s.Expose)
		}
		// Mounted files exist in the repository.
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			rel, err := filepath.Rel(repo, v.Source)
			if err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s: bind mount %s is outside the repository", name, v.Source)
				continue
			}
			if st, err := os.Stat(v.Source); err != nil || st.IsDir() {
				t.Errorf("%s: bind mount source %s is not a file in the repository", name, rel)
			}
		}
		env := map[string]string{}
		for k, v := range s.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		if !ours {
			img, _ := splitImage(s.Image)
			allowed, ok := imageEnv[img]
			if !ok {
				t.Errorf("%s: image %s is not one this test knows (add its variables to imageEnv)", name, s.Image)
			}
			if _, tag := splitImage(s.Image); tag == "" || tag == "latest" {
				t.Errorf("%s: image %s: pin a tag", name, s.Image)
			}
			for k := range env {
				if !allowed[k] {
					t.Errorf("%s: %s is not a variable %s reads", name, k, img)
				}
			}
			continue
		}
		checkOurs(t, name, s, env, b, known, p)
	}
	checkImageEnvSources(t)
	checkSchemaScript(t, p.Services["temporal-schema"])
	checkTemporal(t, p.Services["temporal"])
	checkCaddyfile(t, p)
}

// checkOurs: a worker, gateway or setup container.
func checkOurs(t *testing.T, name string, s types.ServiceConfig, env map[string]string, b built, known map[string]bool, p *types.Project) {
	t.Helper()
	b.checkCommand(t, name, s.Command)
	if len(s.Entrypoint) > 0 {
		t.Errorf("%s: entrypoint %v: the image's processes are chosen with command", name, s.Entrypoint)
	}
	for k := range env {
		if !known[k] {
			t.Errorf("%s: %s is not a variable internal/config reads (typo?)", name, k)
		}
	}
	loadConfig(t, name, env)
	if !s.ReadOnly || !contains(s.CapDrop, "ALL") || !contains(s.SecurityOpt, "no-new-privileges:true") {
		t.Errorf("%s: run read_only, cap_drop ALL, security_opt no-new-privileges:true", name)
	}
	// The mapping file: mounted where LEDGERBRIDGE_MAPPING_FILE says, written for ERP.
	mounted := false
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeBind && v.Target == env["LEDGERBRIDGE_MAPPING_FILE"] {
			mounted = true
			data, err := os.ReadFile(v.Source)
			if err != nil {
				t.Errorf("%s: mapping file: %v", name, err)
				continue
			}
			m := regexp.MustCompile(`(?m)^erp:\s*(\S+)`).FindSubmatch(data)
			if m == nil || string(m[1]) != env["ERP"] {
				t.Errorf("%s: mapping file %s is not written for ERP=%s", name, v.Source, env["ERP"])
			}
			if !v.ReadOnly {
				t.Errorf("%s: mount the mapping file read-only", name)
			}
		}
	}
	if !mounted {
		t.Errorf("%s: LEDGERBRIDGE_MAPPING_FILE=%q is not a mounted file", name, env["LEDGERBRIDGE_MAPPING_FILE"])
	}
	if oneShots[name] {
		if len(s.Command) != 2 || s.Command[1] != "setup" {
			t.Errorf("%s: want the one-shot `worker setup`, have %v", name, s.Command)
		}
		return
	}
	for _, dep := range []string{"ledgerbridge-setup", "temporal"} {
		if _, ok := s.DependsOn[dep]; !ok {
			t.Errorf("%s does not wait for %s", name, dep)
		}
	}
	// The healthcheck: the image's healthcheck binary, GET /readyz of the process's own listener.
	listener := map[string]string{"worker": "WORKER_HEALTH_ADDR", "gateway": "GATEWAY_ADDR"}[filepath.Base(s.Command[0])]
	hc := s.HealthCheck
	if hc == nil || len(hc.Test) != 3 || hc.Test[0] != "CMD" {
		t.Errorf("%s: want healthcheck [CMD, %s/healthcheck, URL]", name, b.binDir)
		return
	}
	b.checkCommand(t, name+" healthcheck", hc.Test[1:2])
	u, err := url.Parse(hc.Test[2])
	_, port, _ := net.SplitHostPort(env[listener])
	if err != nil || u.Path != "/readyz" || u.Port() != port || port == "" {
		t.Errorf("%s: healthcheck %s is not /readyz on %s=%s", name, hc.Test[2], listener, env[listener])
	}
	if host, _, _ := net.SplitHostPort(env[listener]); host != "0.0.0.0" {
		t.Errorf("%s: %s=%s: listen on 0.0.0.0 inside the container", name, listener, env[listener])
	}
}

func contains(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

// checkImageEnvSources: the Temporal images read the variables imageEnv allows (from their
// sources in the module cache, when present).
func checkImageEnvSources(t *testing.T) {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cache := strings.TrimSpace(string(out))
	for img, rel := range imageEnvSources {
		data, err := os.ReadFile(filepath.Join(cache, filepath.FromSlash(rel)))
		if err != nil {
			t.Logf("%s: source %s not in the module cache (make cluster-tools fetches it): variables not cross-checked", img, rel)
			continue
		}
		for name := range imageEnv[img] {
			if !regexp.MustCompile(`env "` + name + `"`).Match(data) {
				t.Errorf("%s: %s does not read %s", img, rel, name)
			}
		}
	}
}

// checkSchemaScript: the schema job runs the mounted script, which uses exactly the variables
// the service sets (and its own locals).
func checkSchemaScript(t *testing.T, s types.ServiceConfig) {
	t.Helper()
	if len(s.Entrypoint) != 2 {
		t.Fatalf("temporal-schema: entrypoint %v: want [/bin/sh, script]", s.Entrypoint)
	}
	var script string
	for _, v := range s.Volumes {
		if v.Target == s.Entrypoint[1] {
			script = v.Source
		}
	}
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatalf("temporal-schema: the entrypoint %s is not a mounted file: %v", s.Entrypoint[1], err)
	}
	locals := set("schema", "db", "dir", "sql", "TEMPORAL_SCHEMA_DIR")
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`).FindAllStringSubmatch(string(data), -1) {
		used[m[1]] = true
		if !locals[m[1]] && s.Environment[m[1]] == nil {
			t.Errorf("temporal-schema: the script uses $%s, which the service does not set", m[1])
		}
	}
	for k := range s.Environment {
		if !used[k] && k != "SQL_PASSWORD" { // temporal-sql-tool reads SQL_PASSWORD itself
			t.Errorf("temporal-schema: sets %s, which the script does not use", k)
		}
	}
	for _, want := range []string{"create-database", "setup-schema -v 0.0", "update-schema", "temporal/versioned", "visibility/versioned", "--plugin postgres12"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("temporal-schema: the script has no %q", want)
		}
	}
}

// checkTemporal: the dynamic config file the server is told to read is mounted there.
func checkTemporal(t *testing.T, s types.ServiceConfig) {
	t.Helper()
	path := s.Environment["DYNAMIC_CONFIG_FILE_PATH"]
	if path == nil {
		t.Fatal("temporal: no DYNAMIC_CONFIG_FILE_PATH")
	}
	for _, v := range s.Volumes {
		if v.Target == *path {
			return
		}
	}
	t.Errorf("temporal: DYNAMIC_CONFIG_FILE_PATH=%s is not mounted", *path)
}

// checkCaddyfile: the proxy passes /webhooks/* only, to every gateway's public port.
func checkCaddyfile(t *testing.T, p *types.Project) {
	t.Helper()
	data, err := os.ReadFile(repoPath("deploy", "compose", "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	caddy := string(data)
	if n := strings.Count(caddy, "reverse_proxy"); n != 1 || !regexp.MustCompile(`handle /webhooks/\* \{\s*reverse_proxy`).MatchString(caddy) {
		t.Errorf("Caddyfile: want one reverse_proxy, inside handle /webhooks/*")
	}
	upstreams := map[string]string{}
	for _, m := range regexp.MustCompile(`\{\$[A-Z0-9_]+:([a-z0-9-]+):([0-9]+)\}`).FindAllStringSubmatch(caddy, -1) {
		upstreams[m[1]] = m[2]
	}
	for name, s := range p.Services {
		if len(s.Command) == 0 || filepath.Base(s.Command[0]) != "gateway" {
			continue
		}
		addr := s.Environment["GATEWAY_ADDR"]
		if addr == nil {
			t.Errorf("%s: no GATEWAY_ADDR", name)
			continue
		}
		_, port, _ := net.SplitHostPort(*addr)
		if upstreams[name] != port {
			t.Errorf("Caddyfile: gateway %s (public port %s) is not an upstream (have %v)", name, port, upstreams)
		}
		delete(upstreams, name)
	}
	for u := range upstreams {
		t.Errorf("Caddyfile: upstream %s is not a gateway service", u)
	}
}

// TestComposeMappingFollowsERP: with ERP set, the shipped mapping for that ERP is mounted (and
// config.Load accepts the connector).
func TestComposeMappingFollowsERP(t *testing.T) {
	for _, erp := range []string{"sage500", "sagex3", "sagepro"} {
		env := composeEnv("")
		env["ERP"] = erp
		p, err := loadCompose(t, env)
		if err != nil {
			t.Fatalf("ERP=%s: %v", erp, err)
		}
		s := p.Services["worker-1"]
		found := false
		for _, v := range s.Volumes {
			if v.Target == "/etc/ledgerbridge/mapping.yaml" {
				found = true
				data, err := os.ReadFile(v.Source)
				m := regexp.MustCompile(`(?m)^erp:\s*(\S+)`).FindSubmatch(data)
				if err != nil || m == nil || string(m[1]) != erp {
					t.Errorf("ERP=%s: mounts %s, not a mapping for %s", erp, v.Source, erp)
				}
			}
		}
		if !found {
			t.Errorf("ERP=%s: no mapping mounted", erp)
		}
	}
}
