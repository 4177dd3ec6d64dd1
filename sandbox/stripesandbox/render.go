package stripesandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// expandable lists, per object type, the fields that hold an ID unless the
// client asks for them with expand[].
var expandable = map[string]map[string]bool{
	"customer":            {},
	"payment_method":      {"customer": true},
	"payment_intent":      {"customer": true, "latest_charge": true, "payment_method": true},
	"charge":              {"customer": true, "balance_transaction": true, "payment_intent": true},
	"balance_transaction": {"source": true},
	"event":               {},
	"webhook_endpoint":    {},
	"refund":              {"balance_transaction": true, "charge": true, "payment_intent": true},
	"dispute":             {"charge": true, "payment_intent": true},
	"payout":              {"balance_transaction": true, "failure_balance_transaction": true, "destination": true},
}

// maxExpandDepth is Stripe's limit on nested expansions.
const maxExpandDepth = 4

func cannotExpand(path string) *apiError {
	return invalidParam("expand", "This property cannot be expanded (%s).", path)
}

// expandRaw applies expansion paths ("customer", "latest_charge.balance_transaction")
// to a stored object. Without paths the stored JSON is returned untouched.
func (c *call) expandRaw(raw []byte, typ string, paths []string, depth int) (any, *apiError) {
	if typ == "balance_transaction" {
		raw = c.s.freshBalanceTxn(raw)
	}
	if len(paths) == 0 {
		return json.RawMessage(raw), nil
	}
	if depth >= maxExpandDepth {
		return nil, invalidParam("expand", "You cannot expand more than %d levels of a property.", maxExpandDepth)
	}
	groups := map[string][]string{}
	var order []string
	for _, p := range paths {
		field, rest, _ := strings.Cut(p, ".")
		if !expandable[typ][field] {
			return nil, cannotExpand(p)
		}
		if _, seen := groups[field]; !seen {
			order = append(order, field)
			groups[field] = nil
		}
		if rest != "" {
			groups[field] = append(groups[field], rest)
		}
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep integer amounts exact
	if err := dec.Decode(&obj); err != nil {
		return nil, internalError(err)
	}
	for _, field := range order {
		id, ok := obj[field].(string)
		if !ok || id == "" {
			continue // null or already an object
		}
		r, err := getRow(c.ctx, c.q, id, "")
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return nil, internalError(err)
		}
		sub, aerr := c.expandRaw(r.JSON, r.Type, groups[field], depth+1)
		if aerr != nil {
			return nil, aerr
		}
		obj[field] = sub
	}
	return obj, nil
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
// filters maps extra accepted parameters to lookup columns.
func (c *call) list(typ, url string, filters map[string]string) (any, *apiError) {
	allowed := []string{"limit", "starting_after", "ending_before", "expand", "created"}
	for p := range filters {
		allowed = append(allowed, p)
	}
	if aerr := c.p.allow("", allowed...); aerr != nil {
		return nil, aerr
	}
	lq := listQuery{Type: typ, Eq: map[string]string{}, Limit: 10}
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
		if ok {
			lq.Eq[col] = v
		}
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
