package stripesandbox

import (
	"fmt"
	"strconv"
)

// Credit notes: POST/GET /v1/credit_notes[/{id}], POST
// /v1/credit_notes/{id}/void, GET /v1/credit_notes/{id}/lines. A credit
// note on an open invoice (pre_payment) lowers its amount_due (paid at 0);
// on a paid invoice (post_payment) refund_amount + credit_amount +
// out_of_band_amount must equal its total: refund_amount refunds the
// invoice's charge (a Refund with its balance transaction, as POST
// /v1/refunds), credit_amount credits the customer's balance.
//
// Lines: {type invoice_line_item, invoice_line_item, quantity | amount}
// credits part of an invoice line: gross = round(line amount × quantity /
// line quantity) (or amount); each of the line's discounts is credited pro
// rata, round(discount × gross / line amount); tax is computed afresh on
// gross − credited discounts with the line's rates (invoicemath's rule), so
// crediting a whole line gives back exactly its amounts. {type
// custom_line_item, unit_amount, quantity, description, tax_rates} credits
// an arbitrary amount without discounts. amount alone is one custom line
// "Credit" without tax. subtotal = Σ (line amount − line-level discounts),
// total = subtotal − invoice-level discounts + exclusive tax, amount =
// total. A line can never be credited beyond its amount.

const (
	evCreditNoteCreated = "credit_note.created"
	evCreditNoteUpdated = "credit_note.updated"
	evCreditNoteVoided  = "credit_note.voided"
)

var creditNoteReasons = map[string]bool{"duplicate": true, "fraudulent": true, "order_change": true,
	"product_unsatisfactory": true}

func creditNoteRow(cn *creditNote) row {
	return row{ID: cn.ID, Type: "credit_note", Created: cn.Created, Customer: cn.Customer, Source: cn.Invoice,
		Currency: cn.Currency, Kind: cn.Status}
}

// creditLine is a credit note line with the split of its discounts.
type creditLine struct {
	line            *creditNoteLine
	invoiceLevelOff int64 // credited invoice-level discounts
	lineLevelOff    int64 // credited line-level discounts
	inclusiveTax    int64
	exclusiveTax    int64
}

// invoiceNotes returns the issued credit notes of an invoice.
func (c *call) invoiceNotes(invID string) ([]*creditNote, *apiError) {
	rows, err := c.q.QueryContext(c.ctx, `SELECT `+rowCols+` FROM objects WHERE type = 'credit_note' AND source = ? AND kind = 'issued' ORDER BY seq`, invID)
	if err != nil {
		return nil, internalError(err)
	}
	defer rows.Close()
	var out []*creditNote
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, internalError(err)
		}
		var cn creditNote
		if aerr := decodeRow(r, &cn); aerr != nil {
			return nil, aerr
		}
		out = append(out, &cn)
	}
	if err := rows.Err(); err != nil {
		return nil, internalError(err)
	}
	return out, nil
}

// creditInvoiceLine builds the credit of gross of invoice line l.
func creditInvoiceLine(inv *invoice, l *lineItem, gross, qty int64, hasQty bool) creditLine {
	cl := &creditNoteLine{ID: newID("cnli"), Object: "credit_note_line_item", Amount: gross, Description: l.Description,
		DiscountAmounts: []discountAmount{}, InvoiceLineItem: &l.ID, TaxAmounts: []taxAmount{}, Type: "invoice_line_item"}
	lineLevel := map[string]bool{}
	for _, id := range l.Discounts {
		lineLevel[id] = true
	}
	out := creditLine{line: cl}
	for _, da := range l.DiscountAmounts {
		amt := int64(0)
		if l.Amount != 0 {
			amt = mulDivRound(da.Amount, gross, l.Amount)
		}
		cl.DiscountAmounts = append(cl.DiscountAmounts, discountAmount{Amount: amt, Discount: da.Discount})
		cl.DiscountAmount += amt
		if lineLevel[da.Discount] {
			out.lineLevelOff += amt
		} else {
			out.invoiceLevelOff += amt
		}
	}
	rates := l.TaxRates
	if len(rates) == 0 {
		rates = inv.DefaultTaxRates
	}
	cl.TaxRates = rates
	if cl.TaxRates == nil {
		cl.TaxRates = []*taxRate{}
	}
	entries, incl := taxes(gross-cl.DiscountAmount, rates)
	cl.TaxAmounts, out.inclusiveTax = entries, incl
	for _, e := range entries {
		if !e.Inclusive {
			out.exclusiveTax += e.Amount
		}
	}
	_, inGross := taxes(gross, rates)
	cl.AmountExcludingTax = gross - inGross
	q := l.Quantity
	if hasQty {
		q = qty
	}
	cl.Quantity = &q
	if l.Quantity > 0 && l.Amount%l.Quantity == 0 {
		u := l.Amount / l.Quantity
		cl.UnitAmount = &u
	}
	cl.UnitAmountDecimal = ptr(decimalQuotient(l.Amount, max(l.Quantity, 1)))
	cl.UnitAmountExcludingTax = ptr(decimalQuotient(cl.AmountExcludingTax, max(q, 1)))
	return out
}

// customCredit builds a custom_line_item credit of unit × qty.
func customCredit(unit, qty int64, desc *string, rates []*taxRate) creditLine {
	gross := unit * qty
	cl := &creditNoteLine{ID: newID("cnli"), Object: "credit_note_line_item", Amount: gross, Description: desc,
		DiscountAmounts: []discountAmount{}, Quantity: &qty, TaxRates: rates, Type: "custom_line_item", UnitAmount: &unit,
		UnitAmountDecimal: ptr(strconv.FormatInt(unit, 10))}
	if cl.TaxRates == nil {
		cl.TaxRates = []*taxRate{}
	}
	out := creditLine{line: cl}
	entries, incl := taxes(gross, rates)
	cl.TaxAmounts, out.inclusiveTax = entries, incl
	for _, e := range entries {
		if !e.Inclusive {
			out.exclusiveTax += e.Amount
		}
	}
	cl.AmountExcludingTax = gross - incl
	cl.UnitAmountExcludingTax = ptr(decimalQuotient(cl.AmountExcludingTax, max(qty, 1)))
	return out
}

// noteLines reads lines[] (or amount) of a credit note request.
func (c *call) noteLines(inv *invoice) ([]creditLine, *apiError) {
	hs, ok, aerr := hashList(c.p, "lines")
	if aerr != nil {
		return nil, aerr
	}
	amount, hasAmount, aerr := c.p.integer("amount")
	if aerr != nil {
		return nil, aerr
	}
	if ok && hasAmount {
		return nil, invalidParam("amount", "You may only specify one of these parameters: amount, lines.")
	}
	if !ok {
		if !hasAmount {
			return nil, invalidParam("lines", "You must pass either lines or amount to create a credit note.")
		}
		if amount < 1 {
			return nil, invalidParam("amount", "Invalid amount: must be a positive integer")
		}
		return []creditLine{customCredit(amount, 1, strPtr("Credit"), nil)}, nil
	}
	if len(hs) == 0 {
		return nil, invalidParam("lines", "A credit note needs at least one line.")
	}
	credited := map[string]int64{}
	prior, aerr := c.invoiceNotes(inv.ID)
	if aerr != nil {
		return nil, aerr
	}
	for _, cn := range prior {
		for _, l := range cn.Lines.Data {
			if l.InvoiceLineItem != nil {
				credited[*l.InvoiceLineItem] += l.Amount
			}
		}
	}
	var out []creditLine
	for i, h := range hs {
		prefix := "lines[" + strconv.Itoa(i) + "]"
		if aerr := h.allow(prefix, "type", "invoice_line_item", "quantity", "amount", "description", "unit_amount",
			"unit_amount_decimal", "tax_rates", "tax_amounts"); aerr != nil {
			return nil, aerr
		}
		typ, _, _ := h.str("type")
		qty, hasQty, aerr := h.integer("quantity")
		if aerr != nil {
			aerr.Param = prefix + "[quantity]"
			return nil, aerr
		}
		amt, hasAmt, aerr := h.integer("amount")
		if aerr != nil {
			aerr.Param = prefix + "[amount]"
			return nil, aerr
		}
		switch typ {
		case "invoice_line_item":
			id, _, _ := h.str("invoice_line_item")
			var l *lineItem
			for _, x := range inv.Lines.Data {
				if x.ID == id {
					l = x
				}
			}
			if l == nil {
				return nil, invalidParam(prefix+"[invoice_line_item]", "No such invoice line item: '%s' on invoice %s", id, inv.ID)
			}
			if hasQty == hasAmt {
				return nil, invalidParam(prefix, "Pass exactly one of quantity or amount for an invoice_line_item line.")
			}
			var gross int64
			if hasQty {
				if qty < 1 || qty > l.Quantity {
					return nil, invalidParam(prefix+"[quantity]", "quantity must be between 1 and the line's quantity (%d).", l.Quantity)
				}
				gross = mulDivRound(l.Amount, qty, max(l.Quantity, 1))
			} else {
				if amt < 1 {
					return nil, invalidParam(prefix+"[amount]", "Invalid amount: must be a positive integer")
				}
				gross = amt
			}
			if l.Amount <= 0 {
				return nil, invalidParam(prefix+"[invoice_line_item]", "Invoice line %s has nothing to credit.", l.ID)
			}
			if credited[l.ID]+gross > l.Amount {
				return nil, invalidParam(prefix, "The credit for line %s (%s) exceeds what is left to credit on it (%s).",
					l.ID, formatAmount(gross, inv.Currency), formatAmount(l.Amount-credited[l.ID], inv.Currency))
			}
			credited[l.ID] += gross
			out = append(out, creditInvoiceLine(inv, l, gross, qty, hasQty))
		case "custom_line_item":
			unit, ok, aerr := h.integer("unit_amount")
			if aerr != nil {
				return nil, aerr
			}
			if !ok || unit < 1 {
				return nil, missingParam(prefix + "[unit_amount]")
			}
			if !hasQty {
				qty = 1
			}
			if qty < 1 {
				return nil, invalidParam(prefix+"[quantity]", "Invalid quantity: must be a positive integer")
			}
			desc, ok, _ := h.str("description")
			if !ok || desc == "" {
				return nil, missingParam(prefix + "[description]")
			}
			var rates []*taxRate
			if ids, ok, aerr := h.list("tax_rates"); aerr != nil {
				return nil, aerr
			} else if ok {
				if rates, aerr = c.loadTaxRates(ids, prefix+"[tax_rates]"); aerr != nil {
					return nil, aerr
				}
			}
			out = append(out, customCredit(unit, qty, &desc, rates))
		default:
			return nil, invalidParam(prefix+"[type]", "Invalid type: must be one of custom_line_item or invoice_line_item")
		}
	}
	return out, nil
}

// createCreditNote implements POST /v1/credit_notes.
func (s *Server) createCreditNote(c *call) (any, *apiError) {
	p := c.p
	if aerr := p.allow("", "invoice", "lines", "amount", "credit_amount", "refund_amount", "out_of_band_amount",
		"reason", "memo", "metadata", "effective_at", "expand"); aerr != nil {
		return nil, aerr
	}
	invID, ok, aerr := p.str("invoice")
	if aerr != nil {
		return nil, aerr
	}
	if !ok || invID == "" {
		return nil, missingParam("invoice")
	}
	inv, aerr := c.loadInvoice(invID, "invoice")
	if aerr != nil {
		return nil, aerr
	}
	if inv.Status != "open" && inv.Status != "paid" {
		return nil, invalidParam("invoice", "You can only create credit notes on open or paid invoices; invoice %s is %s.", inv.ID, inv.Status)
	}
	cu, aerr := c.loadCustomer(inv.Customer, "customer")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, aerr
	}
	lines, aerr := c.noteLines(inv)
	if aerr != nil {
		return nil, aerr
	}
	now := c.now()
	cn := &creditNote{ID: newID("cn"), Object: "credit_note", Created: now, Currency: inv.Currency, Customer: inv.Customer,
		DiscountAmounts: []discountAmount{}, EffectiveAt: &now, Invoice: inv.ID, Metadata: map[string]string{},
		Status: "issued", TaxAmounts: []taxAmount{}}
	cn.PDF = "https://pay.stripe.com/credit_notes/sandbox/" + cn.ID + "/pdf"
	cn.Lines = creditNoteLineList{Object: "list", Data: []*creditNoteLine{}, URL: "/v1/credit_notes/" + cn.ID + "/lines"}
	var invoiceOff, incl, excl int64
	byDiscount, byRate := map[string]int64{}, map[string]*taxAmount{}
	var dOrder, rOrder []string
	for _, cl := range lines {
		l := cl.line
		cn.Lines.Data = append(cn.Lines.Data, l)
		cn.Subtotal += l.Amount - cl.lineLevelOff
		cn.DiscountAmount += l.DiscountAmount
		invoiceOff += cl.invoiceLevelOff
		incl += cl.inclusiveTax
		excl += cl.exclusiveTax
		for _, da := range l.DiscountAmounts {
			if _, ok := byDiscount[da.Discount]; !ok {
				dOrder = append(dOrder, da.Discount)
			}
			byDiscount[da.Discount] += da.Amount
		}
		for _, ta := range l.TaxAmounts {
			t, ok := byRate[ta.TaxRate]
			if !ok {
				t = &taxAmount{Inclusive: ta.Inclusive, TaxRate: ta.TaxRate}
				byRate[ta.TaxRate] = t
				rOrder = append(rOrder, ta.TaxRate)
			}
			t.Amount += ta.Amount
			t.TaxableAmount += ta.TaxableAmount
		}
	}
	for _, id := range dOrder {
		cn.DiscountAmounts = append(cn.DiscountAmounts, discountAmount{Amount: byDiscount[id], Discount: id})
	}
	for _, id := range rOrder {
		cn.TaxAmounts = append(cn.TaxAmounts, *byRate[id])
	}
	cn.Lines.TotalCount = int64(len(cn.Lines.Data))
	cn.SubtotalExcludingTax = cn.Subtotal - incl
	cn.Total = cn.Subtotal - invoiceOff + excl
	cn.TotalExcludingTax = cn.Subtotal - invoiceOff - incl
	cn.Amount = cn.Total
	if cn.Total <= 0 {
		return nil, invalidParam("lines", "The credit note total must be positive.")
	}
	if v, ok, aerr := p.str("reason"); aerr != nil {
		return nil, aerr
	} else if ok && v != "" {
		if !creditNoteReasons[v] {
			return nil, invalidParam("reason", "Invalid reason: must be one of duplicate, fraudulent, order_change, or product_unsatisfactory")
		}
		cn.Reason = &v
	}
	if aerr := setStrings(p, "", map[string]**string{"memo": &cn.Memo}); aerr != nil {
		return nil, aerr
	}
	if v, ok, aerr := p.integer("effective_at"); aerr != nil {
		return nil, aerr
	} else if ok {
		cn.EffectiveAt = &v
	}
	md, _, aerr := applyMetadata(p, nil)
	if aerr != nil {
		return nil, aerr
	}
	cn.Metadata = md
	prior, aerr := c.invoiceNotes(inv.ID)
	if aerr != nil {
		return nil, aerr
	}
	cn.Number = fmt.Sprintf("%s-CN-%02d", deref(inv.Number), len(prior)+1)
	before := *inv
	if inv.Status == "open" {
		if aerr := c.prePaymentNote(cn, inv); aerr != nil {
			return nil, aerr
		}
	} else if aerr := c.postPaymentNote(cn, inv, cu); aerr != nil {
		return nil, aerr
	}
	if aerr := c.save(creditNoteRow(cn), cn); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evCreditNoteCreated, cn, nil); aerr != nil {
		return nil, aerr
	}
	if aerr := c.storeUpdate(invoiceRow(inv), &before, inv, evInvoiceUpdated, nil); aerr != nil {
		return nil, aerr
	}
	if inv.Status == "open" && inv.AmountDue == 0 {
		if aerr := c.settleByCredit(inv); aerr != nil {
			return nil, aerr
		}
	}
	return c.renderValue(cn, "credit_note")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// prePaymentNote applies a credit note to an open invoice: it lowers
// amount_due (and the invoice's PaymentIntent).
func (c *call) prePaymentNote(cn *creditNote, inv *invoice) *apiError {
	for _, name := range []string{"refund_amount", "credit_amount", "out_of_band_amount"} {
		if c.p.has(name) {
			return invalidParam(name, "%s can only be used on a paid invoice (post-payment credit note).", name)
		}
	}
	if cn.Total > inv.AmountRemaining {
		return invalidParam("lines", "The credit note total (%s) exceeds the invoice's amount_remaining (%s).",
			formatAmount(cn.Total, inv.Currency), formatAmount(inv.AmountRemaining, inv.Currency))
	}
	cn.Type = "pre_payment"
	inv.PrePaymentCreditNotesAmount += cn.Total
	if aerr := c.recompute(inv); aerr != nil {
		return aerr
	}
	if inv.PaymentIntent != nil && inv.AmountDue > 0 {
		pi, aerr := c.loadIntent(*inv.PaymentIntent, "payment_intent")
		if aerr != nil {
			return aerr
		}
		pi.Amount = inv.AmountDue
		if aerr := c.save(paymentIntentRow(pi), pi); aerr != nil {
			return aerr
		}
	}
	return nil
}

// settleByCredit marks an open invoice paid once credit notes cover it,
// canceling its PaymentIntent.
func (c *call) settleByCredit(inv *invoice) *apiError {
	if inv.PaymentIntent != nil {
		if pi, aerr := c.loadIntent(*inv.PaymentIntent, "payment_intent"); aerr == nil && pi.Status != "succeeded" && pi.Status != "canceled" {
			if aerr := c.cancelIntent(pi, nil); aerr != nil {
				return aerr
			}
		}
	}
	return c.markInvoicePaid(inv, nil, false)
}

// postPaymentNote applies a credit note to a paid invoice: refund_amount +
// credit_amount + out_of_band_amount must equal the total.
func (c *call) postPaymentNote(cn *creditNote, inv *invoice, cu *customer) *apiError {
	var parts [3]int64
	for i, name := range []string{"refund_amount", "credit_amount", "out_of_band_amount"} {
		v, ok, aerr := c.p.integer(name)
		if aerr != nil {
			return aerr
		}
		if ok && v < 0 {
			return invalidParam(name, "Invalid %s: must be a non-negative integer", name)
		}
		parts[i] = v
	}
	refundAmt, creditAmt, oob := parts[0], parts[1], parts[2]
	if refundAmt+creditAmt+oob != cn.Total {
		return invalidParam("out_of_band_amount", "For a paid invoice the sum of refund_amount, credit_amount and out_of_band_amount (%s) must equal the credit note total (%s).",
			formatAmount(refundAmt+creditAmt+oob, inv.Currency), formatAmount(cn.Total, inv.Currency))
	}
	if c.p.has("out_of_band_amount") {
		cn.OutOfBandAmount = &oob
	}
	if paid := inv.AmountPaid - inv.PostPaymentCreditNotesAmount; cn.Total > paid {
		return invalidParam("lines", "The credit note total (%s) exceeds what is left of the invoice's payment (%s).",
			formatAmount(cn.Total, inv.Currency), formatAmount(paid, inv.Currency))
	}
	cn.Type = "post_payment"
	if refundAmt > 0 {
		if inv.Charge == nil {
			return invalidParam("refund_amount", "Invoice %s was not paid by a charge; nothing can be refunded.", inv.ID)
		}
		ch, chBT, aerr := c.chargeAndBT(*inv.Charge, "invoice")
		if aerr != nil {
			return aerr
		}
		if ch.Status != "succeeded" || chBT == nil || refundAmt > c.s.capturedTotal(ch)-ch.AmountRefunded {
			return invalidParam("refund_amount", "refund_amount (%s) is greater than what is left to refund on charge %s.",
				formatAmount(refundAmt, inv.Currency), ch.ID)
		}
		var reason *string
		if cn.Reason != nil && (*cn.Reason == "duplicate" || *cn.Reason == "fraudulent") {
			reason = cn.Reason
		} else if cn.Reason != nil {
			reason = strPtr("requested_by_customer")
		}
		re, aerr := c.refundCharge(ch, chBT, refundAmt, reason, map[string]string{})
		if aerr != nil {
			return aerr
		}
		cn.Refund = &re.ID
	}
	if creditAmt > 0 {
		prev := cu.Balance
		cu.Balance -= creditAmt
		if aerr := c.save(customerRow(cu), cu); aerr != nil {
			return aerr
		}
		if aerr := c.emit(evCustomerUpdated, cu, map[string]any{"balance": prev}); aerr != nil {
			return aerr
		}
	}
	inv.PostPaymentCreditNotesAmount += cn.Total
	return nil
}

// voidCreditNote implements POST /v1/credit_notes/{id}/void: a credit note
// with a refund cannot be voided (the money is gone); otherwise its effect
// on the invoice and the customer's balance is reversed.
func (s *Server) voidCreditNote(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("credit_note")
	if aerr != nil {
		return nil, aerr
	}
	var cn creditNote
	if aerr := decodeRow(r, &cn); aerr != nil {
		return nil, aerr
	}
	if cn.Status != "issued" {
		return nil, invalidParam("", "Credit note %s is already void.", cn.ID)
	}
	if cn.Refund != nil {
		return nil, invalidParam("", "Credit note %s created a refund and cannot be voided.", cn.ID)
	}
	inv, aerr := c.loadInvoice(cn.Invoice, "invoice")
	if aerr != nil {
		return nil, aerr
	}
	cu, aerr := c.loadCustomer(cn.Customer, "customer")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, aerr
	}
	before := *inv
	if cn.Type == "pre_payment" {
		if inv.Status != "open" {
			return nil, invalidParam("", "Credit note %s cannot be voided: invoice %s is %s.", cn.ID, inv.ID, inv.Status)
		}
		inv.PrePaymentCreditNotesAmount -= cn.Total
		if aerr := c.recompute(inv); aerr != nil {
			return nil, aerr
		}
		if inv.PaymentIntent != nil {
			if pi, aerr := c.loadIntent(*inv.PaymentIntent, "payment_intent"); aerr == nil {
				pi.Amount = inv.AmountDue
				if aerr := c.save(paymentIntentRow(pi), pi); aerr != nil {
					return nil, aerr
				}
			}
		}
	} else {
		inv.PostPaymentCreditNotesAmount -= cn.Total
		if credit := cn.Total - deref64(cn.OutOfBandAmount); credit > 0 {
			prev := cu.Balance
			cu.Balance += credit
			if aerr := c.save(customerRow(cu), cu); aerr != nil {
				return nil, aerr
			}
			if aerr := c.emit(evCustomerUpdated, cu, map[string]any{"balance": prev}); aerr != nil {
				return nil, aerr
			}
		}
	}
	now := c.now()
	cn.Status, cn.VoidedAt = "void", &now
	if aerr := c.save(creditNoteRow(&cn), &cn); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evCreditNoteVoided, &cn, map[string]any{"status": "issued", "voided_at": nil}); aerr != nil {
		return nil, aerr
	}
	if aerr := c.storeUpdate(invoiceRow(inv), &before, inv, evInvoiceUpdated, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(&cn, "credit_note")
}

func deref64(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}

func (s *Server) updateCreditNote(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "memo", "metadata", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("credit_note")
	if aerr != nil {
		return nil, aerr
	}
	var cn creditNote
	if aerr := decodeRow(r, &cn); aerr != nil {
		return nil, aerr
	}
	before := cn
	if aerr := setStrings(c.p, "", map[string]**string{"memo": &cn.Memo}); aerr != nil {
		return nil, aerr
	}
	md, _, aerr := applyMetadata(c.p, cn.Metadata)
	if aerr != nil {
		return nil, aerr
	}
	cn.Metadata = md
	return c.saveUpdate(creditNoteRow(&cn), &before, &cn, evCreditNoteUpdated, "credit_note", nil)
}

func (s *Server) getCreditNote(c *call) (any, *apiError) { return c.getAndRender("credit_note") }

func (s *Server) listCreditNotes(c *call) (any, *apiError) {
	return c.list("credit_note", "/v1/credit_notes", map[string]string{"invoice": "source", "customer": "customer"})
}

func (s *Server) listCreditNoteLines(c *call) (any, *apiError) {
	r, aerr := c.load("credit_note")
	if aerr != nil {
		return nil, aerr
	}
	var cn creditNote
	if aerr := decodeRow(r, &cn); aerr != nil {
		return nil, aerr
	}
	items := make([]embedded, len(cn.Lines.Data))
	for i, l := range cn.Lines.Data {
		items[i] = embedded{ID: l.ID, Value: l}
	}
	return c.pageEmbedded(items, "credit_note_line_item", cn.Lines.URL)
}
