package report

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// dec parses a decimal literal of a test.
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// testWebUI is the Web UI base of the test reports.
const testWebUI = "http://127.0.0.1:8233/namespaces/default"

// realisticReport is a week of Stripe → Sage 500 in two currencies: 8 days, 12 discrepancies
// across every class that needs attention (plus 2 healed), 3 payouts, 5 runs of history and an
// anomaly. Its dates are midnights in time.Local, so the period reads as 8 local days.
func realisticReport() *Report {
	from := time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local)
	to := from.AddDate(0, 0, 8)
	gen := to.Add(6*time.Hour + 5*time.Minute)
	at := func(day, hour int) time.Time { return from.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour) }
	item := func(class, object, kind, cur, amount, erpAmount, doc, reason, wf string, created time.Time) Item {
		return Item{Class: class, Object: object, Kind: kind, Currency: cur, Amount: dec(amount), ERPAmount: dec(erpAmount),
			ERPDocument: doc, Reason: reason, WorkflowID: wf, Created: created}
	}
	r := &Report{
		ID: "stripe-20261201T000000Z-20261209T000000Z-3f9a2c1e", Provider: "stripe", ERP: "sage500",
		From: from, To: to, GeneratedAt: gen,
		WorkflowID: "reconcile/stripe/20261201T000000Z-20261209T000000Z", RunID: "3f9a2c1e-7b4d-4c2a-9e61-0d5b8a7c6f10",
		WebUI: testWebUI, Objects: 136,
		Totals: []CurrencyTotals{
			{Currency: "usd", Provider: dec("48210.55"), ERP: dec("47020.30"), Count: 121},
			{Currency: "jpy", Provider: dec("1250000"), ERP: dec("1203200"), Count: 15},
		},
		Classes: []ClassCount{
			{Class: ClassPosted, Count: 118}, {Class: ClassHealed, Count: 2}, {Class: ClassMissing, Count: 2},
			{Class: ClassMismatch, Count: 3}, {Class: ClassDuplicate, Count: 2}, {Class: ClassOrphan, Count: 1},
			{Class: ClassParked, Count: 2}, {Class: ClassInFlight, Count: 2}, {Class: ClassNotPosting, Count: 5},
		},
		Items: []Item{
			item(ClassMissing, "ch_3QmissingA1", "charge", "usd", "1250.00", "0", "", "no ERP document and its run ended without posting (Failed)", "order-to-cash/stripe/ch_3QmissingA1", at(2, 10)),
			item(ClassMissing, "re_3QmissingB2", "refund", "usd", "89.90", "0", "", "no ERP document and no run: the webhook never arrived", "refund/stripe/re_3QmissingB2", at(5, 16)),
			item(ClassMismatch, "ch_3QmismatchC3", "charge", "usd", "2400.00", "2040.00", "SO-000482", "the ERP has 2040.00 usd, the provider 2400.00", "order-to-cash/stripe/ch_3QmismatchC3", at(1, 9)),
			item(ClassMismatch, "ch_3QmismatchD4", "charge", "jpy", "52000", "5200", "SO-000517", "the ERP has 5200 jpy, the provider 52000", "order-to-cash/stripe/ch_3QmismatchD4", at(3, 14)),
			item(ClassMismatch, "po_1QmismatchE5", "payout", "usd", "9850.25", "9350.25", "JE-2026-1207", "the ERP has 9350.25 usd, the provider 9850.25", "payout/stripe/po_1QmismatchE5", at(6, 8)),
			item(ClassDuplicate, "ch_3QdupF6", "charge", "usd", "310.00", "620.00", "SO-000530", "2 live ERP documents carry this reference: void the extra by hand", "order-to-cash/stripe/ch_3QdupF6", at(4, 11)),
			item(ClassDuplicate, "ch_3QdupG7", "charge", "usd", "75.00", "150.00", "SO-000533", "2 live ERP documents carry this reference: void the extra by hand", "order-to-cash/stripe/ch_3QdupG7", at(4, 12)),
			item(ClassOrphan, "SO-000499", "charge", "usd", "0", "199.00", "SO-000499", "ERP document references ch_3Qgone, which Stripe does not have", "", at(2, 15)),
			item(ClassParked, "ch_3QparkH8", "charge", "usd", "640.00", "0", "", "its run waits for an operator (NeedsAttention): see its status query", "order-to-cash/stripe/ch_3QparkH8", at(6, 13)),
			item(ClassParked, "ch_3QparkI9", "charge", "jpy", "18000", "0", "", "its run waits for an operator (NeedsAttention): see its status query", "order-to-cash/stripe/ch_3QparkI9", at(7, 9)),
			item(ClassInFlight, "ch_3QflightJ10", "charge", "usd", "129.99", "0", "", "its run is still working on it", "order-to-cash/stripe/ch_3QflightJ10", at(7, 22)),
			item(ClassInFlight, "re_3QflightK11", "refund", "usd", "49.99", "0", "", "its run is still working on it", "refund/stripe/re_3QflightK11", at(7, 23)),
			item(ClassHealed, "ch_3QhealL12", "charge", "usd", "520.00", "0", "", "no ERP document and no run: the webhook never arrived; its run was started again by reconciliation", "order-to-cash/stripe/ch_3QhealL12", at(3, 18)),
			item(ClassHealed, "ch_3QhealM13", "charge", "jpy", "33000", "0", "", "no ERP document and no run: the webhook never arrived; its run was started again by reconciliation", "order-to-cash/stripe/ch_3QhealM13", at(5, 7)),
		},
		Payouts: []Payout{
			{ID: "po_1QtiedN14", Currency: "usd", Amount: dec("12000.00"), Posted: dec("12000.00"), Status: "tied"},
			{ID: "po_1QmismatchE5", Currency: "usd", Amount: dec("9850.25"), Posted: dec("9350.25"), Status: "mismatch"},
			{ID: "po_1QmissingO15", Currency: "jpy", Amount: dec("420000"), Posted: dec("0"), Status: "missing"},
		},
		Anomalies: []Anomaly{{Rule: "same_amount_repeated", Object: "ch_3QdupF6",
			Detail: "3 charges of USD 310.00 to the same card within 4 minutes", WorkflowID: "order-to-cash/stripe/ch_3QdupF6"}},
	}
	usd := []string{"5210.40", "6120.00", "4980.75", "7002.10", "5530.00", "6890.30", "5977.00", "6500.00"}
	usdPosted := []string{"5210.40", "5760.00", "3730.75", "7002.10", "5075.00", "6890.30", "5852.75", "7499.00"}
	jpy := []string{"120000", "180000", "95000", "210000", "160000", "145000", "190000", "150000"}
	jpyPosted := []string{"120000", "180000", "95000", "163200", "160000", "145000", "190000", "150000"}
	for i := range 8 {
		day := from.AddDate(0, 0, i).Format("2006-01-02")
		r.Daily = append(r.Daily, Day{Day: day, Currency: "usd", Provider: dec(usd[i]), Posted: dec(usdPosted[i])},
			Day{Day: day, Currency: "jpy", Provider: dec(jpy[i]), Posted: dec(jpyPosted[i])})
	}
	for i, n := range []int{3, 0, 1, 5, 12} {
		r.History = append(r.History, HistoryPoint{At: gen.AddDate(0, 0, i-4), Discrepancies: n})
	}
	return r
}

// smallReport is a minimal report of provider with n discrepancies generated at gen.
func smallReport(id, provider string, gen time.Time, n int) *Report {
	r := &Report{ID: id, Provider: provider, ERP: "sagex3", From: gen.Add(-48 * time.Hour), To: gen,
		GeneratedAt: gen, Objects: 10 + n,
		Totals:  []CurrencyTotals{{Currency: "usd", Provider: dec("100.00"), ERP: dec("100.00"), Count: 10 + n}},
		Classes: []ClassCount{{Class: ClassPosted, Count: 10}, {Class: ClassHealed, Count: 1}}}
	if n > 0 {
		r.Classes = append(r.Classes, ClassCount{Class: ClassMissing, Count: n})
		for i := range n {
			r.Items = append(r.Items, Item{Class: ClassMissing, Object: fmt.Sprintf("ch_%s_%d", id, i), Kind: "charge",
				Currency: "usd", Amount: dec("1.00"), Reason: "no ERP document"})
		}
	}
	return r
}
