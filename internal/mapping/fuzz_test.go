package mapping

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSource is a small provider snapshot: enough paths for templates and rules to find data.
func fuzzSource() Source {
	return Source{
		"charge.id": "ch_1", "charge.amount": "12.50", "charge.currency": "USD", "charge.status": "succeeded",
		"charge.description": "Order  #1001\n", "charge.created": "1767225600", "charge.payment_method_type": "card",
		"charge.metadata.channel": "b2b", "customer.id": "cus_1", "customer.name": "  Ωmega Widgets ",
		"customer.email": "AP@omega.test", "line.product": "prod_1", "line.price": "price_1",
		"customer.metadata.note": "a\tb",
	}
}

// FuzzLoad feeds arbitrary bytes to the mapping loader: it must not panic, must return either a
// mapping or an error (never neither, never both), and a mapping it accepts must map a payment
// without panicking.
func FuzzLoad(f *testing.F) {
	for _, name := range ERPs {
		data, err := DefaultYAML(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(compact(data))
	}
	for _, s := range []string{
		"", "null", "~", "# only a comment\n", "---\n", "- erp: sage500\n", "sage500\n", base,
		base + "---\nerp: sagex3\n",
		base + "rules: [null]\n",
		base + "value_maps: {x: null}\n",
		base + "value_maps:\n  payment_method: {card: CC, \"*\": OTHER}\npayment: {method: \"{charge.payment_method_type}\"}\n",
		base + "rules:\n  - when: [{field: charge.currency, in: [EUR]}, {field: charge.id, exists: true}]\n    set: {invoice.memo: x}\n",
		base + "rules:\n  - when: {field: charge.id, matches: \"^ch_\"}\n    set: {extra.x: y}\nextra: {x: \"\"}\n",
		base + "gl: &g {bank: 1010-00, categories: {charge: 1015-00}}\nextra: *g\n",
		"erp: sage500\ndates: {timezone: UTC, format: \"2006-01-02\"}\ncustomer: null\n",
		"a: &a [*a]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.yaml", data)
		if (m == nil) == (err == nil) {
			t.Fatalf("Parse(%q) = %v, %v; want exactly one of a mapping and an error", data, m, err)
		}
		if err != nil {
			if err.Error() == "" || !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("Parse(%q): error %q does not start with the file name", data, err)
			}
			return
		}
		src := fuzzSource()
		_, _ = m.Customer(src)
		_, _ = m.Item(src)
		_, _ = m.PaymentMethod(src)
		_, _ = m.PaymentStatus(src)
		_, _ = m.PaymentType(src)
		_ = m.PaymentReference(src)
		_ = m.InvoiceMemo(src)
		_ = m.LineDescription(src)
		_ = m.MatchedRules(src)
		_, _ = m.SourceDate(src, "charge.created")
		for k := range m.Extra {
			_ = m.ExtraValue(k, src)
		}
		_ = m.ExpectERP(m.ERP)
	})
}

// compact drops the comment and blank lines of a mapping file. The shipped defaults are mostly
// comments, and the fuzzer spends up to a minute minimising every new input it finds: with the
// full files as seeds it does little else in a short run.
func compact(data []byte) []byte {
	var out []byte
	for line := range strings.Lines(string(data)) {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			out = append(out, line...)
		}
	}
	return out
}

// FuzzTemplate parses and renders arbitrary template text: no panics, the source text kept, the
// paths it reports valid, and the rendering trimmed with single spaces.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"", "plain", "{charge.id}", "Stripe charge {charge.id}", "{customer.name|customer.email}",
		"{customer.name:upper:max=3}", "{customer.metadata.note:trim:lower}", "{{literal}} {charge.id}",
		"{{{charge.id}}}", "{ charge.id | customer.name }", "{charge.id:max=0}", "{charge.id:max=99999999999999999999}",
		"{chrage.id}", "{charge.metadata.}", "{}", "{|}", "a } b", "a {charge.id", "{charge.{id}}",
		"{customer.metadata.long:max=1}\xff", "Ω{customer.name:max=2}Ω",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := ParseTemplate(s)
		if err != nil {
			if tp != nil {
				t.Fatalf("ParseTemplate(%q) returned a template and an error", s)
			}
			return
		}
		if tp.String() != s {
			t.Fatalf("String() = %q, want %q", tp.String(), s)
		}
		for _, p := range tp.Paths() {
			if err := ValidatePath(p); err != nil {
				t.Fatalf("ParseTemplate(%q) accepted path %q: %v", s, p, err)
			}
		}
		out := tp.Render(fuzzSource())
		if strings.TrimSpace(out) != out || strings.Contains(out, "  ") {
			t.Fatalf("Render(%q) = %q: not trimmed to single spaces", s, out)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("Render(%q) = %q: valid UTF-8 in, invalid out", s, out)
		}
	})
}
