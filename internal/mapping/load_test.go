package mapping

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// emptyFile is the problem reported for a file with no mapping in it at all.
const emptyFile = `mapping.yaml: the file is empty or null; want a mapping with at least erp: (one of sage500, sagex3, sagepro), dates: and customer:`

func TestBrokenFiles(t *testing.T) {
	tests := []struct {
		name, yml, want string
	}{
		{"typo in customer field", base + "    nmae: \"{customer.name}\"\n",
			"mapping.yaml:6: customer.fields.nmae: unknown ERP customer field; want one of id, name, email, phone, address.line1, address.line2, address.city, address.state, address.postal_code, address.country, currency, external_ref"},
		{"unknown top-level key", base + "valuemaps: {}\n",
			"mapping.yaml:6: valuemaps: unknown top-level key; want one of erp, dates, customer, invoice, payment, value_maps, rules, gl, extra"},
		{"unknown erp", "erp: sage100\n" + base[len("erp: sage500\n"):],
			`mapping.yaml:1: erp: unknown ERP "sage100"; want one of sage500, sagex3, sagepro`},
		{"empty erp", "erp:\n" + base[len("erp: sage500\n"):],
			"mapping.yaml:1: erp: must not be empty; want one of sage500, sagex3, sagepro"},
		{"bad time zone", "erp: sage500\ndates: {timezone: America/Chicgo, format: \"2006-01-02\"}\ncustomer: {fields: {name: x}}\n",
			`mapping.yaml:2: dates.timezone: unknown time zone "America/Chicgo"; want an IANA name such as America/New_York, Europe/Paris or UTC`},
		{"not a Go layout", "erp: sage500\ndates:\n  timezone: UTC\n  format: MM/DD/YYYY\ncustomer: {fields: {name: x}}\n",
			`mapping.yaml:4: dates.format: "MM/DD/YYYY" is not a Go date layout (it formats 2026-03-14 as "MM/DD/YYYY"); want a Go date layout written with the reference date Jan 2 2006, e.g. "2006-01-02" or "01/02/2006"`},
		{"layout without a day", "erp: sage500\ndates:\n  timezone: UTC\n  format: \"2006-01\"\ncustomer: {fields: {name: x}}\n",
			`mapping.yaml:4: dates.format: "2006-01" does not contain a full date (it formats 2026-03-14 as "2026-03"); want a Go date layout written with the reference date Jan 2 2006, e.g. "2006-01-02" or "01/02/2006"`},
		{"missing dates", "erp: sage500\ncustomer: {fields: {name: x}}\n",
			`mapping.yaml:1: dates: missing; want dates: {timezone: America/New_York, format: "2006-01-02"}`},
		{"missing name", "erp: sage500\ndates: {timezone: UTC, format: \"2006-01-02\"}\ncustomer:\n  fields: {email: \"{customer.email}\"}\n",
			`mapping.yaml:3: customer.fields.name: missing; the ERP requires a customer name, e.g. name: "{customer.name|customer.email}"`},
		{"wrong type", base + "  defaults: [US]\n",
			"mapping.yaml:6: customer.defaults: want a mapping (key: value lines), got a list"},
		{"template with unknown root", base + "invoice:\n  memo: \"Stripe {chrage.id}\"\n",
			`mapping.yaml:7: invoice.memo: template "Stripe {chrage.id}": unknown source "chrage" in "chrage.id"; want a path starting with one of charge, customer, line, invoice`},
		{"template with unknown field", base + "    email: \"{customer.emial}\"\n",
			`mapping.yaml:6: customer.fields.email: template "{customer.emial}": unknown source path "customer.emial"; want one of customer.address.city, customer.address.country, customer.address.line1, customer.address.line2, customer.address.postal_code, customer.address.state, customer.currency, customer.email, customer.id, customer.name, customer.phone, customer.metadata.<key>`},
		{"unknown filter", base + "    email: \"{customer.email:uper}\"\n",
			`mapping.yaml:6: customer.fields.email: template "{customer.email:uper}": unknown filter "uper" in {customer.email:uper}; want one of upper, lower, trim, max=N`},
		{"unclosed brace", base + "invoice: {memo: \"Charge {charge.id\"}\n",
			`mapping.yaml:6: invoice.memo: template "Charge {charge.id": unclosed { at offset 7; write {{ for a literal brace`},
		{"bad width", base + "  widths: {name: forty}\n",
			`mapping.yaml:6: customer.widths.name: want a positive whole number of characters, got "forty"`},
		{"value map with empty target", base + "value_maps:\n  payment_status:\n    succeeded: Paid\n    pending: \"\"\n",
			"mapping.yaml:9: value_maps.payment_status.pending: must not be empty; want the ERP value this key maps to"},
		{"value map keys differing in case", base + "value_maps:\n  payment_type: {ach: VIR, ACH: VIR}\n",
			`mapping.yaml:7: value_maps.payment_type.ACH: same key as "ach" apart from case (keys match case-insensitively)`},
		{"bad regex", base + "rules:\n  - when: {field: charge.description, matches: \"[a-\"}\n    set: {invoice.memo: x}\n",
			`mapping.yaml:7: rules[0].when.matches: bad regular expression "[a-": missing closing ]: ` + "`[a-`"},
		{"two operators", base + "rules:\n  - when: {field: charge.currency, equals: EUR, in: [EUR]}\n    set: {invoice.memo: x}\n",
			"mapping.yaml:7: rules[0].when: want exactly one operator of equals, not_equals, in, not_in, exists, matches, got 2"},
		{"exists not a bool", base + "rules:\n  - when: {field: charge.currency, exists: maybe}\n    set: {invoice.memo: x}\n",
			`mapping.yaml:7: rules[0].when.exists: want true or false, got "maybe"`},
		{"empty in list", base + "rules:\n  - when: {field: charge.currency, in: []}\n    set: {invoice.memo: x}\n",
			"mapping.yaml:7: rules[0].when.in: empty list; want the values to compare with, e.g. [a, b]"},
		{"in not a list", base + "rules:\n  - when: {field: charge.currency, not_in: EUR}\n    set: {invoice.memo: x}\n",
			`mapping.yaml:7: rules[0].when.not_in: want a list such as [a, b], got "EUR"`},
		{"condition on unknown path", base + "rules:\n  - when: {field: charge.metdata.x, exists: true}\n    set: {invoice.memo: x}\n",
			`mapping.yaml:7: rules[0].when.field: unknown source path "charge.metdata.x"; want one of charge.amount, charge.amount_authorized, charge.card.brand, charge.card.last4, charge.created, charge.currency, charge.customer, charge.description, charge.id, charge.invoice, charge.payment_intent, charge.payment_method_type, charge.provider, charge.settlement.amount, charge.settlement.currency, charge.settlement.rate, charge.statement_descriptor, charge.status, charge.metadata.<key>`},
		{"unknown condition key", base + "rules:\n  - when: {field: charge.currency, equal: EUR}\n    set: {invoice.memo: x}\n",
			"mapping.yaml:7: rules[0].when.equal: unknown condition key; want one of field, equals, not_equals, in, not_in, exists, matches\n" +
				"mapping.yaml:7: rules[0].when: want exactly one operator of equals, not_equals, in, not_in, exists, matches, got 0"},
		{"required names an unknown field", base + "  required: [name, emial]\n",
			`mapping.yaml:6: customer.required: unknown ERP customer field "emial"; want one of id, name, email, phone, address.line1, address.line2, address.city, address.state, address.postal_code, address.country, currency, external_ref`},
		{"unknown payment field", base + "payment:\n  methd: x\n",
			"mapping.yaml:7: payment.methd: unknown payment field; want one of method, status, type, reference"},
		{"unknown items key", base + "invoice:\n  items:\n    product: {prod_1: W}\n",
			"mapping.yaml:8: invoice.items.product: unknown items setting; want one of metadata_key, products, prices, default"},
		{"unknown rule target", base + "rules:\n  - when: {field: charge.currency, equals: EUR}\n    set:\n      invoice.mmo: x\n",
			"mapping.yaml:9: rules[0].set.invoice.mmo: unknown rule target; want one of customer.fields.<field>, customer.defaults.<field>, invoice.memo, invoice.line_description, invoice.item, payment.method, payment.status, payment.type, payment.reference, extra.<key>"},
		{"rule sets an undeclared extra", base + "rules:\n  - when: {field: charge.currency, equals: EUR}\n    set: {extra.sales_facility: FR011}\n",
			`mapping.yaml:8: rules[0].set.extra.sales_facility: extra key "sales_facility" is not declared in the extra section; declare it there (possibly empty) first`},
		{"rule without set", base + "rules:\n  - when: {field: charge.currency, equals: EUR}\n",
			"mapping.yaml:7: rules[0].set: missing; want set: {invoice.memo: \"…\"}"},
		{"unknown gl key", base + "gl:\n  bank: 1010-00\n  fee: 6150-00\n",
			"mapping.yaml:8: gl.fee: unknown GL key; want one of bank, clearing, paytraceClearing, receivable, fees, disputeFees, chargebacks, fx, suspense, categories, feeAccounts"},
		{"empty gl account", base + "gl:\n  categories:\n    charge:\n",
			"mapping.yaml:8: gl.categories.charge: must not be empty; want a GL account number such as 1015-00"},
		{"duplicate key", base + "    name: \"{customer.email}\"\n",
			"mapping.yaml:6: customer.fields.name: duplicate key"},
		{"yaml syntax", base + "invoice:\n memo: x\n  bad: y\n",
			"mapping.yaml:8: not valid YAML: mapping values are not allowed in this context"},
		{"empty file", "", emptyFile},
		{"only comments", "# nothing\n", emptyFile},
		// A bare null used to parse to (nil, nil) and crash the worker at start-up.
		{"bare null", "null\n", emptyFile},
		{"bare tilde", "~", emptyFile},
		{"document marker only", "---\n", emptyFile},
		{"null with an anchor", "&top null\n", emptyFile},
		{"top-level list", "- erp: sage500\n",
			`mapping.yaml:1: the file is a list; want a mapping with at least erp: (one of sage500, sagex3, sagepro), dates: and customer:`},
		{"top-level scalar", "sage500\n",
			`mapping.yaml:1: the file is "sage500"; want a mapping with at least erp: (one of sage500, sagex3, sagepro), dates: and customer:`},
		{"two documents", base + "---\nerp: sagex3\n",
			"mapping.yaml:6: the file holds more than one YAML document; want one mapping (remove the --- line and what follows, or merge the documents)"},
		{"null first document", "null\n---\n" + base,
			"mapping.yaml:2: the file holds more than one YAML document; want one mapping (remove the --- line and what follows, or merge the documents)"},
		{"yaml syntax in a second document", base + "---\nfoo: [\n",
			"mapping.yaml:7: not valid YAML: did not find expected node content"},
		{"null second document", base + "---\n---\n" + base,
			"mapping.yaml:7: the file holds more than one YAML document; want one mapping (remove the --- line and what follows, or merge the documents)"},
		{"null customer", "erp: sage500\ndates: {timezone: UTC, format: \"2006-01-02\"}\ncustomer: null\n",
			`mapping.yaml:3: customer.fields.name: missing; the ERP requires a customer name, e.g. name: "{customer.name|customer.email}"`},
		{"null customer name", "erp: sage500\ndates: {timezone: UTC, format: \"2006-01-02\"}\ncustomer: {fields: {name: null}}\n",
			`mapping.yaml:3: customer.fields.name: must not be empty; the ERP requires a customer name, e.g. name: "{customer.name|customer.email}"`},
		{"null rule", base + "rules: [null]\n",
			"mapping.yaml:6: rules[0]: want a rule (when: … set: …), got nothing"},
		{"null value map", base + "value_maps: {payment_status: null}\n",
			"mapping.yaml:6: value_maps.payment_status: empty value map; want entries such as {succeeded: Paid}"},
		{"value map nothing reads", base + "value_maps: {payment_typo: {card: CB}}\n",
			"mapping.yaml:6: value_maps.payment_typo: unknown value map; want one of payment_method, payment_status, payment_type, tax_code"},
		{"null required field", base + "  required: [null]\n",
			"mapping.yaml:6: customer.required: want an ERP customer field (one of id, name, email, phone, address.line1, address.line2, address.city, address.state, address.postal_code, address.country, currency, external_ref), got nothing"},
		{"several problems, in line order", "erp: sage5000\ndates: {timezone: UTC, format: \"2006-01-02\"}\ncustomer:\n  fields:\n    name: \"{customer.name:max=0}\"\n",
			`mapping.yaml:1: erp: unknown ERP "sage5000"; want one of sage500, sagex3, sagepro` + "\n" +
				`mapping.yaml:5: customer.fields.name: template "{customer.name:max=0}": filter "max=0" in {customer.name:max=0}: want max=N with N a positive whole number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("mapping.yaml", []byte(tc.yml))
			if err == nil {
				t.Fatalf("no error; want\n%s", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n%s\nwant\n%s", err, tc.want)
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Errorf("error is %T, want *LoadError", err)
			}
		})
	}
}

// TestLoadNullFile is the start-up crash: Load of a file holding only null returned no mapping
// and no error, and the worker dereferenced the nil mapping.
func TestLoadNullFile(t *testing.T) {
	for _, content := range []string{"null\n", "~\n", "", "# just a comment\n"} {
		p := filepath.Join(t.TempDir(), "mapping.yaml")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := Load(p)
		want := p + ": the file is empty or null; want a mapping with at least erp: (one of sage500, sagex3, sagepro), dates: and customer:"
		if m != nil || err == nil || err.Error() != want {
			t.Errorf("Load(%q) = %v, %v\nwant nil, %s", content, m, err, want)
		}
	}
}
