package paytrace

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Batch is one settlement batch (the processor's nightly close). NetAmount is the net deposit:
// SalesAmount − RefundAmount − FeeAmount.
type Batch struct {
	Number string
	// Settled is the settled date (midnight in the merchant time zone).
	Settled time.Time
	// Created is when the batch closed, UTC (zero if the server does not say).
	Created          time.Time
	TransactionCount int
	SalesCount       int
	SalesAmount      decimal.Decimal
	RefundCount      int
	RefundAmount     decimal.Decimal
	FeeAmount        decimal.Decimal
	NetAmount        decimal.Decimal
	CardTypes        []BatchCardType
}

// BatchCardType is one card brand's totals within a batch.
type BatchCardType struct {
	Type         string
	SalesCount   int
	SalesAmount  decimal.Decimal
	RefundCount  int
	RefundAmount decimal.Decimal
}

type batchWire struct {
	BatchNumber      flexString  `json:"batch_number"`
	Settled          string      `json:"settled"`
	Created          stampWire   `json:"created"`
	TransactionCount flexInt     `json:"transaction_count"`
	SalesCount       flexInt     `json:"sales_count"`
	SalesAmount      flexDecimal `json:"sales_amount"`
	RefundCount      flexInt     `json:"refund_count"`
	RefundAmount     flexDecimal `json:"refund_amount"`
	FeeAmount        flexDecimal `json:"fee_amount"`
	NetAmount        flexDecimal `json:"net_amount"`
	CardTypes        []struct {
		Type         string      `json:"type"`
		SalesCount   flexInt     `json:"sales_count"`
		SalesAmount  flexDecimal `json:"sales_amount"`
		RefundCount  flexInt     `json:"refund_count"`
		RefundAmount flexDecimal `json:"refund_amount"`
	} `json:"card_types"`
}

func (w *batchWire) batch(endpoint string, loc *time.Location) (Batch, error) {
	b := Batch{Number: string(w.BatchNumber), TransactionCount: int(w.TransactionCount), SalesCount: int(w.SalesCount),
		SalesAmount: w.SalesAmount.Decimal, RefundCount: int(w.RefundCount), RefundAmount: w.RefundAmount.Decimal,
		FeeAmount: w.FeeAmount.Decimal, NetAmount: w.NetAmount.Decimal}
	for _, ct := range w.CardTypes {
		b.CardTypes = append(b.CardTypes, BatchCardType{Type: strings.ToUpper(ct.Type), SalesCount: int(ct.SalesCount),
			SalesAmount: ct.SalesAmount.Decimal, RefundCount: int(ct.RefundCount), RefundAmount: ct.RefundAmount.Decimal})
	}
	var err error
	if b.Settled, err = parseDate(w.Settled, loc); err == nil {
		b.Created, err = parseStamp(w.Created, loc)
	}
	if err != nil {
		return b, &TransientError{Endpoint: endpoint, Message: fmt.Sprintf("batch %s: %v", b.Number, err)}
	}
	return b, nil
}

// Batches lists the batches settled on the merchant-local dates of from through to, inclusive
// (batches/export), by batch number.
func (c *Client) Batches(ctx context.Context, from, to time.Time) ([]Batch, error) {
	const path = "batches/export"
	if to.In(c.loc).Format("20060102") < from.In(c.loc).Format("20060102") {
		return nil, fmt.Errorf("%w: end date is before start date", ErrInvalidInput)
	}
	var out struct {
		Batches []batchWire `json:"batches"`
	}
	if err := c.do(ctx, path, map[string]any{"start_date": formatDate(from, c.loc), "end_date": formatDate(to, c.loc)}, &out); err != nil {
		return nil, err
	}
	list := make([]Batch, 0, len(out.Batches))
	for i := range out.Batches {
		b, err := out.Batches[i].batch("/v1/"+path, c.loc)
		if err != nil {
			return nil, err
		}
		list = append(list, b)
	}
	return list, nil
}

// Batch fetches one batch (batches/export_one); number "" asks for the latest batch. An
// unknown number is an *APIError matching ErrNotFound.
func (c *Client) Batch(ctx context.Context, number string) (*Batch, error) {
	const path = "batches/export_one"
	body := map[string]any{}
	if number != "" {
		if err := checkBatchNumber(number); err != nil {
			return nil, err
		}
		body["batch_number"] = number
	}
	var out struct {
		Batch *batchWire `json:"batch"`
	}
	if err := notFoundOn(c.do(ctx, path, body, &out), KeyBatchNumber); err != nil {
		return nil, err
	}
	if out.Batch == nil {
		return nil, &APIError{Endpoint: "/v1/" + path, ResponseCode: CodeError, StatusMessage: "no batch in the answer", notFound: true}
	}
	b, err := out.Batch.batch("/v1/"+path, c.loc)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// BatchTransactions returns every transaction of a batch (batches/transaction_list), by
// ascending ID, following has_more pages (a sandbox extension; the real API answers in one).
func (c *Client) BatchTransactions(ctx context.Context, number string) ([]Transaction, error) {
	const path = "batches/transaction_list"
	if err := checkBatchNumber(number); err != nil {
		return nil, err
	}
	var all []Transaction
	var after int64
	for {
		body := map[string]any{"batch_number": number}
		if after != 0 {
			body["after_transaction_id"] = after
		}
		var out exportWire
		if err := notFoundOn(c.do(ctx, path, body, &out), KeyBatchNumber); err != nil {
			return nil, err
		}
		page, err := c.transactions("/v1/"+path, out.Transactions)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if !out.HasMore || len(page) == 0 || page[len(page)-1].ID <= after {
			return all, nil
		}
		after = page[len(page)-1].ID
	}
}

func checkBatchNumber(n string) error {
	if n == "" || strings.Trim(n, "0123456789") != "" || len(n) > 18 {
		return fmt.Errorf("%w: batch number %q must be digits", ErrInvalidInput, n)
	}
	return nil
}
