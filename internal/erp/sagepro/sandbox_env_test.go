package sagepro_test

import (
	"path/filepath"
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/erptest"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sagepro"
)

const apiKey = erptest.SandboxAPIKey

// sandboxEnv is a Sage sandbox served over real HTTP (erptest.Sandbox: faults, admin calls) plus
// a Sage Pro connector to it, with the rest of the optional erptest abilities.
type sandboxEnv struct {
	*sagepro.Client
	*erptest.Sandbox
}

func startSandbox(t *testing.T, dbPath string) *sandboxEnv {
	t.Helper()
	sb := erptest.StartSandbox(t, dbPath, "/SageProAPI/")
	return &sandboxEnv{Client: sagepro.New(sb.URL, apiKey, sb.HTTP), Sandbox: sb}
}

func newSandboxEnv(t *testing.T) *sandboxEnv {
	return startSandbox(t, filepath.Join(t.TempDir(), "sage.db"))
}

// Fixtures are the sandbox's Sage Pro master data and message vocabulary.
func (e *sandboxEnv) Fixtures() erptest.Fixtures {
	f := erptest.Sage500Fixtures
	f.Terms = erptest.Terms{CustomerName: "company", Quantity: "qty", PaymentAmount: "paidamt", Debit: "debit", Credit: "credit"}
	f.PaymentStatus = "Paid"
	return f
}

// Restart opens a second sandbox on the same database file, like a rolling restart.
func (e *sandboxEnv) Restart(t *testing.T) erp.Connector { return startSandbox(t, e.DBPath) }

func (e *sandboxEnv) WithBadCredentials(*testing.T) erp.Connector {
	return sagepro.New(e.URL, "wrong-key", nil)
}

// get fetches a raw sandbox resource (for state the port does not expose).
func (e *sandboxEnv) get(t *testing.T, path string, out any) { e.Admin(t, "GET", path, nil, out) }
