package activities

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
)

// ResolveCustomer finds or creates the ERP customer of a charge, in the seed's order: an operator
// correction, the ERP ID stored in Stripe metadata, the Stripe ID stored in the ERP (which also
// catches a customer this activity created before a crash), the email address, and finally a new
// customer carrying the Stripe ID so the next lookup finds it.
func (a *Activities) ResolveCustomer(ctx context.Context, in *ResolveCustomerInput) (*ResolveCustomerResult, error) {
	ch, c := in.Charge, in.Charge.Customer
	if id := in.Corrections.CustomerID; id != "" {
		cust, err := a.ERP.GetCustomer(ctx, id)
		if err != nil {
			return nil, erpError("get customer "+id, err)
		}
		if cust == nil {
			return nil, validation(fmt.Sprintf("corrected CustomerID %q does not exist in the ERP", id))
		}
		return &ResolveCustomerResult{CustomerID: cust.ID, How: "correction"}, nil
	}
	if id := firstNonEmpty(c.Metadata[MetaCustomerID], ch.Metadata[MetaCustomerID]); id != "" {
		cust, err := a.ERP.GetCustomer(ctx, id)
		if err != nil {
			return nil, erpError("get customer "+id, err)
		}
		if cust != nil && cust.Active {
			return &ResolveCustomerResult{CustomerID: cust.ID, How: "metadata"}, nil
		}
		a.log().Warn("Stripe metadata names an ERP customer that is missing or inactive; matching again",
			zap.String("charge", ch.ID), zap.String("erpCustomer", id))
	}
	if c.StripeID != "" {
		cust, err := a.ERP.FindCustomerByExternalRef(ctx, c.StripeID)
		if err != nil {
			return nil, erpError("find customer by Stripe ID", err)
		}
		if cust != nil {
			return &ResolveCustomerResult{CustomerID: cust.ID, How: "externalRef"}, nil
		}
	}
	if c.Email != "" {
		cust, err := a.ERP.FindCustomerByEmail(ctx, c.Email)
		if err != nil {
			return nil, erpError("find customer by email", err)
		}
		if cust != nil {
			if cust.ExternalRef == "" && c.StripeID != "" {
				// Record the cross-reference so the next charge matches by ID, not by email.
				cust.ExternalRef = c.StripeID
				if _, err := a.ERP.UpdateCustomer(ctx, *cust); err != nil {
					return nil, erpError("link customer "+cust.ID+" to "+c.StripeID, err)
				}
			}
			return &ResolveCustomerResult{CustomerID: cust.ID, How: "email"}, nil
		}
	}
	if c.StripeID == "" && c.Email == "" {
		return nil, validation(fmt.Sprintf("charge %s has no Stripe customer and no billing email to match an ERP customer; retry with corrections.customerId", ch.ID))
	}
	created, err := a.ERP.CreateCustomer(ctx, customerFromStripe(ch))
	if err != nil {
		return nil, erpError("create customer", err)
	}
	return &ResolveCustomerResult{CustomerID: created.ID, How: "created"}, nil
}

// customerFromStripe applies seed 001's customer mapping.
func customerFromStripe(ch *ChargeSnapshot) erp.Customer {
	c := ch.Customer
	return erp.Customer{
		Name:  firstNonEmpty(strings.TrimSpace(c.Name), c.Email),
		Email: c.Email, Phone: c.Phone,
		Address: erp.Address{Line1: c.Line1, Line2: c.Line2, City: c.City, State: c.State,
			PostalCode: c.PostalCode, Country: c.Country},
		Currency: ch.Currency, ExternalRef: c.StripeID, Active: true,
	}
}

// PostSalesOrder creates the charge's sales order when Settings.CreateSalesOrder is on.
func (a *Activities) PostSalesOrder(ctx context.Context, in *PostDocumentInput) (*PostDocumentResult, error) {
	if !a.Settings.CreateSalesOrder {
		return &PostDocumentResult{Skipped: true}, nil
	}
	return a.postDocument(ctx, erp.KindSalesOrder, in)
}

// PostInvoice creates the charge's invoice, or returns the one already posted for this charge.
func (a *Activities) PostInvoice(ctx context.Context, in *PostDocumentInput) (*PostDocumentResult, error) {
	return a.postDocument(ctx, erp.KindInvoice, in)
}

func (a *Activities) postDocument(ctx context.Context, kind erp.DocumentKind, in *PostDocumentInput) (*PostDocumentResult, error) {
	ch := in.Charge
	existing, err := a.ERP.FindDocument(ctx, kind, ch.ID)
	if err != nil {
		return nil, erpError(fmt.Sprintf("find %s for %s", kind, ch.ID), err)
	}
	if existing != nil && existing.Status != "Void" {
		return &PostDocumentResult{Number: existing.Number, Total: existing.Total, Reused: true}, nil
	}
	lines, err := a.buildLines(ch, in.Corrections)
	if err != nil {
		return nil, err
	}
	doc := erp.Document{
		CustomerID: in.CustomerID, Date: a.date(ch.Created), Currency: ch.Currency, Lines: lines,
		Total: ch.Amount, ExternalRef: ch.ID, SourceRef: in.SalesOrder,
		Memo: strings.TrimSpace("Stripe charge " + ch.ID + " " + ch.PaymentIntentID),
	}
	created, err := a.ERP.CreateDocument(ctx, kind, doc)
	if err != nil {
		return nil, erpError(fmt.Sprintf("create %s for %s", kind, ch.ID), err)
	}
	return &PostDocumentResult{Number: created.Number, Total: created.Total}, nil
}

// buildLines maps Stripe invoice lines (or the charge itself) to ERP lines whose sum is exactly
// the charged amount: anything the lines do not explain (tax, discounts) becomes its own line.
func (a *Activities) buildLines(ch *ChargeSnapshot, corr Corrections) ([]erp.Line, error) {
	item := func(fromLine string) string {
		return firstNonEmpty(corr.ItemID, fromLine, ch.Metadata[MetaItemID], a.Settings.DefaultItem)
	}
	one := decimal.NewFromInt(1)
	var lines []erp.Line
	sum := decimal.Zero
	for _, l := range ch.Lines {
		qty, unit := decimal.NewFromInt(l.Quantity), decimal.Zero
		if l.Quantity > 0 {
			unit = l.Amount.Div(qty)
		}
		// A unit price the currency cannot express (10.00 / 3) is posted as one unit of the total.
		if l.Quantity <= 0 || !money.Round(unit, ch.Currency).Equal(unit) {
			qty, unit = one, l.Amount
		}
		lines = append(lines, erp.Line{ItemID: item(l.ItemID), Description: l.Description, Quantity: qty, UnitPrice: unit, Amount: l.Amount})
		sum = sum.Add(l.Amount)
	}
	if len(lines) == 0 {
		desc := firstNonEmpty(ch.Description, "Stripe charge "+ch.ID)
		return []erp.Line{{ItemID: item(""), Description: desc, Quantity: one, UnitPrice: ch.Amount, Amount: ch.Amount}}, nil
	}
	if diff := ch.Amount.Sub(sum); !diff.IsZero() {
		if diff.IsNegative() {
			return nil, validation(fmt.Sprintf("charge %s: invoice lines total %s exceeds the charged %s %s; post a discount line by hand or retry with corrections",
				ch.ID, sum, ch.Amount, ch.Currency))
		}
		lines = append(lines, erp.Line{ItemID: item(""), Description: "Tax and adjustments", Quantity: one, UnitPrice: diff, Amount: diff})
	}
	return lines, nil
}

// ApplyPayment records the charge as a cash receipt against its invoice, or returns the receipt
// already recorded for this charge.
func (a *Activities) ApplyPayment(ctx context.Context, in *ApplyPaymentInput) (*ApplyPaymentResult, error) {
	ch := in.Charge
	existing, err := a.ERP.FindPayment(ctx, ch.ID)
	if err != nil {
		return nil, erpError("find payment for "+ch.ID, err)
	}
	if existing != nil && existing.Status != "Void" {
		return &ApplyPaymentResult{PaymentID: existing.ID, Reused: true}, nil
	}
	p, err := a.ERP.ApplyPayment(ctx, erp.Payment{
		CustomerID: in.CustomerID, InvoiceNumber: in.InvoiceNumber, Date: a.date(ch.Created),
		Currency: ch.Currency, Amount: ch.Amount, Method: strings.TrimSpace("Stripe " + ch.CardBrand),
		ExternalRef: ch.ID,
	})
	if err != nil {
		return nil, erpError("apply payment for "+ch.ID, err)
	}
	return &ApplyPaymentResult{PaymentID: p.ID}, nil
}

// Compensate voids, newest first, the payment, credit memo, invoice and sales order a run posted. It looks each
// up again and skips what is already void, so running it twice is harmless.
func (a *Activities) Compensate(ctx context.Context, in *CompensateInput) (*CompensateResult, error) {
	res := &CompensateResult{}
	if in.PaymentID != "" {
		if err := a.ERP.VoidPayment(ctx, in.PaymentID); err != nil && !erp.IsValidation(err) {
			return nil, erpError("void payment "+in.PaymentID, err)
		} else if err == nil {
			res.Voided = append(res.Voided, "payment "+in.PaymentID)
		}
	}
	for _, d := range []struct {
		kind   erp.DocumentKind
		number string
	}{{erp.KindCreditMemo, in.CreditMemo}, {erp.KindInvoice, in.InvoiceNumber}, {erp.KindSalesOrder, in.SalesOrder}} {
		if d.number == "" {
			continue
		}
		if err := a.ERP.VoidDocument(ctx, d.kind, d.number); err != nil && !erp.IsValidation(err) {
			return nil, erpError(fmt.Sprintf("void %s %s", d.kind, d.number), err)
		} else if err == nil {
			res.Voided = append(res.Voided, fmt.Sprintf("%s %s", d.kind, d.number))
		}
	}
	return res, nil
}

func (a *Activities) date(unix int64) string {
	return money.FormatUnix(unix, a.Settings.Location, a.Settings.DateFormat)
}

func (a *Activities) log() *zap.Logger {
	if a.Logger == nil {
		return zap.NewNop()
	}
	return a.Logger
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
