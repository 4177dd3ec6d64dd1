package stripesandbox

import (
	"fmt"
	"net/http"
	"strings"
)

// Invoices: POST/GET /v1/invoices[/{id}], DELETE (drafts), POST
// /v1/invoices/{id}/finalize|pay|void|mark_uncollectible, GET
// /v1/invoices/{id}/lines. collection_method is charge_automatically.
// Amounts follow invoicemath.go; see doc.go for the lifecycle.

const (
	evInvoiceCreated             = "invoice.created"
	evInvoiceUpdated             = "invoice.updated"
	evInvoiceDeleted             = "invoice.deleted"
	evInvoiceFinalized           = "invoice.finalized"
	evInvoicePaid                = "invoice.paid"
	evInvoicePaymentSucceeded    = "invoice.payment_succeeded"
	evInvoicePaymentFailed       = "invoice.payment_failed"
	evInvoiceVoided              = "invoice.voided"
	evInvoiceMarkedUncollectible = "invoice.marked_uncollectible"
)

// accountName and accountCountry describe the sandbox's Stripe account.
const (
	accountName    = "LedgerBridge Sandbox"
	accountCountry = "US"
)

func invoiceRow(inv *invoice) row {
	r := row{ID: inv.ID, Type: "invoice", Created: inv.Created, Customer: inv.Customer, Currency: inv.Currency, Kind: inv.Status}
	if inv.Subscription != nil {
		r.Source = *inv.Subscription
	}
	return r
}

// loadInvoice loads an invoice named by param.
func (c *call) loadInvoice(id, param string) (*invoice, *apiError) {
	var inv invoice
	if aerr := c.loadRef(id, "invoice", param, &inv); aerr != nil {
		return nil, aerr
	}
	return &inv, nil
}

// urlInvoice loads the invoice in the URL (404 when absent).
func (c *call) urlInvoice() (*invoice, *apiError) {
	r, aerr := c.load("invoice")
	if aerr != nil {
		return nil, aerr
	}
	var inv invoice
	if aerr := decodeRow(r, &inv); aerr != nil {
		return nil, aerr
	}
	return &inv, nil
}

// newInvoice returns an empty draft for a customer, dated now (the call's
// clock).
func (c *call) newInvoice(cu *customer, currency, reason string) *invoice {
	now := c.now()
	inv := &invoice{ID: newID("in"), Object: "invoice", AccountCountry: accountCountry, AccountName: accountName,
		AutoAdvance: false, BillingReason: reason, CollectionMethod: "charge_automatically", Created: now,
		Currency: currency, Customer: cu.ID, CustomerAddress: cu.Address, CustomerEmail: cu.Email, CustomerName: cu.Name,
		CustomerPhone: cu.Phone, CustomerTaxExempt: cu.TaxExempt, CustomerTaxIDs: []any{}, DefaultTaxRates: []*taxRate{},
		Discounts: []string{}, Footer: cu.InvoiceSettings.Footer, Issuer: invoiceIssuer{Type: "self"},
		Metadata: map[string]string{}, PaymentSettings: paymentSettings{}, PeriodEnd: now, PeriodStart: now,
		StartingBalance: cu.Balance, Status: "draft", TestClock: cu.TestClock,
		TotalDiscountAmounts: []discountAmount{}, TotalTaxAmounts: []taxAmount{}}
	inv.Lines = lineList{Object: "list", Data: []*lineItem{}, URL: "/v1/invoices/" + inv.ID + "/lines"}
	return inv
}

// lineFromItem is the invoice line of an invoice item.
func lineFromItem(ii *invoiceItem, invID string) *lineItem {
	l := &lineItem{ID: newID("il"), Object: "line_item", Amount: ii.Amount, Currency: ii.Currency,
		Description: ii.Description, DiscountAmounts: []discountAmount{}, Discountable: ii.Discountable,
		Discounts: append([]string{}, ii.Discounts...), Invoice: invID, InvoiceItem: &ii.ID,
		Metadata: copyMap(ii.Metadata), Period: ii.Period, Plan: ii.Plan, Price: ii.Price, Proration: ii.Proration,
		Quantity: ii.Quantity, Subscription: ii.Subscription, SubscriptionItem: ii.SubscriptionItem,
		TaxAmounts: []taxAmount{}, TaxRates: ii.TaxRates, Type: "invoiceitem"}
	if ii.Proration {
		l.ProrationDetails.CreditedItems = ii.Credited
	}
	if l.TaxRates == nil {
		l.TaxRates = []*taxRate{}
	}
	return l
}

// takeItems attaches pending invoice items to a draft invoice: newest
// first, as Stripe lists pending items on an invoice.
func (c *call) takeItems(inv *invoice, items []*invoiceItem) *apiError {
	for i := len(items) - 1; i >= 0; i-- {
		ii := items[i]
		if ii.Currency != inv.Currency {
			return invalidParam("currency", "Pending invoice item %s is in %s, not %s.", ii.ID, ii.Currency, inv.Currency)
		}
		ii.Invoice = &inv.ID
		if aerr := c.save(invoiceItemRow(ii), ii); aerr != nil {
			return aerr
		}
		inv.Lines.Data = append(inv.Lines.Data, lineFromItem(ii, inv.ID))
	}
	return nil
}

// recompute refreshes every computed amount of an invoice from its lines,
// discounts and tax rates (invoicemath.go).
func (c *call) recompute(inv *invoice) *apiError {
	calc := make([]calcLine, len(inv.Lines.Data))
	cache := map[string]*discount{}
	loadD := func(id string) (*discount, *apiError) {
		if d, ok := cache[id]; ok {
			return d, nil
		}
		d, aerr := c.loadDiscount(id, "discounts")
		if aerr != nil {
			return nil, aerr
		}
		cache[id] = d
		return d, nil
	}
	for i, l := range inv.Lines.Data {
		cl := calcLine{Amount: l.Amount, Quantity: l.Quantity, Discountable: l.Discountable, TaxRates: l.TaxRates}
		if len(cl.TaxRates) == 0 {
			cl.TaxRates = inv.DefaultTaxRates
		}
		for _, id := range l.Discounts {
			d, aerr := loadD(id)
			if aerr != nil {
				return aerr
			}
			cl.LineDiscounts = append(cl.LineDiscounts, d)
		}
		calc[i] = cl
	}
	var invDiscounts []*discount
	for _, id := range inv.Discounts {
		d, aerr := loadD(id)
		if aerr != nil {
			return aerr
		}
		invDiscounts = append(invDiscounts, d)
	}
	res := computeTotals(calc, invDiscounts)
	for i, l := range inv.Lines.Data {
		lr := res.Lines[i]
		l.DiscountAmounts, l.TaxAmounts = lr.DiscountAmounts, lr.TaxAmounts
		l.AmountExcludingTax, l.UnitAmountExcludingTax = lr.AmountExcludingTax, lr.UnitAmountExcludingTax
	}
	inv.Lines.TotalCount = int64(len(inv.Lines.Data))
	inv.Lines.HasMore = false
	inv.Subtotal, inv.SubtotalExcludingTax, inv.Tax = res.Subtotal, res.SubtotalExcludingTax, res.Tax
	inv.Total, inv.TotalExcludingTax = res.Total, res.TotalExcludingTax
	inv.TotalDiscountAmounts, inv.TotalTaxAmounts = res.TotalDiscountAmounts, res.TotalTaxAmounts
	inv.Discount = nil
	if len(invDiscounts) == 1 {
		inv.Discount = invDiscounts[0]
	}
	inv.AmountDue = max(0, inv.Total+inv.StartingBalance-inv.PrePaymentCreditNotesAmount)
	inv.AmountRemaining = max(0, inv.AmountDue-inv.AmountPaid)
	if inv.Status == "paid" || inv.Status == "void" {
		inv.AmountRemaining = 0
	}
	return nil
}

var invoiceCreateParams = []string{"customer", "auto_advance", "collection_method", "currency", "default_payment_method",
	"default_tax_rates", "description", "discounts", "footer", "metadata", "pending_invoice_items_behavior",
	"subscription", "statement_descriptor", "expand"}

// createInvoice implements POST /v1/invoices: a draft for a customer. With
// the 2023-10-16 default pending_invoice_items_behavior=exclude it takes no
// pending items (add items with invoice=in_…); include takes the customer's
// pending items without subscription; subscription=sub_… takes that
// subscription's pending items (prorations).
func (s *Server) createInvoice(c *call) (any, *apiError) {
	p := c.p
	if aerr := p.allow("", invoiceCreateParams...); aerr != nil {
		return nil, aerr
	}
	cusID, ok, aerr := p.str("customer")
	if aerr != nil {
		return nil, aerr
	}
	var sub *subscription
	if id, ok2, aerr := p.str("subscription"); aerr != nil {
		return nil, aerr
	} else if ok2 && id != "" {
		if sub, aerr = c.loadSubscription(id, "subscription"); aerr != nil {
			return nil, aerr
		}
		if cusID == "" {
			cusID, ok = sub.Customer, true
		}
	}
	if !ok || cusID == "" {
		return nil, missingParam("customer")
	}
	cu, aerr := c.loadCustomer(cusID, "customer")
	if aerr != nil {
		return nil, aerr
	}
	if sub != nil && sub.Customer != cu.ID {
		return nil, invalidParam("subscription", "The subscription %s belongs to another customer.", sub.ID)
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, aerr
	}
	if v, ok, _ := p.str("collection_method"); ok && v != "charge_automatically" {
		return nil, invalidParam("collection_method", "The sandbox supports collection_method=charge_automatically only.")
	}
	behavior := "exclude"
	if v, ok, aerr := p.str("pending_invoice_items_behavior"); aerr != nil {
		return nil, aerr
	} else if ok {
		if v != "include" && v != "exclude" {
			return nil, invalidParam("pending_invoice_items_behavior", "Invalid pending_invoice_items_behavior: must be one of exclude or include")
		}
		behavior = v
	}
	var items []*invoiceItem
	switch {
	case sub != nil:
		if items, aerr = c.pendingItems(cu.ID, sub.ID); aerr != nil {
			return nil, aerr
		}
	case behavior == "include":
		if items, aerr = c.pendingItems(cu.ID, ""); aerr != nil {
			return nil, aerr
		}
	}
	currency := ""
	if v, ok, aerr := p.str("currency"); aerr != nil {
		return nil, aerr
	} else if ok && v != "" {
		currency = strings.ToLower(v)
	}
	switch {
	case currency != "":
	case sub != nil:
		currency = sub.Currency
	case len(items) > 0:
		currency = items[0].Currency
	case cu.Currency != nil:
		currency = *cu.Currency
	default:
		currency = "usd"
	}
	if aerr := billingCurrency(currency, "currency"); aerr != nil {
		return nil, aerr
	}
	if cu.Currency != nil && *cu.Currency != currency {
		return nil, invalidParam("currency", "The customer is billed in %s; this invoice would be in %s.", *cu.Currency, currency)
	}
	// Invoices created through the API are "manual" even for a
	// subscription ("subscription" is a retired reason).
	inv := c.newInvoice(cu, currency, "manual")
	if sub != nil {
		inv.Subscription = &sub.ID
		inv.SubscriptionDetails = &subscriptionDetails{Metadata: copyMap(sub.Metadata)}
		inv.DefaultTaxRates = sub.DefaultTaxRates
		inv.DefaultPaymentMethod = sub.DefaultPaymentMethod
	}
	if aerr := c.applyInvoiceParams(inv, cu); aerr != nil {
		return nil, aerr
	}
	if aerr := c.takeItems(inv, items); aerr != nil {
		return nil, aerr
	}
	if aerr := c.recompute(inv); aerr != nil {
		return nil, aerr
	}
	if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evInvoiceCreated, inv, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(inv, "invoice")
}

// applyInvoiceParams applies the parameters a draft can take on create and
// update: auto_advance, default_payment_method, default_tax_rates,
// description, discounts, footer, metadata, statement_descriptor.
func (c *call) applyInvoiceParams(inv *invoice, cu *customer) *apiError {
	p := c.p
	if v, ok, aerr := p.boolean("auto_advance"); aerr != nil {
		return aerr
	} else if ok {
		inv.AutoAdvance = v
	}
	if aerr := setStrings(p, "", map[string]**string{"description": &inv.Description, "footer": &inv.Footer,
		"statement_descriptor": &inv.StatementDescriptor}); aerr != nil {
		return aerr
	}
	if v, ok, aerr := p.str("default_payment_method"); aerr != nil {
		return aerr
	} else if ok && v == "" {
		inv.DefaultPaymentMethod = nil
	} else if ok {
		pm, aerr := c.customerPaymentMethod(v, cu.ID, "default_payment_method")
		if aerr != nil {
			return aerr
		}
		inv.DefaultPaymentMethod = &pm.ID
	}
	if ids, ok, aerr := p.list("default_tax_rates"); aerr != nil {
		return aerr
	} else if ok {
		rates, aerr := c.loadTaxRates(ids, "default_tax_rates")
		if aerr != nil {
			return aerr
		}
		inv.DefaultTaxRates = rates
	}
	ds, sent, aerr := c.discountsParam(discountScope{Customer: &cu.ID, Invoice: &inv.ID}, inv.Currency, false)
	if aerr != nil {
		return aerr
	}
	if sent {
		inv.Discounts = discountIDs(ds)
	}
	md, _, aerr := applyMetadata(p, inv.Metadata)
	if aerr != nil {
		return aerr
	}
	inv.Metadata = md
	return nil
}

// updateInvoice implements POST /v1/invoices/{id}: any field of a draft,
// only metadata and description once finalized.
func (s *Server) updateInvoice(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "auto_advance", "default_payment_method", "default_tax_rates", "description",
		"discounts", "footer", "metadata", "statement_descriptor", "expand"); aerr != nil {
		return nil, aerr
	}
	inv, aerr := c.urlInvoice()
	if aerr != nil {
		return nil, aerr
	}
	if inv.Status != "draft" {
		for k := range c.p {
			if k != "metadata" && k != "description" && k != "expand" && k != "auto_advance" {
				return nil, invalidParam(k, "You can only update %s on a draft invoice; invoice %s is %s.", k, inv.ID, inv.Status)
			}
		}
	}
	cu, aerr := c.loadCustomer(inv.Customer, "customer")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, aerr
	}
	before := *inv
	if aerr := c.applyInvoiceParams(inv, cu); aerr != nil {
		return nil, aerr
	}
	if inv.Status == "draft" {
		if aerr := c.recompute(inv); aerr != nil {
			return nil, aerr
		}
	}
	return c.saveUpdate(invoiceRow(inv), &before, inv, evInvoiceUpdated, "invoice", nil)
}

// invoiceIntent creates the PaymentIntent that collects an open invoice.
func (c *call) invoiceIntent(inv *invoice) (*paymentIntent, *apiError) {
	pi := &paymentIntent{ID: newID("pi"), Object: "payment_intent", Amount: inv.AmountDue, CaptureMethod: "automatic",
		ConfirmationMethod: "automatic", Created: c.now(), Currency: inv.Currency, Customer: &inv.Customer,
		Invoice: &inv.ID, Metadata: map[string]string{}, PaymentMethodTypes: []string{"card"},
		Status: "requires_payment_method"}
	pi.ClientSecret = pi.ID + "_secret_" + randomString(25)
	switch inv.BillingReason {
	case "subscription_create":
		pi.Description = strPtr("Subscription creation")
	case "subscription_cycle", "subscription_update":
		pi.Description = strPtr("Subscription update")
	}
	if aerr := c.save(paymentIntentRow(pi), pi); aerr != nil {
		return nil, aerr
	}
	return pi, c.emit(evPaymentIntentCreated, pi, nil)
}

// finalize turns a draft into an open invoice: applies the customer's
// balance, numbers it, creates its PaymentIntent and emits
// invoice.finalized. An invoice with nothing to collect is paid at once.
func (c *call) finalize(inv *invoice, cu *customer) *apiError {
	if inv.Status != "draft" {
		return invalidParamCode("invoice_not_editable", "", "This invoice is already finalized, you can't re-finalize a non-draft invoice.")
	}
	now := c.now()
	if aerr := c.setCustomerCurrency(cu, inv.Currency, "currency"); aerr != nil {
		return aerr
	}
	inv.StartingBalance = cu.Balance
	if aerr := c.recompute(inv); aerr != nil {
		return aerr
	}
	due := inv.Total + inv.StartingBalance
	ending := int64(0)
	small := false
	if due < 0 {
		ending = due
	} else if min, ok := minChargeAmounts[inv.Currency]; ok && due > 0 && due < min {
		// Below Stripe's minimum charge: marked paid, the amount is carried
		// on the customer's balance to the next invoice.
		ending, small = due, true
	}
	inv.EndingBalance = &ending
	prevBalance := cu.Balance
	cu.Balance = ending
	num := fmt.Sprintf("%s-%04d", cu.InvoicePrefix, cu.NextInvoiceSeq)
	cu.NextInvoiceSeq++
	if aerr := c.save(customerRow(cu), cu); aerr != nil {
		return aerr
	}
	if prevBalance != ending {
		if aerr := c.emit(evCustomerUpdated, cu, map[string]any{"balance": prevBalance}); aerr != nil {
			return aerr
		}
	}
	inv.Number = &num
	inv.Status = "open"
	inv.StatusTransitions.FinalizedAt, inv.EffectiveAt, inv.WebhooksDeliveredAt = &now, &now, &now
	inv.CustomerAddress, inv.CustomerEmail, inv.CustomerName, inv.CustomerPhone = cu.Address, cu.Email, cu.Name, cu.Phone
	inv.HostedInvoiceURL = strPtr("https://invoice.stripe.com/i/sandbox/" + inv.ID)
	inv.InvoicePDF = strPtr("https://pay.stripe.com/invoice/sandbox/" + inv.ID + "/pdf")
	if small {
		inv.AmountDue, inv.AmountRemaining = 0, 0
	}
	if inv.AmountDue > 0 {
		pi, aerr := c.invoiceIntent(inv)
		if aerr != nil {
			return aerr
		}
		inv.PaymentIntent = &pi.ID
	}
	if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
		return aerr
	}
	if aerr := c.emit(evInvoiceFinalized, inv, nil); aerr != nil {
		return aerr
	}
	if inv.AmountDue == 0 {
		return c.markInvoicePaid(inv, nil, false)
	}
	return nil
}

// markInvoicePaid records a successful collection (charge nil: nothing to
// collect, or paid out of band) and emits invoice.paid and
// invoice.payment_succeeded.
func (c *call) markInvoicePaid(inv *invoice, ch *charge, outOfBand bool) *apiError {
	now := c.now()
	inv.Status, inv.Paid, inv.PaidOutOfBand = "paid", true, outOfBand
	inv.AmountPaid, inv.AmountRemaining = inv.AmountDue, 0
	inv.StatusTransitions.PaidAt, inv.NextPaymentAttempt = &now, nil
	if ch != nil {
		inv.Charge = &ch.ID
	}
	if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
		return aerr
	}
	if aerr := c.emit(evInvoicePaid, inv, nil); aerr != nil {
		return aerr
	}
	if aerr := c.emit(evInvoicePaymentSucceeded, inv, nil); aerr != nil {
		return aerr
	}
	return c.afterInvoicePayment(inv, true)
}

// noPaymentMethodMessage is Stripe's answer when nothing can pay an invoice.
const noPaymentMethodMessage = "This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority."

func noPaymentMethod() *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "invalid_request_error", Message: noPaymentMethodMessage}
}

// collect attempts to pay an open invoice with pmID ("" = the default:
// invoice, then subscription, then customer invoice_settings). A decline is
// recorded (attempt_count, charge, invoice.payment_failed) and returned as
// the 402 card_error; callers collecting automatically ignore it.
func (c *call) collect(inv *invoice, cu *customer, pmID string) *apiError {
	var pm *paymentMethod
	var card testCard
	var aerr *apiError
	if pmID != "" {
		if _, isToken := testCards[pmID]; isToken {
			pm, aerr = c.attachPaymentMethod(pmID, cu.ID, "payment_method")
		} else {
			pm, aerr = c.customerPaymentMethod(pmID, cu.ID, "payment_method")
		}
		if aerr != nil {
			return aerr
		}
	} else {
		def := inv.DefaultPaymentMethod
		if def == nil && inv.Subscription != nil {
			if sub, aerr := c.loadSubscription(*inv.Subscription, "subscription"); aerr == nil {
				def = sub.DefaultPaymentMethod
			}
		}
		if def == nil {
			def = cu.InvoiceSettings.DefaultPaymentMethod
		}
		if def == nil {
			return noPaymentMethod()
		}
		if pm, aerr = c.customerPaymentMethod(*def, cu.ID, "default_payment_method"); aerr != nil {
			return aerr
		}
	}
	_, card, aerr = c.resolvePaymentMethod(pm.ID)
	if aerr != nil {
		return aerr
	}
	if inv.PaymentIntent == nil {
		return internalError(fmt.Errorf("open invoice %s without payment intent", inv.ID))
	}
	pi, aerr := c.loadIntent(*inv.PaymentIntent, "payment_intent")
	if aerr != nil {
		return aerr
	}
	pi.Amount = inv.AmountRemaining
	pi.PaymentMethod = &pm.ID
	inv.Attempted = true
	inv.AttemptCount++
	cardErr := c.attemptCharge(pi, pm, card)
	if cardErr != nil && cardErr.Type != "card_error" {
		return cardErr
	}
	if pi.LatestCharge == nil {
		return internalError(fmt.Errorf("payment attempt without charge"))
	}
	ch, _, aerr := c.chargeAndBT(*pi.LatestCharge, "charge")
	if aerr != nil {
		return aerr
	}
	if cardErr == nil {
		return c.markInvoicePaid(inv, ch, false)
	}
	inv.Charge = &ch.ID
	if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
		return aerr
	}
	if aerr := c.emit(evInvoicePaymentFailed, inv, nil); aerr != nil {
		return aerr
	}
	if aerr := c.afterInvoicePayment(inv, false); aerr != nil {
		return aerr
	}
	return cardErr
}

func (s *Server) finalizeInvoice(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "auto_advance", "expand"); aerr != nil {
		return nil, aerr
	}
	inv, aerr := c.urlInvoice()
	if aerr != nil {
		return nil, aerr
	}
	cu, aerr := c.loadCustomer(inv.Customer, "customer")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, aerr
	}
	if v, ok, aerr := c.p.boolean("auto_advance"); aerr != nil {
		return nil, aerr
	} else if ok {
		inv.AutoAdvance = v
	}
	if aerr := c.finalize(inv, cu); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(inv, "invoice")
}

// payInvoice implements POST /v1/invoices/{id}/pay (a draft is finalized
// first): payment_method, or paid_out_of_band=true to mark it paid.
func (s *Server) payInvoice(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "payment_method", "paid_out_of_band", "off_session", "forgive", "expand"); aerr != nil {
		return nil, aerr
	}
	inv, aerr := c.urlInvoice()
	if aerr != nil {
		return nil, aerr
	}
	cu, aerr := c.loadCustomer(inv.Customer, "customer")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, aerr
	}
	for _, b := range []string{"off_session", "forgive"} {
		if _, _, aerr := c.p.boolean(b); aerr != nil {
			return nil, aerr
		}
	}
	oob, _, aerr := c.p.boolean("paid_out_of_band")
	if aerr != nil {
		return nil, aerr
	}
	pmID, _, aerr := c.p.str("payment_method")
	if aerr != nil {
		return nil, aerr
	}
	switch inv.Status {
	case "draft":
		if aerr := c.finalize(inv, cu); aerr != nil {
			return nil, aerr
		}
	case "open", "uncollectible":
	case "paid":
		return nil, invalidParamCode("invoice_already_paid", "", "Invoice is already paid")
	default:
		return nil, invalidParam("", "This invoice can no longer be paid: it is %s.", inv.Status)
	}
	if inv.Status == "paid" {
		return c.renderValue(inv, "invoice")
	}
	if oob {
		if inv.PaymentIntent != nil {
			if pi, aerr := c.loadIntent(*inv.PaymentIntent, "payment_intent"); aerr == nil && pi.Status != "succeeded" && pi.Status != "canceled" {
				if aerr := c.cancelIntent(pi, nil); aerr != nil {
					return nil, aerr
				}
			}
		}
		if aerr := c.markInvoicePaid(inv, nil, true); aerr != nil {
			return nil, aerr
		}
		return c.renderValue(inv, "invoice")
	}
	if aerr := c.collect(inv, cu, pmID); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(inv, "invoice")
}

func (s *Server) voidInvoice(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "expand"); aerr != nil {
		return nil, aerr
	}
	inv, aerr := c.urlInvoice()
	if aerr != nil {
		return nil, aerr
	}
	if inv.Status != "open" && inv.Status != "uncollectible" {
		return nil, invalidParam("", "You can only void open or uncollectible invoices; invoice %s is %s.", inv.ID, inv.Status)
	}
	cu, aerr := c.loadCustomer(inv.Customer, "customer")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, aerr
	}
	now := c.now()
	inv.Status, inv.AmountRemaining, inv.StatusTransitions.VoidedAt, inv.NextPaymentAttempt = "void", 0, &now, nil
	if inv.PaymentIntent != nil {
		if pi, aerr := c.loadIntent(*inv.PaymentIntent, "payment_intent"); aerr == nil && pi.Status != "succeeded" && pi.Status != "canceled" {
			if aerr := c.cancelIntent(pi, nil); aerr != nil {
				return nil, aerr
			}
		}
	}
	if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evInvoiceVoided, inv, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(inv, "invoice")
}

func (s *Server) markInvoiceUncollectible(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "expand"); aerr != nil {
		return nil, aerr
	}
	inv, aerr := c.urlInvoice()
	if aerr != nil {
		return nil, aerr
	}
	if inv.Status != "open" {
		return nil, invalidParam("", "You can only mark open invoices uncollectible; invoice %s is %s.", inv.ID, inv.Status)
	}
	cu, aerr := c.loadCustomer(inv.Customer, "customer")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.useClock(cu); aerr != nil {
		return nil, aerr
	}
	now := c.now()
	inv.Status, inv.StatusTransitions.MarkedUncollectibleAt = "uncollectible", &now
	if aerr := c.save(invoiceRow(inv), inv); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evInvoiceMarkedUncollectible, inv, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(inv, "invoice")
}

// deleteInvoice deletes a draft; its invoice items become pending again.
func (s *Server) deleteInvoice(c *call) (any, *apiError) {
	if aerr := c.p.allow(""); aerr != nil {
		return nil, aerr
	}
	inv, aerr := c.urlInvoice()
	if aerr != nil {
		return nil, aerr
	}
	if inv.Status != "draft" {
		return nil, invalidParam("", "You can only delete draft invoices; void invoice %s instead.", inv.ID)
	}
	for _, l := range inv.Lines.Data {
		if l.InvoiceItem == nil {
			continue
		}
		ii, aerr := c.loadInvoiceItem(*l.InvoiceItem, "invoice_item")
		if aerr != nil {
			continue
		}
		ii.Invoice = nil
		if aerr := c.save(invoiceItemRow(ii), ii); aerr != nil {
			return nil, aerr
		}
	}
	if _, err := c.q.ExecContext(c.ctx, `DELETE FROM objects WHERE id = ?`, inv.ID); err != nil {
		return nil, internalError(err)
	}
	if aerr := c.emit(evInvoiceDeleted, inv, nil); aerr != nil {
		return nil, aerr
	}
	return deletedObject{ID: inv.ID, Object: "invoice", Deleted: true}, nil
}

func (s *Server) getInvoice(c *call) (any, *apiError) { return c.getAndRender("invoice") }

func (s *Server) listInvoices(c *call) (any, *apiError) {
	if v, ok, _ := c.p.str("collection_method"); ok && v != "charge_automatically" {
		return listObject{Object: "list", Data: []any{}, URL: "/v1/invoices"}, nil
	}
	delete(c.p, "collection_method")
	return c.list("invoice", "/v1/invoices", map[string]string{"customer": "customer", "status": "kind",
		"subscription": "source"})
}

// listInvoiceLines implements GET /v1/invoices/{id}/lines.
func (s *Server) listInvoiceLines(c *call) (any, *apiError) {
	r, aerr := c.load("invoice")
	if aerr != nil {
		return nil, aerr
	}
	var inv invoice
	if aerr := decodeRow(r, &inv); aerr != nil {
		return nil, aerr
	}
	items := make([]embedded, len(inv.Lines.Data))
	for i, l := range inv.Lines.Data {
		items[i] = embedded{ID: l.ID, Value: l}
	}
	return c.pageEmbedded(items, "line_item", inv.Lines.URL)
}
