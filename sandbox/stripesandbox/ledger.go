package stripesandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
)

// Balance transactions carry three ledger columns next to their JSON (see
// migrateLedger): net, available_on and payout (the po_ that swept them).
// The balance is the sum of nets per currency; a row counts as available
// once available_on has passed or a payout swept it, pending otherwise.

// btRow is the stored row of a balance transaction; payoutID links it to a
// payout at insert time ("" = not yet paid out).
func btRow(bt *balanceTransaction, payoutID string) row {
	r := row{ID: bt.ID, Type: "balance_transaction", Created: bt.Created, Kind: bt.Type,
		Currency: bt.Currency, Net: bt.Net, AvailableOn: bt.AvailableOn, Payout: payoutID}
	if bt.Source != nil {
		r.Source = *bt.Source
	}
	return r
}

// saveBT stores a new balance transaction.
func (c *call) saveBT(bt *balanceTransaction, payoutID string) *apiError {
	return c.save(btRow(bt, payoutID), bt)
}

// loadBT reads a balance transaction by ID.
func (c *call) loadBT(id string) (*balanceTransaction, *apiError) {
	r, err := getRow(c.ctx, c.q, id, "balance_transaction")
	if err != nil {
		return nil, internalError(err)
	}
	var bt balanceTransaction
	if aerr := decodeRow(r, &bt); aerr != nil {
		return nil, aerr
	}
	return &bt, nil
}

var (
	statusPending   = []byte(`"status":"pending"`)
	statusAvailable = []byte(`"status":"available"`)
)

// freshBalanceTxn shows a stored pending balance transaction as available
// once its available_on has passed, like Stripe.
func (s *Server) freshBalanceTxn(raw []byte) []byte {
	if !bytes.Contains(raw, statusPending) {
		return raw
	}
	var probe struct {
		AvailableOn int64 `json:"available_on"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil || probe.AvailableOn > s.now().Unix() {
		return raw
	}
	return bytes.Replace(raw, statusPending, statusAvailable, 1)
}

// settlementFor returns the currency a charge in currency settles in.
func (s *Server) settlementFor(currency string) string {
	if s.settle[currency] {
		return currency
	}
	return s.cfg.SettlementCurrency
}

// chargeBalanceTxn builds the balance transaction of a successful capture of
// amount (minor units of the charge currency; the whole charge unless a
// partial capture settles only its captured part): settled in the charge
// currency when it is a settlement currency, else converted into
// SettlementCurrency with the fixed FX table and exchange_rate set. The fee
// is computed on the settled amount.
func (s *Server) chargeBalanceTxn(ch *charge, amount, now int64) (*balanceTransaction, *apiError) {
	cur := s.settlementFor(ch.Currency)
	amount, ok := convertAmount(amount, ch.Currency, cur)
	if !ok {
		return nil, invalidParamCode("currency_not_supported", "currency",
			"The sandbox has no exchange rate for %s to settle into %s; use a settlement currency (%s) or one of its FX table currencies.",
			strings.ToUpper(ch.Currency), strings.ToUpper(cur), strings.Join(s.settlementList(), ", "))
	}
	fee := stripeFee(amount, cur)
	bt := &balanceTransaction{ID: newID("txn"), Object: "balance_transaction", Amount: amount,
		AvailableOn: now + 2*86400, Created: now, Currency: cur, Description: ch.Description,
		Fee: fee, Net: amount - fee, ReportingCategory: "charge", Source: &ch.ID, Status: "pending", Type: "charge",
		FeeDetails: []feeDetail{{Amount: fee, Currency: cur, Description: "Stripe processing fees", Type: "stripe_fee"}}}
	if cur != ch.Currency {
		r := exchangeRate(ch.Currency, cur)
		bt.ExchangeRate = &r
	}
	return bt, nil
}

func (s *Server) settlementList() []string {
	out := make([]string, 0, len(s.settle))
	for c := range s.settle {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// settledPortion converts the part [from, to) of a charge amount into the
// charge's settlement currency as the difference of the cumulative
// conversions, so partial refunds and disputes of a converted charge add up
// exactly to its settled amount.
func settledPortion(ch *charge, settleCur string, from, to int64) int64 {
	a, _ := convertAmount(to, ch.Currency, settleCur)
	b, _ := convertAmount(from, ch.Currency, settleCur)
	return a - b
}

// capturedTotal is the part of a charge that refunds and disputes draw on,
// in minor units of the charge currency: the whole amount under the
// 2023-10-16 rules (a partial capture's released remainder is itself a
// refund, counted in amount_refunded), only the captured amount under
// DisableRefundOnAuthRelease.
func (s *Server) capturedTotal(ch *charge) int64 {
	if s.cfg.DisableRefundOnAuthRelease && ch.Captured {
		return ch.AmountCaptured
	}
	return ch.Amount
}

// chargeAndBT loads a charge and its balance transaction.
func (c *call) chargeAndBT(id, param string) (*charge, *balanceTransaction, *apiError) {
	r, err := getRow(c.ctx, c.q, id, "charge")
	if errors.Is(err, errNotFound) {
		return nil, nil, noSuchObject(http.StatusBadRequest, param, "charge", id)
	}
	if err != nil {
		return nil, nil, internalError(err)
	}
	var ch charge
	if aerr := decodeRow(r, &ch); aerr != nil {
		return nil, nil, aerr
	}
	if ch.BalanceTransaction == nil {
		return &ch, nil, nil
	}
	bt, aerr := c.loadBT(*ch.BalanceTransaction)
	if aerr != nil {
		return nil, nil, aerr
	}
	return &ch, bt, nil
}

// balanceAmount is one currency entry of GET /v1/balance.
type balanceAmount struct {
	Amount      int64            `json:"amount"`
	Currency    string           `json:"currency"`
	SourceTypes map[string]int64 `json:"source_types"`
}

type balance struct {
	Object    string          `json:"object"`
	Available []balanceAmount `json:"available"`
	Pending   []balanceAmount `json:"pending"`
	Livemode  bool            `json:"livemode"`
}

func (s *Server) getBalance(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "expand"); aerr != nil {
		return nil, aerr
	}
	now := s.now().Unix()
	rows, err := c.q.QueryContext(c.ctx, `SELECT currency,
		COALESCE(SUM(CASE WHEN available_on <= ? OR payout != '' THEN net ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN available_on > ? AND payout = '' THEN net ELSE 0 END), 0)
		FROM objects WHERE type = 'balance_transaction' GROUP BY currency ORDER BY currency`, now, now)
	if err != nil {
		return nil, internalError(err)
	}
	defer rows.Close()
	out := balance{Object: "balance", Available: []balanceAmount{}, Pending: []balanceAmount{}}
	seen := map[string]bool{}
	for rows.Next() {
		var cur string
		var avail, pend int64
		if err := rows.Scan(&cur, &avail, &pend); err != nil {
			return nil, internalError(err)
		}
		seen[cur] = true
		out.Available = append(out.Available, balanceAmount{Amount: avail, Currency: cur, SourceTypes: map[string]int64{"card": avail}})
		out.Pending = append(out.Pending, balanceAmount{Amount: pend, Currency: cur, SourceTypes: map[string]int64{"card": pend}})
	}
	if err := rows.Err(); err != nil {
		return nil, internalError(err)
	}
	if !seen[s.cfg.SettlementCurrency] {
		zero := func() balanceAmount {
			return balanceAmount{Currency: s.cfg.SettlementCurrency, SourceTypes: map[string]int64{"card": 0}}
		}
		out.Available = append([]balanceAmount{zero()}, out.Available...)
		out.Pending = append([]balanceAmount{zero()}, out.Pending...)
	}
	return out, nil
}
