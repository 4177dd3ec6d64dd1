package sagex3_test

import (
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/erptest"
)

// TestConformance runs the shared connector suite against the sandbox's X3 dialect over real HTTP.
func TestConformance(t *testing.T) {
	erptest.RunConformance(t, func(t *testing.T) erp.Connector { return newSandboxEnv(t) })
}
