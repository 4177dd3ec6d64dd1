//go:build deployvalidate

// Package validate checks deploy/ offline, the way a reviewer would, since nothing here can run a
// container: the Kubernetes manifests (kustomize base and overlays, rendered by a small loader
// that implements exactly the kustomize features used and fails on any other) strictly decoded
// into the Kubernetes API types and checked for probes, resources, security, ports, selectors and
// routing; the compose file loaded by compose-go against the compose-spec schema and checked for
// dependencies, healthchecks, restart policies, published ports, secrets and mounts; and the
// Dockerfile's binaries, which every command in both must name. Every ledgerbridge variable they
// set must be one internal/config reads, and the configuration each container gets must pass
// config.Load's production refusals.
//
// The build tag: go.sum lacks the dependencies of k8s.io/api and compose-go until `go mod tidy`
// records them (see deploy/README.md, Validation); until then `make validate-deploy` runs this
// package with an alternate module file. Remove the tag once go.sum has them.
package validate

import (
	"bufio"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/config"
)

// root is the repository root (tests run in their package directory).
var root = filepath.Join("..", "..")

func repoPath(parts ...string) string { return filepath.Join(append([]string{root}, parts...)...) }

// knownVars are the variables internal/config reads.
func knownVars() map[string]bool {
	m := map[string]bool{}
	for _, v := range config.Vars {
		m[v.Name] = true
	}
	return m
}

// fakeSecrets are well-formed production secrets (not the public dev defaults), so a container's
// configuration can be loaded by config.Load as the real process would.
func fakeSecrets() map[string]string {
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	return map[string]string{
		"STRIPE_API_KEY":           "rk_live_validate",
		"STRIPE_WEBHOOK_SECRET":    "whsec_validate",
		"SAGE_URL":                 "https://sage.validate.example",
		"SAGE_API_KEY":             "sage_validate",
		"LEDGERBRIDGE_ADMIN_TOKEN": "admin-validate-0123456789",
		"LEDGERBRIDGE_CODEC_KEYS":  "k1:" + key,
	}
}

// loadConfig runs config.Load with exactly env (every other variable unset), as the process
// started with that environment would, and fails the test with its refusal.
func loadConfig(t *testing.T, who string, env map[string]string) {
	t.Helper()
	for _, v := range config.Vars {
		t.Setenv(v.Name, "")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	if _, err := config.Load(); err != nil {
		t.Errorf("%s: config.Load refuses the environment it is given: %v", who, err)
	}
}

// built is what deploy/Dockerfile builds: binary name → Go package directory, and where the
// final image installs them.
type built struct {
	binaries map[string]string
	binDir   string
	env      []string
	final    string // base image of the last stage
	user     string
}

var goBuildRE = regexp.MustCompile(`go build\b.*?-o\s+(\S+)\s+(\./\S+)`)

// parseDockerfile is a line parser for what deploy/Dockerfile uses: FROM, RUN with `go build -o
// OUT ./PKG`, COPY --from (into the final stage), ENV, USER. Continuation lines are joined.
func parseDockerfile(t *testing.T) built {
	t.Helper()
	f, err := os.Open(repoPath("deploy", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.HasSuffix(l, `\`) {
			cur.WriteString(strings.TrimSuffix(l, `\`) + " ")
			continue
		}
		cur.WriteString(l)
		lines = append(lines, cur.String())
		cur.Reset()
	}
	b := built{binaries: map[string]string{}}
	outs := map[string]string{} // /out/worker → ./worker
	stages := 0
	for _, l := range lines {
		instr, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			stages++
			b.final = strings.Fields(rest)[0]
		case "RUN":
			for _, m := range goBuildRE.FindAllStringSubmatch(rest, -1) {
				outs[m[1]] = m[2]
			}
		case "COPY":
			f := strings.Fields(rest)
			if !strings.HasPrefix(f[0], "--from=") {
				continue
			}
			var srcs []string
			for _, s := range f {
				if !strings.HasPrefix(s, "--") {
					srcs = append(srcs, s)
				}
			}
			dst := srcs[len(srcs)-1]
			for _, s := range srcs[:len(srcs)-1] {
				if pkg, ok := outs[s]; ok && strings.HasSuffix(dst, "/") {
					b.binaries[filepath.Base(s)] = pkg
					b.binDir = strings.TrimSuffix(dst, "/")
				}
			}
		case "ENV":
			name, _, _ := strings.Cut(rest, "=")
			b.env = append(b.env, strings.TrimSpace(name))
		case "USER":
			b.user = rest
		case "WORKDIR", "ENTRYPOINT", "CMD", "ARG", "LABEL", "EXPOSE":
		default:
			t.Fatalf("deploy/Dockerfile: the validation's parser does not know %s (extend parseDockerfile): %s", instr, l)
		}
	}
	if stages < 2 {
		t.Fatalf("deploy/Dockerfile: want a multi-stage build, have %d stage(s)", stages)
	}
	return b
}

// checkCommand: a container's command runs a binary the image has.
func (b built) checkCommand(t *testing.T, who string, command []string) {
	t.Helper()
	if len(command) == 0 {
		t.Errorf("%s: no command: name the process (worker, worker setup or gateway) explicitly", who)
		return
	}
	dir, name := filepath.Dir(command[0]), filepath.Base(command[0])
	if _, ok := b.binaries[name]; !ok || dir != b.binDir {
		t.Errorf("%s: command %q is not a binary deploy/Dockerfile installs (%s/{%s})", who, command[0], b.binDir, strings.Join(sortedKeys(b.binaries), ","))
	}
}

func TestDockerfileBuildsMainPackages(t *testing.T) {
	b := parseDockerfile(t)
	for _, want := range []string{"worker", "gateway", "healthcheck"} {
		if _, ok := b.binaries[want]; !ok {
			t.Errorf("deploy/Dockerfile does not build and install %s (have %v)", want, sortedKeys(b.binaries))
		}
	}
	for name, pkg := range b.binaries {
		dir := repoPath(filepath.FromSlash(pkg))
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		isMain := false
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			data, err := os.ReadFile(f)
			if err == nil && regexp.MustCompile(`(?m)^package main$`).Match(data) {
				isMain = true
			}
		}
		if !isMain {
			t.Errorf("deploy/Dockerfile builds %s from %s, which is not a main package in the repository", name, pkg)
		}
	}
	if !strings.HasPrefix(b.final, "gcr.io/distroless/static") || !strings.Contains(b.final, "nonroot") {
		t.Errorf("final image %s: want gcr.io/distroless/static…:nonroot", b.final)
	}
	if b.user != "65532:65532" && b.user != "nonroot" && b.user != "nonroot:nonroot" {
		t.Errorf("final image runs as USER %q: want the distroless nonroot user", b.user)
	}
	known := knownVars()
	for _, e := range b.env {
		if !known[e] {
			t.Errorf("deploy/Dockerfile sets ENV %s, which internal/config does not read", e)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
