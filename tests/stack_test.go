// Package tests holds ledgerbridge's end-to-end tests. They start the real system as separate
// processes (Temporal dev server, Stripe and Sage sandboxes, worker, gateway) on free loopback
// ports, drive it the way a user would (stripe-go payments, signed webhooks, operator signals)
// and check what lands in the Sage sandbox.
package tests

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/client"
	tclient "go.temporal.io/sdk/client"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

var (
	stack *devstack.Stack
	sc    *client.API
	tc    tclient.Client
)

// binDir finds the built binaries: $LEDGERBRIDGE_BIN_DIR, or <repo>/bin.
func binDir() string {
	if d := os.Getenv("LEDGERBRIDGE_BIN_DIR"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "bin")
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	bin := binDir()
	for _, b := range []string{"temporal", "worker", "gateway", "stripe-sandbox", "sage-sandbox"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			if os.Getenv("LEDGERBRIDGE_REQUIRE_TOOLS") == "1" {
				fmt.Fprintf(os.Stderr, "end-to-end tests need %s: %v\n", filepath.Join(bin, b), err)
				return 1
			}
			fmt.Fprintf(os.Stderr, "skipping end-to-end tests: %s missing (run `make test`, which builds it)\n", b)
			return 0
		}
	}
	if testing.Short() {
		fmt.Fprintln(os.Stderr, "skipping end-to-end tests in -short mode")
		return 0
	}
	data, err := os.MkdirTemp("", "ledgerbridge-e2e-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(data)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stack, err = devstack.Start(ctx, devstack.Options{
		BinDir: bin, DataDir: data, TemporalPort: freePort(), Headless: true,
		GatewayAddr: fmt.Sprintf("127.0.0.1:%d", freePort()), StripeAddr: fmt.Sprintf("127.0.0.1:%d", freePort()),
		SageAddr: fmt.Sprintf("127.0.0.1:%d", freePort()),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start stack:", err)
		dumpLogs(data)
		return 1
	}
	defer stack.Stop()
	sc = stripeapi.NewClient(stack.StripeURL(), devstack.StripeKey)
	tc, err = tclient.Dial(tclient.Options{HostPort: stack.TemporalAddress(), Logger: quietLogger{}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial temporal:", err)
		return 1
	}
	defer tc.Close()
	code := m.Run()
	if code != 0 {
		dumpLogs(data)
	}
	return code
}

// dumpLogs prints the tail of every process log so a red CI run explains itself.
func dumpLogs(dir string) {
	files, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if len(b) > 6000 {
			b = b[len(b)-6000:]
		}
		fmt.Fprintf(os.Stderr, "\n===== %s (tail) =====\n%s\n", filepath.Base(f), b)
	}
}

type quietLogger struct{}

func (quietLogger) Debug(string, ...interface{}) {}
func (quietLogger) Info(string, ...interface{})  {}
func (quietLogger) Warn(string, ...interface{})  {}
func (quietLogger) Error(string, ...interface{}) {}
