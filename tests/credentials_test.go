package tests

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// The ERP revokes ledgerbridge's key: the run parks at once with "credentials rejected" instead
// of retrying forever, an alert goes out, and once the key works again `ledgerbridge runs retry`
// completes it, posting everything once.
func TestRevokedERPCredentialsParkAlertAndRetry(t *testing.T) {
	sink := newAlertSink(t)
	e := newMonthEnv(t, "LEDGERBRIDGE_ALERT_WEBHOOK_URL="+sink.srv.URL)
	revoke := func(on bool) {
		doJSON(t, http.MethodPut, e.st.SageURL()+"/_admin/credentials", devstack.SageKey, map[string]any{"revoked": on}, nil)
	}
	revoke(true)
	ch := e.pay(t, 2750, "usd", "pm_card_visa")
	id := workflows.OrderToCashID(ch)
	var st workflows.OrderToCashStatus
	eventually(t, time.Minute, func() bool {
		v, err := e.tc.QueryWorkflow(t.Context(), id, "", workflows.QueryStatus)
		if err != nil {
			return false
		}
		return v.Get(&st) == nil && st.Status == workflows.StatusNeedsAttention
	}, "run %s parked", id)
	if !strings.Contains(st.Problem, "credentials rejected") {
		t.Fatalf("parked with %q, want credentials rejected", st.Problem)
	}
	eventually(t, 10*time.Second, func() bool { return strings.Contains(strings.Join(sink.kinds(), "\n"), id) }, "an alert for %s (got %v)", id, sink.kinds())

	revoke(false)
	if n := len(e.sage(t, e.books.invoices, byRef(ch))); n != 0 {
		t.Fatalf("%d invoices posted with a revoked key", n)
	}
	env := append(cliEnvFor(e), "LEDGERBRIDGE_WEB_UI="+cliWebUI)
	if r := cli(t, env, "runs", "retry", id); r.code != 0 {
		t.Fatalf("ledgerbridge runs retry: %s", r)
	}
	var res workflows.OrderToCashResult
	waitDone(t, e.tc, id, &res, time.Minute)
	if res.Status != workflows.StatusPosted {
		t.Fatalf("after retry: %+v", res)
	}
	if n, p := len(e.sage(t, e.books.invoices, byRef(ch))), len(e.sage(t, e.books.payments, byRef(ch))); n != 1 || p != 1 {
		t.Fatalf("%d invoices, %d payments after retry", n, p)
	}
}

// cliEnvFor is an operator's shell environment for a stack of its own.
func cliEnvFor(e *monthEnv) []string {
	env := append(os.Environ(), "TEMPORAL_ADDRESS="+e.st.TemporalAddress(), "TEMPORAL_NAMESPACE="+e.st.Namespace(), "GATEWAY_INTERNAL_ADDR="+e.st.Opts.GatewayInternalAddr,
		"LEDGERBRIDGE_REPORT_DIR="+filepath.Join(e.st.Opts.DataDir, "reports"))
	return append(env, e.st.Opts.Env...) // the worker's codec keys, if any
}
