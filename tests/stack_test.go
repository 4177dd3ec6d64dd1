// Package tests holds ledgerbridge's end-to-end tests. They start the real system as separate
// processes (Temporal dev server, Stripe and Sage sandboxes, worker, gateway) on free loopback
// ports, drive it the way a user would (stripe-go payments, signed webhooks, operator signals)
// and check what lands in the Sage sandbox.
package tests

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/client"
	tclient "go.temporal.io/sdk/client"

	"github.com/ledgerbridge/ledgerbridge/internal/codec"
	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/stripeapi"
)

var (
	stack *devstack.Stack
	sc    *client.API
	tc    tclient.Client
	// keys encrypt every payload of the test stack, as production docs tell operators to do, so
	// every end-to-end test also proves the system works with encryption on.
	keys *codec.Keyring
)

// testEnv is the worker's and gateway's extra environment in the shared test stack.
func testEnv() ([]string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	spec := "test1:" + base64.StdEncoding.EncodeToString(key)
	var err error
	if keys, err = codec.ParseKeyring(spec); err != nil {
		return nil, err
	}
	// A short read timeout lets the slow-client test run in seconds.
	return []string{codec.KeysEnv + "=" + spec, "GATEWAY_READ_TIMEOUT=3s"}, nil
}

// binDir finds the built binaries: $LEDGERBRIDGE_BIN_DIR, or <repo>/bin.
func binDir() string {
	if d := os.Getenv("LEDGERBRIDGE_BIN_DIR"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "bin")
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	bin := binDir()
	if missing := devstack.MissingBinary(bin); missing != "" {
		if os.Getenv("LEDGERBRIDGE_REQUIRE_TOOLS") == "1" {
			fmt.Fprintf(os.Stderr, "end-to-end tests need %s in %s (make build && make tools)\n", missing, bin)
			return 1
		}
		fmt.Fprintf(os.Stderr, "skipping end-to-end tests: %s missing in %s (run `make test`, which builds it)\n", missing, bin)
		return 0
	}
	if testing.Short() {
		fmt.Fprintln(os.Stderr, "skipping end-to-end tests in -short mode")
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env, err := testEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "test keys:", err)
		return 1
	}
	stack, err = devstack.StartEphemeral(ctx, bin, env)
	if err != nil {
		fmt.Fprintln(os.Stderr, "start stack:", err)
		return 1
	}
	defer os.RemoveAll(stack.Opts.DataDir)
	defer stack.Stop()
	sc = stripeapi.NewClient(stack.StripeURL(), devstack.StripeKey)
	tc, err = tclient.Dial(tclient.Options{HostPort: stack.TemporalAddress(), Namespace: stack.Namespace(), Logger: quietLogger{},
		DataConverter: codec.DataConverter(keys), FailureConverter: codec.FailureConverter(keys)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial temporal:", err)
		return 1
	}
	defer tc.Close()
	code := m.Run()
	if code != 0 {
		fmt.Fprint(os.Stderr, devstack.LogTails(stack.Opts.DataDir, 6000))
	}
	return code
}

type quietLogger struct{}

func (quietLogger) Debug(string, ...interface{}) {}
func (quietLogger) Info(string, ...interface{})  {}
func (quietLogger) Warn(string, ...interface{})  {}
func (quietLogger) Error(string, ...interface{}) {}
