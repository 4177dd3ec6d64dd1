package posting

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
)

// SettlementBatch is a closed PayTrace batch: what the processor deposits for a day.
type SettlementBatch struct {
	Ref         string          `json:"ref"`
	Number      string          `json:"number"`
	Settled     int64           `json:"settled"`
	Currency    string          `json:"currency"`
	SalesCount  int             `json:"salesCount"`
	Sales       decimal.Decimal `json:"sales"`
	RefundCount int             `json:"refundCount"`
	Refunds     decimal.Decimal `json:"refunds"`
	Fees        decimal.Decimal `json:"fees"`
	Net         decimal.Decimal `json:"net"`
}

// BatchJournal renders a settlement batch as one balanced entry: Dr bank the net deposit, Dr fee
// expense the batch's fees, Cr the processor's clearing account what the sales less refunds put
// there. The batch must add up (net = sales − refunds − fees), or it is a data error.
func BatchJournal(m *mapping.Mapping, gl glmap.Accounts, b *SettlementBatch) (erp.JournalEntry, error) {
	if want := b.Sales.Sub(b.Refunds).Sub(b.Fees); !want.Equal(b.Net) {
		return erp.JournalEntry{}, &mapping.DataError{Field: "batch.net", Message: fmt.Sprintf(
			"PayTrace batch %s: net deposit %s is not sales %s − refunds %s − fees %s = %s", b.Number, b.Net, b.Sales, b.Refunds, b.Fees, want)}
	}
	desc := fmt.Sprintf("PayTrace batch %s (%d sales, %d refunds)", b.Number, b.SalesCount, b.RefundCount)
	var lines []erp.JournalLine
	add := func(acct string, debit decimal.Decimal, what string) {
		switch {
		case debit.IsPositive():
			lines = append(lines, erp.JournalLine{Account: acct, Debit: debit, Description: what})
		case debit.IsNegative():
			lines = append(lines, erp.JournalLine{Account: acct, Credit: debit.Neg(), Description: what})
		}
	}
	add(gl.Bank, b.Net, "PayTrace deposit, batch "+b.Number)
	add(gl.Fees, b.Fees, "PayTrace fees, batch "+b.Number)
	add(gl.PayTraceClearing, b.Refunds.Sub(b.Sales), desc)
	je := erp.JournalEntry{Date: m.Date(b.Settled), Currency: b.Currency, ExternalRef: b.Ref, Memo: desc, Lines: lines}
	return je, Balanced(je)
}
