package paytracesandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// batch is one closed settlement batch.
type batch struct {
	Number         int64                  `json:"number"`
	SettledDate    string                 `json:"settled_date"` // YYYY-MM-DD
	Created        time.Time              `json:"created"`
	SalesCount     int                    `json:"sales_count"`
	SalesAmount    decimal.Decimal        `json:"sales_amount"`
	RefundCount    int                    `json:"refund_count"`
	RefundAmount   decimal.Decimal        `json:"refund_amount"`
	FeeAmount      decimal.Decimal        `json:"fee_amount"`
	NetAmount      decimal.Decimal        `json:"net_amount"`
	CardTypes      map[string]*cardTotals `json:"card_types"`
	TransactionIDs []int64                `json:"transaction_ids"`
}

// cardTotals are a batch's sales and refunds of one card brand.
type cardTotals struct {
	SalesCount   int             `json:"sales_count"`
	SalesAmount  decimal.Decimal `json:"sales_amount"`
	RefundCount  int             `json:"refund_count"`
	RefundAmount decimal.Decimal `json:"refund_amount"`
}

// batchOut is a batch in responses.
type batchOut struct {
	BatchNumber      int64           `json:"batch_number"`
	Settled          string          `json:"settled"`
	Created          stamp           `json:"created"`
	TransactionCount int             `json:"transaction_count"`
	SalesCount       int             `json:"sales_count"`
	SalesAmount      money           `json:"sales_amount"`
	RefundCount      int             `json:"refund_count"`
	RefundAmount     money           `json:"refund_amount"`
	FeeAmount        money           `json:"fee_amount"`
	NetAmount        money           `json:"net_amount"`
	CardTypes        []cardTotalsOut `json:"card_types"`
}

// cardTotalsOut is one brand's totals in responses.
type cardTotalsOut struct {
	Type         string `json:"type"`
	SalesCount   int    `json:"sales_count"`
	SalesAmount  money  `json:"sales_amount"`
	RefundCount  int    `json:"refund_count"`
	RefundAmount money  `json:"refund_amount"`
}

func (s *Server) renderBatch(b *batch) batchOut {
	o := batchOut{BatchNumber: b.Number, Settled: keyToDate(b.SettledDate), Created: s.stamp(b.Created),
		TransactionCount: b.SalesCount + b.RefundCount, SalesCount: b.SalesCount, SalesAmount: money(b.SalesAmount),
		RefundCount: b.RefundCount, RefundAmount: money(b.RefundAmount), FeeAmount: money(b.FeeAmount),
		NetAmount: money(b.NetAmount), CardTypes: []cardTotalsOut{}}
	brands := make([]string, 0, len(b.CardTypes))
	for k := range b.CardTypes {
		brands = append(brands, k)
	}
	sort.Strings(brands)
	for _, k := range brands {
		ct := b.CardTypes[k]
		o.CardTypes = append(o.CardTypes, cardTotalsOut{Type: k, SalesCount: ct.SalesCount, SalesAmount: money(ct.SalesAmount),
			RefundCount: ct.RefundCount, RefundAmount: money(ct.RefundAmount)})
	}
	return o
}

// SettleResult is the answer of POST /_sandbox/settle.
type SettleResult struct {
	// Batch is the closed batch; nil when nothing was pending settlement.
	Batch *batchOut `json:"batch"`
	// TransactionIDs are the transactions it settled.
	TransactionIDs []int64 `json:"transaction_ids"`
}

// settle closes the batch of dateKey (YYYY-MM-DD; "" = today in the merchant time zone), as
// the processor does nightly: every sale, captured authorization and refund that became
// pending settlement before the end of that day goes into one new batch. Uncaptured
// authorizations, voids and declines are not settled.
func (s *Server) settle(ctx context.Context, dateKey string) (SettleResult, error) {
	res := SettleResult{TransactionIDs: []int64{}}
	err := s.update(ctx, func(w *wtx) error {
		today := s.dateKey(w.now)
		if dateKey == "" {
			dateKey = today
		}
		if dateKey > today {
			return fail(keyStartDate, "Cannot settle %s: it is in the future (today is %s).", keyToDate(dateKey), keyToDate(today))
		}
		var last string
		if err := w.tx.QueryRowContext(w.ctx, `SELECT COALESCE(MAX(settled_date), '') FROM batches`).Scan(&last); err != nil {
			return err
		}
		if dateKey < last {
			return fail(keyStartDate, "Cannot settle %s: a batch was already closed on %s.", keyToDate(dateKey), keyToDate(last))
		}
		day, err := time.ParseInLocation(layoutKey, dateKey, s.loc)
		if err != nil {
			return err
		}
		cutoff := day.AddDate(0, 0, 1)
		rows, err := w.tx.QueryContext(w.ctx, `SELECT data FROM transactions WHERE status = ? ORDER BY id`, statusPending)
		pending, err := decodeRows[transaction](rows, err)
		if err != nil {
			return err
		}
		b := &batch{SettledDate: dateKey, Created: w.now, CardTypes: map[string]*cardTotals{}, TransactionIDs: []int64{}}
		var due []*transaction
		for i := range pending {
			if t := &pending[i]; t.PendingSince != nil && t.PendingSince.Before(cutoff) {
				due = append(due, t)
			}
		}
		if len(due) == 0 {
			return nil
		}
		if b.Number, err = next(w.ctx, w.tx, "batch"); err != nil {
			return err
		}
		for _, t := range due {
			ct := b.CardTypes[t.Card.Type]
			if ct == nil {
				ct = &cardTotals{}
				b.CardTypes[t.Card.Type] = ct
			}
			if t.Type == typeRefund {
				b.RefundCount++
				b.RefundAmount = b.RefundAmount.Add(t.Amount)
				ct.RefundCount++
				ct.RefundAmount = ct.RefundAmount.Add(t.Amount)
			} else {
				b.SalesCount++
				b.SalesAmount = b.SalesAmount.Add(t.CapturedAmount)
				b.FeeAmount = b.FeeAmount.Add(s.pricing.Fee(t.CapturedAmount))
				ct.SalesCount++
				ct.SalesAmount = ct.SalesAmount.Add(t.CapturedAmount)
			}
			now := w.now
			t.Status, t.Settled, t.SettledDate, t.BatchNumber, t.Updated = statusSettled, &now, dateKey, b.Number, now
			if err := s.putTransaction(w.ctx, w.tx, t); err != nil {
				return err
			}
			if err := s.queueNotification(w, eventUpdated, t.ID, b.Number); err != nil {
				return err
			}
			b.TransactionIDs = append(b.TransactionIDs, t.ID)
		}
		b.NetAmount = b.SalesAmount.Sub(b.RefundAmount).Sub(b.FeeAmount)
		data, err := json.Marshal(b)
		if err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO batches (batch_number, settled_date, data) VALUES (?, ?, ?)`,
			b.Number, b.SettledDate, string(data)); err != nil {
			return err
		}
		out := s.renderBatch(b)
		res.Batch, res.TransactionIDs = &out, b.TransactionIDs
		return s.queueNotification(w, eventBatchSettled, 0, b.Number)
	})
	return res, err
}

// batchesExportRequest is the body of batches/export.
type batchesExportRequest struct {
	common
	StartDate string `json:"start_date"`
	EndDate   string `json:"end_date"`
}

// batchRequest is the body of batches/export_one and batches/transaction_list.
type batchRequest struct {
	common
	BatchNumber json.RawMessage `json:"batch_number"`
	// AfterTransactionID (sandbox extension) pages transaction_list.
	AfterTransactionID json.RawMessage `json:"after_transaction_id"`
}

// batchesResponse answers batches/export.
type batchesResponse struct {
	Success       bool       `json:"success"`
	ResponseCode  int        `json:"response_code"`
	StatusMessage string     `json:"status_message"`
	Batches       []batchOut `json:"batches"`
}

// batchResponse answers batches/export_one.
type batchResponse struct {
	Success       bool     `json:"success"`
	ResponseCode  int      `json:"response_code"`
	StatusMessage string   `json:"status_message"`
	Batch         batchOut `json:"batch"`
}

// batchTxnsResponse answers batches/transaction_list.
type batchTxnsResponse struct {
	Success       bool     `json:"success"`
	ResponseCode  int      `json:"response_code"`
	StatusMessage string   `json:"status_message"`
	BatchNumber   int64    `json:"batch_number"`
	Transactions  []txnOut `json:"transactions"`
	HasMore       bool     `json:"has_more"`
}

// batchesExport lists the batches settled in an inclusive date range, oldest first.
func (s *Server) batchesExport(c *call) (int, any, error) {
	var req batchesExportRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	from, to := dateRange(p, req.StartDate, req.EndDate)
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	rows, err := s.st.db.QueryContext(c.ctx, `SELECT data FROM batches WHERE settled_date >= ? AND settled_date <= ? ORDER BY batch_number`, from, to)
	list, err := decodeRows[batch](rows, err)
	if err != nil {
		return 0, nil, err
	}
	out := batchesResponse{Success: true, ResponseCode: codeCompleted, StatusMessage: msgCompleted, Batches: []batchOut{}}
	for i := range list {
		out.Batches = append(out.Batches, s.renderBatch(&list[i]))
	}
	return http.StatusOK, out, nil
}

// loadBatch finds a batch by the request's batch_number; absent means the latest batch.
func (s *Server) loadBatch(ctx context.Context, p problems, raw json.RawMessage) (*batch, error) {
	var b batch
	var ok bool
	var err error
	if raw == nil {
		ok, err = getJSON(ctx, s.st.db, &b, `SELECT data FROM batches ORDER BY batch_number DESC LIMIT 1`)
	} else {
		n, valid := parseInt(raw)
		if !valid || n <= 0 {
			p.add(keyBatchNumber, "Please provide a valid Batch Number.")
			return nil, p.err()
		}
		ok, err = getJSON(ctx, s.st.db, &b, `SELECT data FROM batches WHERE batch_number = ?`, n)
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fail(keyBatchNumber, "Please provide a valid Batch Number. No such settled batch.")
	}
	return &b, nil
}

// batchesExportOne exports one batch (the latest when batch_number is omitted).
func (s *Server) batchesExportOne(c *call) (int, any, error) {
	var req batchRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	if req.AfterTransactionID != nil {
		p.add(keyPaging, "after_transaction_id applies to batches/transaction_list only.")
	}
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	b, err := s.loadBatch(c.ctx, p, req.BatchNumber)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, batchResponse{Success: true, ResponseCode: codeCompleted, StatusMessage: msgCompleted, Batch: s.renderBatch(b)}, nil
}

// batchesTransactionList exports the transactions of one batch, paged like by_date_range.
func (s *Server) batchesTransactionList(c *call) (int, any, error) {
	var req batchRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	if req.BatchNumber == nil {
		p.add(keyBatchNumber, "Please provide a valid Batch Number. batch_number is required.")
	}
	var after int64
	if req.AfterTransactionID != nil {
		n, ok := parseInt(req.AfterTransactionID)
		if !ok {
			p.add(keyPaging, "after_transaction_id must be a transaction ID.")
		}
		after = n
	}
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	b, err := s.loadBatch(c.ctx, p, req.BatchNumber)
	if err != nil {
		return 0, nil, err
	}
	list, more, err := listTransactions(c.ctx, s.st.db, txnQuery{Batch: b.Number, AfterID: after, Limit: s.cfg.ExportLimit})
	if err != nil {
		return 0, nil, err
	}
	exp := s.exportOf(list, more)
	return http.StatusOK, batchTxnsResponse{Success: true, ResponseCode: codeCompleted, StatusMessage: msgCompleted,
		BatchNumber: b.Number, Transactions: exp.Transactions, HasMore: more}, nil
}
