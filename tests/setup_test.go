package tests

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// On a cluster where the namespace does not exist yet, `worker setup` creates it and its search
// attributes through Temporal's operator API (no CLI); a gateway in a namespace that is not set up
// is not ready until a worker has prepared it, and then accepts webhooks.
func TestWorkerPreparesAFreshNamespace(t *testing.T) {
	ns := "fresh-" + uniqueSuffix()
	env := []string{"TEMPORAL_ADDRESS=" + stack.TemporalAddress(), "TEMPORAL_NAMESPACE=" + ns,
		"STRIPE_API_URL=" + stack.StripeURL(), "SAGE_URL=" + stack.SageURL(), "LEDGERBRIDGE_TASK_QUEUE=fresh",
		"LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL=0", "WORKER_HEALTH_ADDR=127.0.0.1:0"}
	ports, _ := devstack.FreePorts(2)
	gw := exec.Command(filepath.Join(binDir(), "gateway"))
	gw.Env = append(append(os.Environ(), env...), fmt.Sprintf("GATEWAY_ADDR=127.0.0.1:%d", ports[0]), fmt.Sprintf("GATEWAY_INTERNAL_ADDR=127.0.0.1:%d", ports[1]))
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = gw.Process.Kill(); _ = gw.Wait() }()
	ready := func() int {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", ports[0]))
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	time.Sleep(2 * time.Second)
	if code := ready(); code == 200 {
		t.Fatal("the gateway is ready in a namespace that does not exist")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	setup := exec.CommandContext(ctx, filepath.Join(binDir(), "worker"), "setup")
	setup.Env = append(os.Environ(), env...)
	out, err := setup.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "namespace "+ns) {
		t.Fatalf("worker setup: %v\n%s", err, out)
	}
	have, err := tc.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	for _, sa := range workflows.SearchAttributeTypes {
		if _, ok := have.CustomAttributes[sa[0]]; !ok {
			t.Errorf("search attribute %s missing after setup", sa[0])
		}
	}
	// Running it again changes nothing and succeeds.
	again := exec.CommandContext(ctx, filepath.Join(binDir(), "worker"), "setup")
	again.Env = setup.Env
	if out, err := again.CombinedOutput(); err != nil {
		t.Fatalf("second setup: %v\n%s", err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for ready() != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the gateway did not become ready once the namespace was set up")
		}
		time.Sleep(300 * time.Millisecond)
	}
}
