package activities

import (
	"context"
	"fmt"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// CreditNoteSnapshot is a re-fetched Stripe credit note.
type CreditNoteSnapshot = posting.CreditNote

// FetchCreditNoteInput names a credit note.
type FetchCreditNoteInput struct {
	CreditNoteID string `json:"creditNoteId"`
}

// FetchCreditNote re-fetches a credit note with its lines, its invoice's charge and the
// invoice's line IDs (in the order the ERP invoice's lines were posted).
func (a *Activities) FetchCreditNote(ctx context.Context, in *FetchCreditNoteInput) (*CreditNoteSnapshot, error) {
	cn, lines, err := a.Stripe.GetCreditNote(ctx, in.CreditNoteID)
	if err != nil {
		return nil, stripeError("fetch credit note "+in.CreditNoteID, err)
	}
	cur := string(cn.Currency)
	s := &CreditNoteSnapshot{ID: cn.ID, Number: cn.Number, Currency: money.Currency(cur), Created: cn.Created,
		Total: money.FromMinor(cn.Total, cur), Status: string(cn.Status), Reason: string(cn.Reason)}
	if cn.Refund != nil {
		s.RefundID = cn.Refund.ID
	}
	if cn.Invoice == nil || cn.Invoice.ID == "" {
		return nil, validation("credit note " + cn.ID + " has no invoice: nothing to credit")
	}
	s.InvoiceID = cn.Invoice.ID
	inv, err := a.Stripe.GetInvoice(ctx, s.InvoiceID)
	if err != nil {
		return nil, stripeError("fetch invoice "+s.InvoiceID, err)
	}
	if inv.Charge == nil || inv.Charge.ID == "" {
		return nil, validation(fmt.Sprintf("credit note %s credits invoice %s, which no charge paid: post it by hand", cn.ID, s.InvoiceID))
	}
	s.ChargeID = inv.Charge.ID
	invLines, err := a.Stripe.ListInvoiceLines(ctx, s.InvoiceID)
	if err != nil {
		return nil, stripeError("fetch invoice lines "+s.InvoiceID, err)
	}
	for _, l := range invLines {
		s.InvoiceLineIDs = append(s.InvoiceLineIDs, l.ID)
	}
	for _, l := range lines {
		cl := posting.CreditNoteLine{Description: l.Description, Quantity: l.Quantity, Amount: money.FromMinor(l.Amount, cur),
			Discount: money.FromMinor(l.DiscountAmount, cur), InvoiceLineID: l.InvoiceLineItem}
		for _, t := range l.TaxAmounts {
			cl.Tax = cl.Tax.Add(money.FromMinor(t.Amount, cur))
		}
		s.Lines = append(s.Lines, cl)
	}
	return s, nil
}

// PostCreditNoteMemoInput is a credit note and the ERP invoice it credits.
type PostCreditNoteMemoInput struct {
	CreditNote *CreditNoteSnapshot `json:"creditNote"`
	Invoice    *erp.Document       `json:"invoice"`
}

// PostCreditNoteMemo posts the credit note's credit memo once (external reference = cn_…).
func (a *Activities) PostCreditNoteMemo(ctx context.Context, in *PostCreditNoteMemoInput) (*PostCreditMemoResult, error) {
	cn := in.CreditNote
	existing, err := a.ERP.FindDocument(ctx, erp.KindCreditMemo, cn.ID)
	if err != nil {
		return nil, erpError("find credit memo for "+cn.ID, err)
	}
	if existing != nil && !erp.Dead(existing.Status) {
		return &PostCreditMemoResult{Number: existing.Number, Reused: true}, nil
	}
	plan, err := posting.CreditNoteMemo(a.mapping(), cn, in.Invoice)
	if err != nil {
		return nil, dataError(err)
	}
	memo, err := a.ERP.CreateDocument(ctx, erp.KindCreditMemo, plan)
	if err != nil {
		return nil, erpError("create credit memo for "+cn.ID, err)
	}
	a.posted("creditmemo")
	return &PostCreditMemoResult{Number: memo.Number}, nil
}

// VoidCreditNoteMemoInput names a voided credit note.
type VoidCreditNoteMemoInput struct {
	CreditNoteID string `json:"creditNoteId"`
}

// VoidCreditNoteMemo voids the credit memo posted for a credit note that was voided in Stripe.
func (a *Activities) VoidCreditNoteMemo(ctx context.Context, in *VoidCreditNoteMemoInput) (*UndoRefundResult, error) {
	res := &UndoRefundResult{}
	memo, err := a.ERP.FindDocument(ctx, erp.KindCreditMemo, in.CreditNoteID)
	if err != nil {
		return nil, erpError("find credit memo for "+in.CreditNoteID, err)
	}
	if memo != nil && !erp.Dead(memo.Status) {
		if err := a.ERP.VoidDocument(ctx, erp.KindCreditMemo, memo.Number); err != nil {
			return nil, erpError("void credit memo "+memo.Number, err)
		}
		res.Undone = append(res.Undone, "credit memo "+memo.Number+" voided")
	}
	return res, nil
}

// RefundCreditNoteInput names a refund and the charge it refunds.
type RefundCreditNoteInput struct {
	RefundID string `json:"refundId"`
	ChargeID string `json:"chargeId"`
}

// RefundCreditNoteResult names the credit note that issued the refund, if one did.
type RefundCreditNoteResult struct {
	CreditNoteID string `json:"creditNoteId,omitempty"`
}

// RefundCreditNote finds the credit note that issued a refund (Stripe refunds a credit note's
// refund_amount itself): that credit note's run posts the credit memo, the refund's only its cash.
func (a *Activities) RefundCreditNote(ctx context.Context, in *RefundCreditNoteInput) (*RefundCreditNoteResult, error) {
	ch, err := a.charge(ctx, in.ChargeID)
	if err != nil {
		return nil, err
	}
	if ch.InvoiceID == "" {
		return &RefundCreditNoteResult{}, nil
	}
	notes, err := a.Stripe.InvoiceCreditNotes(ctx, ch.InvoiceID)
	if err != nil {
		return nil, stripeError("list credit notes of "+ch.InvoiceID, err)
	}
	for _, cn := range notes {
		if cn.Refund != nil && cn.Refund.ID == in.RefundID {
			return &RefundCreditNoteResult{CreditNoteID: cn.ID}, nil
		}
	}
	return &RefundCreditNoteResult{}, nil
}
