package mapping

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Source is the provider data a mapping reads: a flat map of dotted paths to strings, filled by
// the activity that fetched the provider objects (never the provider's Go structs). Amounts are
// decimal strings in major units, currencies upper case, timestamps unix seconds. See
// KnownSourcePaths for every path a template may reference.
type Source map[string]string

// Get returns the value at path, empty when absent.
func (s Source) Get(path string) string { return s[path] }

// KnownSourcePrefixes are the roots a source path may start with.
var KnownSourcePrefixes = []string{"charge", "customer", "line", "invoice"}

// KnownSourcePaths lists, per root, exactly the paths the posting layer fills (without the
// root), so a template can only reference data that exists. Any root also accepts
// metadata.<key> with a free-form key. Whoever fills a new field adds it here.
var KnownSourcePaths = map[string][]string{
	"charge": {"id", "provider", "amount", "amount_authorized", "currency", "status", "description", "created",
		"card.brand", "card.last4", "payment_method_type", "payment_intent", "invoice", "customer",
		"statement_descriptor", "settlement.currency", "settlement.amount", "settlement.rate"},
	"customer": {"id", "name", "email", "phone", "currency",
		"address.line1", "address.line2", "address.city", "address.state", "address.postal_code", "address.country"},
	"line": {"id", "description", "product", "price", "quantity", "unit_amount", "amount", "currency", "discount", "tax",
		"proration", "period.start", "period.end"},
	"invoice": {"id", "number", "currency", "subscription", "billing_reason", "total", "subtotal", "tax", "discount",
		"period.start", "period.end"},
}

// ValidatePath reports whether a template or rule may reference path: a known root followed by a
// known field or by metadata.<key>.
func ValidatePath(path string) error {
	root, rest, _ := strings.Cut(path, ".")
	known, ok := KnownSourcePaths[root]
	if !ok || !slices.Contains(KnownSourcePrefixes, root) {
		return fmt.Errorf("unknown source %q in %q; want a path starting with one of %s", root, path, strings.Join(KnownSourcePrefixes, ", "))
	}
	if key, isMeta := strings.CutPrefix(rest, "metadata."); isMeta {
		if key == "" {
			return fmt.Errorf("empty metadata key in %q; want %s.metadata.<key>", path, root)
		}
		return nil
	}
	if slices.Contains(known, rest) {
		return nil
	}
	want := make([]string, 0, len(known)+1)
	for _, k := range known {
		want = append(want, root+"."+k)
	}
	sort.Strings(want)
	want = append(want, root+".metadata.<key>")
	return fmt.Errorf("unknown source path %q; want one of %s", path, strings.Join(want, ", "))
}
