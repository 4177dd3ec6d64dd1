package tests

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/report"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// cliWebUI is the Web UI the CLI links runs to in these tests.
const cliWebUI = "http://127.0.0.1:18233/namespaces/default"

// cliResult is one run of bin/ledgerbridge.
type cliResult struct {
	stdout, stderr string
	code           int
}

func (r cliResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// cliBinary is bin/ledgerbridge; the test is skipped without it (unless the tools are required).
func cliBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(binDir(), "ledgerbridge")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("LEDGERBRIDGE_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s missing: make build", bin)
		}
		t.Skipf("%s missing: make build", bin)
	}
	return bin
}

// cliEnv is the worker's environment in the test stack (Temporal address, codec keys, report
// folder, gateway internal listener), which is what an operator's shell would hold.
func cliEnv(extra ...string) []string {
	env := append(os.Environ(),
		"TEMPORAL_ADDRESS="+stack.TemporalAddress(), "TEMPORAL_NAMESPACE="+stack.Namespace(),
		"GATEWAY_INTERNAL_ADDR="+stack.Opts.GatewayInternalAddr,
		"LEDGERBRIDGE_REPORT_DIR="+filepath.Join(stack.Opts.DataDir, "reports"),
		"LEDGERBRIDGE_WEB_UI="+cliWebUI)
	env = append(env, stack.Opts.Env...) // LEDGERBRIDGE_CODEC_KEYS: the same keys as the worker
	return append(env, extra...)
}

// cli runs bin/ledgerbridge with args in env (cliEnv() when nil).
func cli(t *testing.T, env []string, args ...string) cliResult {
	t.Helper()
	if env == nil {
		env = cliEnv()
	}
	cmd := exec.Command(cliBinary(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader("") // not a terminal: bulk commands need --yes
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("run ledgerbridge %v: %v", args, err)
	}
	return cliResult{stdout: out.String(), stderr: errOut.String(), code: code}
}

// requireOneLineError checks a failed command printed exactly one line naming the problem.
func requireOneLineError(t *testing.T, r cliResult, code int, want ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %s", code, r)
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "ledgerbridge: ") {
		t.Fatalf("want one error line on stderr, got %s", r)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("error %q lacks %q", r.stderr, w)
		}
	}
}

type listedRun struct {
	WorkflowID   string   `json:"workflowId"`
	LedgerStatus string   `json:"ledgerStatus"`
	Object       string   `json:"object"`
	Provider     string   `json:"provider"`
	Amount       *float64 `json:"amount"`
}

// waitListed runs `runs list` with args (plus --json) until every ID in want is listed.
func waitListed(t *testing.T, want []string, args ...string) map[string]listedRun {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := cli(t, nil, append(append([]string{"runs", "list"}, args...), "--json")...)
		if r.code != 0 {
			t.Fatalf("runs list: %s", r)
		}
		var rows []listedRun
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
			t.Fatalf("runs list --json: %v: %s", err, r.stdout)
		}
		got := map[string]listedRun{}
		for _, row := range rows {
			got[row.WorkflowID] = row
		}
		missing := 0
		for _, id := range want {
			if _, ok := got[id]; !ok {
				missing++
			}
		}
		if missing == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("runs list %v does not list %v: %s", args, want, r.stdout)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// waitWorkerReady waits for the worker's /readyz (it polls again after a restart).
func waitWorkerReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(stack.WorkerHealthURL() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker not ready after restart: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// Two runs parked on an unknown item: the CLI lists them, explains one in the ERP's words,
// leaves it alone on a dry run, retries it with a corrected item (one invoice for that item),
// abandons the other, and says clearly when no worker answers.
func TestCLIParkedRunsListExplainRetryAbandon(t *testing.T) {
	cliBinary(t)
	p1 := pay(t, 2500, "usd", map[string]string{"sage_item_id": "NOPE"})
	p2 := pay(t, 2600, "usd", map[string]string{"sage_item_id": "NOPE"})
	p3 := pay(t, 2700, "usd", map[string]string{"sage_item_id": "NOPE"})
	id1, id2, id3 := workflows.OrderToCashID(p1.ChargeID), workflows.OrderToCashID(p2.ChargeID), workflows.OrderToCashID(p3.ChargeID)
	st1 := waitStatus(t, p1.ChargeID, workflows.StatusNeedsAttention, time.Minute)
	waitStatus(t, p2.ChargeID, workflows.StatusNeedsAttention, time.Minute)
	waitStatus(t, p3.ChargeID, workflows.StatusNeedsAttention, time.Minute)

	t.Run("list parked", func(t *testing.T) {
		rows := waitListed(t, []string{id1, id2}, "--parked", "--provider", "stripe", "--status", "needsattention", "--since", "1h")
		if r := rows[id1]; r.LedgerStatus != workflows.StatusNeedsAttention || r.Object != p1.ChargeID || r.Provider != "stripe" ||
			r.Amount == nil || *r.Amount != 25 {
			t.Errorf("listed %+v", r)
		}
		table := cli(t, nil, "runs", "list", "--parked")
		t.Logf("runs list --parked:\n%s", table.stdout)
		if table.code != 0 || !strings.Contains(table.stdout, id1) || !strings.Contains(table.stdout, "NeedsAttention") ||
			!strings.Contains(table.stdout, "WORKFLOW ID") {
			t.Errorf("table: %s", table)
		}
		// A posted run is not parked.
		if strings.Contains(cli(t, nil, "runs", "list", "--parked", "--status", "Posted").stdout, id1) {
			t.Errorf("a parked run is listed as Posted")
		}
	})

	t.Run("explain", func(t *testing.T) {
		r := cli(t, nil, "runs", "explain", id1)
		if r.code != 0 {
			t.Fatalf("explain: %s", r)
		}
		t.Logf("runs explain %s:\n%s", id1, r.stdout)
		for _, want := range []string{"NeedsAttention at step post-invoice", strings.Join(strings.Fields(st1.Problem), " "), "NOPE",
			"last failure", "PostInvoice", cliWebUI + "/workflows/" + url.PathEscape(id1), "ledgerbridge runs retry " + id1} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("explain lacks %q:\n%s", want, r.stdout)
			}
		}
	})

	t.Run("bulk dry run sends nothing", func(t *testing.T) {
		q := fmt.Sprintf(`ProviderObjectID = %q`, p1.ChargeID)
		r := cli(t, nil, "runs", "retry", "--query", q, "--set", "itemId=WIDGET", "--dry-run", "--yes")
		if r.code != 0 || !strings.Contains(r.stdout, id1) || !strings.Contains(r.stdout, "nothing was sent") || strings.Contains(r.stdout, id2) {
			t.Fatalf("dry run: %s", r)
		}
		t.Logf("runs retry --query … --dry-run:\n%s", r.stdout)
		// Without --yes and without a terminal, a bulk signal is refused.
		requireOneLineError(t, cli(t, nil, "runs", "retry", "--query", q), 2, "--yes")
		time.Sleep(2 * time.Second)
		if st := queryStatus(t, p1.ChargeID); st.Status != workflows.StatusNeedsAttention || st.Parked != st1.Parked {
			t.Fatalf("after a dry run the run is %s (parked %d times, was %d)", st.Status, st.Parked, st1.Parked)
		}
	})

	t.Run("no worker", func(t *testing.T) {
		if err := stack.Terminate("worker"); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := stack.Restart("worker"); err != nil {
				t.Fatal(err)
			}
			waitWorkerReady(t)
		}()
		r := cli(t, nil, "runs", "explain", id1, "--timeout", "3s")
		requireOneLineError(t, r, 1, "no worker answered the status query of "+id1+": is the worker running?")
	})

	t.Run("retry with a corrected item", func(t *testing.T) {
		r := cli(t, nil, "runs", "retry", id1, "--set", "itemId=WIDGET")
		if r.code != 0 || !strings.Contains(r.stdout, `"itemId":"WIDGET"`) {
			t.Fatalf("retry: %s", r)
		}
		res := waitResult(t, p1.ChargeID, time.Minute)
		if res.Status != workflows.StatusPosted {
			t.Fatalf("after retry: %s", res.Status)
		}
		inv := requireOne(t, "Invoices", byRef(p1.ChargeID))
		if lines, _ := inv["Lines"].([]any); len(lines) != 1 || lines[0].(map[string]any)["ItemID"] != "WIDGET" {
			t.Fatalf("invoice lines %v, want one WIDGET line", inv["Lines"])
		}
		// A finished run cannot be retried: one clear line.
		requireOneLineError(t, cli(t, nil, "runs", "retry", id1), 1, "has already finished")
		// Explained again, it shows what it posted.
		if r := cli(t, nil, "runs", "explain", id1); r.code != 0 || !strings.Contains(r.stdout, "Posted at step done") ||
			!strings.Contains(r.stdout, "itemId=WIDGET") || !strings.Contains(r.stdout, fmt.Sprint(inv["InvoiceNo"])) {
			t.Errorf("explain after retry: %s", r)
		}
	})

	t.Run("without the codec keys", func(t *testing.T) {
		var env []string
		for _, kv := range cliEnv() {
			if !strings.HasPrefix(kv, "LEDGERBRIDGE_CODEC_KEYS=") {
				env = append(env, kv)
			}
		}
		requireOneLineError(t, cli(t, env, "runs", "explain", id2), 1, "payloads are encrypted; set LEDGERBRIDGE_CODEC_KEYS")
	})

	t.Run("abandon", func(t *testing.T) {
		requireOneLineError(t, cli(t, nil, "runs", "abandon", id2), 2, "--reason is required")
		r := cli(t, nil, "runs", "abandon", id2, "--reason", "test: booked by hand")
		if r.code != 0 {
			t.Fatalf("abandon: %s", r)
		}
		res := waitResult(t, p2.ChargeID, time.Minute)
		if res.Status != workflows.StatusAbandoned || !strings.Contains(res.Note, "test: booked by hand") {
			t.Fatalf("after abandon: %+v", res)
		}
		rows := waitListed(t, []string{id2}, "--status", workflows.StatusAbandoned, "--since", "1h")
		if rows[id2].LedgerStatus != workflows.StatusAbandoned {
			t.Errorf("listed %+v", rows[id2])
		}
		if n := len(sageList(t, "Invoices", byRef(p2.ChargeID))); n != 0 {
			t.Errorf("%d invoices for the abandoned charge", n)
		}
	})

	t.Run("bulk abandon by query", func(t *testing.T) {
		q := fmt.Sprintf(`NeedsAttention = true AND ProviderObjectID = %q`, p3.ChargeID)
		waitListed(t, []string{id3}, "--query", q)
		r := cli(t, nil, "runs", "abandon", "--query", q, "--reason", "test: bulk", "--yes")
		if r.code != 0 || !strings.Contains(r.stdout, id3) || !strings.Contains(r.stdout, "abandon: signalled 1 of 1 run") {
			t.Fatalf("bulk abandon: %s", r)
		}
		if res := waitResult(t, p3.ChargeID, time.Minute); res.Status != workflows.StatusAbandoned || !strings.Contains(res.Note, "test: bulk") {
			t.Fatalf("after bulk abandon: %+v", res)
		}
		// Nothing open matches any more: nothing is sent, and that is not an error.
		r = cli(t, nil, "runs", "abandon", "--query", q, "--reason", "again", "--yes")
		if r.code != 0 || !strings.Contains(r.stdout, "nothing to abandon") {
			t.Fatalf("bulk abandon with no match: %s", r)
		}
	})
}

// Errors are one line with the right exit code: 1 for what went wrong, 2 for the command line.
func TestCLIErrors(t *testing.T) {
	cliBinary(t)
	port, err := devstack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	unreachable := fmt.Sprintf("127.0.0.1:%d", port)
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want []string
	}{
		{"unknown run", nil, []string{"runs", "explain", "order-to-cash/stripe/ch_doesnotexist"}, 1,
			[]string{`no run with workflow ID "order-to-cash/stripe/ch_doesnotexist"`}},
		{"retry unknown run", nil, []string{"runs", "retry", "order-to-cash/stripe/ch_doesnotexist"}, 1, []string{"no run with workflow ID"}},
		{"unknown correction", nil, []string{"runs", "retry", "order-to-cash/stripe/ch_x", "--set", "nope=1"}, 2,
			[]string{`unknown correction "nope"`, "customerId, itemId, skipWriteBack"}},
		{"unknown provider", nil, []string{"runs", "list", "--provider", "paypal"}, 2, []string{"stripe, paytrace"}},
		{"bad query", nil, []string{"runs", "list", "--query", "NoSuchAttribute = 1"}, 2, []string{"Temporal refused the visibility query"}},
		{"unknown command", nil, []string{"runz"}, 2, []string{`unknown command "runz"`, "did you mean runs"}},
		{"Temporal unreachable", cliEnv("TEMPORAL_ADDRESS=" + unreachable), []string{"runs", "list", "--parked"}, 1,
			[]string{"cannot reach Temporal at " + unreachable, "(is make run running?)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireOneLineError(t, cli(t, tt.env, tt.args...), tt.code, tt.want...)
		})
	}
	if r := cli(t, nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "ledgerbridge ") {
		t.Errorf("version: %s", r)
	}
	if r := cli(t, nil, "runs", "retry", "--help"); r.code != 0 || !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "--set") {
		t.Errorf("help: %s", r)
	}
}

// report reads the report folder: the latest report as text, one by ID as JSON, and --open
// prints the page's path when no browser can be started.
func TestCLIReportReadsReportFolder(t *testing.T) {
	cliBinary(t)
	dir := t.TempDir()
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	reports := []*report.Report{
		{ID: "stripe-older", Provider: "stripe", ERP: "sage500", From: day(1), To: day(2), GeneratedAt: day(2), Objects: 1,
			Classes: []report.ClassCount{{Class: report.ClassPosted, Count: 1}}},
		{ID: "stripe-latest", Provider: "stripe", ERP: "sage500", From: day(2), To: day(3), GeneratedAt: day(3), Objects: 4,
			Totals: []report.CurrencyTotals{{Currency: "USD", Provider: decimal.RequireFromString("150.00"), ERP: decimal.RequireFromString("120.00"), Count: 3},
				{Currency: "JPY", Provider: decimal.RequireFromString("8800"), ERP: decimal.RequireFromString("8800"), Count: 1}},
			Classes: []report.ClassCount{{Class: report.ClassPosted, Count: 3}, {Class: report.ClassMissing, Count: 1}},
			Items: []report.Item{{Class: report.ClassMissing, Object: "ch_cli_missing", Kind: "charge", Currency: "usd",
				Amount: decimal.RequireFromString("30"), Reason: "no invoice with this external reference", Created: day(2)}}},
	}
	for _, r := range reports {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, r.ID+".json"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, r.ID+".html"), []byte("<html><body>"+r.ID+"</body></html>"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := cliEnv("LEDGERBRIDGE_REPORT_DIR="+dir, "PATH="+t.TempDir()) // no xdg-open on PATH

	r := cli(t, env, "report")
	if r.code != 0 {
		t.Fatalf("report: %s", r)
	}
	for _, want := range []string{"Report stripe-latest", "150.00", "120.00", "30.00 USD", "8,800", "posted 3 · missing 1", "ch_cli_missing",
		"no invoice with this external reference", "1 discrepancy"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	r = cli(t, env, "report", "stripe-older", "--json")
	var got report.Report
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil || got.ID != "stripe-older" || got.Objects != 1 {
		t.Fatalf("report --json: %s", r)
	}
	r = cli(t, env, "report", "--open")
	if r.code != 0 || !strings.Contains(r.stdout, filepath.Join(dir, "stripe-latest.html")) {
		t.Fatalf("report --open: %s", r)
	}
	requireOneLineError(t, cli(t, env, "report", "nope"), 1, `no report "nope"`)
}

// A charge whose webhook is held back is missing in the ERP: `backfill` over its window heals it
// (its order-to-cash run is started by its normal workflow ID), the late webhook then reaches the
// same run (one invoice); a backfill started again from the same day joins the running one;
// `reconcile --no-heal` finds the charge posted, and `report` shows the report.
func TestCLIBackfillReconcileReport(t *testing.T) {
	cliBinary(t)
	setDelivery(t, map[string]any{"paused": true})
	paused := true
	unpause := func() {
		if paused {
			setDelivery(t, map[string]any{"paused": false})
			paused = false
		}
	}
	defer unpause()
	from := time.Now().UTC().Truncate(time.Second).Add(-time.Second)
	p := pay(t, 4200, "usd", nil)
	to := time.Now().UTC().Truncate(time.Second).Add(2 * time.Second)
	backfillID := workflows.ReconcileID("stripe", from, to, true)

	r := cli(t, nil, "backfill", "--json", "--provider", "stripe", "--since", from.Format(time.RFC3339), "--until", to.Format(time.RFC3339))
	var res workflows.ReconcileResult
	if r.code != 0 || !strings.Contains(r.stderr, "started backfill "+backfillID) || json.Unmarshal([]byte(r.stdout), &res) != nil {
		t.Fatalf("backfill: %s", r)
	}
	if res.Healed != 1 || res.Objects != 1 {
		t.Fatalf("backfill result %+v: %s", res, r)
	}
	if got := waitResult(t, p.ChargeID, time.Minute); got.Status != workflows.StatusPosted {
		t.Fatalf("healed run: %s", got.Status)
	}
	unpause() // the held-back webhook now reaches the same workflow ID
	time.Sleep(3 * time.Second)
	requireOne(t, "Invoices", byRef(p.ChargeID))
	requireOne(t, "Payments", byRef(p.ChargeID))

	joinedID := ""
	t.Run("backfill again joins the running one", func(t *testing.T) {
		// With the worker down the backfill stays running, so the second command finds it.
		if err := stack.Terminate("worker"); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := stack.Restart("worker"); err != nil {
				t.Fatal(err)
			}
			waitWorkerReady(t)
		}()
		first := cli(t, nil, "backfill", "--provider", "stripe", "--since", from.Format(time.RFC3339), "--detach")
		id := strings.TrimSpace(first.stdout)
		if first.code != 0 || !strings.HasPrefix(id, "backfill/stripe/"+from.Format("20060102T150405Z")+"-") || id == backfillID {
			t.Fatalf("backfill --detach: %s", first)
		}
		waitListed(t, []string{id}, "--query", fmt.Sprintf("WorkflowId = %q", id))
		second := cli(t, nil, "backfill", "--provider", "stripe", "--since", from.Format(time.RFC3339), "--detach")
		if second.code != 0 || strings.TrimSpace(second.stdout) != id || !strings.Contains(second.stderr, "joined the running backfill "+id) {
			t.Fatalf("second backfill did not join %s: %s", id, second)
		}
		joinedID = id
	})

	if joinedID != "" { // it runs again with the worker; its report must not be the latest below
		var res workflows.ReconcileResult
		waitDone(t, tc, joinedID, &res, time.Minute)
	}
	r = cli(t, nil, "reconcile", "--provider", "stripe", "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339), "--no-heal")
	if r.code != 0 || !strings.Contains(r.stdout, "1 object, 0 healed, 0 discrepancies") || !strings.Contains(r.stdout, "posted 1") ||
		!strings.Contains(r.stdout, stack.GatewayInternalURL()+"/admin/reports/") {
		t.Fatalf("reconcile: %s", r)
	}
	t.Logf("reconcile:\n%s", r.stdout)
	reportID := ""
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "report" {
			reportID = f[1]
		}
	}
	if reportID == "" {
		t.Fatalf("reconcile printed no report ID: %s", r)
	}
	r = cli(t, nil, "report", reportID)
	if r.code != 0 || !strings.Contains(r.stdout, "Report "+reportID) || !strings.Contains(r.stdout, "posted 1") {
		t.Fatalf("report: %s", r)
	}
	t.Logf("report:\n%s", r.stdout)
	if r := cli(t, nil, "report"); r.code != 0 || !strings.Contains(r.stdout, "Report "+reportID) {
		t.Fatalf("latest report is not the reconciliation's: %s", r)
	}
}
