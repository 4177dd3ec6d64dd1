package activities

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/paytrace"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// PayTraceBatchInput names a settlement batch.
type PayTraceBatchInput struct {
	BatchNumber string `json:"batchNumber"`
}

// PayTraceBatchCheck says whether every transaction of a batch is in the ERP as it settled.
type PayTraceBatchCheck struct {
	Batch *posting.SettlementBatch `json:"batch"`
	// Missing are the transactions of the batch that are not posted yet (at most 20 listed),
	// with their count; their runs are started again by the workflow.
	Missing      []int64 `json:"missing,omitempty"`
	MissingCount int     `json:"missingCount,omitempty"`
	// Difference explains a batch whose posted sales and refunds do not add up to it.
	Difference string `json:"difference,omitempty"`
}

// CheckPayTraceBatch fetches a closed batch and its transactions and matches them, one by one,
// to what was posted: each sale's ERP payment, each refund's cash entry, summing to the batch.
func (a *Activities) CheckPayTraceBatch(ctx context.Context, in *PayTraceBatchInput) (*PayTraceBatchCheck, error) {
	b, err := a.PayTrace.Batch(ctx, in.BatchNumber)
	if err != nil {
		return nil, payTraceError("export batch "+in.BatchNumber, err)
	}
	txs, err := a.PayTrace.BatchTransactions(ctx, in.BatchNumber)
	if err != nil {
		return nil, payTraceError("list transactions of batch "+in.BatchNumber, err)
	}
	res := &PayTraceBatchCheck{Batch: &posting.SettlementBatch{Ref: PayTraceBatchRef(b.Number), Number: b.Number, Settled: b.Settled.Unix(),
		Currency: "USD", SalesCount: b.SalesCount, Sales: b.SalesAmount, RefundCount: b.RefundCount, Refunds: b.RefundAmount,
		Fees: b.FeeAmount, Net: b.NetAmount}}
	sales, refunds := decimal.Zero, decimal.Zero
	for _, tx := range txs {
		ref := PayTraceRef(tx.ID)
		switch {
		case tx.Type == paytrace.TypeRefund:
			je, err := a.ERP.FindJournalEntry(ctx, ref)
			if err != nil {
				return nil, erpError("find refund entry "+ref, err)
			}
			if je == nil {
				res.missing(tx.ID)
				continue
			}
			refunds = refunds.Add(tx.Amount.Abs())
		default:
			p, err := a.ERP.FindPayment(ctx, ref)
			if err != nil {
				return nil, erpError("find payment "+ref, err)
			}
			if p == nil || erp.Dead(p.Status) {
				res.missing(tx.ID)
				continue
			}
			settled := tx.CapturedAmount
			if settled.IsZero() {
				settled = tx.Amount
			}
			if !p.Amount.Equal(settled) {
				res.Difference += fmt.Sprintf("transaction %d settled %s but its ERP payment %s is %s; ", tx.ID, settled, p.ID, p.Amount)
			}
			sales = sales.Add(settled)
		}
	}
	if res.MissingCount == 0 && res.Difference == "" && (!sales.Equal(b.SalesAmount) || !refunds.Equal(b.RefundAmount)) {
		res.Difference = fmt.Sprintf("the batch has sales %s and refunds %s, the ERP has %s and %s for its transactions",
			b.SalesAmount, b.RefundAmount, sales, refunds)
	}
	res.Difference = strings.TrimSuffix(res.Difference, "; ")
	return res, nil
}

func (c *PayTraceBatchCheck) missing(id int64) {
	c.MissingCount++
	if len(c.Missing) < 20 {
		c.Missing = append(c.Missing, id)
	}
}

// PostPayTraceBatchInput is a checked batch.
type PostPayTraceBatchInput struct {
	Batch *posting.SettlementBatch `json:"batch"`
}

// PostPayTraceBatch posts the batch's settlement entry once (external reference
// paytrace-batch-<number>).
func (a *Activities) PostPayTraceBatch(ctx context.Context, in *PostPayTraceBatchInput) (*PostJournalResult, error) {
	je, err := posting.BatchJournal(a.mapping(), a.GL, in.Batch)
	if err != nil {
		return nil, dataError(err)
	}
	return a.postJournalOnce(ctx, je)
}
