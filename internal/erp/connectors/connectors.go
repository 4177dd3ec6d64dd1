// Package connectors builds the ERP connector named by configuration (ERP=sage500|sagex3|sagepro)
// and knows which mapping keys each ERP can honour.
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
	"sagex3":  {"sales_facility"},
	"sagepro": {},
}

// Unhonoured lists, per ERP, the mapping keys its documents have no field for, with the reason.
// A mapping that sets one is refused at start-up (CheckMapping): accepting it would post without
// it and nobody would notice.
var Unhonoured = map[string]map[string]string{
	"sage500": {
		"payment.type":              "Sage 500 receipts have no payment type field (payment.method fills PaymentMethod)",
		"value_maps.payment_type":   "Sage 500 receipts have no payment type field",
		"payment.status":            "Sage 500 receipts have no payment status field",
		"value_maps.payment_status": "Sage 500 receipts have no payment status field",
		"payment.reference":         "Sage 500 receipts have no reference field besides ExternalRef, which ledgerbridge keys on",
		"extra.sales_facility":      "Sage 500 documents have no sales site",
	},
	"sagex3": {
		"payment.status":            "Sage X3 receipts (PAY) have no payment status field",
		"value_maps.payment_status": "Sage X3 receipts (PAY) have no payment status field",
	},
	"sagepro": {
		"payment.type":            "Sage Pro receipts have no payment type field (payment.method fills paymethod)",
		"value_maps.payment_type": "Sage Pro receipts have no payment type field",
		"payment.reference":       "Sage Pro receipts have no reference field besides extref, which ledgerbridge keys on",
		"extra.sales_facility":    "Sage Pro documents have no sales site",
	},
}

// Required lists, per ERP, the mapping keys its receipts cannot be posted without.
var Required = map[string]map[string]string{
	"sagex3":  {"payment.type": "Sage X3 receipts need a payment type (PAYTYP)"},
	"sagepro": {"payment.status": "Sage Pro receipts need a PaymentStatus"},
}

// KeySetter is what CheckMapping needs of a mapping (mapping.Mapping.Sets).
type KeySetter interface {
	Sets(key string) bool
}

// CheckMapping refuses a mapping for ERP name that sets a key the ERP cannot honour or lacks one
// it requires, naming every such key and why (file is the mapping's name, for the message).
func CheckMapping(name, file string, m KeySetter) error {
	var problems []string
	for _, k := range sortedKeys(Unhonoured[name]) {
		if m.Sets(k) {
			problems = append(problems, fmt.Sprintf("%s: %s; remove it", k, Unhonoured[name][k]))
		}
	}
	for _, k := range sortedKeys(Required[name]) {
		if !m.Sets(k) {
			problems = append(problems, fmt.Sprintf("%s: %s; set it", k, Required[name][k]))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("mapping %s cannot be honoured on %s:\n  %s", file, name, strings.Join(problems, "\n  "))
}

// StaticOptions passes a mapping's extra section to the connector: every key (so an unknown one
// is refused), a templated value blanked (the posting layer renders it per payment, so the
// connector gets no static default for it).
func StaticOptions(extra map[string]string) Options {
	out := Options{}
	for k, v := range extra {
		if strings.Contains(v, "{") {
			v = ""
		}
		out[k] = v
	}
	return out
}

// Renderer returns the connector for name for rendering request bodies only (preview): it is
// never asked to send anything, so it needs no URL or credentials.
func Renderer(name string, extra map[string]string) (erp.Connector, error) {
	return New(name, "http://127.0.0.1:0", "", nil, StaticOptions(extra))
}

// New returns the connector for name.
func New(name, baseURL, apiKey string, hc *http.Client, opts Options) (erp.Connector, error) {
	allowed, ok := known[name]
	if !ok {
		return nil, fmt.Errorf("ERP=%q: supported connectors are %s", name, strings.Join(Names, ", "))
	}
	for _, k := range sortedKeys(opts) {
		if !contains(allowed, k) {
			return nil, fmt.Errorf("ERP %s: unknown option %q (known: %s)", name, k, strings.Join(allowed, ", "))
		}
	}
	switch name {
	case "sagex3":
		return sagex3.New(baseURL, apiKey, hc, sagex3.Options{SalesFacility: opts["sales_facility"]}), nil
	case "sagepro":
		return sagepro.New(baseURL, apiKey, hc), nil
	default:
		return sage500.New(baseURL, apiKey, hc), nil
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
