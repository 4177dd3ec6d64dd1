package stripesandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
)

// Payouts are automatic: the admin endpoint POST /_sandbox/payouts/sweep
// plays Stripe's daily payout run. For each currency (or the one named) it
// takes every balance transaction not yet paid out whose available_on has
// passed (all_pending: whatever its available_on), and if their nets sum to
// more than zero creates one payout of that sum with its own type=payout
// balance transaction (-amount) and links all of them to it, so
// GET /v1/balance_transactions?payout=po_… lists the swept rows plus the
// payout row and sums to zero. A failed payout (fail=true) also writes a
// type=payout_failure / reporting_category=payout_reversal row (+amount)
// that is not linked to the failed payout: the funds are back in the
// balance and the next sweep pays them out.

// payoutFailures are Stripe's payout failure codes the sandbox knows.
var payoutFailures = map[string]string{
	"account_closed":          "The bank account has been closed.",
	"account_frozen":          "The bank account has been frozen.",
	"bank_account_restricted": "The bank account has restrictions on either the type, or the number, of payouts allowed.",
	"could_not_process":       "The bank could not process this payout.",
	"declined":                "The bank has declined this transfer.",
	"insufficient_funds":      "Your Stripe account has insufficient funds to cover the payout.",
	"invalid_account_number":  "The routing number seems correct, but the account number is invalid.",
	"no_account":              "The bank account details on file are probably incorrect. No bank account could be located with those details.",
}

func payoutRow(po *payout) row {
	return row{ID: po.ID, Type: "payout", Created: po.Created, Currency: po.Currency, Kind: po.Status}
}

// bankAccountID is the sandbox's (fixed) external account per currency.
func bankAccountID(currency string) string {
	return "ba_1LedgerBridgeSandbox" + strings.ToUpper(currency)
}

// newPayout returns an in-transit automatic payout.
func (s *Server) newPayout(currency string, amount, now int64) *payout {
	return &payout{ID: newID("po"), Object: "payout", Amount: amount, ArrivalDate: now - now%86400 + 86400,
		Automatic: true, Created: now, Currency: currency, Description: strPtr("STRIPE PAYOUT"),
		Destination: bankAccountID(currency), Metadata: map[string]string{}, Method: "standard",
		ReconciliationStatus: "in_progress", SourceType: "card", Status: "in_transit", Type: "bank_account"}
}

// payoutBT is the payout's own balance transaction.
func payoutBT(po *payout, now int64) *balanceTransaction {
	return &balanceTransaction{ID: newID("txn"), Object: "balance_transaction", Amount: -po.Amount,
		AvailableOn: now, Created: now, Currency: po.Currency, Description: strPtr("STRIPE PAYOUT"),
		FeeDetails: []feeDetail{}, Net: -po.Amount, ReportingCategory: "payout", Source: &po.ID,
		Status: "available", Type: "payout"}
}

// markPaid finishes a payout. With reconcile, payout.paid shows
// reconciliation in_progress and payout.reconciliation_completed follows
// (Stripe's order); without, payout.paid alone carries "completed".
func (c *call) markPaid(po *payout, reconcile bool) *apiError {
	po.Status, po.ReconciliationStatus = "paid", "completed"
	if reconcile {
		po.ReconciliationStatus = "in_progress"
	}
	if aerr := c.save(payoutRow(po), po); aerr != nil {
		return aerr
	}
	if aerr := c.emit(evPayoutPaid, po, nil); aerr != nil || !reconcile {
		return aerr
	}
	po.ReconciliationStatus = "completed"
	if aerr := c.save(payoutRow(po), po); aerr != nil {
		return aerr
	}
	return c.emit(evPayoutReconciled, po, nil)
}

type sweepRequest struct {
	Currency    string `json:"currency"`
	Fail        bool   `json:"fail"`
	AllPending  bool   `json:"all_pending"`
	FailureCode string `json:"failure_code"`
}

func (s *Server) sweepPayouts(c *call, r *http.Request, _ *sql.Tx) (any, *apiError) {
	var in sweepRequest
	if aerr := decodeJSON(r, &in); aerr != nil {
		return nil, aerr
	}
	in.Currency = strings.ToLower(strings.TrimSpace(in.Currency))
	if in.FailureCode == "" {
		in.FailureCode = "account_closed"
	}
	if _, ok := payoutFailures[in.FailureCode]; !ok {
		return nil, invalidParam("failure_code", "Unknown failure_code %q", in.FailureCode)
	}
	var currencies []string
	if in.Currency != "" {
		currencies = []string{in.Currency}
	} else {
		rows, err := c.q.QueryContext(c.ctx, `SELECT DISTINCT currency FROM objects
			WHERE type = 'balance_transaction' AND payout = '' ORDER BY currency`)
		if err != nil {
			return nil, internalError(err)
		}
		for rows.Next() {
			var cur string
			if err := rows.Scan(&cur); err != nil {
				rows.Close()
				return nil, internalError(err)
			}
			currencies = append(currencies, cur)
		}
		rows.Close()
	}
	out := listObject{Object: "list", Data: []any{}, URL: "/_sandbox/payouts/sweep"}
	for _, cur := range currencies {
		po, aerr := c.sweepCurrency(cur, in)
		if aerr != nil {
			return nil, aerr
		}
		if po != nil {
			out.Data = append(out.Data, po)
		}
	}
	return out, nil
}

// sweepCurrency pays out one currency's eligible balance (nil if <= 0).
func (c *call) sweepCurrency(cur string, in sweepRequest) (*payout, *apiError) {
	now := c.s.now().Unix()
	all := 0
	if in.AllPending {
		all = 1
	}
	const where = `type = 'balance_transaction' AND currency = ? AND payout = '' AND (? = 1 OR available_on <= ?)`
	var sum, n int64
	if err := c.q.QueryRowContext(c.ctx, `SELECT COALESCE(SUM(net), 0), COUNT(*) FROM objects WHERE `+where,
		cur, all, now).Scan(&sum, &n); err != nil {
		return nil, internalError(err)
	}
	if n == 0 || sum <= 0 {
		return nil, nil
	}
	po := c.s.newPayout(cur, sum, now)
	if _, err := c.q.ExecContext(c.ctx, `UPDATE objects SET payout = ?,
		json = json_set(json, '$.status', 'available') WHERE `+where, po.ID, cur, all, now); err != nil {
		return nil, internalError(err)
	}
	bt := payoutBT(po, now)
	if aerr := c.saveBT(bt, po.ID); aerr != nil {
		return nil, aerr
	}
	po.BalanceTransaction = &bt.ID
	if aerr := c.save(payoutRow(po), po); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evPayoutCreated, po, nil); aerr != nil {
		return nil, aerr
	}
	if !in.Fail {
		return po, c.markPaid(po, true)
	}
	fbt := &balanceTransaction{ID: newID("txn"), Object: "balance_transaction", Amount: po.Amount,
		AvailableOn: now, Created: now, Currency: cur, Description: strPtr("Payout failure for " + po.ID),
		FeeDetails: []feeDetail{}, Net: po.Amount, ReportingCategory: "payout_reversal", Source: &po.ID,
		Status: "available", Type: "payout_failure"}
	if aerr := c.saveBT(fbt, ""); aerr != nil {
		return nil, aerr
	}
	po.Status, po.ReconciliationStatus = "failed", "not_applicable"
	po.FailureBalanceTransaction = &fbt.ID
	po.FailureCode = strPtr(in.FailureCode)
	po.FailureMessage = strPtr(payoutFailures[in.FailureCode])
	if aerr := c.save(payoutRow(po), po); aerr != nil {
		return nil, aerr
	}
	return po, c.emit(evPayoutFailed, po, nil)
}

type bulkRequest struct {
	Currency string `json:"currency"`
	Count    int    `json:"count"`
	Amount   int64  `json:"amount"`
}

// decodeBulk reads and checks the body of a bulk endpoint: currency (default the settlement
// currency), count (1…maxBulkCount) and amount (default 1000, in the currency's minor units).
func (s *Server) decodeBulk(r *http.Request) (bulkRequest, *apiError) {
	in := bulkRequest{Currency: s.cfg.SettlementCurrency, Amount: 1000}
	if aerr := decodeJSON(r, &in); aerr != nil {
		return in, aerr
	}
	in.Currency = strings.ToLower(strings.TrimSpace(in.Currency))
	if in.Count < 1 || in.Count > maxBulkCount {
		return in, invalidParam("count", "count must be between 1 and %d", maxBulkCount)
	}
	return in, validateAmount(in.Amount, in.Currency)
}

// maxBulkCount bounds POST /_sandbox/payouts/bulk and /_sandbox/charges/bulk.
const maxBulkCount = 1_000_000

// bulkPayout creates count synthetic charge balance transactions of amount
// each (the usual fee, status available, source a ch_ ID with no stored
// charge) and one paid payout over exactly them, in one SQL transaction
// with a prepared insert. Only payout.paid is emitted.
func (s *Server) bulkPayout(c *call, r *http.Request, tx *sql.Tx) (any, *apiError) {
	in, aerr := s.decodeBulk(r)
	if aerr != nil {
		return nil, aerr
	}
	now := s.now().Unix()
	fee := stripeFee(in.Amount, in.Currency)
	po := s.newPayout(in.Currency, int64(in.Count)*(in.Amount-fee), now)
	if po.Amount <= 0 {
		return nil, invalidParam("amount", "amount %d does not cover the fee %d", in.Amount, fee)
	}
	stmt, err := tx.PrepareContext(c.ctx, putRowSQL)
	if err != nil {
		return nil, internalError(err)
	}
	defer stmt.Close()
	desc := "Sandbox bulk charge"
	for i := 0; i < in.Count; i++ {
		src := newID("ch")
		bt := &balanceTransaction{ID: newID("txn"), Object: "balance_transaction", Amount: in.Amount,
			AvailableOn: now, Created: now, Currency: in.Currency, Description: &desc, Fee: fee,
			FeeDetails: []feeDetail{{Amount: fee, Currency: in.Currency, Description: "Stripe processing fees", Type: "stripe_fee"}},
			Net:        in.Amount - fee, ReportingCategory: "charge", Source: &src, Status: "available", Type: "charge"}
		b, err := json.Marshal(bt)
		if err != nil {
			return nil, internalError(err)
		}
		rw := btRow(bt, po.ID)
		rw.JSON, rw.Seq = b, s.nextSeq()
		if _, err := stmt.ExecContext(c.ctx, rw.args()...); err != nil {
			return nil, internalError(err)
		}
	}
	bt := payoutBT(po, now)
	if aerr := c.saveBT(bt, po.ID); aerr != nil {
		return nil, aerr
	}
	po.BalanceTransaction = &bt.ID
	if aerr := c.markPaid(po, false); aerr != nil {
		return nil, aerr
	}
	return po, nil
}

// closeDisputeAdmin is POST /_sandbox/disputes/{id}/close {"outcome":…}:
// the card network's decision, which real Stripe makes on its own.
func (s *Server) closeDisputeAdmin(c *call, r *http.Request, _ *sql.Tx) (any, *apiError) {
	var in struct {
		Outcome string `json:"outcome"`
	}
	if aerr := decodeJSON(r, &in); aerr != nil {
		return nil, aerr
	}
	d, aerr := c.loadDispute(r.PathValue("id"))
	if aerr != nil {
		return nil, aerr
	}
	if aerr := c.closeDispute(d, in.Outcome); aerr != nil {
		return nil, aerr
	}
	return d, nil
}

// adminWrite registers an admin endpoint that runs in one SQLite
// transaction under s.mu, like API writes; events it emits are automatic
// (request.id null).
func (s *Server) adminWrite(pattern string, h func(c *call, r *http.Request, tx *sql.Tx) (any, *apiError)) {
	s.admin(pattern, func(r *http.Request) (any, *apiError) {
		s.mu.Lock()
		defer s.mu.Unlock()
		ctx := context.WithoutCancel(r.Context())
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return nil, internalError(err)
		}
		c := &call{s: s, ctx: ctx, r: r, q: tx, p: params{}}
		v, aerr := h(c, r, tx)
		if aerr != nil {
			_ = tx.Rollback()
			return nil, aerr
		}
		if err := tx.Commit(); err != nil {
			return nil, internalError(err)
		}
		if c.queued {
			s.kick()
		}
		return v, nil
	})
}

func (s *Server) getPayout(c *call) (any, *apiError) { return c.getAndRender("payout") }

func (s *Server) listPayouts(c *call) (any, *apiError) {
	return c.list("payout", "/v1/payouts", map[string]string{"status": "kind", "currency": "currency"})
}

// bulkCharges creates count succeeded, captured charges of amount (POST /_sandbox/charges/bulk),
// in one SQL transaction with a prepared insert and no events: the large history a backfill or
// a reconciliation benchmark reads through GET /v1/charges.
func (s *Server) bulkCharges(c *call, r *http.Request, tx *sql.Tx) (any, *apiError) {
	in, aerr := s.decodeBulk(r)
	if aerr != nil {
		return nil, aerr
	}
	stmt, err := tx.PrepareContext(c.ctx, putRowSQL)
	if err != nil {
		return nil, internalError(err)
	}
	defer stmt.Close()
	now := s.now().Unix()
	desc := "Sandbox bulk charge"
	var first, last string
	for i := 0; i < in.Count; i++ {
		ch := &charge{ID: newID("ch"), Object: "charge", Amount: in.Amount, AmountCaptured: in.Amount, Captured: true,
			Created: now, Currency: in.Currency, Description: &desc, Paid: true, Status: "succeeded",
			Metadata: map[string]string{}, FraudDetails: map[string]string{}}
		b, err := json.Marshal(ch)
		if err != nil {
			return nil, internalError(err)
		}
		rw := chargeRow(ch)
		rw.JSON, rw.Seq = b, s.nextSeq()
		if _, err := stmt.ExecContext(c.ctx, rw.args()...); err != nil {
			return nil, internalError(err)
		}
		if first == "" {
			first = ch.ID
		}
		last = ch.ID
	}
	return map[string]any{"count": in.Count, "first": first, "last": last}, nil
}
