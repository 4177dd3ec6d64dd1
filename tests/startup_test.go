package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
)

// runWorker starts bin/worker against the test stack with extra environment and returns its output and exit error; a worker that is still running after 20 s has accepted its configuration.
func runWorker(t *testing.T, env ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir(), "worker"))
	cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+stack.TemporalAddress(), "STRIPE_API_URL="+stack.StripeURL(),
		"STRIPE_API_KEY="+devstack.StripeKey, "SAGE_URL="+stack.SageURL(), "SAGE_API_KEY="+devstack.SageKey,
		"LEDGERBRIDGE_TASK_QUEUE=startup-check", "LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL=0", "WORKER_HEALTH_ADDR=127.0.0.1:0")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("worker accepted a bad configuration (still running): %s", out)
	}
	return string(out), err
}

// The worker refuses to start on a GL mapping naming an account the ERP does not have, and on an
// invalid mapping file, saying where and why.
func TestWorkerRefusesBadMappingAtStartup(t *testing.T) {
	out, err := runWorker(t, "LEDGERBRIDGE_GL_ACCOUNTS=fees=9999-99")
	if err == nil || !strings.Contains(out, `fees: account "9999-99" does not exist in the ERP's chart of accounts`) {
		t.Fatalf("unknown GL account: %v\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "mapping.yaml")
	yaml := "erp: sage500\ndates: {timezone: UTC, format: \"2006-01-02\"}\ncustomer:\n  fields:\n    nmae: \"{customer.name}\"\n"
	if err := os.WriteFile(bad, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runWorker(t, "LEDGERBRIDGE_MAPPING_FILE="+bad)
	if err == nil || !strings.Contains(out, "mapping.yaml:5: customer.fields.nmae: unknown ERP customer field") {
		t.Fatalf("bad mapping file: %v\n%s", err, out)
	}
	// A valid Sage 500 file used for a Sage X3 connection.
	good, _ := mapping.DefaultYAML("sage500")
	other := filepath.Join(t.TempDir(), "sage500.yaml")
	if err := os.WriteFile(other, good, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runWorker(t, "ERP=sagex3", "LEDGERBRIDGE_MAPPING_FILE="+other)
	if err == nil || !strings.Contains(out, "sage500.yaml:") || !strings.Contains(out, "sagex3") {
		t.Fatalf("mapping for another ERP: %v\n%s", err, out)
	}
}

// runBinary runs one of the project's binaries against the test stack with extra environment
// and returns its output; it fails the test if the binary keeps running (it accepted the setup).
func runBinary(t *testing.T, name string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir(), name))
	cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+stack.TemporalAddress(), "LEDGERBRIDGE_TASK_QUEUE=startup-check",
		"LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL=0", "GATEWAY_ADDR=127.0.0.1:0", "GATEWAY_INTERNAL_ADDR=127.0.0.1:0", "WORKER_HEALTH_ADDR=127.0.0.1:0")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s accepted the configuration (still running): %s", name, out)
	}
	if err == nil {
		t.Fatalf("%s exited 0: %s", name, out)
	}
	return string(out)
}

// Exposed beyond loopback or talking to a real Stripe, the gateway and the worker refuse the
// public development defaults, naming each variable; admin endpoints are off unless a token is set.
func TestProductionRefusesDevDefaults(t *testing.T) {
	out := runBinary(t, "gateway", "GATEWAY_ADDR=0.0.0.0:0")
	for _, want := range []string{"refusing to start with development defaults", "GATEWAY_ADDR=0.0.0.0:0 listens beyond loopback",
		"STRIPE_WEBHOOK_SECRET is the public development default", "STRIPE_API_KEY", "STRIPE_API_URL"} {
		if !strings.Contains(out, want) {
			t.Errorf("gateway output lacks %q:\n%s", want, out)
		}
	}
	out = runBinary(t, "worker", "STRIPE_API_URL=https://api.stripe.com", "STRIPE_API_KEY=sk_live_x",
		"SAGE_URL=https://sage.example.invalid", "SAGE_API_KEY=real", "LEDGERBRIDGE_ADMIN_TOKEN=admin_ledgerbridge_dev")
	for _, want := range []string{"STRIPE_API_URL=https://api.stripe.com is not a local sandbox", "STRIPE_WEBHOOK_SECRET", "LEDGERBRIDGE_ADMIN_TOKEN"} {
		if !strings.Contains(out, want) {
			t.Errorf("worker output lacks %q:\n%s", want, out)
		}
	}
	out = runBinary(t, "worker", "SAGE_URL=http://sage.example.invalid")
	if !strings.Contains(out, "SAGE_URL: host sage.example.invalid is not loopback, so the URL must use https") {
		t.Errorf("plain http to a remote Sage accepted:\n%s", out)
	}
	out = runBinary(t, "worker", "LEDGERBRIDGE_CODEC_KEYS=k1:c2hvcnQ=")
	if !strings.Contains(out, "LEDGERBRIDGE_CODEC_KEYS") || strings.Contains(out, "c2hvcnQ") {
		t.Errorf("bad codec key: %s", out)
	}
}

// A mapping file that is a bare YAML null (or empty) stops the worker with a clear message.
func TestNullMappingIsAClearError(t *testing.T) {
	for _, content := range []string{"null\n", "~\n", "", "# only a comment\n"} {
		f := filepath.Join(t.TempDir(), "mapping.yaml")
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		out := runBinary(t, "worker", "STRIPE_API_URL="+stack.StripeURL(), "SAGE_URL="+stack.SageURL(), "LEDGERBRIDGE_MAPPING_FILE="+f)
		if !strings.Contains(out, "mapping.yaml") || strings.Contains(out, "panic") || strings.Contains(out, "nil pointer") {
			t.Errorf("mapping %q: %s", content, out)
		}
	}
}
