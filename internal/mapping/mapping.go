// Package mapping is the declarative transformation layer a finance user edits instead of code:
// one YAML file per ERP connection says how provider data (a flat Source of dotted paths) becomes
// ERP fields — field templates, value maps, defaults, conditional rules, the item of an invoice
// line, GL accounts per reporting category, the date format and time zone. Defaults for each ERP
// are embedded (DefaultYAML) and double as documentation of the format.
//
// Every problem in a file is found by Load/Parse and reported as file:line: key: reason, so the
// worker refuses to start on a bad file. Problems with the data of one payment (an unmapped
// product, a customer without a name) are *DataError at run time: the workflow parks with the
// message for an operator.
package mapping

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones must load in minimal containers too

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
)

// ERPs are the connector names a mapping file may target.
var ERPs = []string{"sage500", "sagex3", "sagepro"}

// CustomerFields are the connector-neutral ERP customer fields (erp.Customer) a mapping fills.
var CustomerFields = []string{"id", "name", "email", "phone", "address.line1", "address.line2", "address.city",
	"address.state", "address.postal_code", "address.country", "currency", "external_ref"}

// Value map names the payment section uses: when a map of that name exists, the rendered payment
// field is looked up in it.
const (
	MapPaymentMethod = "payment_method"
	MapPaymentStatus = "payment_status"
	MapPaymentType   = "payment_type"
	// MapTaxCode maps a provider tax rate (ID, then display name) to the ERP tax code.
	MapTaxCode = "tax_code"
)

// Mapping is a validated mapping file. Build it with Load, Parse or Default; it is read-only and
// safe for concurrent use.
type Mapping struct {
	// Name is the file the mapping came from (used in messages).
	Name string
	// ERP is the connector the file is written for: sage500, sagex3 or sagepro.
	ERP string
	// Location is the time zone ERP dates are expressed in.
	Location *time.Location
	// DateFormat is the Go layout of ERP dates (e.g. "01/02/2006").
	DateFormat string
	// GL is glmap.Defaults() with the file's gl section applied.
	GL glmap.Accounts
	// Extra holds the extra section's text: dialect-specific values for the connector (e.g. the
	// X3 sales facility). Values are templates; use ExtraValue to render one with rules applied.
	Extra map[string]string

	erpLine   int
	customer  customerSpec
	invoice   invoiceSpec
	payment   map[string]*Template // method, status, type, reference
	valueMaps map[string]*valueMap
	rules     []rule
	extra     map[string]*Template
}

type customerSpec struct {
	fields   map[string]*Template
	defaults map[string]*Template
	widths   map[string]int
	required []string
}

type invoiceSpec struct {
	memo, lineDescription *Template
	metadataKey           string
	products, prices      map[string]string
	defaultItem           string
}

type valueMap struct {
	exact    map[string]string
	folded   map[string]string // lower-cased key → target
	keys     []string          // for messages, in file order
	fallback string
	hasStar  bool
}

type rule struct {
	name string
	line int
	when []condition
	set  map[string]*Template // target → template
}

type condition struct {
	field  string
	op     string
	value  string
	values []string
	exists bool
	re     *regexp.Regexp
}

// DataError is a run-time problem with the data of one object: a required field renders empty,
// a value has no entry in a value map, a line has no ERP item. Retrying cannot help; the workflow
// parks with this message until an operator fixes the data or the mapping.
type DataError struct {
	// Field is what could not be mapped, e.g. "customer.name" or "payment.method".
	Field string
	// Message says why and what to change.
	Message string
}

// Error returns "field: message".
func (e *DataError) Error() string { return e.Field + ": " + e.Message }

// IsDataError reports whether err is (or wraps) a *DataError.
func IsDataError(err error) bool {
	var d *DataError
	return errors.As(err, &d)
}

// ExpectERP returns an error naming the file and line of erp: unless the file targets connector.
func (m *Mapping) ExpectERP(connector string) error {
	if m.ERP == connector {
		return nil
	}
	return &LoadError{Problems: []Problem{{File: m.Name, Line: m.erpLine, Key: "erp",
		Message: fmt.Sprintf("the file is written for %s but the connector is %s", m.ERP, connector)}}}
}

// matching returns the rules whose conditions hold for src, in file order.
func (m *Mapping) matching(src Source) []*rule {
	var out []*rule
	for i := range m.rules {
		r := &m.rules[i]
		ok := true
		for _, c := range r.when {
			if !c.holds(src) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// MatchedRules names the rules that apply to src (their name, or "rules[i] (line N)"), for
// explaining a mapping in workflow memos and logs.
func (m *Mapping) MatchedRules(src Source) []string {
	var out []string
	for _, r := range m.matching(src) {
		out = append(out, r.name)
	}
	return out
}

// pick returns the template for target: the last matching rule that sets it, else base.
func pick(rules []*rule, target string, base *Template) *Template {
	for i := len(rules) - 1; i >= 0; i-- {
		if t, ok := rules[i].set[target]; ok {
			return t
		}
	}
	return base
}

func (c condition) holds(src Source) bool {
	v := src[c.field]
	switch c.op {
	case "equals":
		return v == c.value
	case "not_equals":
		return v != c.value
	case "in":
		return slices.Contains(c.values, v)
	case "not_in":
		return !slices.Contains(c.values, v)
	case "exists":
		return (strings.TrimSpace(v) != "") == c.exists
	case "matches":
		return c.re.MatchString(v)
	}
	return false
}

// Customer maps src to an ERP customer: each field's template (or a matching rule's), then the
// field's default when the result is empty, then its width. It returns a *DataError when a
// required field (always name) is empty. Active is true; ID is set only when the file maps id.
func (m *Mapping) Customer(src Source) (erp.Customer, error) {
	rules := m.matching(src)
	v := make(map[string]string, len(CustomerFields))
	for _, f := range CustomerFields {
		s := pick(rules, "customer.fields."+f, m.customer.fields[f]).Render(src)
		if s == "" {
			s = pick(rules, "customer.defaults."+f, m.customer.defaults[f]).Render(src)
		}
		if w := m.customer.widths[f]; w > 0 {
			s = collapseSpace(truncate(s, w))
		}
		v[f] = s
	}
	c := erp.Customer{ID: v["id"], Name: v["name"], Email: v["email"], Phone: v["phone"], Currency: v["currency"],
		ExternalRef: v["external_ref"], Active: true, Address: erp.Address{Line1: v["address.line1"],
			Line2: v["address.line2"], City: v["address.city"], State: v["address.state"],
			PostalCode: v["address.postal_code"], Country: v["address.country"]}}
	for _, f := range m.customer.required {
		if v[f] != "" {
			continue
		}
		who := src["customer.id"]
		if who == "" {
			who = "(no customer id)"
		}
		return c, &DataError{Field: "customer." + f, Message: fmt.Sprintf(
			"customer %s: %s is required but renders empty (template %q in %s, no default); add the data at the provider or set customer.defaults.%s",
			who, f, pick(rules, "customer.fields."+f, m.customer.fields[f]).String(), m.Name, f)}
	}
	return c, nil
}

// Item returns the ERP item for an invoice line (line.*) or, for a one-line charge, the charge:
// a matching rule's invoice.item, then line.metadata.<metadata_key>, charge.metadata.<metadata_key>,
// the products map (line.product), the prices map (line.price) and the default item. It returns
// a *DataError when nothing applies.
func (m *Mapping) Item(src Source) (string, error) {
	if t := pick(m.matching(src), "invoice.item", nil); t != nil {
		if v := t.Render(src); v != "" {
			return v, nil
		}
	}
	in := m.invoice
	if k := in.metadataKey; k != "" {
		for _, p := range []string{"line.metadata." + k, "charge.metadata." + k} {
			if v := strings.TrimSpace(src[p]); v != "" {
				return v, nil
			}
		}
	}
	if v, ok := in.products[src["line.product"]]; ok {
		return v, nil
	}
	if v, ok := in.prices[src["line.price"]]; ok {
		return v, nil
	}
	if in.defaultItem != "" {
		return in.defaultItem, nil
	}
	what := "charge " + src["charge.id"]
	if p := src["line.product"]; p != "" {
		what = fmt.Sprintf("product %s", p)
		if d := src["line.description"]; d != "" {
			what += fmt.Sprintf(" (%q)", d)
		}
	}
	return "", &DataError{Field: "invoice.item", Message: fmt.Sprintf(
		"no ERP item for %s; set metadata %q on it, add it under invoice.items.products in %s, or set invoice.items.default",
		what, in.metadataKey, m.Name)}
}

// ItemMetadataKey is invoice.items.metadata_key: the product metadata key naming the ERP item.
func (m *Mapping) ItemMetadataKey() string { return m.invoice.metadataKey }

// InvoiceMemo renders the memo (header notes) of sales orders, invoices and credit memos.
func (m *Mapping) InvoiceMemo(src Source) string {
	return pick(m.matching(src), "invoice.memo", m.invoice.memo).Render(src)
}

// LineDescription renders the description of an invoice line.
func (m *Mapping) LineDescription(src Source) string {
	return pick(m.matching(src), "invoice.line_description", m.invoice.lineDescription).Render(src)
}

// PaymentMethod renders payment.method and looks it up in value map payment_method (when the file
// has one): the ERP's payment method code. *DataError when no entry and no "*" fallback match.
func (m *Mapping) PaymentMethod(src Source) (string, error) {
	return m.payField(src, "method", MapPaymentMethod)
}

// PaymentStatus renders payment.status through value map payment_status (succeeded → Paid).
func (m *Mapping) PaymentStatus(src Source) (string, error) {
	return m.payField(src, "status", MapPaymentStatus)
}

// PaymentType renders payment.type through value map payment_type (card → the X3 PAYTYP code).
func (m *Mapping) PaymentType(src Source) (string, error) {
	return m.payField(src, "type", MapPaymentType)
}

// PaymentReference renders payment.reference: the traceability reference of a payment (X3 REFLOT).
func (m *Mapping) PaymentReference(src Source) string {
	return pick(m.matching(src), "payment.reference", m.payment["reference"]).Render(src)
}

func (m *Mapping) payField(src Source, field, mapName string) (string, error) {
	t := pick(m.matching(src), "payment."+field, m.payment[field])
	v := t.Render(src)
	if _, ok := m.valueMaps[mapName]; !ok {
		return v, nil
	}
	out, err := m.Value(mapName, v)
	var d *DataError
	if errors.As(err, &d) {
		d.Field = "payment." + field
		d.Message = fmt.Sprintf("%s (payment.%s renders %q from template %q)", d.Message, field, v, t.String())
	}
	return out, err
}

// Value looks key up in the named value map: an exact match, then a case-insensitive one, then
// the "*" fallback. A key with no entry and no fallback is a *DataError; an unknown map name is a
// plain error (a programming mistake, not data).
func (m *Mapping) Value(mapName, key string) (string, error) {
	vm, ok := m.valueMaps[mapName]
	if !ok {
		return "", fmt.Errorf("mapping %s: no value map %q", m.Name, mapName)
	}
	if v, ok := vm.exact[key]; ok {
		return v, nil
	}
	if v, ok := vm.folded[strings.ToLower(key)]; ok {
		return v, nil
	}
	if vm.hasStar {
		return vm.fallback, nil
	}
	return "", &DataError{Field: "value_maps." + mapName, Message: fmt.Sprintf(
		"no entry for %q in value_maps.%s of %s (known: %s) and no \"*\" fallback; add one",
		key, mapName, m.Name, strings.Join(vm.keys, ", "))}
}

// HasValueMap reports whether the file defines the named value map.
func (m *Mapping) HasValueMap(name string) bool {
	_, ok := m.valueMaps[name]
	return ok
}

// Sets reports whether the file gives key a value, so a connector that cannot honour it can
// refuse the file at start-up: payment.<field> and extra.<key> with a non-empty template or set
// by a rule, value_maps.<name> when the map exists.
func (m *Mapping) Sets(key string) bool {
	if name, ok := strings.CutPrefix(key, "value_maps."); ok {
		return m.HasValueMap(name)
	}
	var base *Template
	if f, ok := strings.CutPrefix(key, "payment."); ok {
		base = m.payment[f]
	} else if f, ok := strings.CutPrefix(key, "extra."); ok {
		base = m.extra[f]
	}
	if strings.TrimSpace(base.String()) != "" {
		return true
	}
	for _, r := range m.rules {
		if _, ok := r.set[key]; ok {
			return true
		}
	}
	return false
}

// ExtraValue renders the extra value key (a matching rule's extra.<key> wins); empty if unset.
func (m *Mapping) ExtraValue(key string, src Source) string {
	return pick(m.matching(src), "extra."+key, m.extra[key]).Render(src)
}

// Date formats a unix timestamp as an ERP date: in the file's time zone, with its layout.
func (m *Mapping) Date(unix int64) string {
	return time.Unix(unix, 0).In(m.Location).Format(m.DateFormat)
}

// SourceDate formats the unix timestamp at path (e.g. charge.created) with Date. A missing or
// malformed timestamp is a *DataError.
func (m *Mapping) SourceDate(src Source, path string) (string, error) {
	raw := strings.TrimSpace(src[path])
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return "", &DataError{Field: path, Message: fmt.Sprintf("want a unix timestamp, got %q", raw)}
	}
	return m.Date(n), nil
}
