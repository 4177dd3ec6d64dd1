package devstack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// RequiredBinaries are what Start needs in BinDir when it runs its own dev server.
var RequiredBinaries = []string{"temporal", "worker", "gateway", "stripe-sandbox", "sage-sandbox", "paytrace-sandbox"}

// MissingBinary returns the first required binary absent from binDir, or "".
func MissingBinary(binDir string) string {
	for _, b := range RequiredBinaries {
		if _, err := os.Stat(filepath.Join(binDir, b)); err != nil {
			return b
		}
	}
	return ""
}

// FreePort returns an unused loopback port below Linux's ephemeral range (32768+). The kernel
// hands out ephemeral ports to anything binding ":0" (the Temporal dev server does so for its
// internal services), so a port taken from that range could be grabbed before we bind it.
func FreePort() (int, error) {
	for i := 0; i < 200; i++ {
		port := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port in 20000-31999")
}

// FreePorts returns n distinct ports from FreePort.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	seen := map[int]bool{}
	for len(ports) < n {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		if !seen[port] {
			seen[port] = true
			ports = append(ports, port)
		}
	}
	return ports, nil
}

// TestTemporalAddressEnv names the variable that points StartEphemeral at an existing Temporal
// cluster (make test-cluster) instead of a dev server of its own.
const TestTemporalAddressEnv = "LEDGERBRIDGE_TEST_TEMPORAL_ADDRESS"

// StartEphemeral starts a headless, unsupervised stack on free loopback ports with its state in a
// new temporary directory, so tests and benchmarks never collide with a running `make run`, and a
// process they Kill stays down until they Restart it. Stop the stack, then remove Opts.DataDir.
// With LEDGERBRIDGE_TEST_TEMPORAL_ADDRESS set it uses that cluster, in a new namespace e2e-….
func StartEphemeral(ctx context.Context, binDir string, env []string) (*Stack, error) {
	data, err := os.MkdirTemp("", "ledgerbridge-")
	if err != nil {
		return nil, err
	}
	ports, err := FreePorts(7)
	if err != nil {
		return nil, err
	}
	// make test-cluster: the suite runs on a real cluster, each stack in a namespace of its own
	// (no shared task queue or schedule with the cluster's workers; clean-e2e.sh deletes them).
	addr, ns := os.Getenv(TestTemporalAddressEnv), ""
	if addr != "" {
		ns = "e2e-" + filepath.Base(data)[len("ledgerbridge-"):]
	}
	st, err := Start(ctx, Options{
		BinDir: binDir, DataDir: data, TemporalPort: ports[0], Headless: true, Env: env,
		TemporalAddress: addr, Namespace: ns,
		GatewayAddr: fmt.Sprintf("127.0.0.1:%d", ports[1]), StripeAddr: fmt.Sprintf("127.0.0.1:%d", ports[2]),
		SageAddr: fmt.Sprintf("127.0.0.1:%d", ports[3]), GatewayInternalAddr: fmt.Sprintf("127.0.0.1:%d", ports[4]),
		WorkerHealthAddr: fmt.Sprintf("127.0.0.1:%d", ports[5]), PayTraceAddr: fmt.Sprintf("127.0.0.1:%d", ports[6]),
	})
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, LogTails(data, 3000))
	}
	return st, nil
}

// LogTails returns the last n bytes of every process log under dataDir, for failure reports.
func LogTails(dataDir string, n int) string {
	files, _ := filepath.Glob(filepath.Join(dataDir, "logs", "*.log"))
	var b strings.Builder
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if len(data) > n {
			data = data[len(data)-n:]
		}
		fmt.Fprintf(&b, "\n===== %s (tail) =====\n%s\n", filepath.Base(f), data)
	}
	return b.String()
}
