package stripesandbox

import (
	"strconv"
	"strings"
)

// Invoice items: POST/GET/DELETE /v1/invoiceitems[/{id}]. An item is
// pending (invoice null) until an invoice takes it, or is created straight
// on a draft invoice (invoice=in_…). It is a one-off price × quantity,
// unit_amount × quantity, or a plain amount (which may be negative, a
// credit), with its own discounts (coupons on the item) and tax_rates.

const (
	evInvoiceItemCreated = "invoiceitem.created"
	evInvoiceItemUpdated = "invoiceitem.updated"
	evInvoiceItemDeleted = "invoiceitem.deleted"
)

func invoiceItemRow(ii *invoiceItem) row {
	r := row{ID: ii.ID, Type: "invoiceitem", Created: ii.Date, Customer: ii.Customer, Currency: ii.Currency, Kind: "pending"}
	if ii.Invoice != nil {
		r.Source, r.Kind = *ii.Invoice, "invoiced"
	}
	return r
}

var invoiceItemParams = []string{"customer", "amount", "currency", "description", "discountable", "discounts",
	"invoice", "metadata", "period", "price", "quantity", "subscription", "tax_rates", "unit_amount",
	"unit_amount_decimal", "tax_behavior", "expand"}

func (s *Server) createInvoiceItem(c *call) (any, *apiError) {
	p := c.p
	if aerr := p.allow("", invoiceItemParams...); aerr != nil {
		return nil, aerr
	}
	cusID, ok, aerr := p.str("customer")
	if aerr != nil {
		return nil, aerr
	}
	if !ok || cusID == "" {
		return nil, missingParam("customer")
	}
	cu, aerr := c.loadCustomer(cusID, "customer")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, aerr
	}
	now := c.now()
	ii := &invoiceItem{ID: newID("ii"), Object: "invoiceitem", Customer: cu.ID, Date: now, Discounts: []string{},
		Metadata: map[string]string{}, Period: period{Start: now, End: now}, Quantity: 1, TaxRates: []*taxRate{},
		TestClock: cu.TestClock}
	var inv *invoice
	if id, ok, aerr := p.str("invoice"); aerr != nil {
		return nil, aerr
	} else if ok && id != "" {
		if inv, aerr = c.loadInvoice(id, "invoice"); aerr != nil {
			return nil, aerr
		}
		if inv.Customer != cu.ID {
			return nil, invalidParam("invoice", "The invoice %s belongs to another customer.", id)
		}
		if inv.Status != "draft" {
			return nil, invalidParam("invoice", "You can only add invoice items to draft invoices; invoice %s is %s.", id, inv.Status)
		}
		ii.Invoice = &inv.ID
	}
	if id, ok, aerr := p.str("subscription"); aerr != nil {
		return nil, aerr
	} else if ok && id != "" {
		sub, aerr := c.loadSubscription(id, "subscription")
		if aerr != nil {
			return nil, aerr
		}
		if sub.Customer != cu.ID {
			return nil, invalidParam("subscription", "The subscription %s belongs to another customer.", id)
		}
		ii.Subscription = &sub.ID
	}
	prodName, aerr := c.fillItemAmount(p, ii, cu)
	if aerr != nil {
		return nil, aerr
	}
	if inv != nil && inv.Currency != ii.Currency {
		return nil, invalidParam("currency", "The invoice item is in %s but invoice %s is in %s.", ii.Currency, inv.ID, inv.Currency)
	}
	if aerr := c.applyItemParams(p, ii); aerr != nil {
		return nil, aerr
	}
	if ii.Description == nil && prodName != "" {
		ii.Description = &prodName
	}
	if ii.Price.Product == "" {
		// An ad-hoc amount gets an inactive product and price of its own, as
		// in Stripe (no events).
		name := "Invoice item"
		if ii.Description != nil {
			name = *ii.Description
		}
		prod := &product{ID: newID("prod"), Object: "product", Active: false, Created: now, Features: []any{},
			Images: []string{}, Metadata: map[string]string{}, Name: name, Type: "service", Updated: now}
		ii.Price.Product = prod.ID
		if aerr := c.save(productRow(prod), prod); aerr != nil {
			return nil, aerr
		}
		if aerr := c.save(priceRow(ii.Price), ii.Price); aerr != nil {
			return nil, aerr
		}
	}
	ds, _, aerr := c.discountsParam(discountScope{Customer: &cu.ID, InvoiceItem: &ii.ID}, ii.Currency, false)
	if aerr != nil {
		return nil, aerr
	}
	ii.Discounts = discountIDs(ds)
	if aerr := c.save(invoiceItemRow(ii), ii); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evInvoiceItemCreated, ii, nil); aerr != nil {
		return nil, aerr
	}
	if inv != nil {
		inv.Lines.Data = append(inv.Lines.Data, lineFromItem(ii, inv.ID))
		if aerr := c.recompute(inv); aerr != nil {
			return nil, aerr
		}
		if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
			return nil, aerr
		}
	}
	return c.renderValue(ii, "invoiceitem")
}

// fillItemAmount sets the amount, currency, price and quantity of a new item
// from price, unit_amount or amount (exactly one) and returns the price's
// product name (the default description). An ad-hoc item's price has no
// product yet.
func (c *call) fillItemAmount(p params, ii *invoiceItem, cu *customer) (string, *apiError) {
	priceID, hasPrice, aerr := p.str("price")
	if aerr != nil {
		return "", aerr
	}
	amount, hasAmount, aerr := p.integer("amount")
	if aerr != nil {
		return "", aerr
	}
	unit, hasUnit, aerr := p.integer("unit_amount")
	if aerr != nil {
		return "", aerr
	}
	if !hasUnit && p.has("unit_amount_decimal") {
		d, _, _ := p.str("unit_amount_decimal")
		d = strings.TrimSuffix(strings.TrimRight(d, "0"), ".")
		n, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return "", invalidParam("unit_amount_decimal", "The sandbox supports whole minor units only (unit_amount_decimal %s).", d)
		}
		unit, hasUnit = n, true
	}
	name := ""
	n := 0
	for _, b := range []bool{hasPrice, hasAmount, hasUnit} {
		if b {
			n++
		}
	}
	if n != 1 {
		return "", invalidParam("amount", "You must specify exactly one of amount, price or unit_amount.")
	}
	if q, ok, aerr := p.integer("quantity"); aerr != nil {
		return "", aerr
	} else if ok {
		if q < 0 {
			return "", invalidParam("quantity", "Invalid quantity: must be a non-negative integer")
		}
		if hasAmount && q != 1 {
			return "", invalidParam("quantity", "quantity cannot be used with amount; use unit_amount or price instead.")
		}
		ii.Quantity = q
	}
	cur, hasCur, aerr := p.str("currency")
	if aerr != nil {
		return "", aerr
	}
	cur = strings.ToLower(cur)
	switch {
	case hasPrice:
		pr, aerr := c.loadPrice(priceID, "price")
		if aerr != nil {
			return "", aerr
		}
		if pr.Type != "one_time" {
			return "", invalidParam("price", "The price specified is set to `type=recurring` but this field only accepts prices with `type=one_time`.")
		}
		if !pr.Active {
			return "", invalidParam("price", "The price %s is not active.", pr.ID)
		}
		if hasCur && cur != pr.Currency {
			return "", invalidParam("currency", "The currency %s does not match the price's currency %s.", cur, pr.Currency)
		}
		ii.Price, ii.Currency, ii.UnitAmount = pr, pr.Currency, &pr.UnitAmount
		ii.Amount = pr.UnitAmount * ii.Quantity
		var prod product
		if aerr := c.loadRef(pr.Product, "product", "price", &prod); aerr == nil {
			name = prod.Name
		}
	default:
		if !hasCur || cur == "" {
			if cu.Currency == nil {
				return "", missingParam("currency")
			}
			cur = *cu.Currency
		}
		if aerr := billingCurrency(cur, "currency"); aerr != nil {
			return "", aerr
		}
		ii.Currency = cur
		if hasAmount {
			unit = amount
		}
		ii.UnitAmount = &unit
		ii.Amount = unit * ii.Quantity
		// An ad-hoc item gets a one-off price of its own, as in Stripe.
		ii.Price = &price{ID: newID("price"), Object: "price", Active: false, BillingScheme: "per_unit",
			Created: ii.Date, Currency: cur, Metadata: map[string]string{}, Product: "", TaxBehavior: "unspecified",
			Type: "one_time", UnitAmount: unit, UnitAmountDecimal: strconv.FormatInt(unit, 10)}
	}
	if ii.Amount > maxChargeAmount || ii.Amount < -maxChargeAmount {
		return "", invalidParam("amount", "The invoice item amount is out of range.")
	}
	ii.UnitAmountDecimal = ptr(strconv.FormatInt(*ii.UnitAmount, 10))
	ii.Discountable = ii.Amount >= 0
	return name, c.setCustomerCurrency(cu, ii.Currency, "currency")
}

// applyItemParams applies description, discountable, metadata, period and
// tax_rates (create and update).
func (c *call) applyItemParams(p params, ii *invoiceItem) *apiError {
	if aerr := setStrings(p, "", map[string]**string{"description": &ii.Description}); aerr != nil {
		return aerr
	}
	if v, ok, aerr := p.boolean("discountable"); aerr != nil {
		return aerr
	} else if ok {
		ii.Discountable = v
	}
	if h, ok, aerr := p.hash("period"); aerr != nil {
		return aerr
	} else if ok && h != nil {
		if aerr := h.allow("period", "start", "end"); aerr != nil {
			return aerr
		}
		start, okS, aerr := h.integer("start")
		if aerr != nil {
			return aerr
		}
		end, okE, aerr := h.integer("end")
		if aerr != nil {
			return aerr
		}
		if !okS || !okE || end < start {
			return invalidParam("period", "period needs start and end, with end on or after start.")
		}
		ii.Period = period{Start: start, End: end}
	}
	if ids, ok, aerr := p.list("tax_rates"); aerr != nil {
		return aerr
	} else if ok {
		rates, aerr := c.loadTaxRates(ids, "tax_rates")
		if aerr != nil {
			return aerr
		}
		ii.TaxRates = rates
	}
	if _, _, aerr := p.str("tax_behavior"); aerr != nil {
		return aerr
	}
	md, _, aerr := applyMetadata(p, ii.Metadata)
	if aerr != nil {
		return aerr
	}
	ii.Metadata = md
	return nil
}

// loadInvoiceItem loads an invoice item by ID.
func (c *call) loadInvoiceItem(id, param string) (*invoiceItem, *apiError) {
	var ii invoiceItem
	if aerr := c.loadRef(id, "invoiceitem", param, &ii); aerr != nil {
		return nil, aerr
	}
	return &ii, nil
}

// editableItem loads the item in the URL and its draft invoice (nil when
// pending); items on finalized invoices cannot change.
func (c *call) editableItem() (*invoiceItem, *invoice, *apiError) {
	r, aerr := c.load("invoiceitem")
	if aerr != nil {
		return nil, nil, aerr
	}
	var ii invoiceItem
	if aerr := decodeRow(r, &ii); aerr != nil {
		return nil, nil, aerr
	}
	if ii.Invoice == nil {
		return &ii, nil, nil
	}
	inv, aerr := c.loadInvoice(*ii.Invoice, "invoice")
	if aerr != nil {
		return nil, nil, aerr
	}
	if inv.Status != "draft" {
		return nil, nil, invalidParam("", "Invoice item %s is on invoice %s, which is no longer a draft.", ii.ID, inv.ID)
	}
	return &ii, inv, nil
}

func (s *Server) updateInvoiceItem(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "description", "discountable", "metadata", "period", "tax_rates", "quantity",
		"expand"); aerr != nil {
		return nil, aerr
	}
	ii, inv, aerr := c.editableItem()
	if aerr != nil {
		return nil, aerr
	}
	before := *ii
	if aerr := c.applyItemParams(c.p, ii); aerr != nil {
		return nil, aerr
	}
	if q, ok, aerr := c.p.integer("quantity"); aerr != nil {
		return nil, aerr
	} else if ok {
		if q < 0 {
			return nil, invalidParam("quantity", "Invalid quantity: must be a non-negative integer")
		}
		ii.Quantity, ii.Amount = q, *ii.UnitAmount*q
	}
	out, aerr := c.saveUpdate(invoiceItemRow(ii), &before, ii, evInvoiceItemUpdated, "invoiceitem", nil)
	if aerr != nil {
		return nil, aerr
	}
	if inv != nil {
		for i, l := range inv.Lines.Data {
			if l.InvoiceItem != nil && *l.InvoiceItem == ii.ID {
				nl := lineFromItem(ii, inv.ID)
				nl.ID = l.ID
				inv.Lines.Data[i] = nl
			}
		}
		if aerr := c.recompute(inv); aerr != nil {
			return nil, aerr
		}
		if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
			return nil, aerr
		}
	}
	return out, nil
}

func (s *Server) deleteInvoiceItem(c *call) (any, *apiError) {
	if aerr := c.p.allow(""); aerr != nil {
		return nil, aerr
	}
	ii, inv, aerr := c.editableItem()
	if aerr != nil {
		return nil, aerr
	}
	if _, err := c.q.ExecContext(c.ctx, `DELETE FROM objects WHERE id = ?`, ii.ID); err != nil {
		return nil, internalError(err)
	}
	if inv != nil {
		kept := inv.Lines.Data[:0]
		for _, l := range inv.Lines.Data {
			if l.InvoiceItem == nil || *l.InvoiceItem != ii.ID {
				kept = append(kept, l)
			}
		}
		inv.Lines.Data = kept
		if aerr := c.recompute(inv); aerr != nil {
			return nil, aerr
		}
		if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
			return nil, aerr
		}
	}
	if aerr := c.emit(evInvoiceItemDeleted, ii, nil); aerr != nil {
		return nil, aerr
	}
	return deletedObject{ID: ii.ID, Object: "invoiceitem", Deleted: true}, nil
}

func (s *Server) getInvoiceItem(c *call) (any, *apiError) { return c.getAndRender("invoiceitem") }

func (s *Server) listInvoiceItems(c *call) (any, *apiError) {
	if v, ok, aerr := c.p.boolean("pending"); aerr != nil {
		return nil, aerr
	} else if ok {
		c.p["pending"] = "invoiced"
		if v {
			c.p["pending"] = "pending"
		}
	}
	return c.list("invoiceitem", "/v1/invoiceitems", map[string]string{"customer": "customer", "invoice": "source",
		"pending": "kind"})
}

// pendingItems returns the customer's pending invoice items, oldest first:
// those of subscription subID ("" = the ones without a subscription).
func (c *call) pendingItems(customerID, subID string) ([]*invoiceItem, *apiError) {
	rows, err := c.q.QueryContext(c.ctx, `SELECT `+rowCols+` FROM objects WHERE type = 'invoiceitem'
		AND customer = ? AND kind = 'pending' ORDER BY seq`, customerID)
	if err != nil {
		return nil, internalError(err)
	}
	defer rows.Close()
	var out []*invoiceItem
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, internalError(err)
		}
		var ii invoiceItem
		if aerr := decodeRow(r, &ii); aerr != nil {
			return nil, aerr
		}
		sub := ""
		if ii.Subscription != nil {
			sub = *ii.Subscription
		}
		if sub == subID {
			out = append(out, &ii)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, internalError(err)
	}
	return out, nil
}
