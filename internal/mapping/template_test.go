package mapping

import "testing"

func TestTemplates(t *testing.T) {
	src := Source{"customer.name": "  Jenny Rosen ", "customer.email": "Jenny@Example.com", "charge.id": "ch_1",
		"customer.address.line1": "1 Main St", "customer.address.line2": "", "customer.metadata.note": "a\nb",
		"customer.metadata.long": "Ωmega Widgets Intl"}
	tests := []struct{ tmpl, want string }{
		{"plain text", "plain text"},
		{"{charge.id}", "ch_1"},
		{"Stripe charge {charge.id}", "Stripe charge ch_1"},
		{"{customer.phone|customer.email}", "Jenny@Example.com"},
		{"{customer.name|customer.email}", "Jenny Rosen"},
		{"{customer.phone|customer.metadata.none}", ""},
		{"{customer.email:lower}", "jenny@example.com"},
		{"{customer.email:upper}", "JENNY@EXAMPLE.COM"},
		{"[{customer.name:trim}]", "[Jenny Rosen]"},
		{"{customer.metadata.long:max=5}", "Ωmega"},
		{"{customer.metadata.long:max=6:upper}", "ΩMEGA"},
		{"{customer.address.line1} {customer.address.line2}, {customer.address.city}", "1 Main St ,"},
		{"{customer.address.line1}  {customer.address.line2}  x", "1 Main St x"},
		{"{customer.metadata.note}", "a b"},
		{"{{literal}} {charge.id}", "{literal} ch_1"},
		{"{{{charge.id}}}", "{ch_1}"},
		{"{ charge.id | customer.name }", "ch_1"},
		{"", ""},
	}
	for _, tc := range tests {
		tp, err := ParseTemplate(tc.tmpl)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", tc.tmpl, err)
			continue
		}
		if got := tp.Render(src); got != tc.want {
			t.Errorf("Render(%q) = %q, want %q", tc.tmpl, got, tc.want)
		}
		if tp.String() != tc.tmpl {
			t.Errorf("String() = %q", tp.String())
		}
	}
	if got := MustParseTemplate("{charge.id|customer.id} {line.metadata.sku}").Paths(); len(got) != 3 || got[2] != "line.metadata.sku" {
		t.Errorf("Paths = %v", got)
	}
	var nilT *Template
	if nilT.Render(src) != "" {
		t.Error("nil template renders")
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct{ tmpl, want string }{
		{"{chrage.id}", `unknown source "chrage" in "chrage.id"; want a path starting with one of charge, customer, line, invoice`},
		{"{charge.metadata.}", `empty metadata key in "charge.metadata."; want charge.metadata.<key>`},
		{"{payout.id}", `unknown source "payout" in "payout.id"; want a path starting with one of charge, customer, line, invoice`},
		{"{invoice.nope}", `unknown source path "invoice.nope"; want one of invoice.billing_reason, invoice.currency, invoice.discount, invoice.id, invoice.number, invoice.period.end, invoice.period.start, invoice.subscription, invoice.subtotal, invoice.tax, invoice.total, invoice.metadata.<key>`},
		{"{}", "empty source path in {}; want e.g. {charge.id} or {customer.name|customer.email}"},
		{"{charge.id|}", "empty source path in {charge.id|}; want e.g. {charge.id} or {customer.name|customer.email}"},
		{"{charge.id:max=x}", `filter "max=x" in {charge.id:max=x}: want max=N with N a positive whole number`},
		{"{charge.id:title}", `unknown filter "title" in {charge.id:title}; want one of upper, lower, trim, max=N`},
		{"a } b", "unmatched } at offset 2; write }} for a literal brace"},
		{"a {charge.id", "unclosed { at offset 2; write {{ for a literal brace"},
		{"{charge.{id}}", "unclosed { at offset 0; write {{ for a literal brace"},
	}
	for _, tc := range tests {
		_, err := ParseTemplate(tc.tmpl)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseTemplate(%q) = %v\nwant %s", tc.tmpl, err, tc.want)
		}
	}
}
