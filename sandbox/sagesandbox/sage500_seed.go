package sagesandbox

import (
	"context"

	"github.com/shopspring/decimal"
)

// s5Items is the seeded item master. DISCONTINUED is inactive so tests can prove inactive
// items are rejected.
var s5Items = []s5Item{
	{ItemID: "STRIPE-SALE", Description: "Online sale", ItemType: "Misc", UnitPrice: val(decimal.Zero), Status: s5Active},
	{ItemID: "WIDGET", Description: "Widget", ItemType: "Finished Good", UnitPrice: val(decimal.RequireFromString("19.99")), Status: s5Active},
	{ItemID: "GADGET", Description: "Gadget", ItemType: "Finished Good", UnitPrice: val(decimal.RequireFromString("49.50")), Status: s5Active},
	{ItemID: "SERVICE", Description: "Professional services (hour)", ItemType: "Service", UnitPrice: val(decimal.RequireFromString("150.00")), Status: s5Active},
	{ItemID: "SHIPPING", Description: "Shipping and handling", ItemType: "Misc", UnitPrice: val(decimal.Zero), Status: s5Active},
	{ItemID: "SUBSCRIPTION", Description: "Subscription fee", ItemType: "Service", UnitPrice: val(decimal.Zero), Status: s5Active},
	{ItemID: "DISCONTINUED", Description: "Discontinued item", ItemType: "Finished Good", UnitPrice: val(decimal.Zero), Status: s5Inactive},
}

// s5Accounts is the seeded chart of accounts. 1999-00 is inactive.
var s5Accounts = []s5GLAccount{
	{AcctNo: "1010-00", Description: "Operating bank", AcctType: "Cash", Status: s5Active},
	{AcctNo: "1015-00", Description: "Stripe clearing", AcctType: "Cash", Status: s5Active},
	{AcctNo: "1016-00", Description: "PayTrace clearing", AcctType: "Cash", Status: s5Active},
	{AcctNo: "1016-00", Description: "PayTrace clearing", AcctType: "Cash", Status: s5Active},
	{AcctNo: "1200-00", Description: "Accounts receivable", AcctType: "Accounts Receivable", Status: s5Active},
	{AcctNo: "1999-00", Description: "Retired clearing (inactive)", AcctType: "Cash", Status: s5Inactive},
	{AcctNo: "2200-00", Description: "Sales tax payable", AcctType: "Current Liability", Status: s5Active},
	{AcctNo: "2990-00", Description: "Suspense", AcctType: "Current Liability", Status: s5Active},
	{AcctNo: "4000-00", Description: "Sales", AcctType: "Revenue", Status: s5Active},
	{AcctNo: "4900-00", Description: "Refunds and allowances", AcctType: "Revenue", Status: s5Active},
	{AcctNo: "6150-00", Description: "Merchant fees", AcctType: "Expense", Status: s5Active},
	{AcctNo: "6160-00", Description: "Dispute fees", AcctType: "Expense", Status: s5Active},
	{AcctNo: "7900-00", Description: "FX gain/loss", AcctType: "Other Income/Expense", Status: s5Active},
}

// seedSage500 inserts master data that is missing; existing rows (possibly edited) are kept.
func seedSage500(ctx context.Context, st *store) error {
	return st.write(ctx, func(t *txn) error {
		for i := range s5Items {
			if err := insertIfMissing(t, s5KindItem, s5Items[i].ItemID, &s5Items[i]); err != nil {
				return err
			}
		}
		for i := range s5Accounts {
			if err := insertIfMissing(t, s5KindGLAccount, s5Accounts[i].AcctNo, &s5Accounts[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertIfMissing(t *txn, kind, key string, v indexed) error {
	ok, err := t.exists(kind, key)
	if err != nil || ok {
		return err
	}
	return t.insert(kind, key, v)
}
