// Package connectors builds the ERP connector named by configuration (ERP=sage500|sagex3|sagepro).
package connectors

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sage500"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sagepro"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/sagex3"
)

// Names lists the supported connectors.
var Names = []string{"sage500", "sagepro", "sagex3"}

// Options are dialect-specific settings (the mapping file's `extra:` section). Unknown keys for
// the chosen ERP are an error, so a typo does not silently fall back to a default.
type Options map[string]string

var known = map[string][]string{
	"sage500": {},
	"sagex3":  {"sales_facility", "bank_account", "default_payment_type", "strict_payment_types"},
	"sagepro": {},
}

// New returns the connector for name. valueMaps are the mapping file's value maps: Sage X3 takes
// "payment_type" (method keyword → PAYTYP), Sage Pro "payment_status" (status → PaymentStatus).
func New(name, baseURL, apiKey string, hc *http.Client, opts Options, valueMaps map[string]map[string]string) (erp.Connector, error) {
	allowed, ok := known[name]
	if !ok {
		return nil, fmt.Errorf("ERP=%q: supported connectors are %s", name, strings.Join(Names, ", "))
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !contains(allowed, k) {
			return nil, fmt.Errorf("ERP %s: unknown option %q (known: %s)", name, k, strings.Join(allowed, ", "))
		}
	}
	switch name {
	case "sagex3":
		return sagex3.New(baseURL, apiKey, hc, sagex3.Options{
			SalesFacility: opts["sales_facility"], BankAccount: opts["bank_account"],
			DefaultPaymentType: opts["default_payment_type"], StrictPaymentTypes: opts["strict_payment_types"] == "true",
			PaymentTypes: valueMaps["payment_type"],
		}), nil
	case "sagepro":
		return sagepro.New(baseURL, apiKey, hc, sagepro.Options{PaymentStatuses: valueMaps["payment_status"]}), nil
	default:
		return sage500.New(baseURL, apiKey, hc), nil
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
