package sagex3_test

import (
	"path/filepath"
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/erptest"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sagex3"
)

const apiKey = erptest.SandboxAPIKey

// sandboxEnv is a Sage sandbox served over real HTTP (erptest.Sandbox: faults, admin calls) plus
// a Sage X3 connector to it, with the rest of the optional erptest abilities.
type sandboxEnv struct {
	*sagex3.Client
	*erptest.Sandbox
	opts sagex3.Options
}

func startSandbox(t *testing.T, dbPath string, opts sagex3.Options) *sandboxEnv {
	t.Helper()
	sb := erptest.StartSandbox(t, dbPath, "/api/v1/")
	return &sandboxEnv{Client: sagex3.New(sb.URL, apiKey, sb.HTTP, opts), Sandbox: sb, opts: opts}
}

func newSandboxEnv(t *testing.T) *sandboxEnv {
	return startSandbox(t, filepath.Join(t.TempDir(), "sage.db"), sagex3.Options{})
}

// Fixtures are the sandbox's X3 master data and message vocabulary.
func (e *sandboxEnv) Fixtures() erptest.Fixtures {
	f := erptest.Sage500Fixtures
	f.Terms = erptest.Terms{CustomerName: "BPCNAM", Quantity: "QTY", PaymentAmount: "AMTCUR"}
	f.UniqueCustomers = true
	f.PaymentType = "CB"
	return f
}

// Restart opens a second sandbox on the same database file, like a rolling restart.
func (e *sandboxEnv) Restart(t *testing.T) erp.Connector { return startSandbox(t, e.DBPath, e.opts) }

func (e *sandboxEnv) WithBadCredentials(*testing.T) erp.Connector {
	return sagex3.New(e.URL, "wrong-key", nil, e.opts)
}

// get fetches a raw sandbox resource (for state the port does not expose).
func (e *sandboxEnv) get(t *testing.T, path string, out any) { e.Admin(t, "GET", path, nil, out) }
