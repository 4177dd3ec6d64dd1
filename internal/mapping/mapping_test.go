package mapping

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
)

// charge is a realistic source: a card charge by a customer with a long two-line address.
// 1767225600 is 2026-01-01T00:00:00Z, still Dec 31 in New York.
func charge() Source {
	return Source{
		"charge.id": "ch_3PqR1s2eZvKYlo2C0abc", "charge.amount": "125.50", "charge.currency": "USD",
		"charge.status": "succeeded", "charge.description": "Order #1001", "charge.created": "1767225600",
		"charge.card.brand": "visa", "charge.card.last4": "4242", "charge.payment_method_type": "card",
		"customer.id": "cus_Q1w2e3r4", "customer.name": "Jenny Rosen", "customer.email": "jenny@example.com",
		"customer.phone":         "+1 312 555 0100",
		"customer.address.line1": "1234 North Lake Shore Drive", "customer.address.line2": "Apartment 1500 East Tower",
		"customer.address.city": "Chicago", "customer.address.state": "il", "customer.address.postal_code": "60611",
		"customer.address.country": "us",
	}
}

func with(src Source, kv ...string) Source {
	out := Source{}
	for k, v := range src {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func mustDefault(t *testing.T, name string) *Mapping {
	t.Helper()
	m, err := Default(name)
	if err != nil {
		t.Fatalf("Default(%s): %v", name, err)
	}
	return m
}

func TestDefaultsLoad(t *testing.T) {
	for _, name := range ERPs {
		m := mustDefault(t, name)
		if m.ERP != name || m.Location == nil || m.DateFormat == "" {
			t.Errorf("%s: ERP=%q loc=%v format=%q", name, m.ERP, m.Location, m.DateFormat)
		}
		if err := m.ExpectERP(name); err != nil {
			t.Errorf("%s: ExpectERP: %v", name, err)
		}
		if err := m.GL.Validate(nil); err != nil {
			t.Errorf("%s: GL: %v", name, err)
		}
		data, err := DefaultYAML(name)
		if err != nil || !strings.Contains(string(data), "erp: "+name) {
			t.Errorf("%s: DefaultYAML: %v", name, err)
		}
	}
	if _, err := Default("sage100"); err == nil || err.Error() != `mapping: no default for ERP "sage100"; want one of sage500, sagex3, sagepro` {
		t.Errorf("Default(sage100) = %v", err)
	}
	// The Sage 500 default spells out glmap's defaults.
	if m := mustDefault(t, "sage500"); !reflect.DeepEqual(m.GL, glmap.Defaults()) {
		t.Errorf("sage500 GL = %+v, want glmap.Defaults()", m.GL)
	}
	err := mustDefault(t, "sagepro").ExpectERP("sage500")
	if err == nil || err.Error() != "defaults/sagepro.yaml:12: erp: the file is written for sagepro but the connector is sage500" {
		t.Errorf("ExpectERP = %v", err)
	}
}

func TestSagePro(t *testing.T) {
	m := mustDefault(t, "sagepro")
	src := charge()
	if got, _ := m.SourceDate(src, "charge.created"); got != "12/31/2025" {
		t.Errorf("date = %q, want 12/31/2025", got)
	}
	c, err := m.Customer(src)
	if err != nil {
		t.Fatal(err)
	}
	want := erp.Customer{Name: "Jenny Rosen", Email: "jenny@example.com", Phone: "+1 312 555 0100",
		Address: erp.Address{Line1: "1234 North Lake Shore Drive Apartment 15", City: "Chicago", State: "IL",
			PostalCode: "60611", Country: "US"}, Currency: "USD", ExternalRef: "cus_Q1w2e3r4", Active: true}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("customer =\n%+v, want\n%+v", c, want)
	}
	// Concatenation of first and last name when there is no full name; defaults when data is missing.
	c, err = m.Customer(with(src, "customer.name", "", "customer.metadata.first_name", "Jenny",
		"customer.metadata.last_name", "Rosen-Smith", "customer.address.line2", "", "customer.address.country", "",
		"charge.currency", ""))
	if err != nil || c.Name != "Jenny Rosen-Smith" || c.Address.Line1 != "1234 North Lake Shore Drive" ||
		c.Address.Country != "US" || c.Currency != "USD" {
		t.Errorf("customer = %+v, %v", c, err)
	}
	// A later rule overrides an earlier one.
	c, _ = m.Customer(with(src, "customer.name", "", "customer.metadata.last_name", "Rosen",
		"customer.metadata.company", "Rosen Widgets Incorporated International Holdings LLC"))
	if c.Name != "Rosen Widgets Incorporated International" {
		t.Errorf("name = %q, want the company cut to 40", c.Name)
	}
	if got, err := m.PaymentStatus(src); got != "Paid" || err != nil {
		t.Errorf("status = %q, %v", got, err)
	}
	_, err = m.PaymentStatus(with(src, "charge.status", "pending"))
	var d *DataError
	if !errors.As(err, &d) || d.Field != "payment.status" ||
		d.Error() != `payment.status: no entry for "pending" in value_maps.payment_status of defaults/sagepro.yaml (known: succeeded) and no "*" fallback; add one (payment.status renders "pending" from template "{charge.status}")` {
		t.Errorf("pending status: %v", err)
	}
	if got, _ := m.PaymentMethod(src); got != "STRIPE VISA" {
		t.Errorf("method = %q", got)
	}
	if got, _ := m.PaymentMethod(with(src, "charge.card.brand", "unionpay")); got != "STRIPE" {
		t.Errorf("fallback method = %q", got)
	}
	if got, _ := m.PaymentMethod(with(src, "charge.card.brand", "", "charge.payment_method_type", "us_bank_account")); got != "STRIPE" {
		t.Errorf("ach method = %q", got)
	}
	if got := m.InvoiceMemo(src); got != "Stripe ch_3PqR1s2eZvKYlo2C0abc Order #1001" {
		t.Errorf("memo = %q", got)
	}
}

func TestSage500(t *testing.T) {
	m := mustDefault(t, "sage500")
	src := charge()
	if got := m.Date(1767225600); got != "2025-12-31" {
		t.Errorf("date = %q", got)
	}
	c, err := m.Customer(with(src, "customer.metadata.Sage500CustomerID", "C000123"))
	if err != nil || c.ID != "C000123" || c.Address.Line1 != "1234 North Lake Shore Drive" ||
		c.Address.Line2 != "Apartment 1500 East Tower" || c.Address.State != "IL" {
		t.Errorf("customer = %+v, %v", c, err)
	}
	// name falls back to the e-mail, then (rule) to the Stripe ID; a guest charge has none.
	if c, _ := m.Customer(with(src, "customer.name", "")); c.Name != "jenny@example.com" {
		t.Errorf("name = %q", c.Name)
	}
	if c, _ := m.Customer(with(src, "customer.name", "", "customer.email", "")); c.Name != "Stripe customer cus_Q1w2e3r4" {
		t.Errorf("name = %q", c.Name)
	}
	_, err = m.Customer(Source{"charge.id": "ch_1"})
	var d *DataError
	if !errors.As(err, &d) || d.Field != "customer.name" || d.Message != `customer (no customer id): name is required but renders empty (template "{customer.name|customer.email}" in defaults/sage500.yaml, no default); add the data at the provider or set customer.defaults.name` {
		t.Errorf("guest customer: %v", err)
	}
	if got, _ := m.PaymentMethod(src); got != "Stripe Visa" {
		t.Errorf("method = %q", got)
	}
	if got, _ := m.PaymentMethod(with(src, "charge.card.brand", "VISA")); got != "Stripe Visa" {
		t.Errorf("case-insensitive method = %q", got)
	}
	if item, err := m.Item(with(src, "line.product", "prod_1")); item != "STRIPE-SALE" || err != nil {
		t.Errorf("item = %q, %v", item, err)
	}
}

func TestSageX3(t *testing.T) {
	m := mustDefault(t, "sagex3")
	src := charge()
	if got, _ := m.PaymentType(src); got != "CB" {
		t.Errorf("PAYTYP = %q", got)
	}
	if got, _ := m.PaymentType(with(src, "charge.payment_method_type", "ACH")); got != "VIR" {
		t.Errorf("PayTrace ACH PAYTYP = %q", got)
	}
	_, err := m.PaymentType(with(src, "charge.payment_method_type", "klarna"))
	if !IsDataError(err) || !strings.Contains(err.Error(), `no entry for "klarna" in value_maps.payment_type of defaults/sagex3.yaml (known: card, CC, ach, us_bank_account, sepa_debit)`) {
		t.Errorf("klarna: %v", err)
	}
	if got := m.ExtraValue("sales_facility", src); got != "US011" {
		t.Errorf("SALFCY = %q", got)
	}
	if got := m.ExtraValue("sales_facility", with(src, "charge.currency", "EUR")); got != "FR011" {
		t.Errorf("EUR SALFCY = %q", got)
	}
	if m.Extra["sales_facility"] != "US011" {
		t.Errorf("Extra = %v", m.Extra)
	}
	src = with(src, "charge.metadata.order_id", "SO-77")
	if got := m.InvoiceMemo(src); got != "Order SO-77 / Stripe ch_3PqR1s2eZvKYlo2C0abc" {
		t.Errorf("memo = %q", got)
	}
	if got := m.MatchedRules(src); !reflect.DeepEqual(got, []string{"order reference"}) {
		t.Errorf("matched = %v", got)
	}
	if got := m.PaymentReference(src); got != "ch_3PqR1s2eZvKYlo2C0abc" {
		t.Errorf("REFLOT = %q", got)
	}
	c, _ := m.Customer(src)
	if c.Address.State != "IL" || c.Address.Country != "US" {
		t.Errorf("address = %+v", c.Address)
	}
}

// base is the smallest valid file; tests append sections to it.
const base = `erp: sage500
dates: {timezone: UTC, format: "2006-01-02"}
customer:
  fields:
    name: "{customer.name}"
`

func mustParse(t *testing.T, yml string) *Mapping {
	t.Helper()
	m, err := Parse("mapping.yaml", []byte(yml))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func TestRules(t *testing.T) {
	m := mustParse(t, base+`invoice:
  memo: "Charge {charge.id}"
extra:
  region: ""
rules:
  - when: {field: charge.metadata.channel, equals: b2b}
    set: {invoice.memo: "B2B {charge.description}", customer.defaults.address.country: CA}
  - when: {field: charge.metadata.channel, not_equals: b2b}
    set: {extra.region: retail}
  - when: {field: charge.currency, in: [EUR, GBP]}
    set: {extra.region: europe}
  - when: {field: charge.currency, not_in: [USD, EUR, GBP]}
    set: {extra.region: other}
  - when: {field: charge.metadata.po, exists: true}
    set: {invoice.memo: "PO {charge.metadata.po}"}
  - when: {field: customer.email, exists: false}
    set: {customer.fields.email: "noreply@example.com"}
  - name: test cards
    when: {field: charge.id, matches: "^ch_test_"}
    set: {invoice.item: TEST-ITEM}
  - when:
      - {field: charge.metadata.channel, equals: b2b}
      - {field: charge.currency, equals: CAD}
    set: {extra.region: canada-b2b}
`)
	src := Source{"charge.id": "ch_1", "charge.currency": "USD", "charge.description": "Bulk", "customer.name": "Acme",
		"customer.email": "ap@acme.test"}
	tests := []struct {
		name           string
		src            Source
		memo, region   string
		country, email string
		item           string
	}{
		{"no rule", with(src, "charge.metadata.channel", "b2b"), "B2B Bulk", "", "CA", "", ""},
		{"not_equals", src, "Charge ch_1", "retail", "", "", ""},
		{"in", with(src, "charge.currency", "GBP"), "Charge ch_1", "europe", "", "", ""},
		{"not_in", with(src, "charge.currency", "JPY"), "Charge ch_1", "other", "", "", ""},
		{"exists true, later rule wins", with(src, "charge.metadata.channel", "b2b", "charge.metadata.po", "PO-9"), "PO PO-9", "", "CA", "", ""},
		{"exists false", with(src, "customer.email", ""), "Charge ch_1", "retail", "", "noreply@example.com", ""},
		{"matches", with(src, "charge.id", "ch_test_42"), "Charge ch_test_42", "retail", "", "", "TEST-ITEM"},
		{"all conditions", with(src, "charge.metadata.channel", "b2b", "charge.currency", "CAD"), "B2B Bulk", "canada-b2b", "CA", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := m.Customer(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.InvoiceMemo(tc.src); got != tc.memo {
				t.Errorf("memo = %q, want %q", got, tc.memo)
			}
			if got := m.ExtraValue("region", tc.src); got != tc.region {
				t.Errorf("region = %q, want %q", got, tc.region)
			}
			if c.Address.Country != tc.country || c.Email != tc.email {
				t.Errorf("customer = %+v", c)
			}
			item, err := m.Item(tc.src)
			if tc.item != "" && item != tc.item {
				t.Errorf("item = %q, %v, want %q", item, err, tc.item)
			}
		})
	}
}

func TestItems(t *testing.T) {
	m := mustParse(t, base+`invoice:
  items:
    metadata_key: sage_item_id
    products: {prod_W: WIDGET}
    prices: {price_S: SUBSCRIPTION}
`)
	for _, tc := range []struct {
		src  Source
		want string
	}{
		{Source{"line.metadata.sage_item_id": "GADGET", "charge.metadata.sage_item_id": "SERVICE", "line.product": "prod_W"}, "GADGET"},
		{Source{"charge.metadata.sage_item_id": "SERVICE", "line.product": "prod_W"}, "SERVICE"},
		{Source{"line.product": "prod_W", "line.price": "price_S"}, "WIDGET"},
		{Source{"line.product": "prod_X", "line.price": "price_S"}, "SUBSCRIPTION"},
	} {
		if got, err := m.Item(tc.src); got != tc.want || err != nil {
			t.Errorf("Item(%v) = %q, %v; want %q", tc.src, got, err, tc.want)
		}
	}
	_, err := m.Item(Source{"charge.id": "ch_1", "line.product": "prod_X", "line.description": "Blue widget"})
	if !IsDataError(err) || err.Error() != `invoice.item: no ERP item for product prod_X ("Blue widget"); set metadata "sage_item_id" on it, add it under invoice.items.products in mapping.yaml, or set invoice.items.default` {
		t.Errorf("unmapped: %v", err)
	}
}

func TestValueMaps(t *testing.T) {
	m := mustParse(t, base+`value_maps:
  payment_type: {card: CC, ach: ACH}
  payment_method: {visa: VISA, mastercard: MC, "*": CARD}
payment:
  type: "{charge.payment_method_type}"
  method: "{charge.card.brand}"
`)
	if v, err := m.Value("payment_type", "card"); v != "CC" || err != nil {
		t.Errorf("card = %q, %v", v, err)
	}
	if v, err := m.Value("payment_type", "ACH"); v != "ACH" || err != nil {
		t.Errorf("ACH = %q, %v", v, err)
	}
	if v, err := m.Value("payment_method", "discover"); v != "CARD" || err != nil {
		t.Errorf("fallback = %q, %v", v, err)
	}
	_, err := m.Value("payment_type", "wire")
	var d *DataError
	if !errors.As(err, &d) || d.Field != "value_maps.payment_type" ||
		d.Message != `no entry for "wire" in value_maps.payment_type of mapping.yaml (known: card, ach) and no "*" fallback; add one` {
		t.Errorf("no match: %v", err)
	}
	if _, err := m.Value("nope", "x"); err == nil || IsDataError(err) {
		t.Errorf("unknown map: %v", err)
	}
	if _, err := m.PaymentType(Source{}); !IsDataError(err) {
		t.Errorf("empty type: %v", err)
	}
	// Without a payment_status map the rendered value passes through.
	if v, err := m.PaymentStatus(Source{}); v != "" || err != nil || m.HasValueMap("payment_status") {
		t.Errorf("status = %q, %v", v, err)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(p, []byte(base+"bogus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	want := p + ":6: bogus: unknown top-level key; want one of erp, dates, customer, invoice, payment, value_maps, rules, gl, extra"
	var le *LoadError
	if !errors.As(err, &le) || err.Error() != want || le.Problems[0].Line != 6 || le.Problems[0].Key != "bogus" {
		t.Errorf("Load = %v\nwant %s", err, want)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
	// Every default, written out and loaded back, is valid: it is the starting point users copy.
	for _, name := range ERPs {
		data, _ := DefaultYAML(name)
		p := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(p); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestGLOverlay(t *testing.T) {
	m := mustParse(t, base+`gl:
  bank: "1020-00"
  dispute_fees: 6170-00
  categories: {charge: 1016-00, topup: 1017-00}
  feeAccounts: {refund: 6155-00}
`)
	want := glmap.Defaults()
	want.Bank, want.DisputeFees = "1020-00", "6170-00"
	want.Categories["charge"], want.Categories["topup"] = "1016-00", "1017-00"
	want.FeeAccounts["refund"] = "6155-00"
	if !reflect.DeepEqual(m.GL, want) {
		t.Errorf("GL = %+v\nwant %+v", m.GL, want)
	}
}

func TestRequiredAndWidths(t *testing.T) {
	m := mustParse(t, base+`    email: "{customer.email}"
    address.line1: "{customer.address.line1} {customer.address.line2}"
  defaults: {currency: "{charge.currency|customer.currency}"}
  widths: {address.line1: 12}
  required: [email]
`)
	c, err := m.Customer(Source{"customer.id": "cus_1", "customer.name": "Acme", "customer.email": "ap@acme.test",
		"customer.address.line1": "1 Main Street", "customer.address.line2": "Suite 5", "charge.currency": "EUR"})
	if err != nil || c.Address.Line1 != "1 Main Stree" || c.Currency != "EUR" {
		t.Errorf("customer = %+v, %v", c, err)
	}
	if c, _ := m.Customer(Source{"customer.name": "Acme", "customer.email": "a@b.c", "customer.address.line1": "1 Main Road", "customer.address.line2": "Unit 5"}); c.Address.Line1 != "1 Main Road" {
		t.Errorf("a cut that ends in a space is trimmed: %q", c.Address.Line1)
	}
	_, err = m.Customer(Source{"customer.id": "cus_1", "customer.name": "Acme"})
	var d *DataError
	if !errors.As(err, &d) || d.Field != "customer.email" || d.Error() != `customer.email: customer cus_1: email is required but renders empty (template "{customer.email}" in mapping.yaml, no default); add the data at the provider or set customer.defaults.email` {
		t.Errorf("missing email: %v", err)
	}
	if _, err := m.SourceDate(Source{}, "charge.created"); !IsDataError(err) {
		t.Errorf("SourceDate: %v", err)
	}
}
