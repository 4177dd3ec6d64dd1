package sage500_test

import (
	"path/filepath"
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/erptest"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sage500"
)

const apiKey = erptest.SandboxAPIKey

// sandboxEnv is a Sage sandbox served over real HTTP (erptest.Sandbox: faults, admin calls) plus
// a Sage 500 connector to it, with the rest of the optional erptest abilities.
type sandboxEnv struct {
	*sage500.Client
	*erptest.Sandbox
}

func startSandbox(t *testing.T, dbPath string) *sandboxEnv {
	t.Helper()
	sb := erptest.StartSandbox(t, dbPath, "")
	return &sandboxEnv{Client: sage500.New(sb.URL, apiKey, sb.HTTP), Sandbox: sb}
}

func newSandboxEnv(t *testing.T) *sandboxEnv {
	return startSandbox(t, filepath.Join(t.TempDir(), "sage.db"))
}

// Restart opens a second sandbox on the same database file, like a rolling restart.
func (e *sandboxEnv) Restart(t *testing.T) erp.Connector { return startSandbox(t, e.DBPath) }

func (e *sandboxEnv) WithBadCredentials(*testing.T) erp.Connector {
	return sage500.New(e.URL, "wrong-key", nil)
}
