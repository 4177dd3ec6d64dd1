// Package devstack starts ledgerbridge's whole local system as real processes: the Temporal dev
// server (or an existing cluster), the Stripe and Sage sandboxes, the worker and the gateway. It
// backs `make run` and the end-to-end tests, so both exercise exactly the same stack.
package devstack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// Options say where binaries, data and ports are. Zero values take the DESIGN.md defaults.
type Options struct {
	// BinDir holds temporal, stripe-sandbox, sage-sandbox, paytrace-sandbox, worker and gateway.
	BinDir string
	// DataDir holds the SQLite files (Temporal, sandboxes), logs/ and run/ (one <name>.pid per
	// running process).
	DataDir string
	// TemporalAddress, when set, is an existing cluster: no dev server is started.
	TemporalAddress string
	// Namespace is the Temporal namespace of the worker, the gateway and the CLI; default
	// "default" (the dev server's). On an existing cluster the worker creates it.
	Namespace      string
	TemporalPort   int
	TemporalUIPort int
	// Headless disables the Temporal Web UI (tests).
	Headless    bool
	GatewayAddr string
	// WorkerHealthAddr is the worker's /healthz, /readyz and /metrics listener.
	WorkerHealthAddr string
	// GatewayInternalAddr is the gateway's internal listener (/metrics, /admin/*, /codec/*);
	// default 127.0.0.1:8081.
	GatewayInternalAddr string
	StripeAddr          string
	SageAddr            string
	PayTraceAddr        string
	// Env is added to the worker's and gateway's environment (after os.Environ() and the
	// stack's own settings, so it overrides them).
	Env []string
	// Console, when set, receives the worker's and gateway's log lines, prefixed by name, and
	// the supervisor's reports.
	Console io.Writer
	// Supervise restarts a process that dies on its own once Start has returned (killed, out of
	// memory, a panic, any exit), after an exponential backoff (1 s, 2 s, 4 s … 30 s, reset once
	// it has stayed up for a minute), and reports each death and restart on Console. A process
	// stopped through Kill or Terminate stays down until Restart. When a process cannot be
	// started again, Failed delivers the error. Off (the tests' default), a process that dies
	// stays dead until Restart.
	Supervise bool
}

func (o *Options) defaults() {
	if o.BinDir == "" {
		o.BinDir = "bin"
	}
	if o.DataDir == "" {
		o.DataDir = ".data"
	}
	if o.TemporalPort == 0 {
		o.TemporalPort = 7233
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.TemporalUIPort == 0 {
		o.TemporalUIPort = o.TemporalPort + 1000
	}
	if o.GatewayAddr == "" {
		o.GatewayAddr = "127.0.0.1:8080"
	}
	if o.WorkerHealthAddr == "" {
		o.WorkerHealthAddr = "127.0.0.1:8090"
	}
	if o.GatewayInternalAddr == "" {
		o.GatewayInternalAddr = "127.0.0.1:8081"
	}
	if o.StripeAddr == "" {
		o.StripeAddr = "127.0.0.1:12111"
	}
	if o.PayTraceAddr == "" {
		o.PayTraceAddr = "127.0.0.1:8282"
	}
	if o.SageAddr == "" {
		o.SageAddr = "127.0.0.1:8383"
	}
}

// Dev secrets (DESIGN.md); the sandboxes and the services agree on them.
const (
	StripeKey           = "sk_test_ledgerbridge"
	StripeWebhookSecret = "whsec_ledgerbridge_dev"
	SageKey             = "sage_ledgerbridge_dev"
	// PayTraceUser, PayTracePassword and PayTraceIntegratorID are the PayTrace sandbox's dev login.
	PayTraceUser         = "ledgerbridge"
	PayTracePassword     = "ledgerbridge-dev"
	PayTraceIntegratorID = "ledgerbridge"
	// PayTraceNotifySecret signs the PayTrace sandbox's notifications (a project extension).
	PayTraceNotifySecret = "ptwhsec_ledgerbridge_dev"
	// AdminToken is the Bearer token of the gateway's /admin endpoints in the dev stack
	// (LEDGERBRIDGE_ADMIN_TOKEN; Options.Env overrides it).
	AdminToken = "admin_ledgerbridge_dev"
)

// backoff is the supervisor's restart policy.
type backoff struct {
	min, max time.Duration
	// reset: a process that stayed up this long starts again from min.
	reset time.Duration
}

var defaultBackoff = backoff{min: time.Second, max: 30 * time.Second, reset: time.Minute}

// next returns the delay before restarting a process that died after uptime, having died
// failures times in a row before, and the new count of failures in a row.
func (b backoff) next(failures int, uptime time.Duration) (time.Duration, int) {
	if uptime >= b.reset {
		failures = 0
	}
	d := b.min
	for i := 0; i < failures && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max), failures + 1
}

// Stack is a running system.
type Stack struct {
	Opts Options

	console io.Writer     // Opts.Console with writes serialised; nil when Opts.Console is
	policy  backoff       // read under mu
	quit    chan struct{} // closed by Stop: pending restarts are abandoned
	failed  chan error    // the first process that could not be started again

	mu          sync.Mutex // guards everything below and every proc's fields
	procs       map[string]*proc
	order       []string
	supervising bool // Opts.Supervise and Start has succeeded
	stopping    bool // Stop was called
}

type proc struct {
	name string
	args []string
	env  []string
	cmd  *exec.Cmd
	// done is closed (under Stack.mu) once cmd has exited and the supervisor has decided.
	done chan struct{}
	// gen counts starts, so a supervisor's pending restart yields to a Restart in between.
	gen int
	// held: stopped through Kill or Terminate, so the supervisor leaves it down.
	held     bool
	restarts int // by the supervisor
	failures int // deaths in a row, for the backoff
}

// TemporalAddress is the frontend the services use.
func (s *Stack) TemporalAddress() string {
	if s.Opts.TemporalAddress != "" {
		return s.Opts.TemporalAddress
	}
	return fmt.Sprintf("127.0.0.1:%d", s.Opts.TemporalPort)
}

// Namespace is the Temporal namespace the services use.
func (s *Stack) Namespace() string {
	if s.Opts.Namespace == "" {
		return "default"
	}
	return s.Opts.Namespace
}

// StripeURL is the Stripe sandbox's base URL.
func (s *Stack) StripeURL() string { return "http://" + s.Opts.StripeAddr }

// PayTraceURL is the PayTrace sandbox's base URL.
func (s *Stack) PayTraceURL() string { return "http://" + s.Opts.PayTraceAddr }

// SageURL is the Sage sandbox's base URL.
func (s *Stack) SageURL() string { return "http://" + s.Opts.SageAddr }

// GatewayURL is the gateway's public base URL (webhooks, /healthz, /readyz).
func (s *Stack) GatewayURL() string { return "http://" + s.Opts.GatewayAddr }

// encrypted reports whether the services get LEDGERBRIDGE_CODEC_KEYS (from the environment or
// Opts.Env), so payloads are encrypted.
func (s *Stack) encrypted() bool {
	on := os.Getenv("LEDGERBRIDGE_CODEC_KEYS") != ""
	for _, kv := range s.Opts.Env {
		if v, ok := strings.CutPrefix(kv, "LEDGERBRIDGE_CODEC_KEYS="); ok {
			on = v != ""
		}
	}
	return on
}

// GatewayInternalURL is the base URL of the gateway's internal listener (/metrics, /admin/*,
// /codec/*).
func (s *Stack) GatewayInternalURL() string { return "http://" + s.Opts.GatewayInternalAddr }

// WorkerHealthURL is the base URL of the worker's health listener (/healthz, /readyz, /metrics).
func (s *Stack) WorkerHealthURL() string { return "http://" + s.Opts.WorkerHealthAddr }

// Start starts every process and waits until each answers. On error it stops what it started.
// With Options.Supervise, processes that die later are restarted (see Options.Supervise).
func Start(ctx context.Context, opts Options) (*Stack, error) {
	s, err := newStack(opts)
	if err != nil {
		return nil, err
	}
	if err := s.start(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	if s.Opts.Supervise {
		if err := s.supervise(); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

func newStack(opts Options) (*Stack, error) {
	opts.defaults()
	s := &Stack{Opts: opts, procs: map[string]*proc{}, policy: defaultBackoff,
		quit: make(chan struct{}), failed: make(chan error, 1)}
	if opts.Console != nil {
		s.console = &syncWriter{w: opts.Console}
	}
	for _, dir := range []string{"logs", "run"} {
		if err := os.MkdirAll(filepath.Join(opts.DataDir, dir), 0o755); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// supervise turns supervision on once every process has started. One that already died during
// start-up never started successfully: that is an error.
func (s *Stack) supervise() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.supervising = true
	for _, name := range s.order {
		if exited(s.procs[name].done) {
			return fmt.Errorf("%s exited during start-up (log: %s)", name, s.LogPath(name))
		}
	}
	return nil
}

func (s *Stack) bin(name string) string { return filepath.Join(s.Opts.BinDir, name) }

func (s *Stack) start(ctx context.Context) error {
	o := s.Opts
	if o.TemporalAddress == "" {
		args := []string{"server", "start-dev", "--ip", "127.0.0.1", "--port", fmt.Sprint(o.TemporalPort),
			"--db-filename", filepath.Join(o.DataDir, "temporal.db"), "--log-level", "warn",
			// WAL with synchronous=NORMAL halves the dev server's write latency here (measured: 14.7 ms
			// → 7.1 ms per StartWorkflow) and still survives a crash of any process; only a power
			// loss can lose the last transactions, which is fine for a development server.
			"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=1"}
		if o.Headless {
			args = append(args, "--headless")
		} else {
			args = append(args, "--ui-port", fmt.Sprint(o.TemporalUIPort))
			if s.encrypted() {
				// Web UI decodes the encrypted payloads through the gateway's codec server.
				args = append(args, "--ui-codec-endpoint", s.GatewayInternalURL()+"/codec")
			}
		}
		for _, sa := range workflows.SearchAttributeTypes {
			args = append(args, "--search-attribute", sa[0]+"="+sa[1])
		}
		if err := s.spawn("temporal", args, nil); err != nil {
			return err
		}
		if err := waitTCP(ctx, s.TemporalAddress(), 90*time.Second, s.doneOf("temporal")); err != nil {
			return fmt.Errorf("temporal dev server: %w (log: %s)", err, s.LogPath("temporal"))
		}
	}
	// On an existing cluster the worker creates the namespace's search attributes itself (through
	// Temporal's operator API), so no CLI step is needed.

	if err := s.spawn("stripe-sandbox", nil, []string{
		"STRIPE_SANDBOX_ADDR=" + o.StripeAddr, "STRIPE_API_KEY=" + StripeKey, "STRIPE_WEBHOOK_SECRET=" + StripeWebhookSecret,
		"STRIPE_SANDBOX_WEBHOOK_URL=" + s.GatewayURL() + "/webhooks/stripe",
		"STRIPE_SANDBOX_DB=" + filepath.Join(o.DataDir, "stripe-sandbox.db")}); err != nil {
		return err
	}
	if err := s.spawn("sage-sandbox", nil, []string{"SAGE_SANDBOX_ADDR=" + o.SageAddr, "SAGE_API_KEY=" + SageKey,
		"SAGE_SANDBOX_DB=" + filepath.Join(o.DataDir, "sage-sandbox.db")}); err != nil {
		return err
	}
	if err := s.spawn("paytrace-sandbox", nil, []string{"PAYTRACE_SANDBOX_ADDR=" + o.PayTraceAddr,
		"PAYTRACE_SANDBOX_DB=" + filepath.Join(o.DataDir, "paytrace-sandbox.db"),
		"PAYTRACE_SANDBOX_NOTIFY_URL=" + s.GatewayURL() + "/webhooks/paytrace", "PAYTRACE_SANDBOX_NOTIFY_SECRET=" + PayTraceNotifySecret}); err != nil {
		return err
	}
	for _, p := range []struct{ name, url string }{{"stripe-sandbox", s.StripeURL() + "/v1/customers"}, {"sage-sandbox", s.SageURL() + "/Sage500API/Items"},
		{"paytrace-sandbox", s.PayTraceURL() + "/healthz"}} {
		if err := waitHTTP(ctx, p.url, 30*time.Second, s.doneOf(p.name)); err != nil {
			return fmt.Errorf("%s: %w (log: %s)", p.name, err, s.LogPath(p.name))
		}
	}
	for _, name := range []string{"worker", "gateway"} {
		if err := s.spawn(name, nil, s.serviceEnv()); err != nil {
			return err
		}
	}
	// Readiness is the public listener's /readyz: it is what Stripe's webhooks reach.
	if err := waitHTTP(ctx, s.GatewayURL()+"/readyz", 60*time.Second, s.doneOf("gateway")); err != nil {
		return fmt.Errorf("gateway: %w (log: %s)", err, s.LogPath("gateway"))
	}
	return nil
}

// serviceEnv is the environment of the worker and the gateway.
func (s *Stack) serviceEnv() []string {
	env := []string{
		"TEMPORAL_ADDRESS=" + s.TemporalAddress(), "TEMPORAL_NAMESPACE=" + s.Namespace(), "GATEWAY_ADDR=" + s.Opts.GatewayAddr,
		"GATEWAY_INTERNAL_ADDR=" + s.Opts.GatewayInternalAddr, "WORKER_HEALTH_ADDR=" + s.Opts.WorkerHealthAddr,
		"STRIPE_API_URL=" + s.StripeURL(), "STRIPE_API_KEY=" + StripeKey, "STRIPE_WEBHOOK_SECRET=" + StripeWebhookSecret,
		"SAGE_URL=" + s.SageURL(), "SAGE_API_KEY=" + SageKey,
		"PAYTRACE_API_URL=" + s.PayTraceURL(), "PAYTRACE_NOTIFY_SECRET=" + PayTraceNotifySecret,
		"LEDGERBRIDGE_ADMIN_TOKEN=" + AdminToken,
		"LEDGERBRIDGE_REPORT_DIR=" + filepath.Join(s.Opts.DataDir, "reports"),
		fmt.Sprintf("LEDGERBRIDGE_WEB_UI=http://127.0.0.1:%d/namespaces/%s", s.Opts.TemporalUIPort, s.Namespace()),
		// The dev server's Web UI (on its own port) may call the codec server.
		fmt.Sprintf("LEDGERBRIDGE_CODEC_ORIGINS=http://127.0.0.1:%d,http://localhost:%d", s.Opts.TemporalUIPort, s.Opts.TemporalUIPort),
	}
	return append(env, s.Opts.Env...)
}

// spawn starts one named process. args nil means no arguments; env is added to os.Environ().
// A name started before keeps its original arguments and environment.
func (s *Stack) spawn(name string, args, env []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.procs[name]
	if !ok {
		p = &proc{name: name, args: args, env: env}
		s.procs[name] = p
		s.order = append(s.order, name)
	}
	return s.spawnLocked(p)
}

// spawnLocked starts p's binary again, writes its pid file and starts the goroutine that waits
// for it. s.mu is held.
func (s *Stack) spawnLocked(p *proc) error {
	logFile, err := os.OpenFile(s.LogPath(p.name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin(p.name), p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	// Own process group: Ctrl-C reaches only the launcher, which stops children in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var out io.Writer = logFile
	var pw *io.PipeWriter
	if s.console != nil && (p.name == "worker" || p.name == "gateway") {
		var pr *io.PipeReader
		pr, pw = io.Pipe()
		out = io.MultiWriter(logFile, pw)
		go prefixLines(s.console, p.name, pr)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		logFile.Close()
		if pw != nil {
			_ = pw.Close()
		}
		return fmt.Errorf("start %s: %w (run `make build`?)", p.name, err)
	}
	p.gen++
	p.cmd, p.done = cmd, make(chan struct{})
	go s.wait(p, p.gen, cmd, p.done, time.Now(), logFile, pw)
	return writePID(s.PIDPath(p.name), cmd.Process.Pid)
}

// wait reaps one start of p and, when supervising, restarts it.
func (s *Stack) wait(p *proc, gen int, cmd *exec.Cmd, done chan struct{}, started time.Time, logFile *os.File, pw *io.PipeWriter) {
	werr := cmd.Wait()
	if pw != nil {
		_ = pw.Close()
	}
	logFile.Close()
	uptime := time.Since(started)

	s.mu.Lock()
	if p.gen == gen {
		_ = os.Remove(s.PIDPath(p.name))
	}
	restart := s.supervising && !s.stopping && !p.held && p.gen == gen
	var delay time.Duration
	if restart {
		delay, p.failures = s.policy.next(p.failures, uptime)
		p.restarts++
	}
	n := p.restarts
	// Closed under the lock so that supervise, Kill and Restart see a decided process.
	close(done)
	s.mu.Unlock()
	if !restart {
		return
	}

	s.say("%s exited (%s) after %s; restarting in %s (restart %d)", p.name, describeExit(werr), uptime.Round(time.Second), delay, n)
	select {
	case <-time.After(delay):
	case <-s.quit:
		return
	}
	s.mu.Lock()
	if s.stopping || p.held || p.gen != gen { // stopped, or restarted by the caller meanwhile
		s.mu.Unlock()
		return
	}
	err := s.spawnLocked(p)
	pid := p.cmd.Process.Pid
	s.mu.Unlock()
	if err != nil {
		s.fail(fmt.Errorf("%s exited (%s) and could not be restarted: %w (log: %s)", p.name, describeExit(werr), err, s.LogPath(p.name)))
		return
	}
	s.say("%s restarted (pid %d)", p.name, pid)
}

// describeExit says how a process ended: "signal: killed", "exit status 2".
func describeExit(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exit status 0"
	case errors.As(err, &ee):
		return ee.String()
	default:
		return err.Error()
	}
}

// say prints one supervisor line on the console.
func (s *Stack) say(format string, args ...any) {
	if s.console != nil {
		fmt.Fprintf(s.console, "devstack: "+format+"\n", args...)
	}
}

// fail reports that supervision gave up; only the first error is kept.
func (s *Stack) fail(err error) {
	select {
	case s.failed <- err:
	default:
	}
}

// Failed delivers an error when a supervised process died and could not be started again (its
// binary could not be executed); the caller should Stop the stack. Never with supervision off.
func (s *Stack) Failed() <-chan error { return s.failed }

// writePID replaces path with pid, atomically, so a reader never sees half a number.
func writePID(path string, pid int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(fmt.Sprintf("%d\n", pid)), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// syncWriter serialises writes from the log forwarders and the supervisor.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(b)
}

func prefixLines(w io.Writer, name string, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fmt.Fprintf(w, "%-8s %s\n", name, sc.Text())
	}
	// A line too long to scan must not block the process's output (the log file still has it).
	_, _ = io.Copy(io.Discard, r)
}

// running returns name's current process and its done channel, and marks it held when hold is
// set, so a supervisor does not bring it back.
func (s *Stack) running(name string, hold bool) (*exec.Cmd, chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.procs[name]
	if !ok || p.cmd == nil {
		return nil, nil, fmt.Errorf("no process %q", name)
	}
	if hold {
		p.held = true
	}
	return p.cmd, p.done, nil
}

// Kill sends SIGKILL to one process and waits for it to die: a crash, not a shutdown. A
// supervisor does not restart it; Restart does. (To crash a process the supervisor restarts,
// signal Pid yourself, as `kill -9` would.)
func (s *Stack) Kill(name string) error {
	cmd, done, err := s.running(name, true)
	if err != nil {
		return err
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
	return nil
}

// Terminate stops one process gracefully (SIGTERM) and waits for it to exit. A supervisor does
// not restart it; Restart does.
func (s *Stack) Terminate(name string) error {
	cmd, done, err := s.running(name, true)
	if err != nil {
		return err
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
	return nil
}

// Restart starts a stopped or killed process again with its original arguments.
func (s *Stack) Restart(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.procs[name]
	if !ok {
		return fmt.Errorf("no process %q", name)
	}
	if p.cmd != nil && !exited(p.done) {
		return fmt.Errorf("%s is still running", name)
	}
	p.held = false
	return s.spawnLocked(p)
}

// Exited reports processes that have died on their own, for the launcher to report.
func (s *Stack) Exited() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var dead []string
	for _, name := range s.order {
		if exited(s.procs[name].done) {
			dead = append(dead, name)
		}
	}
	return dead
}

// LogPath is where a process's output goes.
func (s *Stack) LogPath(name string) string {
	return filepath.Join(s.Opts.DataDir, "logs", name+".log")
}

// PIDPath is the file that holds a running process's PID (<DataDir>/run/<name>.pid), written at
// every start and removed when the process exits.
func (s *Stack) PIDPath(name string) string {
	return filepath.Join(s.Opts.DataDir, "run", name+".pid")
}

// Stop shuts processes down in reverse start order: SIGTERM, then SIGKILL after 10 s. Nothing
// is restarted once Stop has begun.
func (s *Stack) Stop() {
	type target struct {
		cmd  *exec.Cmd
		done chan struct{}
	}
	var targets []target
	s.mu.Lock()
	if !s.stopping {
		s.stopping = true
		close(s.quit)
	}
	for i := len(s.order) - 1; i >= 0; i-- {
		if p := s.procs[s.order[i]]; p.cmd != nil {
			targets = append(targets, target{p.cmd, p.done})
		}
	}
	s.mu.Unlock()
	for _, t := range targets {
		_ = t.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-t.done:
		case <-time.After(10 * time.Second):
			_ = t.cmd.Process.Signal(syscall.SIGKILL)
			<-t.done
		}
	}
}

var errExited = errors.New("process exited")

// doneOf returns the done channel of name's current process.
func (s *Stack) doneOf(name string) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.procs[name]; ok {
		return p.done
	}
	return nil
}

// exited reports whether done is closed; a nil done (never started) is not.
func exited(done chan struct{}) bool {
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

func waitTCP(ctx context.Context, addr string, timeout time.Duration, done chan struct{}) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		if exited(done) {
			return errExited
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not reachable after %s", addr, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func waitHTTP(ctx context.Context, url string, timeout time.Duration, done chan struct{}) error {
	deadline := time.Now().Add(timeout)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if strings.Contains(url, "/v1/") {
			req.Header.Set("Authorization", "Bearer "+StripeKey)
		} else if strings.Contains(url, "/Sage500API/") {
			req.Header.Set("Authorization", "Bearer "+SageKey)
		}
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 300 {
				return nil
			}
		}
		if exited(done) {
			return errExited
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s", url, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Pid returns the process ID of a running process, or 0.
func (s *Stack) Pid(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.procs[name]; ok && p.cmd != nil && p.cmd.Process != nil {
		return p.cmd.Process.Pid
	}
	return 0
}
