package stripesandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// expandable lists, per object type, the fields that hold an ID (or a list
// of IDs) unless the client asks for them with expand[].
var expandable = map[string]map[string]bool{
	"customer":            {"test_clock": true},
	"payment_method":      {"customer": true},
	"payment_intent":      {"customer": true, "latest_charge": true, "payment_method": true, "invoice": true},
	"charge":              {"customer": true, "balance_transaction": true, "payment_intent": true, "invoice": true},
	"balance_transaction": {"source": true},
	"event":               {},
	"webhook_endpoint":    {},
	"refund":              {"balance_transaction": true, "charge": true, "payment_intent": true},
	"dispute":             {"charge": true, "payment_intent": true},
	"payout":              {"balance_transaction": true, "failure_balance_transaction": true, "destination": true},

	"product":                   {"default_price": true},
	"price":                     {"product": true},
	"plan":                      {"product": true},
	"tax_rate":                  {},
	"coupon":                    {},
	"discount":                  {"customer": true},
	"invoiceitem":               {"customer": true, "invoice": true, "subscription": true, "test_clock": true, "discounts": true},
	"invoice":                   {"customer": true, "charge": true, "payment_intent": true, "subscription": true, "test_clock": true, "default_payment_method": true, "discounts": true},
	"line_item":                 {"invoice_item": true, "subscription": true, "subscription_item": true, "discounts": true},
	"subscription":              {"customer": true, "default_payment_method": true, "latest_invoice": true, "test_clock": true, "discounts": true},
	"subscription_item":         {"discounts": true},
	"test_helpers.test_clock":   {},
	"credit_note":               {"customer": true, "invoice": true, "refund": true},
	"credit_note_line_item":     {},
	"customer.invoice_settings": {"default_payment_method": true},
}

// traversable lists, per object type, the fields holding an embedded object
// or list that expansion paths may go through (never expand themselves):
// "lines.data.price.product". The value names the embedded type when the
// embedded hash has no "object" field.
var traversable = map[string]map[string]string{
	"customer":          {"invoice_settings": "customer.invoice_settings"},
	"invoice":           {"lines": "", "discount": ""},
	"line_item":         {"price": "", "plan": ""},
	"invoiceitem":       {"price": "", "plan": ""},
	"subscription":      {"items": "", "discount": ""},
	"subscription_item": {"price": "", "plan": ""},
	"credit_note":       {"lines": ""},
}

// maxExpandDepth is Stripe's limit on nested expansions.
const maxExpandDepth = 4

func cannotExpand(path string) *apiError {
	return invalidParam("expand", "This property cannot be expanded (%s).", path)
}

// expandRaw applies expansion paths ("customer", "latest_charge.balance_transaction")
// to a stored object. Without paths the stored JSON is returned untouched.
func (c *call) expandRaw(raw []byte, typ string, paths []string, depth int) (any, *apiError) {
	raw = c.s.wireForm(typ, raw)
	if len(paths) == 0 {
		return json.RawMessage(raw), nil
	}
	if depth >= maxExpandDepth {
		return nil, invalidParam("expand", "You cannot expand more than %d levels of a property.", maxExpandDepth)
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep integer amounts exact
	if err := dec.Decode(&obj); err != nil {
		return nil, internalError(err)
	}
	if aerr := c.expandObject(obj, typ, paths, depth); aerr != nil {
		return nil, aerr
	}
	return obj, nil
}

// expandObject applies paths to a decoded object of type typ in place.
func (c *call) expandObject(obj map[string]any, typ string, paths []string, depth int) *apiError {
	groups := map[string][]string{}
	var order []string
	for _, p := range paths {
		field, rest, _ := strings.Cut(p, ".")
		_, through := traversable[typ][field]
		if !expandable[typ][field] && (!through || rest == "") {
			return cannotExpand(p)
		}
		if _, seen := groups[field]; !seen {
			order = append(order, field)
			groups[field] = nil
		}
		if rest != "" {
			groups[field] = append(groups[field], rest)
		}
	}
	for _, field := range order {
		rest := groups[field]
		if sub, through := traversable[typ][field]; through && !expandable[typ][field] {
			if aerr := c.traverse(obj[field], sub, rest, depth); aerr != nil {
				return aerr
			}
			continue
		}
		v, aerr := c.expandValue(obj[field], rest, depth)
		if aerr != nil {
			return aerr
		}
		obj[field] = v
	}
	return nil
}

// expandValue expands an ID (or each ID of a list); an object already
// expanded gets the remaining paths applied.
func (c *call) expandValue(v any, rest []string, depth int) (any, *apiError) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return v, nil
		}
		r, err := getRow(c.ctx, c.q, x, "")
		if errors.Is(err, errNotFound) {
			return v, nil
		}
		if err != nil {
			return nil, internalError(err)
		}
		return c.expandRaw(r.JSON, r.Type, rest, depth+1)
	case []any:
		for i, e := range x {
			ev, aerr := c.expandValue(e, rest, depth)
			if aerr != nil {
				return nil, aerr
			}
			x[i] = ev
		}
		return x, nil
	case map[string]any:
		if len(rest) > 0 {
			typ, _ := x["object"].(string)
			if aerr := c.expandObject(x, typ, rest, depth+1); aerr != nil {
				return nil, aerr
			}
		}
		return x, nil
	}
	return v, nil // null
}

// traverse applies paths inside an embedded object or list ("data." first).
func (c *call) traverse(v any, typ string, paths []string, depth int) *apiError {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil // null
	}
	if typ == "" {
		typ, _ = obj["object"].(string)
	}
	if typ != "list" {
		return c.expandObject(obj, typ, paths, depth)
	}
	var sub []string
	for _, p := range paths {
		rest, ok := strings.CutPrefix(p, "data.")
		if !ok {
			return cannotExpand(p)
		}
		sub = append(sub, rest)
	}
	items, _ := obj["data"].([]any)
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		t, _ := m["object"].(string)
		if aerr := c.expandObject(m, t, sub, depth); aerr != nil {
			return aerr
		}
	}
	return nil
}

// wireForm adapts a stored object to what Stripe shows at read time: a
// pending balance transaction past its available_on is available, and an
// invoice or credit note embeds only the first page (10) of its lines.
func (s *Server) wireForm(typ string, raw []byte) []byte {
	switch typ {
	case "balance_transaction":
		return s.freshBalanceTxn(raw)
	case "invoice", "credit_note":
		return firstLinesPage(raw)
	case "invoiceitem":
		return stripInternal(raw)
	}
	return raw
}

// internalField marks sandbox-only data kept in a stored object's JSON.
var internalField = []byte(`"_sandbox_`)

// stripInternal drops the sandbox-only "_sandbox_…" fields of a stored
// object.
func stripInternal(raw []byte) []byte {
	if !bytes.Contains(raw, internalField) {
		return raw
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return raw
	}
	for k := range obj {
		if strings.HasPrefix(k, "_sandbox_") {
			delete(obj, k)
		}
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return raw
	}
	return out
}

// embeddedLines is how many lines an invoice or credit note embeds.
const embeddedLines = 10

// firstLinesPage cuts an object's embedded "lines" list to its first page.
func firstLinesPage(raw []byte) []byte {
	var probe struct {
		Lines *struct {
			TotalCount int64 `json:"total_count"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil || probe.Lines == nil || probe.Lines.TotalCount <= embeddedLines {
		return raw
	}
	var obj map[string]json.RawMessage
	var lines struct {
		Object     string            `json:"object"`
		Data       []json.RawMessage `json:"data"`
		HasMore    bool              `json:"has_more"`
		TotalCount int64             `json:"total_count"`
		URL        string            `json:"url"`
	}
	if json.Unmarshal(raw, &obj) != nil || json.Unmarshal(obj["lines"], &lines) != nil {
		return raw
	}
	if len(lines.Data) > embeddedLines {
		lines.Data, lines.HasMore = lines.Data[:embeddedLines], true
	}
	b, err := json.Marshal(lines)
	if err != nil {
		return raw
	}
	obj["lines"] = b
	out, err := json.Marshal(obj)
	if err != nil {
		return raw
	}
	return out
}

// render returns a stored row with the request's expand[] applied.
func (c *call) render(r row) (any, *apiError) {
	return c.expandRaw(r.JSON, r.Type, c.expand, 0)
}

// load fetches an object of a given type named in the URL (404 if absent).
func (c *call) load(typ string) (row, *apiError) {
	id := c.r.PathValue("id")
	r, err := getRow(c.ctx, c.q, id, typ)
	if errors.Is(err, errNotFound) {
		return row{}, noSuchObject(http.StatusNotFound, "id", humanKind(typ), id)
	}
	if err != nil {
		return row{}, internalError(err)
	}
	return r, nil
}

// getAndRender implements the plain "GET /v1/<things>/{id}" endpoints.
func (c *call) getAndRender(typ string) (any, *apiError) {
	if aerr := c.p.allow("", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load(typ)
	if aerr != nil {
		return nil, aerr
	}
	return c.render(r)
}

// listObject is Stripe's list envelope.
type listObject struct {
	Object  string `json:"object"`
	Data    []any  `json:"data"`
	HasMore bool   `json:"has_more"`
	URL     string `json:"url"`
}

// list implements a Stripe list endpoint: limit (1-100, default 10),
// starting_after / ending_before cursors, created filters, newest first.
// filters maps extra accepted parameters to lookup columns, or to
// "json:$.path" (a JSON field; "json:$.path:bool" for booleans).
func (c *call) list(typ, url string, filters map[string]string) (any, *apiError) {
	return c.listExcluding(typ, url, filters, nil)
}

// listExcluding is list with rows whose lookup column equals a value left
// out (not: column -> value).
func (c *call) listExcluding(typ, url string, filters, not map[string]string) (any, *apiError) {
	allowed := []string{"limit", "starting_after", "ending_before", "expand", "created"}
	for p := range filters {
		allowed = append(allowed, p)
	}
	if aerr := c.p.allow("", allowed...); aerr != nil {
		return nil, aerr
	}
	lq := listQuery{Type: typ, Eq: map[string]string{}, Not: not, Limit: 10}
	if n, ok, aerr := c.p.integer("limit"); aerr != nil {
		return nil, aerr
	} else if ok {
		if n < 1 || n > 100 {
			return nil, invalidParam("limit", "Invalid limit: must be between 1 and 100")
		}
		lq.Limit = int(n)
	}
	for param, col := range filters {
		v, ok, aerr := c.p.str(param)
		if aerr != nil {
			return nil, aerr
		}
		if !ok {
			continue
		}
		path, isJSON := strings.CutPrefix(col, "json:")
		if !isJSON {
			lq.Eq[col] = v
			continue
		}
		if lq.JSONEq == nil {
			lq.JSONEq = map[string]any{}
		}
		if path, isBool := strings.CutSuffix(path, ":bool"); isBool {
			b, _, aerr := c.p.boolean(param)
			if aerr != nil {
				return nil, aerr
			}
			lq.JSONEq[path] = 0
			if b {
				lq.JSONEq[path] = 1
			}
			continue
		}
		lq.JSONEq[path] = v
	}
	if aerr := c.createdFilter(&lq); aerr != nil {
		return nil, aerr
	}
	after, hasAfter, aerr := c.p.str("starting_after")
	if aerr != nil {
		return nil, aerr
	}
	before, hasBefore, aerr := c.p.str("ending_before")
	if aerr != nil {
		return nil, aerr
	}
	if hasAfter && hasBefore {
		return nil, invalidParam("ending_before", "You may only specify one of these parameters: ending_before, starting_after.")
	}
	cursor := func(param, id string) (int64, *apiError) {
		r, err := getRow(c.ctx, c.q, id, typ)
		if errors.Is(err, errNotFound) {
			return 0, noSuchObject(http.StatusBadRequest, param, humanKind(typ), id)
		}
		if err != nil {
			return 0, internalError(err)
		}
		return r.Seq, nil
	}
	if hasAfter {
		if lq.StartingAfter, aerr = cursor("starting_after", after); aerr != nil {
			return nil, aerr
		}
	}
	if hasBefore {
		if lq.EndingBefore, aerr = cursor("ending_before", before); aerr != nil {
			return nil, aerr
		}
	}
	var sub []string
	for _, p := range c.expand {
		rest, ok := strings.CutPrefix(p, "data.")
		if !ok {
			e := cannotExpand(p)
			e.Message += " You may want to try expanding 'data." + p + "' instead."
			return nil, e
		}
		sub = append(sub, rest)
	}
	rows, err := listRows(c.ctx, c.q, lq)
	if err != nil {
		return nil, internalError(err)
	}
	out := listObject{Object: "list", Data: []any{}, URL: url}
	if len(rows) > lq.Limit {
		out.HasMore = true
		rows = rows[:lq.Limit]
	}
	if hasBefore {
		// Fetched oldest-first to find the page next to the cursor; show newest first.
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	for _, r := range rows {
		v, aerr := c.expandRaw(r.JSON, r.Type, sub, 0)
		if aerr != nil {
			return nil, aerr
		}
		if typ == "event" {
			if v, aerr = c.withPending(r, v); aerr != nil {
				return nil, aerr
			}
		}
		out.Data = append(out.Data, v)
	}
	return out, nil
}

// createdFilter reads created=N or created[gt|gte|lt|lte]=N.
func (c *call) createdFilter(lq *listQuery) *apiError {
	if !c.p.has("created") {
		return nil
	}
	if _, isStr := c.p["created"].(string); isStr {
		n, _, aerr := c.p.integer("created")
		if aerr != nil {
			return aerr
		}
		lq.CreatedGTE, lq.CreatedLTE = &n, &n
		return nil
	}
	h, _, aerr := c.p.hash("created")
	if aerr != nil {
		return aerr
	}
	if aerr := h.allow("created", "gt", "gte", "lt", "lte"); aerr != nil {
		return aerr
	}
	for op, dst := range map[string]**int64{"gt": &lq.CreatedGT, "gte": &lq.CreatedGTE, "lt": &lq.CreatedLT, "lte": &lq.CreatedLTE} {
		n, ok, aerr := h.integer(op)
		if aerr != nil {
			aerr.Param = "created[" + op + "]"
			return aerr
		}
		if ok {
			v := n
			*dst = &v
		}
	}
	return nil
}

// save stores an object (insert or update) in the request transaction.
func (c *call) save(r row, v any) *apiError {
	b, err := json.Marshal(v)
	if err != nil {
		return internalError(err)
	}
	r.JSON = b
	r.Seq = c.s.nextSeq()
	if err := putRow(c.ctx, c.q, r); err != nil {
		return internalError(err)
	}
	return nil
}

// decodeRow unmarshals a stored object into its struct.
func decodeRow(r row, v any) *apiError {
	if err := json.Unmarshal(r.JSON, v); err != nil {
		return internalError(err)
	}
	return nil
}

// embedded is one item of a list kept inside another object (invoice
// lines, credit note lines).
type embedded struct {
	ID    string
	Value any
}

// pageEmbedded serves a Stripe list over embedded items in their stored
// order: limit (1-100, default 10), starting_after, ending_before and
// expand[]=data.….
func (c *call) pageEmbedded(items []embedded, typ, url string) (any, *apiError) {
	if aerr := c.p.allow("", "limit", "starting_after", "ending_before", "expand"); aerr != nil {
		return nil, aerr
	}
	limit := 10
	if n, ok, aerr := c.p.integer("limit"); aerr != nil {
		return nil, aerr
	} else if ok {
		if n < 1 || n > 100 {
			return nil, invalidParam("limit", "Invalid limit: must be between 1 and 100")
		}
		limit = int(n)
	}
	index := func(param string) (int, bool, *apiError) {
		id, ok, aerr := c.p.str(param)
		if aerr != nil || !ok {
			return 0, false, aerr
		}
		for i, it := range items {
			if it.ID == id {
				return i, true, nil
			}
		}
		return 0, false, noSuchObject(http.StatusBadRequest, param, humanKind(typ), id)
	}
	after, hasAfter, aerr := index("starting_after")
	if aerr != nil {
		return nil, aerr
	}
	before, hasBefore, aerr := index("ending_before")
	if aerr != nil {
		return nil, aerr
	}
	if hasAfter && hasBefore {
		return nil, invalidParam("ending_before", "You may only specify one of these parameters: ending_before, starting_after.")
	}
	var sub []string
	for _, p := range c.expand {
		rest, ok := strings.CutPrefix(p, "data.")
		if !ok {
			e := cannotExpand(p)
			e.Message += " You may want to try expanding 'data." + p + "' instead."
			return nil, e
		}
		sub = append(sub, rest)
	}
	lo, hi := 0, len(items)
	switch {
	case hasAfter:
		lo = after + 1
	case hasBefore:
		hi = before
		lo = max(0, hi-limit)
	}
	page := items[lo:hi]
	hasMore := false
	if len(page) > limit {
		page, hasMore = page[:limit], true
	} else if hasBefore && lo > 0 {
		hasMore = true
	}
	out := listObject{Object: "list", Data: []any{}, HasMore: hasMore, URL: url}
	for _, it := range page {
		b, err := json.Marshal(it.Value)
		if err != nil {
			return nil, internalError(err)
		}
		v, aerr := c.expandRaw(b, typ, sub, 0)
		if aerr != nil {
			return nil, aerr
		}
		out.Data = append(out.Data, v)
	}
	return out, nil
}
