package tests

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	tclient "go.temporal.io/sdk/client"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// makeRun is bin/devstack started the way `make run` starts it, on free ports with its own data
// directory.
type makeRun struct {
	t                         *testing.T
	cmd                       *exec.Cmd
	out                       *lockedBuffer
	exited                    chan struct{}
	waitErr                   error
	data                      string
	temporal, gateway, stripe string
	sage                      string
}

func startMakeRun(t *testing.T) *makeRun {
	t.Helper()
	bin := binDir()
	if _, err := os.Stat(filepath.Join(bin, "devstack")); err != nil {
		if os.Getenv("LEDGERBRIDGE_REQUIRE_TOOLS") == "1" {
			t.Fatalf("bin/devstack: %v (make build)", err)
		}
		t.Skipf("bin/devstack: %v (make build)", err)
	}
	ports, err := devstack.FreePorts(8)
	if err != nil {
		t.Fatal(err)
	}
	addr := func(i int) string { return fmt.Sprintf("127.0.0.1:%d", ports[i]) }
	m := &makeRun{t: t, out: &lockedBuffer{}, exited: make(chan struct{}), data: t.TempDir(),
		temporal: addr(0), gateway: "http://" + addr(2), stripe: "http://" + addr(4), sage: "http://" + addr(5)}
	m.cmd = exec.Command(filepath.Join(bin, "devstack"))
	m.cmd.Env = append(os.Environ(), "LEDGERBRIDGE_BIN_DIR="+bin, "LEDGERBRIDGE_DATA_DIR="+m.data,
		"TEMPORAL_ADDRESS=", "LEDGERBRIDGE_HEADLESS=", "ERP=sage500",
		"TEMPORAL_PORT="+strconv.Itoa(ports[0]), "TEMPORAL_UI_PORT="+strconv.Itoa(ports[1]),
		"GATEWAY_ADDR="+addr(2), "GATEWAY_INTERNAL_ADDR="+addr(3), "STRIPE_SANDBOX_ADDR="+addr(4), "SAGE_SANDBOX_ADDR="+addr(5),
		"WORKER_HEALTH_ADDR="+addr(6), "PAYTRACE_SANDBOX_ADDR="+addr(7))
	m.cmd.Stdout, m.cmd.Stderr = m.out, m.out
	// If the test binary dies, devstack dies, and its children with it.
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		m.waitErr = m.cmd.Wait()
		close(m.exited)
	}()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("devstack output (tail):\n%s%s", tail(m.out.String(), 6000), devstack.LogTails(m.data, 3000))
		}
		if !m.hasExited() {
			_ = m.cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-m.exited:
			case <-time.After(30 * time.Second):
				_ = m.cmd.Process.Kill()
				<-m.exited
			}
		}
	})
	return m
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (m *makeRun) hasExited() bool {
	select {
	case <-m.exited:
		return true
	default:
		return false
	}
}

// waitFor polls cond until it holds, failing the test after timeout or if devstack exits.
func (m *makeRun) waitFor(what string, timeout time.Duration, cond func() bool) {
	m.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if m.hasExited() {
			m.t.Fatalf("devstack exited (%v) while waiting for %s", m.waitErr, what)
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pid reads a child's pid file; 0 if it is absent.
func (m *makeRun) pid(name string) int {
	b, err := os.ReadFile(filepath.Join(m.data, "run", name+".pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

func alive(pid int) bool { return pid > 0 && syscall.Kill(pid, 0) == nil }

// killWorker does `kill -9 $(cat <data>/run/worker.pid)`, waits for the supervisor to bring a new
// worker up, and returns its pid.
func (m *makeRun) killWorker() int {
	m.t.Helper()
	old := m.pid("worker")
	if !alive(old) {
		m.t.Fatalf("worker pid file holds %d, not a live process", old)
	}
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		m.t.Fatal(err)
	}
	var pid int
	m.waitFor("a new worker pid", 20*time.Second, func() bool {
		pid = m.pid("worker")
		return pid != old && alive(pid)
	})
	return pid
}

func (m *makeRun) invoices(t *testing.T, chargeID string) []map[string]any {
	t.Helper()
	var res struct {
		Value []map[string]any `json:"value"`
	}
	doJSON(t, http.MethodGet, m.sage+"/Sage500API/Invoices?"+url.Values{"externalRef": {chargeID}}.Encode(), devstack.SageKey, nil, &res)
	return res.Value
}

func (m *makeRun) payments(t *testing.T, chargeID string) []map[string]any {
	t.Helper()
	var res struct {
		Value []map[string]any `json:"value"`
	}
	doJSON(t, http.MethodGet, m.sage+"/Sage500API/Payments?"+url.Values{"externalRef": {chargeID}}.Encode(), devstack.SageKey, nil, &res)
	return res.Value
}

// payIn makes a confirmed card payment in a Stripe sandbox and returns its charge ID.
func payIn(t *testing.T, sc *client.API, amount int64) string {
	t.Helper()
	cus, err := sc.Customers.New(&stripe.CustomerParams{
		Email: stripe.String(fmt.Sprintf("make-run-%s@example.com", uniqueSuffix())), Name: stripe.String("Grace Hopper"),
	})
	if err != nil {
		t.Fatalf("create customer: %v", err)
	}
	pi, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{
		Amount: stripe.Int64(amount), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
		PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true), Description: stripe.String("Order " + t.Name()),
	})
	if err != nil {
		t.Fatalf("confirm payment intent: %v", err)
	}
	if pi.LatestCharge == nil {
		t.Fatalf("payment intent %s has no charge (status %s)", pi.ID, pi.Status)
	}
	return pi.LatestCharge.ID
}

// `make run` keeps the stack up when the worker is SIGKILLed (idle, and again in the middle of
// posting an invoice): the supervisor says so, starts a new worker, and every run still posts
// exactly one invoice. Ctrl-C then stops every process and devstack exits 0.
func TestMakeRunRestartsAKilledWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole second stack")
	}
	m := startMakeRun(t)
	m.waitFor("the gateway's /readyz", 90*time.Second, func() bool {
		resp, err := http.Get(m.gateway + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	// The table is printed once supervision is on.
	m.waitFor("the start-up table", 10*time.Second, func() bool { return strings.Contains(m.out.String(), "ledgerbridge is running") })
	if want := "kill -9 $(cat " + filepath.Join(m.data, "run", "worker.pid") + ")"; !strings.Contains(m.out.String(), want) {
		t.Fatalf("the start-up table does not show %q", want)
	}
	sc := stripeapi.NewClient(m.stripe, devstack.StripeKey)
	tc, err := tclient.Dial(tclient.Options{HostPort: m.temporal, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()

	// 1. An idle worker killed; a payment made while it is down is posted by its successor.
	pid := m.killWorker()
	charge := payIn(t, sc, 4200)
	m.waitFor("the restart line", 10*time.Second, func() bool {
		return strings.Contains(m.out.String(), fmt.Sprintf("devstack: worker restarted (pid %d)\n", pid))
	})
	if out := m.out.String(); !strings.Contains(out, "devstack: worker exited (signal: killed) after ") ||
		!strings.Contains(out, "; restarting in 1s (restart 1)\n") {
		t.Fatalf("no death line for the worker in:\n%s", tail(out, 4000))
	}
	var res workflows.OrderToCashResult
	waitDone(t, tc, workflows.OrderToCashID(charge), &res, 60*time.Second)
	if res.Status != workflows.StatusPosted {
		t.Fatalf("run for %s: status %s", charge, res.Status)
	}
	if n := len(m.invoices(t, charge)); n != 1 {
		t.Fatalf("%d invoices for %s, want 1", n, charge)
	}

	// 2. Killed while Sage holds the invoice response (the invoice is stored, the worker has not
	// heard back): the next worker's retry finds the invoice instead of posting a second.
	faults := m.sage + "/_admin/faults"
	doJSON(t, http.MethodPut, faults, devstack.SageKey, map[string]any{"response_delay_ms": 8000, "methods": []string{"POST"}, "path_prefix": "/Sage500API/Invoices"}, nil)
	charge2 := payIn(t, sc, 5300)
	m.waitFor("the invoice to reach Sage", 30*time.Second, func() bool { return len(m.invoices(t, charge2)) > 0 })
	pid = m.killWorker()
	doJSON(t, http.MethodDelete, faults, devstack.SageKey, nil, nil)
	m.waitFor("the second restart line", 10*time.Second, func() bool {
		return strings.Contains(m.out.String(), fmt.Sprintf("devstack: worker restarted (pid %d)\n", pid))
	})
	if out := m.out.String(); !strings.Contains(out, "; restarting in 2s (restart 2)\n") {
		t.Fatalf("second death not reported with a doubled backoff:\n%s", tail(out, 4000))
	}
	waitDone(t, tc, workflows.OrderToCashID(charge2), &res, 60*time.Second)
	if res.Status != workflows.StatusPosted {
		t.Fatalf("run for %s: status %s", charge2, res.Status)
	}
	if n := len(m.invoices(t, charge2)); n != 1 {
		t.Fatalf("%d invoices for %s after the mid-run kill, want 1", n, charge2)
	}
	if n := len(m.payments(t, charge2)); n != 1 {
		t.Fatalf("%d payments for %s after the mid-run kill, want 1", n, charge2)
	}

	// 3. Ctrl-C stops every child, removes the pid files and exits 0.
	children := map[string]int{}
	for _, name := range devstack.RequiredBinaries {
		if children[name] = m.pid(name); !alive(children[name]) {
			t.Fatalf("%s: pid file holds %d, not a live process", name, children[name])
		}
	}
	if m.hasExited() {
		t.Fatalf("devstack exited: %v", m.waitErr)
	}
	if err := m.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.exited:
	case <-time.After(20 * time.Second):
		t.Fatal("devstack still running 20 s after SIGINT")
	}
	if m.waitErr != nil {
		t.Fatalf("devstack exited with %v", m.waitErr)
	}
	for name, pid := range children {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s (pid %d) survived Ctrl-C: %v", name, pid, err)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(m.data, "run", "*")); len(files) != 0 {
		t.Errorf("pid files left after Ctrl-C: %v", files)
	}
	if !strings.Contains(m.out.String(), "stopped; state is kept in") {
		t.Errorf("no shutdown message:\n%s", tail(m.out.String(), 2000))
	}
	for _, line := range strings.Split(m.out.String(), "\n") {
		if strings.HasPrefix(line, "devstack: ") {
			t.Log(line)
		}
	}
}
