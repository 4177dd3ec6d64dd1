package devstack

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestBackoffNext(t *testing.T) {
	b := backoff{min: time.Second, max: 30 * time.Second, reset: time.Minute}
	cases := []struct {
		failures     int
		uptime       time.Duration
		want         time.Duration
		wantFailures int
	}{
		{0, 0, time.Second, 1},
		{1, 3 * time.Second, 2 * time.Second, 2},
		{2, 0, 4 * time.Second, 3},
		{3, 0, 8 * time.Second, 4},
		{4, 0, 16 * time.Second, 5},
		{5, 0, 30 * time.Second, 6},
		{60, 59 * time.Second, 30 * time.Second, 61},
		{7, time.Minute, time.Second, 1}, // stayed up a minute: back to the start
		{7, time.Hour, time.Second, 1},
	}
	for _, c := range cases {
		got, failures := b.next(c.failures, c.uptime)
		if got != c.want || failures != c.wantFailures {
			t.Errorf("next(%d, %s) = %s, %d; want %s, %d", c.failures, c.uptime, got, failures, c.want, c.wantFailures)
		}
	}
}

// buffer is a Console the test can read while the stack writes.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// fakeStack starts shell scripts as the named processes, with a fast backoff.
func fakeStack(t *testing.T, supervise bool, scripts map[string]string, order ...string) (*Stack, *buffer) {
	t.Helper()
	bin := t.TempDir()
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	console := &buffer{}
	s, err := newStack(Options{BinDir: bin, DataDir: t.TempDir(), Console: console, Supervise: supervise})
	if err != nil {
		t.Fatal(err)
	}
	s.policy = backoff{min: 20 * time.Millisecond, max: 80 * time.Millisecond, reset: time.Hour}
	t.Cleanup(s.Stop)
	for _, name := range order {
		if err := s.spawn(name, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if supervise {
		if err := s.supervise(); err != nil {
			t.Fatal(err)
		}
	}
	return s, console
}

func readPID(t *testing.T, s *Stack, name string) int {
	t.Helper()
	b, err := os.ReadFile(s.PIDPath(name))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file %s: %q", s.PIDPath(name), b)
	}
	return pid
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// eventually polls cond for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// newPID waits for name's pid file to name a live process other than old.
func newPID(t *testing.T, s *Stack, name string, old int) int {
	t.Helper()
	var pid int
	eventually(t, name+" to be restarted", func() bool {
		b, err := os.ReadFile(s.PIDPath(name))
		if err != nil {
			return false
		}
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return pid != 0 && pid != old && alive(pid)
	})
	return pid
}

const sleeper = "exec sleep 60"

func TestSupervisorRestartsAKilledProcessWithBackoff(t *testing.T) {
	s, console := fakeStack(t, true, map[string]string{"worker": sleeper}, "worker")
	pid := readPID(t, s, "worker")
	if pid != s.Pid("worker") || !alive(pid) {
		t.Fatalf("pid file says %d, stack says %d", pid, s.Pid("worker"))
	}
	for i, delay := range []string{"20ms", "40ms", "80ms", "80ms"} {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		pid = newPID(t, s, "worker", pid)
		restarted := fmt.Sprintf("devstack: worker restarted (pid %d)\n", pid)
		eventually(t, "the restart line", func() bool { return strings.Contains(console.String(), restarted) })
		died := regexp.MustCompile(fmt.Sprintf(`(?m)^devstack: worker exited \(signal: killed\) after \d+s; restarting in %s \(restart %d\)$`, delay, i+1))
		if out := console.String(); !died.MatchString(out) {
			t.Fatalf("console lacks %s:\n%s", died, out)
		}
		if s.Pid("worker") != pid {
			t.Fatalf("stack says pid %d, pid file %d", s.Pid("worker"), pid)
		}
	}
}

func TestSupervisorReportsTheExitStatus(t *testing.T) {
	s, console := fakeStack(t, true, map[string]string{"gateway": "sleep 0.1; exit 3"}, "gateway")
	eventually(t, "the exit line", func() bool {
		out := console.String()
		return strings.Contains(out, "devstack: gateway exited (exit status 3) after ") && strings.Contains(out, "; restarting in 20ms (restart 1)\n")
	})
	eventually(t, "a second start", func() bool { return strings.Contains(console.String(), "(restart 2)") })
	s.Stop()
}

// Kill and Terminate are deliberate: the supervisor leaves the process down until Restart.
func TestSupervisorLeavesKilledAndTerminatedProcessesDown(t *testing.T) {
	s, console := fakeStack(t, true, map[string]string{"worker": sleeper}, "worker")
	for _, stop := range []func(string) error{s.Kill, s.Terminate} {
		pid := s.Pid("worker")
		if err := stop("worker"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // ten backoffs
		if alive(pid) || s.Pid("worker") != pid {
			t.Fatalf("worker %d alive %v, stack pid %d", pid, alive(pid), s.Pid("worker"))
		}
		if _, err := os.Stat(s.PIDPath("worker")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("pid file of a stopped process: %v", err)
		}
		if strings.Contains(console.String(), "restart") {
			t.Fatalf("supervisor restarted a deliberately stopped process:\n%s", console.String())
		}
		if err := s.Restart("worker"); err != nil {
			t.Fatal(err)
		}
		if got := readPID(t, s, "worker"); got != s.Pid("worker") || got == pid || !alive(got) {
			t.Fatalf("after Restart pid file %d, stack %d, old %d", got, s.Pid("worker"), pid)
		}
	}
	// Restarted by the caller, it is supervised again.
	pid := s.Pid("worker")
	_ = syscall.Kill(pid, syscall.SIGKILL)
	newPID(t, s, "worker", pid)
}

// Without supervision a process that dies stays dead, and Kill/Restart work as before.
func TestUnsupervisedProcessStaysDown(t *testing.T) {
	s, console := fakeStack(t, false, map[string]string{"worker": sleeper, "gateway": sleeper}, "worker", "gateway")
	pid := readPID(t, s, "worker")
	_ = syscall.Kill(pid, syscall.SIGKILL)
	eventually(t, "the worker to be reaped", func() bool { return len(s.Exited()) == 1 })
	time.Sleep(100 * time.Millisecond)
	if got := s.Exited(); len(got) != 1 || got[0] != "worker" {
		t.Fatalf("Exited() = %v", got)
	}
	if console.String() != "" {
		t.Fatalf("unsupervised stack printed %q", console.String())
	}
	if err := s.Restart("gateway"); err == nil {
		t.Fatal("Restart of a running process succeeded")
	}
	if err := s.Restart("worker"); err != nil {
		t.Fatal(err)
	}
	if err := s.Kill("worker"); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart("worker"); err != nil {
		t.Fatal(err)
	}
	if len(s.Exited()) != 0 {
		t.Fatalf("Exited() = %v", s.Exited())
	}
}

// A restart whose exec fails ends supervision with an error naming the process and its log.
func TestSupervisorFailsWhenARestartCannotExec(t *testing.T) {
	s, _ := fakeStack(t, true, map[string]string{"worker": sleeper}, "worker")
	if err := os.Remove(filepath.Join(s.Opts.BinDir, "worker")); err != nil {
		t.Fatal(err)
	}
	_ = syscall.Kill(s.Pid("worker"), syscall.SIGKILL)
	select {
	case err := <-s.Failed():
		if !strings.Contains(err.Error(), "worker exited (signal: killed) and could not be restarted") || !strings.Contains(err.Error(), s.LogPath("worker")) {
			t.Fatalf("error %q", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no failure reported")
	}
}

// A Restart by the caller during the backoff wins: the supervisor does not start a second copy.
func TestRestartDuringBackoffStartsOneProcess(t *testing.T) {
	s, console := fakeStack(t, true, map[string]string{"worker": sleeper}, "worker")
	s.mu.Lock()
	s.policy = backoff{min: 300 * time.Millisecond, max: time.Second, reset: time.Hour}
	s.mu.Unlock()
	_ = syscall.Kill(s.Pid("worker"), syscall.SIGKILL)
	eventually(t, "the exit line", func() bool { return strings.Contains(console.String(), "restarting in 300ms") })
	if err := s.Restart("worker"); err != nil {
		t.Fatal(err)
	}
	pid := s.Pid("worker")
	time.Sleep(500 * time.Millisecond)
	if s.Pid("worker") != pid || !alive(pid) || readPID(t, s, "worker") != pid {
		t.Fatalf("pid %d replaced by %d", pid, s.Pid("worker"))
	}
	if strings.Contains(console.String(), "restarted") {
		t.Fatalf("supervisor started a second copy:\n%s", console.String())
	}
}

func TestStopRemovesPIDFilesAndRestartsNothing(t *testing.T) {
	s, console := fakeStack(t, true, map[string]string{"worker": sleeper, "gateway": sleeper}, "worker", "gateway")
	pids := []int{readPID(t, s, "worker"), readPID(t, s, "gateway")}
	s.Stop()
	time.Sleep(100 * time.Millisecond)
	for _, pid := range pids {
		if alive(pid) {
			t.Fatalf("pid %d survived Stop", pid)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(s.Opts.DataDir, "run", "*")); len(files) != 0 {
		t.Fatalf("left behind %v", files)
	}
	if console.String() != "" {
		t.Fatalf("Stop made the supervisor speak: %q", console.String())
	}
}

// A process that died before supervision began never started successfully.
func TestSuperviseRefusesAProcessThatDiedDuringStartup(t *testing.T) {
	s, _ := fakeStack(t, false, map[string]string{"worker": "exit 1"}, "worker")
	eventually(t, "the worker to exit", func() bool { return len(s.Exited()) == 1 })
	err := s.supervise()
	if err == nil || !strings.Contains(err.Error(), "worker exited during start-up") {
		t.Fatalf("supervise() = %v", err)
	}
}
