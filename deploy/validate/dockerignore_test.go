//go:build deployvalidate

package validate

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dockerignore is the build context filter of .dockerignore, for the pattern forms it uses: a
// path pattern (`*`, `?`, `**`) matches a file or any directory above it. Negations (`!`) are
// refused: add them to the matcher first.
type dockerignore []*regexp.Regexp

func loadDockerignore(t *testing.T) dockerignore {
	t.Helper()
	f, err := os.Open(repoPath(".dockerignore"))
	if err != nil {
		t.Fatalf(".dockerignore: %v (without it bin/ and .data/ are sent into every build)", err)
	}
	defer f.Close()
	var d dockerignore
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.TrimSpace(sc.Text())
		if p == "" || strings.HasPrefix(p, "#") {
			continue
		}
		if strings.HasPrefix(p, "!") {
			t.Fatalf(".dockerignore: negation %q is not implemented by this check", p)
		}
		p = strings.Trim(filepath.ToSlash(filepath.Clean(p)), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch c := p[i]; {
			case strings.HasPrefix(p[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case c == '*':
				re.WriteString("[^/]*")
			case c == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("$")
		d = append(d, regexp.MustCompile(re.String()))
	}
	return d
}

// ignored reports whether the context drops rel (slash-separated, relative to the repository).
func (d dockerignore) ignored(rel string) bool {
	parts := strings.Split(rel, "/")
	for i := 1; i <= len(parts); i++ {
		prefix := strings.Join(parts[:i], "/")
		for _, re := range d {
			if re.MatchString(prefix) {
				return true
			}
		}
	}
	return false
}

func TestDockerignore(t *testing.T) {
	d := loadDockerignore(t)
	for _, p := range []string{"bin/worker", ".data/temporal.db", ".data/cluster/pg/PG_VERSION", ".git/HEAD",
		"gateway/gateway.test", "deploy/validate/validate_test.go", "tests/stack_test.go"} {
		if !d.ignored(p) {
			t.Errorf(".dockerignore sends %s into the build context", p)
		}
	}
	// Everything the image's binaries are built from stays: go.mod, go.sum and every non-test
	// Go file (and embedded file) of every package of this module they import.
	for _, p := range []string{"go.mod", "go.sum", "deploy/Dockerfile"} {
		if d.ignored(p) {
			t.Errorf(".dockerignore drops %s, which the build needs", p)
		}
	}
	b := parseDockerfile(t)
	args := []string{"list", "-deps", "-f", "{{if not .Standard}}{{with .Module}}{{.Path}}{{end}}\t{{.Dir}}\t{{join .GoFiles \" \"}} {{join .EmbedFiles \" \"}}{{end}}"}
	for _, pkg := range b.binaries {
		args = append(args, pkg)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	abs, _ := filepath.Abs(root)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 || !strings.HasPrefix(f[0], "github.com/ledgerbridge/ledgerbridge") {
			continue
		}
		rel, err := filepath.Rel(abs, f[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range strings.Fields(f[2]) {
			n++
			if p := filepath.ToSlash(filepath.Join(rel, file)); d.ignored(p) {
				t.Errorf(".dockerignore drops %s, which the image's binaries are built from", p)
			}
		}
	}
	if n == 0 {
		t.Fatalf("go list found no source files of this module in %v", b.binaries)
	}
}
