// Package glmap maps Stripe money movements to general-ledger accounts: which account a
// balance-transaction reporting category posts to, where fees go, and the bank, clearing and
// suspense accounts. Defaults match the Sage sandbox's chart; LEDGERBRIDGE_GL_ACCOUNTS overrides.
package glmap

import (
	"fmt"
	"sort"
	"strings"
)

// Accounts is a validated GL mapping.
type Accounts struct {
	// Bank receives the net payout.
	Bank string `json:"bank"`
	// Clearing is the Stripe clearing account: payments land here, payouts empty it.
	Clearing string `json:"clearing"`
	// PayTraceClearing is PayTrace's clearing account (one per processor, so each ties out on
	// its own): PayTrace receipts land here, settlement batches empty it.
	PayTraceClearing string `json:"paytraceClearing"`
	// Receivable is accounts receivable (refunded cash leaves the customer's credit here).
	Receivable string `json:"receivable"`
	// Fees is processing-fee expense.
	Fees string `json:"fees"`
	// DisputeFees is the dispute-fee expense.
	DisputeFees string `json:"disputeFees"`
	// Chargebacks is where disputed (lost) revenue is charged.
	Chargebacks string `json:"chargebacks"`
	// FX is foreign-exchange gain/loss.
	FX string `json:"fx"`
	// Suspense receives any amount whose category has no mapping: reported, never dropped.
	Suspense string `json:"suspense"`
	// Categories maps a reporting_category to the account its gross amount posts to.
	Categories map[string]string `json:"categories"`
	// FeeAccounts maps a reporting_category to the account its fee posts to (default Fees).
	FeeAccounts map[string]string `json:"feeAccounts"`
}

// Defaults returns the mapping used when nothing is configured. Dispute fees are expensed by the
// dispute workflow when the funds are withdrawn, so in a payout they only move through clearing.
func Defaults() Accounts {
	return Accounts{
		Bank: "1010-00", Clearing: "1015-00", PayTraceClearing: "1016-00", Receivable: "1200-00", Fees: "6150-00", DisputeFees: "6160-00",
		Chargebacks: "4900-00", FX: "7900-00", Suspense: "2990-00",
		Categories: map[string]string{
			"charge": "1015-00", "refund": "1015-00", "dispute": "1015-00", "dispute_reversal": "1015-00",
			"payout_reversal": "1015-00", "refund_failure": "1015-00",
			// The released part of a partially captured authorisation nets against its charge.
			"partial_capture_reversal": "1015-00",
		},
		FeeAccounts: map[string]string{"dispute": "1015-00", "dispute_reversal": "1015-00"},
	}
}

// AccountFor returns the account of a category's gross amount, and false when unmapped (suspense).
func (a Accounts) AccountFor(category string) (string, bool) {
	acct, ok := a.Categories[category]
	if !ok || acct == "" {
		return a.Suspense, false
	}
	return acct, true
}

// FeeAccountFor returns the account a category's fee posts to.
func (a Accounts) FeeAccountFor(category string) string {
	if acct, ok := a.FeeAccounts[category]; ok && acct != "" {
		return acct
	}
	return a.Fees
}

// Parse applies an override spec to the defaults: comma-separated key=account pairs where key is
// one of bank, clearing, paytraceClearing, receivable, fees, disputeFees, chargebacks, fx, suspense,
// category.<reporting_category> or fee.<reporting_category>. Errors name the entry at fault.
func Parse(spec string) (Accounts, error) { return Apply(Defaults(), spec) }

// Apply applies an override spec (see Parse) on top of base, which it does not modify.
func Apply(base Accounts, spec string) (Accounts, error) {
	a := base
	a.Categories, a.FeeAccounts = map[string]string{}, map[string]string{}
	for k, v := range base.Categories {
		a.Categories[k] = v
	}
	for k, v := range base.FeeAccounts {
		a.FeeAccounts[k] = v
	}
	for _, raw := range strings.Split(spec, ",") {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			continue
		}
		key, acct, ok := strings.Cut(entry, "=")
		key, acct = strings.TrimSpace(key), strings.TrimSpace(acct)
		if !ok || acct == "" {
			return a, fmt.Errorf("LEDGERBRIDGE_GL_ACCOUNTS entry %q: want key=account", entry)
		}
		switch {
		case strings.HasPrefix(key, "category."):
			a.Categories[strings.TrimPrefix(key, "category.")] = acct
		case strings.HasPrefix(key, "fee."):
			a.FeeAccounts[strings.TrimPrefix(key, "fee.")] = acct
		default:
			field := a.field(key)
			if field == nil {
				return a, fmt.Errorf("LEDGERBRIDGE_GL_ACCOUNTS entry %q: unknown key %q (want bank, clearing, paytraceClearing, receivable, fees, disputeFees, chargebacks, fx, suspense, category.<reporting_category> or fee.<reporting_category>)", entry, key)
			}
			*field = acct
		}
	}
	return a, nil
}

func (a *Accounts) field(key string) *string {
	switch strings.ToLower(key) {
	case "bank":
		return &a.Bank
	case "clearing":
		return &a.Clearing
	case "paytraceclearing", "paytrace_clearing":
		return &a.PayTraceClearing
	case "receivable":
		return &a.Receivable
	case "fees":
		return &a.Fees
	case "disputefees":
		return &a.DisputeFees
	case "chargebacks":
		return &a.Chargebacks
	case "fx":
		return &a.FX
	case "suspense":
		return &a.Suspense
	}
	return nil
}

// All lists every account the mapping uses, labelled, in a stable order.
func (a Accounts) All() [][2]string {
	out := [][2]string{{"bank", a.Bank}, {"clearing", a.Clearing}, {"paytraceClearing", a.PayTraceClearing}, {"receivable", a.Receivable}, {"fees", a.Fees},
		{"disputeFees", a.DisputeFees}, {"chargebacks", a.Chargebacks}, {"fx", a.FX}, {"suspense", a.Suspense}}
	for _, m := range []struct {
		prefix string
		m      map[string]string
	}{{"category.", a.Categories}, {"fee.", a.FeeAccounts}} {
		keys := make([]string, 0, len(m.m))
		for k := range m.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, [2]string{m.prefix + k, m.m[k]})
		}
	}
	return out
}

// Validate checks that every account is set and, when known is non-nil, exists in the ERP's
// chart of accounts. The error lists every problem, so one start-up attempt shows them all.
func (a Accounts) Validate(known map[string]bool) error {
	var problems []string
	for _, kv := range a.All() {
		switch {
		case kv[1] == "":
			problems = append(problems, fmt.Sprintf("%s: no account set", kv[0]))
		case known != nil && !known[kv[1]]:
			problems = append(problems, fmt.Sprintf("%s: account %q does not exist in the ERP's chart of accounts", kv[0], kv[1]))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("GL account mapping (LEDGERBRIDGE_GL_ACCOUNTS): %s", strings.Join(problems, "; "))
	}
	return nil
}
