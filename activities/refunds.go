package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// RefundSnapshot is a Stripe refund, re-fetched.
type RefundSnapshot = posting.Refund

// FetchRefundInput names a refund.
type FetchRefundInput struct {
	RefundID string `json:"refundId"`
}

// FetchRefund re-fetches a refund from Stripe.
func (a *Activities) FetchRefund(ctx context.Context, in *FetchRefundInput) (*RefundSnapshot, error) {
	r, err := a.Stripe.GetRefund(ctx, in.RefundID)
	if err != nil {
		return nil, stripeError("fetch refund "+in.RefundID, err)
	}
	s := &RefundSnapshot{ID: r.ID, AmountMinor: r.Amount, Amount: money.FromMinor(r.Amount, string(r.Currency)),
		Currency: money.Currency(string(r.Currency)), Status: string(r.Status), Reason: string(r.Reason), Created: r.Created}
	if r.Charge != nil {
		s.ChargeID = r.Charge.ID
		// Stripe (API 2023-10-16) records the released part of an authorisation as a refund:
		// with a partial_capture_reversal balance transaction after a partial capture, or none at
		// all when an uncaptured authorisation is cancelled.
		bt := r.BalanceTransaction
		s.Release = (bt != nil && bt.ReportingCategory == "partial_capture_reversal") || (bt == nil && !r.Charge.Captured)
		if bt != nil && bt.Currency != "" && !strings.EqualFold(string(bt.Currency), string(r.Currency)) {
			s.Settlement = &posting.Settlement{Currency: money.Currency(string(bt.Currency)), Rate: decimal.NewFromFloat(bt.ExchangeRate),
				SettledMinor: bt.Amount, Settled: money.FromMinor(bt.Amount, string(bt.Currency))}
		}
	}
	if s.ChargeID == "" {
		return nil, validation("refund " + r.ID + " has no charge: nothing to credit")
	}
	return s, nil
}

// ListChargeRefundsInput names a charge.
type ListChargeRefundsInput struct {
	ChargeID string `json:"chargeId"`
}

// ListChargeRefundsResult lists the charge's refund IDs, oldest first.
type ListChargeRefundsResult struct {
	RefundIDs []string `json:"refundIds"`
}

// ListChargeRefunds lists a charge's refunds (charge.refunded carries no refund IDs).
func (a *Activities) ListChargeRefunds(ctx context.Context, in *ListChargeRefundsInput) (*ListChargeRefundsResult, error) {
	refunds, err := a.Stripe.ListChargeRefunds(ctx, in.ChargeID)
	if err != nil {
		return nil, stripeError("list refunds of "+in.ChargeID, err)
	}
	sort.SliceStable(refunds, func(i, j int) bool { return refunds[i].Created < refunds[j].Created })
	res := &ListChargeRefundsResult{}
	for _, r := range refunds {
		res.RefundIDs = append(res.RefundIDs, r.ID)
	}
	return res, nil
}

// FindChargeInvoiceInput names the charge whose invoice a refund credits.
type FindChargeInvoiceInput struct {
	ChargeID string `json:"chargeId"`
}

// FindChargeInvoiceResult is the charge's ERP invoice, if order-to-cash has posted it, and
// whether its payment has been applied yet.
type FindChargeInvoiceResult struct {
	Found   bool          `json:"found"`
	Invoice *erp.Document `json:"invoice,omitempty"`
	// Paid is true once the charge's payment is applied: a credit memo posted before it would
	// eat the invoice balance the payment needs.
	Paid bool `json:"paid"`
}

// FindChargeInvoice looks up the invoice (and payment) order-to-cash posted for a charge.
func (a *Activities) FindChargeInvoice(ctx context.Context, in *FindChargeInvoiceInput) (*FindChargeInvoiceResult, error) {
	doc, err := a.ERP.FindDocument(ctx, erp.KindInvoice, in.ChargeID)
	if err != nil {
		return nil, erpError("find invoice for "+in.ChargeID, err)
	}
	res := &FindChargeInvoiceResult{Found: doc != nil, Invoice: doc}
	if doc != nil && !erp.Dead(doc.Status) {
		p, err := a.ERP.FindPayment(ctx, in.ChargeID)
		if err != nil {
			return nil, erpError("find payment for "+in.ChargeID, err)
		}
		res.Paid = p != nil && !erp.Dead(p.Status)
	}
	return res, nil
}

// PostCreditMemoInput is a refund and the invoice it credits.
type PostCreditMemoInput struct {
	Refund  *RefundSnapshot `json:"refund"`
	Invoice *erp.Document   `json:"invoice"`
}

// PostCreditMemoResult names the credit memo.
type PostCreditMemoResult struct {
	Number string `json:"number"`
	Reused bool   `json:"reused"`
}

// PostCreditMemo posts the refund's credit memo against the invoice, its lines allocated in
// proportion to the invoice lines so that they sum exactly to the refunded amount.
func (a *Activities) PostCreditMemo(ctx context.Context, in *PostCreditMemoInput) (*PostCreditMemoResult, error) {
	r, inv := in.Refund, in.Invoice
	existing, err := a.ERP.FindDocument(ctx, erp.KindCreditMemo, r.ID)
	if err != nil {
		return nil, erpError("find credit memo for "+r.ID, err)
	}
	if existing != nil && !erp.Dead(existing.Status) {
		return &PostCreditMemoResult{Number: existing.Number, Reused: true}, nil
	}
	if existing != nil {
		// A voided memo for this refund means an operator abandoned its posting (or posted it by
		// hand); a later event must not bring it back on its own.
		return nil, validation(fmt.Sprintf("credit memo %s for refund %s was voided (its run was abandoned): abandon this run too, or void nothing and post by hand",
			existing.Number, r.ID))
	}
	plan, err := posting.CreditMemo(a.mapping(), r, inv)
	if err != nil {
		return nil, dataError(err)
	}
	memo, err := a.ERP.CreateDocument(ctx, erp.KindCreditMemo, plan)
	if err != nil {
		return nil, erpError("create credit memo for "+r.ID, err)
	}
	a.posted("creditmemo")
	return &PostCreditMemoResult{Number: memo.Number}, nil
}

// PostRefundCashInput is the cash leaving the customer's credit for a refund.
type PostRefundCashInput struct {
	Refund     *RefundSnapshot `json:"refund"`
	CreditMemo string          `json:"creditMemo"`
	// Provider is "paytrace" for a PayTrace refund (its cash leaves PayTrace's clearing account).
	Provider string `json:"provider,omitempty"`
}

// PostJournalResult names a journal entry.
type PostJournalResult struct {
	Number string `json:"number"`
	Reused bool   `json:"reused"`
}

// PostRefundCash records the refunded cash: Dr receivable (clearing the credit the memo left)
// / Cr processor clearing (the money left Stripe's balance). With the memo (Dr returns / Cr
// receivable) the customer's balance nets to zero and clearing ties to the payout.
func (a *Activities) PostRefundCash(ctx context.Context, in *PostRefundCashInput) (*PostJournalResult, error) {
	clearing := a.GL.Clearing
	if in.Provider == "paytrace" {
		clearing = a.GL.PayTraceClearing
	}
	return a.postJournalOnce(ctx, posting.RefundCash(a.mapping(), a.GL, clearing, in.Refund, in.CreditMemo))
}

// postJournalOnce posts je unless an entry with its external reference exists. It refuses an
// unbalanced entry before calling the ERP.
func (a *Activities) postJournalOnce(ctx context.Context, je erp.JournalEntry) (*PostJournalResult, error) {
	existing, err := a.ERP.FindJournalEntry(ctx, je.ExternalRef)
	if err != nil {
		return nil, erpError("find journal entry "+je.ExternalRef, err)
	}
	if existing != nil {
		return &PostJournalResult{Number: existing.Number, Reused: true}, nil
	}
	if err := posting.Balanced(je); err != nil {
		return nil, validation(err.Error())
	}
	posted, err := a.ERP.PostJournalEntry(ctx, je)
	if err != nil {
		return nil, erpError("post journal entry "+je.ExternalRef, err)
	}
	a.posted("journal")
	return &PostJournalResult{Number: posted.Number}, nil
}

// WriteBackRefundInput is the credit memo number to record on the refund.
type WriteBackRefundInput struct {
	RefundID   string `json:"refundId"`
	CreditMemo string `json:"creditMemo"`
}

// WriteBackRefund records the credit memo number on the Stripe refund.
func (a *Activities) WriteBackRefund(ctx context.Context, in *WriteBackRefundInput) (*WriteBackResult, error) {
	key := fmt.Sprintf("ledgerbridge-writeback-%s-%s", in.RefundID, in.CreditMemo)
	if err := a.Stripe.UpdateRefundMetadata(ctx, in.RefundID, map[string]string{a.meta().CreditMemo: in.CreditMemo}, key); err != nil {
		return nil, stripeError("write credit memo to refund "+in.RefundID, err)
	}
	return &WriteBackResult{}, nil
}

// UndoRefundInput names a refund that failed or was cancelled after it was posted.
type UndoRefundInput struct {
	RefundID string `json:"refundId"`
	Date     string `json:"date,omitempty"`
}

// UndoRefundResult lists what was voided or reversed.
type UndoRefundResult struct {
	Undone []string `json:"undone"`
}

// UndoRefund voids the refund's credit memo and reverses its refunded-cash entry: the money went
// back to Stripe's balance (a failed or cancelled refund). Running it twice is harmless.
func (a *Activities) UndoRefund(ctx context.Context, in *UndoRefundInput) (*UndoRefundResult, error) {
	res := &UndoRefundResult{}
	// The cash entry first: it cannot be refused, while the ERP may refuse to void an applied memo.
	rev, err := a.ReverseJournal(ctx, &ReverseJournalInput{ExternalRef: in.RefundID, Date: in.Date})
	if err != nil {
		return nil, err
	}
	if rev.Number != "" && !rev.Reused {
		res.Undone = append(res.Undone, "cash entry reversed by "+rev.Number)
	}
	memo, err := a.ERP.FindDocument(ctx, erp.KindCreditMemo, in.RefundID)
	if err != nil {
		return nil, erpError("find credit memo for "+in.RefundID, err)
	}
	if memo != nil && !erp.Dead(memo.Status) {
		if err := a.ERP.VoidDocument(ctx, erp.KindCreditMemo, memo.Number); err != nil {
			return nil, erpError("void credit memo "+memo.Number, err)
		}
		res.Undone = append(res.Undone, "credit memo "+memo.Number+" voided")
	}
	return res, nil
}

// UndoSaleInput names a sale voided after it was posted.
type UndoSaleInput struct {
	ChargeID string `json:"chargeId"`
}

// UndoSaleResult lists what was voided.
type UndoSaleResult struct {
	Voided []string `json:"voided,omitempty"`
}

// UndoSale voids, newest first, the payment, invoice and sales order posted for a sale (found by
// its external reference), for a sale voided at the processor. Nothing posted: nothing to do.
func (a *Activities) UndoSale(ctx context.Context, in *UndoSaleInput) (*UndoSaleResult, error) {
	comp := &CompensateInput{}
	if p, err := a.ERP.FindPayment(ctx, in.ChargeID); err != nil {
		return nil, erpError("find payment for "+in.ChargeID, err)
	} else if p != nil && !erp.Dead(p.Status) {
		comp.PaymentID = p.ID
	}
	for _, k := range []struct {
		kind erp.DocumentKind
		into *string
	}{{erp.KindInvoice, &comp.InvoiceNumber}, {erp.KindSalesOrder, &comp.SalesOrder}} {
		d, err := a.ERP.FindDocument(ctx, k.kind, in.ChargeID)
		if err != nil {
			return nil, erpError(fmt.Sprintf("find %s for %s", k.kind, in.ChargeID), err)
		}
		if d != nil && !erp.Dead(d.Status) {
			*k.into = d.Number
		}
	}
	res, err := a.Compensate(ctx, comp)
	if err != nil {
		return nil, err
	}
	if len(res.NotVoided) > 0 {
		return nil, validation("the ERP refused to void: " + strings.Join(res.NotVoided, "; "))
	}
	return &UndoSaleResult{Voided: res.Voided}, nil
}
