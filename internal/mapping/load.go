package mapping

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
)

//go:embed defaults/*.yaml
var defaultFiles embed.FS

// Problem is one thing wrong in a mapping file.
type Problem struct {
	File string
	// Line is 1-based; 0 when the problem has no position (e.g. a missing key in an empty file).
	Line int
	// Key is the dotted path of the setting at fault, e.g. "customer.fields.nmae".
	Key     string
	Message string
}

// String renders the problem as "file:line: key: message".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// LoadError lists every problem found in a mapping file, in line order.
type LoadError struct{ Problems []Problem }

// Error lists the problems, one per line.
func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads and validates a mapping file. The error (a *LoadError unless the file cannot be
// read) names file:line, the key and what was expected, for every problem in the file.
func Load(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mapping file: %w", err)
	}
	return Parse(path, data)
}

// Parse validates a mapping file's content; name is the file name used in messages. It returns
// either a mapping or an error, never neither.
func Parse(name string, data []byte) (*Mapping, error) {
	l := &loader{file: name}
	m := l.parse(data)
	if m == nil && len(l.probs) == 0 {
		// Every path that gives up reports why; this keeps a future one from handing callers a
		// nil mapping with a nil error (the start-up crash a bare "null" file once caused).
		l.errf(nil, "", "no mapping found; want a mapping with at least %s", wantTop())
	}
	if len(l.probs) > 0 {
		sort.SliceStable(l.probs, func(i, j int) bool { return l.probs[i].Line < l.probs[j].Line })
		return nil, &LoadError{Problems: l.probs}
	}
	return m, nil
}

// DefaultYAML returns the embedded default mapping file of erp ("sage500", "sagex3", "sagepro").
func DefaultYAML(erpName string) ([]byte, error) {
	if !slices.Contains(ERPs, erpName) {
		return nil, fmt.Errorf("mapping: no default for ERP %q; want one of %s", erpName, strings.Join(ERPs, ", "))
	}
	return defaultFiles.ReadFile("defaults/" + erpName + ".yaml")
}

// Default returns the embedded default mapping of erp.
func Default(erpName string) (*Mapping, error) {
	data, err := DefaultYAML(erpName)
	if err != nil {
		return nil, err
	}
	return Parse("defaults/"+erpName+".yaml", data)
}

type loader struct {
	file  string
	probs []Problem
	// ruleExtras are extra.<key> targets of rules, checked once the extra section is read.
	ruleExtras []pendingKey
}

type pendingKey struct {
	key, name string
	line      int
}

func (l *loader) errf(n *yaml.Node, key, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	l.probs = append(l.probs, Problem{File: l.file, Line: line, Key: key, Message: fmt.Sprintf(format, args...)})
}

type pair struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "a document"
}

func isNull(n *yaml.Node) bool { return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") }

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// mapping returns the pairs of a mapping node (nil for null), reporting other kinds and
// duplicate keys.
func (l *loader) mapping(n *yaml.Node, key string) []pair {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		l.errf(n, key, "want a mapping (key: value lines), got %s", kindName(n))
		return nil
	}
	var out []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			l.errf(k, key, "want a plain key, got %s", kindName(k))
			continue
		}
		if seen[k.Value] {
			l.errf(k, join(key, k.Value), "duplicate key")
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{key: k.Value, keyNode: k, val: v})
	}
	return out
}

// strict reports keys outside allowed and returns the remaining pairs by key.
func (l *loader) strict(pairs []pair, prefix, what string, allowed []string) map[string]pair {
	out := map[string]pair{}
	for _, p := range pairs {
		if !slices.Contains(allowed, p.key) {
			l.errf(p.keyNode, join(prefix, p.key), "unknown %s; want one of %s", what, strings.Join(allowed, ", "))
			continue
		}
		out[p.key] = p
	}
	return out
}

// str returns a scalar's text ("" for null), reporting mappings and lists.
func (l *loader) str(n *yaml.Node, key string) (string, bool) {
	n = deref(n)
	if isNull(n) {
		return "", true
	}
	if n.Kind != yaml.ScalarNode {
		l.errf(n, key, "want a string, got %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

// required returns a non-empty scalar, reporting empty ones with want.
func (l *loader) required(p pair, key, want string) (string, bool) {
	s, ok := l.str(p.val, key)
	if ok && strings.TrimSpace(s) == "" {
		l.errf(valNode(p), key, "must not be empty; want %s", want)
		return "", false
	}
	return strings.TrimSpace(s), ok
}

// valNode is the node to blame for a value: the value, or its key when the value is null (a null
// value's position is not always its key's line).
func valNode(p pair) *yaml.Node {
	if isNull(deref(p.val)) {
		return p.keyNode
	}
	return p.val
}

func (l *loader) template(p pair, key string) *Template {
	s, ok := l.str(p.val, key)
	if !ok {
		return nil
	}
	t, err := ParseTemplate(s)
	if err != nil {
		l.errf(valNode(p), key, "template %q: %v", s, err)
		return nil
	}
	return t
}

var topKeys = []string{"erp", "dates", "customer", "invoice", "payment", "value_maps", "rules", "gl", "extra"}

// wantTop describes the least a mapping file must hold, for messages about files that hold none.
func wantTop() string {
	return "erp: (one of " + strings.Join(ERPs, ", ") + "), dates: and customer:"
}

// document returns the root node of the file's single YAML document, or nil after reporting why
// there is none: a syntax error, no document or a null one, or more than one document (whose
// later ones yaml.Unmarshal would silently ignore).
func (l *loader) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		l.yamlError(err)
		return nil
	}
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			l.yamlError(err)
			return nil
		}
		// A trailing "---" with nothing after it hides nothing; a second document would.
		if len(next.Content) > 0 && !isNull(deref(next.Content[0])) {
			l.errf(&next, "", "the file holds more than one YAML document; want one mapping (remove the --- line and what follows, or merge the documents)")
			return nil
		}
	}
	var root *yaml.Node
	if len(doc.Content) > 0 {
		root = deref(doc.Content[0])
	}
	if isNull(root) {
		l.errf(nil, "", "the file is empty or null; want a mapping with at least %s", wantTop())
		return nil
	}
	if root.Kind != yaml.MappingNode {
		l.errf(root, "", "the file is %s; want a mapping with at least %s", kindName(root), wantTop())
		return nil
	}
	return root
}

func (l *loader) parse(data []byte) *Mapping {
	m := &Mapping{GL: glmap.Defaults(), Extra: map[string]string{}, payment: map[string]*Template{},
		valueMaps: map[string]*valueMap{}, extra: map[string]*Template{}, Name: l.file}
	m.customer = customerSpec{fields: map[string]*Template{}, defaults: map[string]*Template{}, widths: map[string]int{}}
	m.invoice = invoiceSpec{products: map[string]string{}, prices: map[string]string{}}

	root := l.document(data)
	if root == nil {
		return nil
	}
	top := l.strict(l.mapping(root, ""), "", "top-level key", topKeys)

	if p, ok := top["erp"]; ok {
		m.erpLine = p.keyNode.Line
		if s, ok := l.required(p, "erp", "one of "+strings.Join(ERPs, ", ")); ok && s != "" {
			if !slices.Contains(ERPs, s) {
				l.errf(p.val, "erp", "unknown ERP %q; want one of %s", s, strings.Join(ERPs, ", "))
			}
			m.ERP = s
		}
	} else {
		l.errf(root, "erp", "missing; want one of %s", strings.Join(ERPs, ", "))
	}
	l.dates(m, top, root)
	l.customer(m, top, root)
	if p, ok := top["invoice"]; ok {
		l.invoice(m, p)
	}
	if p, ok := top["payment"]; ok {
		f := l.strict(l.mapping(p.val, "payment"), "payment", "payment field", []string{"method", "status", "type", "reference"})
		for k, fp := range f {
			m.payment[k] = l.template(fp, "payment."+k)
		}
	}
	if p, ok := top["value_maps"]; ok {
		l.valueMaps(m, p)
	}
	if p, ok := top["rules"]; ok {
		l.rules(m, p)
	}
	if p, ok := top["gl"]; ok {
		l.gl(m, p)
	}
	if p, ok := top["extra"]; ok {
		for _, e := range l.mapping(p.val, "extra") {
			s, _ := l.str(e.val, "extra."+e.key)
			m.Extra[e.key] = s
			m.extra[e.key] = l.template(e, "extra."+e.key)
		}
	}
	for _, pk := range l.ruleExtras {
		if _, ok := m.Extra[pk.name]; !ok {
			l.probs = append(l.probs, Problem{File: l.file, Line: pk.line, Key: pk.key,
				Message: fmt.Sprintf("extra key %q is not declared in the extra section; declare it there (possibly empty) first", pk.name)})
		}
	}
	return m
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

func (l *loader) yamlError(err error) {
	msg, line := err.Error(), 0
	if mm := yamlLineRE.FindStringSubmatch(msg); mm != nil {
		line, _ = strconv.Atoi(mm[1])
		msg = mm[2]
	}
	l.probs = append(l.probs, Problem{File: l.file, Line: line, Message: "not valid YAML: " + msg})
}

// dateCheck is the reference instant a date layout must format differently from its own text.
var dateCheck = time.Date(2026, time.March, 14, 15, 9, 26, 0, time.UTC)

func (l *loader) dates(m *Mapping, top map[string]pair, root *yaml.Node) {
	p, ok := top["dates"]
	if !ok {
		l.errf(root, "dates", "missing; want dates: {timezone: America/New_York, format: \"2006-01-02\"}")
		return
	}
	f := l.strict(l.mapping(p.val, "dates"), "dates", "dates setting", []string{"timezone", "format"})
	if tz, ok := f["timezone"]; ok {
		if s, ok := l.required(tz, "dates.timezone", "an IANA time zone such as America/New_York or UTC"); ok && s != "" {
			loc, err := time.LoadLocation(s)
			if err != nil {
				l.errf(tz.val, "dates.timezone", "unknown time zone %q; want an IANA name such as America/New_York, Europe/Paris or UTC", s)
			}
			m.Location = loc
		}
	} else {
		l.errf(p.keyNode, "dates.timezone", "missing; want an IANA time zone such as America/New_York or UTC")
	}
	if fm, ok := f["format"]; ok {
		want := `a Go date layout written with the reference date Jan 2 2006, e.g. "2006-01-02" or "01/02/2006"`
		if s, ok := l.required(fm, "dates.format", want); ok && s != "" {
			out := dateCheck.Format(s)
			back, err := time.Parse(s, out)
			switch {
			case out == s:
				l.errf(fm.val, "dates.format", "%q is not a Go date layout (it formats %s as %q); want %s", s, dateCheck.Format(time.DateOnly), out, want)
			case err != nil || back.Year() != dateCheck.Year() || back.YearDay() != dateCheck.YearDay():
				l.errf(fm.val, "dates.format", "%q does not contain a full date (it formats %s as %q); want %s", s, dateCheck.Format(time.DateOnly), out, want)
			}
			m.DateFormat = s
		}
	} else {
		l.errf(p.keyNode, "dates.format", `missing; want a Go date layout such as "2006-01-02" or "01/02/2006"`)
	}
}

func (l *loader) customer(m *Mapping, top map[string]pair, root *yaml.Node) {
	p, ok := top["customer"]
	if !ok {
		l.errf(root, "customer", "missing; want customer: with at least fields: {name: \"{customer.name|customer.email}\"}")
		return
	}
	f := l.strict(l.mapping(p.val, "customer"), "customer", "customer setting", []string{"fields", "defaults", "widths", "required"})
	fieldList := strings.Join(CustomerFields, ", ")
	each := func(section string, fn func(e pair, key string)) {
		if sp, ok := f[section]; ok {
			for _, e := range l.mapping(sp.val, "customer."+section) {
				key := "customer." + section + "." + e.key
				if !slices.Contains(CustomerFields, e.key) {
					l.errf(e.keyNode, key, "unknown ERP customer field; want one of %s", fieldList)
					continue
				}
				fn(e, key)
			}
		}
	}
	each("fields", func(e pair, key string) { m.customer.fields[e.key] = l.template(e, key) })
	each("defaults", func(e pair, key string) { m.customer.defaults[e.key] = l.template(e, key) })
	each("widths", func(e pair, key string) {
		if n, ok := l.positive(e, key); ok {
			m.customer.widths[e.key] = n
		}
	})
	m.customer.required = []string{"name"}
	if rp, ok := f["required"]; ok {
		items, _ := l.list(rp, "customer.required")
		for _, n := range items {
			if isNull(deref(n)) {
				l.errf(n, "customer.required", "want an ERP customer field (one of %s), got nothing", fieldList)
				continue
			}
			s, ok := l.str(n, "customer.required")
			if !ok {
				continue
			}
			if !slices.Contains(CustomerFields, s) {
				l.errf(n, "customer.required", "unknown ERP customer field %q; want one of %s", s, fieldList)
				continue
			}
			if !slices.Contains(m.customer.required, s) {
				m.customer.required = append(m.customer.required, s)
			}
		}
	}
	switch t, ok := m.customer.fields["name"]; {
	case !ok:
		l.errf(p.keyNode, "customer.fields.name", "missing; the ERP requires a customer name, e.g. name: \"{customer.name|customer.email}\"")
	case t != nil && strings.TrimSpace(t.String()) == "":
		// An empty name template would park every payment at run time; say so at start-up.
		l.errf(p.keyNode, "customer.fields.name", "must not be empty; the ERP requires a customer name, e.g. name: \"{customer.name|customer.email}\"")
	}
}

func (l *loader) positive(p pair, key string) (int, bool) {
	v := deref(p.val)
	n, err := strconv.Atoi(v.Value)
	if v.Kind != yaml.ScalarNode || err != nil || n <= 0 {
		l.errf(valNode(p), key, "want a positive whole number of characters, got %s", kindName(v))
		return 0, false
	}
	return n, true
}

// list returns the items of a sequence node, reporting other kinds.
func (l *loader) list(p pair, key string) ([]*yaml.Node, bool) {
	n := deref(p.val)
	if n.Kind != yaml.SequenceNode {
		l.errf(valNode(p), key, "want a list such as [a, b], got %s", kindName(n))
		return nil, false
	}
	return n.Content, true
}

func (l *loader) invoice(m *Mapping, p pair) {
	f := l.strict(l.mapping(p.val, "invoice"), "invoice", "invoice setting", []string{"memo", "line_description", "items"})
	if e, ok := f["memo"]; ok {
		m.invoice.memo = l.template(e, "invoice.memo")
	}
	if e, ok := f["line_description"]; ok {
		m.invoice.lineDescription = l.template(e, "invoice.line_description")
	}
	ip, ok := f["items"]
	if !ok {
		return
	}
	items := l.strict(l.mapping(ip.val, "invoice.items"), "invoice.items", "items setting", []string{"metadata_key", "products", "prices", "default"})
	if e, ok := items["metadata_key"]; ok {
		if s, ok := l.required(e, "invoice.items.metadata_key", "a metadata key such as sage_item_id"); ok {
			m.invoice.metadataKey = s
		}
	}
	if e, ok := items["default"]; ok {
		s, _ := l.str(e.val, "invoice.items.default")
		m.invoice.defaultItem = strings.TrimSpace(s)
	}
	for _, sec := range []struct {
		name string
		into map[string]string
	}{{"products", m.invoice.products}, {"prices", m.invoice.prices}} {
		if e, ok := items[sec.name]; ok {
			for _, kv := range l.mapping(e.val, "invoice.items."+sec.name) {
				key := "invoice.items." + sec.name + "." + kv.key
				if s, ok := l.required(kv, key, "an ERP item code"); ok && s != "" {
					sec.into[kv.key] = s
				}
			}
		}
	}
}

// ValueMapNames are the value maps the posting layer looks values up in; any other name would be
// accepted and never used, so it is refused.
var ValueMapNames = []string{MapPaymentMethod, MapPaymentStatus, MapPaymentType, MapTaxCode}

func (l *loader) valueMaps(m *Mapping, p pair) {
	for _, e := range l.mapping(p.val, "value_maps") {
		key := "value_maps." + e.key
		if !slices.Contains(ValueMapNames, e.key) {
			l.errf(e.keyNode, key, "unknown value map; want one of %s", strings.Join(ValueMapNames, ", "))
			continue
		}
		vm := &valueMap{exact: map[string]string{}, folded: map[string]string{}}
		foldedFrom := map[string]string{}
		entries := l.mapping(e.val, key)
		// A null map ({x: null}) is as empty as {x: {}}: every lookup in it would fail at run time.
		if v := deref(e.val); len(entries) == 0 && (isNull(v) || v.Kind == yaml.MappingNode) {
			l.errf(e.keyNode, key, "empty value map; want entries such as {succeeded: Paid}")
		}
		for _, kv := range entries {
			ek := key + "." + kv.key
			target, ok := l.required(kv, ek, "the ERP value this key maps to")
			if !ok || target == "" {
				continue
			}
			if kv.key == "*" {
				vm.fallback, vm.hasStar = target, true
				continue
			}
			low := strings.ToLower(kv.key)
			if prev, dup := foldedFrom[low]; dup {
				l.errf(kv.keyNode, ek, "same key as %q apart from case (keys match case-insensitively)", prev)
				continue
			}
			foldedFrom[low] = kv.key
			vm.exact[kv.key], vm.folded[low] = target, target
			vm.keys = append(vm.keys, kv.key)
		}
		m.valueMaps[e.key] = vm
	}
}

var ruleKeys = []string{"name", "when", "set"}

var condOps = []string{"equals", "not_equals", "in", "not_in", "exists", "matches"}

// ruleTargets are the settings a rule may set; the ones ending in "." take a sub-key.
var ruleTargets = []string{"customer.fields.<field>", "customer.defaults.<field>", "invoice.memo",
	"invoice.line_description", "invoice.item", "payment.method", "payment.status", "payment.type",
	"payment.reference", "extra.<key>"}

func (l *loader) rules(m *Mapping, p pair) {
	n := deref(p.val)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		l.errf(n, "rules", "want a list of rules (- when: … set: …), got %s", kindName(n))
		return
	}
	for i, rn := range n.Content {
		key := fmt.Sprintf("rules[%d]", i)
		rn = deref(rn)
		if rn.Kind != yaml.MappingNode {
			l.errf(rn, key, "want a rule (when: … set: …), got %s", kindName(rn))
			continue
		}
		f := l.strict(l.mapping(rn, key), key, "rule key", ruleKeys)
		r := rule{line: rn.Line, set: map[string]*Template{}}
		if np, ok := f["name"]; ok {
			r.name, _ = l.str(np.val, key+".name")
		}
		if r.name == "" {
			r.name = fmt.Sprintf("%s (line %d)", key, rn.Line)
		}
		if wp, ok := f["when"]; ok {
			r.when = l.conditions(wp, key+".when")
		} else {
			l.errf(rn, key+".when", "missing; want when: {field: charge.metadata.channel, equals: b2b}")
		}
		if sp, ok := f["set"]; ok {
			entries := l.mapping(sp.val, key+".set")
			if len(entries) == 0 {
				l.errf(valNode(sp), key+".set", "empty; want the settings this rule sets, e.g. {invoice.memo: \"B2B {charge.id}\"}")
			}
			for _, e := range entries {
				ek := key + ".set." + e.key
				if msg := l.checkTarget(e.key); msg != "" {
					l.errf(e.keyNode, ek, "%s", msg)
					continue
				}
				if name, ok := strings.CutPrefix(e.key, "extra."); ok {
					l.ruleExtras = append(l.ruleExtras, pendingKey{key: ek, name: name, line: e.keyNode.Line})
				}
				if t := l.template(e, ek); t != nil {
					r.set[e.key] = t
				}
			}
		} else {
			l.errf(rn, key+".set", "missing; want set: {invoice.memo: \"…\"}")
		}
		m.rules = append(m.rules, r)
	}
}

// checkTarget returns why a rule cannot set target, or "".
func (l *loader) checkTarget(target string) string {
	for _, sec := range []string{"customer.fields.", "customer.defaults."} {
		if f, ok := strings.CutPrefix(target, sec); ok {
			if slices.Contains(CustomerFields, f) {
				return ""
			}
			return "unknown ERP customer field " + strconv.Quote(f) + "; want one of " + strings.Join(CustomerFields, ", ")
		}
	}
	if k, ok := strings.CutPrefix(target, "extra."); ok && k != "" {
		return ""
	}
	if slices.Contains(ruleTargets, target) {
		return ""
	}
	return "unknown rule target; want one of " + strings.Join(ruleTargets, ", ")
}

// conditions reads when: a single condition or a list of conditions that must all hold.
func (l *loader) conditions(p pair, key string) []condition {
	n := deref(p.val)
	var nodes []*yaml.Node
	switch n.Kind {
	case yaml.MappingNode:
		nodes = []*yaml.Node{n}
	case yaml.SequenceNode:
		nodes = n.Content
		if len(nodes) == 0 {
			l.errf(n, key, "empty list of conditions")
		}
	default:
		l.errf(valNode(p), key, "want a condition {field: …, equals: …} or a list of them, got %s", kindName(n))
		return nil
	}
	var out []condition
	for i, cn := range nodes {
		ck := key
		if n.Kind == yaml.SequenceNode {
			ck = fmt.Sprintf("%s[%d]", key, i)
		}
		if c, ok := l.condition(deref(cn), ck); ok {
			out = append(out, c)
		}
	}
	return out
}

func (l *loader) condition(n *yaml.Node, key string) (condition, bool) {
	var c condition
	if n.Kind != yaml.MappingNode {
		l.errf(n, key, "want a condition {field: …, equals: …}, got %s", kindName(n))
		return c, false
	}
	f := l.strict(l.mapping(n, key), key, "condition key", append([]string{"field"}, condOps...))
	fp, ok := f["field"]
	if !ok {
		l.errf(n, key+".field", "missing; want the source path to test, e.g. field: charge.metadata.channel")
		return c, false
	}
	good := true
	if s, ok := l.required(fp, key+".field", "a source path such as charge.metadata.channel"); ok && s != "" {
		if err := ValidatePath(s); err != nil {
			l.errf(fp.val, key+".field", "%v", err)
			good = false
		}
		c.field = s
	} else {
		good = false
	}
	var ops []string
	for _, op := range condOps {
		if _, ok := f[op]; ok {
			ops = append(ops, op)
		}
	}
	if len(ops) != 1 {
		l.errf(n, key, "want exactly one operator of %s, got %d", strings.Join(condOps, ", "), len(ops))
		return c, false
	}
	c.op = ops[0]
	op := f[c.op]
	ok = true
	switch c.op {
	case "equals", "not_equals":
		c.value, ok = l.str(op.val, key+"."+c.op)
	case "in", "not_in":
		items, isList := l.list(op, key+"."+c.op)
		if !isList {
			return c, false
		}
		if len(items) == 0 {
			l.errf(op.val, key+"."+c.op, "empty list; want the values to compare with, e.g. [a, b]")
			return c, false
		}
		for _, it := range items {
			s, okItem := l.str(it, key+"."+c.op)
			ok = ok && okItem
			c.values = append(c.values, s)
		}
	case "exists":
		v := deref(op.val)
		if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
			l.errf(valNode(op), key+".exists", "want true or false, got %s", kindName(v))
			return c, false
		}
		c.exists = v.Value == "true" || v.Value == "True" || v.Value == "TRUE"
	case "matches":
		s, okStr := l.required(op, key+".matches", "a regular expression (RE2 syntax)")
		if !okStr || s == "" {
			return c, false
		}
		re, err := regexp.Compile(s)
		if err != nil {
			l.errf(op.val, key+".matches", "bad regular expression %q: %s", s, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			return c, false
		}
		c.re = re
	}
	return c, ok && good
}

var glKeys = []string{"bank", "clearing", "paytraceClearing", "receivable", "fees", "disputeFees", "chargebacks", "fx", "suspense", "categories", "feeAccounts"}

func (l *loader) gl(m *Mapping, p pair) {
	for _, e := range l.mapping(p.val, "gl") {
		key := "gl." + e.key
		name := e.key
		switch name { // snake_case spellings are accepted too
		case "dispute_fees":
			name = "disputeFees"
		case "fee_accounts":
			name = "feeAccounts"
		case "paytrace_clearing":
			name = "paytraceClearing"
		}
		if !slices.Contains(glKeys, name) {
			l.errf(e.keyNode, key, "unknown GL key; want one of %s", strings.Join(glKeys, ", "))
			continue
		}
		if name == "categories" || name == "feeAccounts" {
			into := m.GL.Categories
			if name == "feeAccounts" {
				into = m.GL.FeeAccounts
			}
			for _, kv := range l.mapping(e.val, key) {
				if s, ok := l.required(kv, key+"."+kv.key, "a GL account number such as 1015-00"); ok && s != "" {
					into[kv.key] = s
				}
			}
			continue
		}
		if s, ok := l.required(e, key, "a GL account number such as 1010-00"); ok && s != "" {
			*glField(&m.GL, name) = s
		}
	}
}

func glField(a *glmap.Accounts, name string) *string {
	switch name {
	case "bank":
		return &a.Bank
	case "clearing":
		return &a.Clearing
	case "paytraceClearing":
		return &a.PayTraceClearing
	case "receivable":
		return &a.Receivable
	case "fees":
		return &a.Fees
	case "disputeFees":
		return &a.DisputeFees
	case "chargebacks":
		return &a.Chargebacks
	case "fx":
		return &a.FX
	}
	return &a.Suspense
}
