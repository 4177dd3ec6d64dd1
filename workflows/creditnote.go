package workflows

import (
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/ledgerbridge/ledgerbridge/activities"
)

// CreditNoteWorkflowName is the registered name of CreditNoteToCreditMemo.
const CreditNoteWorkflowName = "CreditNoteToCreditMemo"

// CreditNoteID is the workflow ID of one Stripe credit note: credit_note.created, .updated and
// .voided reach it.
func CreditNoteID(creditNoteID string) string { return "credit-note/stripe/" + creditNoteID }

// CreditNoteInput names the credit note.
type CreditNoteInput struct {
	CreditNoteID string `json:"creditNoteId"`
	EventType    string `json:"eventType,omitempty"`
}

// CreditNoteResult is what the run posted.
type CreditNoteResult struct {
	Status        string   `json:"status"`
	CreditNoteID  string   `json:"creditNoteId"`
	ChargeID      string   `json:"chargeId,omitempty"`
	InvoiceNumber string   `json:"invoiceNumber,omitempty"`
	CreditMemo    string   `json:"creditMemo,omitempty"`
	Amount        string   `json:"amount,omitempty"`
	Currency      string   `json:"currency,omitempty"`
	Voided        []string `json:"voided,omitempty"`
	Note          string   `json:"note,omitempty"`
}

// CreditNoteStatus answers the status query.
type CreditNoteStatus struct {
	CreditNoteResult
	Step        string                 `json:"step"`
	Problem     string                 `json:"problem,omitempty"`
	Parked      int                    `json:"timesParked"`
	Corrections activities.Corrections `json:"corrections"`
}

// creditNoteRun is one credit note's run: its state and a method per step.
type creditNoteRun struct {
	ctx     workflow.Context
	in      *CreditNoteInput
	st      *CreditNoteStatus
	r       *stepRunner
	note    *activities.CreditNoteSnapshot
	invoice activities.FindChargeInvoiceResult
}

// CreditNoteToCreditMemo posts a Stripe credit note as one ERP credit memo against the invoice
// of the charge that paid it (seed 001: "Stripe credit notes → Sage credit memos"), line by line
// with its discounts and tax. A credit note that refunds money leaves the cash to the refund's
// own run, which sees this credit note and posts only the refunded cash. A voided credit note
// voids its memo.
func CreditNoteToCreditMemo(ctx workflow.Context, in *CreditNoteInput) (*CreditNoteResult, error) {
	run := &creditNoteRun{ctx: ctx, in: in, st: &CreditNoteStatus{CreditNoteResult: CreditNoteResult{Status: StatusRunning, CreditNoteID: in.CreditNoteID}}}
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (*CreditNoteStatus, error) { return run.st, nil }); err != nil {
		return nil, err
	}
	st := run.st
	run.r = newStepRunner(ctx, &st.Status, &st.Step, &st.Problem, &st.Parked, &st.Corrections)
	run.r.compensate = run.compensate
	run.r.setStatus(ctx, StatusRunning)
	refresh := refreshChannel(ctx)
	for {
		if done, err := run.pass(); err != nil || done {
			return &st.CreditNoteResult, err
		}
		// Events that arrived while this pass ran (a void) ask for another.
		if !drain(refresh) {
			break
		}
	}
	st.Step = "done"
	run.r.setStatus(ctx, StatusPosted)
	return &st.CreditNoteResult, nil
}

// pass fetches the credit note and posts (or voids) its memo; done is true when the run ended.
func (c *creditNoteRun) pass() (done bool, err error) {
	for _, s := range []step{{"fetch-credit-note", c.fetch}, {"await-invoice", c.awaitInvoice}, {"post-credit-memo", c.postMemo}} {
		if s.name == "await-invoice" && c.note.Status == "void" {
			return true, c.undo()
		}
		abandoned, err := c.r.run(c.ctx, s)
		if err != nil || abandoned {
			return true, err
		}
	}
	return false, nil
}

func (c *creditNoteRun) fetch() error {
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(c.ctx, stripeActivity), a.FetchCreditNote,
		&activities.FetchCreditNoteInput{CreditNoteID: c.in.CreditNoteID}).Get(c.ctx, &c.note)
	if err == nil {
		c.st.ChargeID, c.st.Amount, c.st.Currency = c.note.ChargeID, c.note.Total.String(), c.note.Currency
		_ = workflow.UpsertTypedSearchAttributes(c.ctx, SAAmount.ValueSet(c.note.Total.InexactFloat64()))
	}
	return err
}

// awaitInvoice waits, like a refund does, until the charge's invoice and payment are posted.
func (c *creditNoteRun) awaitInvoice() error {
	err := awaitInvoice(c.ctx, c.r, c.note.ChargeID, &c.invoice)
	if err == nil {
		c.st.InvoiceNumber = c.invoice.Invoice.Number
	}
	return err
}

func (c *creditNoteRun) postMemo() error {
	var res activities.PostCreditMemoResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(c.ctx, erpActivity), a.PostCreditNoteMemo,
		&activities.PostCreditNoteMemoInput{CreditNote: c.note, Invoice: c.invoice.Invoice}).Get(c.ctx, &res)
	if err == nil {
		c.st.CreditMemo = res.Number
		_ = workflow.UpsertTypedSearchAttributes(c.ctx, SAErpDocument.ValueSet(res.Number))
	}
	return err
}

// undo voids the memo of a credit note voided in Stripe.
func (c *creditNoteRun) undo() error {
	var res activities.UndoRefundResult
	abandoned, err := c.r.run(c.ctx, step{"void-credit-memo", func() error {
		return workflow.ExecuteActivity(workflow.WithActivityOptions(c.ctx, erpActivity), a.VoidCreditNoteMemo,
			&activities.VoidCreditNoteMemoInput{CreditNoteID: c.in.CreditNoteID}).Get(c.ctx, &res)
	}})
	if err != nil || abandoned {
		return err
	}
	c.st.Voided = append(c.st.Voided, res.Undone...)
	c.st.Note = "credit note is void"
	if len(res.Undone) > 0 {
		c.st.Note = "credit note voided after it was posted: " + strings.Join(res.Undone, "; ")
	}
	c.r.setStatus(c.ctx, StatusSkipped)
	return nil
}

// compensate voids the memo this run posted (abandon, cancel).
func (c *creditNoteRun) compensate(ctx workflow.Context, reason string) {
	c.st.Note = "abandoned: " + reason
	if c.st.CreditMemo == "" {
		return
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, erpActivity), a.Compensate,
		&activities.CompensateInput{CreditMemo: c.st.CreditMemo}).Get(ctx, nil); err == nil {
		c.st.Voided = append(c.st.Voided, "credit memo "+c.st.CreditMemo)
	}
}
