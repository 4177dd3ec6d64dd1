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
		"LEDGERBRIDGE_TASK_QUEUE=startup-check", "LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL=0")
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
