package connectors_test

import (
	"strings"
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp/connectors"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
)

// The shipped mappings set only keys their ERP honours, and set what it requires.
func TestDefaultMappingsAreHonoured(t *testing.T) {
	for _, name := range connectors.Names {
		m, err := mapping.Default(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := connectors.CheckMapping(name, m.Name, m); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A key an ERP has no field for is refused with the key and the reason, whether it is set as a
// template, as a value map or by a rule; a required key missing is refused too.
func TestUnhonouredKeysAreRefused(t *testing.T) {
	head := func(erp string) string {
		return "erp: " + erp + "\ndates: {timezone: UTC, format: \"2006-01-02\"}\ncustomer: {fields: {name: \"{customer.name}\"}}\n"
	}
	for _, tc := range []struct {
		name, erp, body string
		want            []string
	}{
		{"500 payment type", "sage500", "payment: {method: \"{charge.card.brand}\", type: \"{charge.payment_method_type}\"}\n",
			[]string{"payment.type", "no payment type field"}},
		{"500 status map", "sage500", "value_maps: {payment_status: {succeeded: Paid}}\n", []string{"value_maps.payment_status"}},
		{"500 reference", "sage500", "payment: {reference: \"{charge.id}\"}\n", []string{"payment.reference"}},
		{"500 site by rule", "sage500", "extra: {sales_facility: \"\"}\nrules:\n  - when: {field: charge.currency, equals: EUR}\n    set: {extra.sales_facility: FR011}\n",
			[]string{"extra.sales_facility", "no sales site"}},
		{"x3 status", "sagex3", "payment: {type: \"{charge.payment_method_type}\", status: \"{charge.status}\"}\n", []string{"payment.status"}},
		{"x3 without type", "sagex3", "payment: {method: \"{charge.card.brand}\"}\n", []string{"payment.type", "PAYTYP", "set it"}},
		{"pro type", "sagepro", "payment: {status: \"{charge.status}\", type: \"{charge.payment_method_type}\"}\n", []string{"payment.type"}},
		{"pro without status", "sagepro", "payment: {method: \"{charge.card.brand}\"}\n", []string{"payment.status", "PaymentStatus"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := mapping.Parse("custom.yaml", []byte(head(tc.erp)+tc.body))
			if err != nil {
				t.Fatal(err)
			}
			err = connectors.CheckMapping(tc.erp, m.Name, m)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append(tc.want, "custom.yaml") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v lacks %q", err, w)
				}
			}
		})
	}
}

// Unknown connector options are refused by name.
func TestUnknownOption(t *testing.T) {
	if _, err := connectors.New("sagex3", "http://127.0.0.1:1", "k", nil, connectors.Options{"bank_account": "1015-00"}); err == nil ||
		!strings.Contains(err.Error(), "bank_account") {
		t.Fatalf("bank_account accepted: %v", err)
	}
	if _, err := connectors.New("sage500", "http://127.0.0.1:1", "k", nil, connectors.Options{"sales_facility": "US011"}); err == nil {
		t.Fatal("sales_facility accepted on Sage 500")
	}
}
