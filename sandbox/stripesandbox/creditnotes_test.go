package stripesandbox

import (
	"testing"

	"github.com/stripe/stripe-go/v76"
)

// paidInvoice builds and pays: 2 × 15.00 and 1 × 10.00, 20% off the
// invoice, 10% tax. Line A: 3000 - 600 + 240; line B: 1000 - 200 + 80;
// total 3520.
func paidInvoice(t *testing.T, sb *sandbox, cu *stripe.Customer) *stripe.Invoice {
	t.Helper()
	sc := sb.Client
	tr, err := sc.TaxRates.New(&stripe.TaxRateParams{DisplayName: stripe.String("Tax"), Percentage: stripe.Float64(10),
		Inclusive: stripe.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := sc.Coupons.New(&stripe.CouponParams{PercentOff: stripe.Float64(20)})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := sc.Invoices.New(&stripe.InvoiceParams{Customer: stripe.String(cu.ID),
		DefaultTaxRates: []*string{stripe.String(tr.ID)},
		Discounts:       []*stripe.InvoiceDiscountParams{{Coupon: stripe.String(cp.ID)}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range []struct {
		unit, qty int64
	}{{1500, 2}, {1000, 1}} {
		if _, err := sc.InvoiceItems.New(&stripe.InvoiceItemParams{Customer: stripe.String(cu.ID), Invoice: stripe.String(inv.ID),
			UnitAmount: stripe.Int64(it.unit), Quantity: stripe.Int64(it.qty), Currency: stripe.String("usd")}); err != nil {
			t.Fatal(err)
		}
	}
	inv, err = sc.Invoices.Pay(inv.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Total != 3520 || inv.Status != stripe.InvoiceStatusPaid {
		t.Fatalf("invoice total %d status %s", inv.Total, inv.Status)
	}
	return inv
}

func TestCreditNoteWithRefund(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	cu := billingCustomer(t, sb, "pm_card_visa", "")
	inv := paidInvoice(t, sb, cu)
	lineA := inv.Lines.Data[0].ID
	// One of the two units of line A: 1500 gross, 300 of the invoice
	// discount back, 10% of 1200 = 120 tax: 1320.
	p := &stripe.CreditNoteParams{Invoice: stripe.String(inv.ID), Reason: stripe.String("order_change"),
		RefundAmount: stripe.Int64(1320),
		Lines: []*stripe.CreditNoteLineParams{{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(lineA),
			Quantity: stripe.Int64(1)}}}
	p.AddExpand("refund")
	cn, err := sc.CreditNotes.New(p)
	if err != nil {
		t.Fatal(err)
	}
	if cn.Type != stripe.CreditNoteTypePostPayment || cn.Status != stripe.CreditNoteStatusIssued || cn.Subtotal != 1500 ||
		cn.DiscountAmount != 300 || cn.Total != 1320 || cn.Amount != 1320 || cn.TotalExcludingTax != 1200 ||
		len(cn.TaxAmounts) != 1 || cn.TaxAmounts[0].Amount != 120 || cn.Number != inv.Number+"-CN-01" {
		t.Fatalf("credit note: %+v", cn)
	}
	re := cn.Refund
	if re == nil || re.Amount != 1320 || re.Charge.ID != inv.Charge.ID || re.Status != stripe.RefundStatusSucceeded || re.BalanceTransaction == nil {
		t.Fatalf("refund: %+v", re)
	}
	bt, err := sc.BalanceTransactions.Get(re.BalanceTransaction.ID, nil)
	if err != nil || bt.Amount != -1320 || bt.Type != "refund" || bt.Fee != 0 {
		t.Fatalf("refund balance transaction: %v %+v", err, bt)
	}
	ch, err := sc.Charges.Get(inv.Charge.ID, nil)
	if err != nil || ch.AmountRefunded != 1320 || ch.Refunded {
		t.Fatalf("charge after credit note: %v %+v", err, ch)
	}
	lit := sc.CreditNotes.ListLines(&stripe.CreditNoteListLinesParams{CreditNote: stripe.String(cn.ID)})
	if !lit.Next() {
		t.Fatalf("no credit note lines: %v", lit.Err())
	}
	l := lit.CreditNoteLineItem()
	if l.Type != "invoice_line_item" || l.InvoiceLineItem != lineA || l.Amount != 1500 || l.Quantity != 1 || l.UnitAmount != 1500 || l.DiscountAmount != 300 {
		t.Fatalf("credit note line: %+v", l)
	}
	got, err := sc.Invoices.Get(inv.ID, nil)
	if err != nil || got.PostPaymentCreditNotesAmount != 1320 {
		t.Fatalf("invoice after credit note: %v %+v", err, got.PostPaymentCreditNotesAmount)
	}
	for _, tc := range []struct {
		name   string
		params *stripe.CreditNoteParams
	}{
		{"more than the line", &stripe.CreditNoteParams{Invoice: stripe.String(inv.ID), RefundAmount: stripe.Int64(2640),
			Lines: []*stripe.CreditNoteLineParams{{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(lineA), Amount: stripe.Int64(2000)}}}},
		{"sum mismatch", &stripe.CreditNoteParams{Invoice: stripe.String(inv.ID), RefundAmount: stripe.Int64(100),
			Lines: []*stripe.CreditNoteLineParams{{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(inv.Lines.Data[1].ID), Quantity: stripe.Int64(1)}}}},
		{"no lines or amount", &stripe.CreditNoteParams{Invoice: stripe.String(inv.ID)}},
		{"unknown line", &stripe.CreditNoteParams{Invoice: stripe.String(inv.ID), CreditAmount: stripe.Int64(1),
			Lines: []*stripe.CreditNoteLineParams{{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String("il_nope"), Quantity: stripe.Int64(1)}}}},
	} {
		if _, err := sc.CreditNotes.New(tc.params); stripeErr(t, err).HTTPStatusCode != 400 {
			t.Errorf("%s accepted", tc.name)
		}
	}
	// A goodwill credit to the customer's balance, then voided.
	cn2, err := sc.CreditNotes.New(&stripe.CreditNoteParams{Invoice: stripe.String(inv.ID), CreditAmount: stripe.Int64(500),
		Lines: []*stripe.CreditNoteLineParams{{Type: stripe.String("custom_line_item"), UnitAmount: stripe.Int64(500),
			Quantity: stripe.Int64(1), Description: stripe.String("Goodwill")}}})
	if err != nil || cn2.Total != 500 || cn2.Number != inv.Number+"-CN-02" {
		t.Fatalf("custom credit note: %v %+v", err, cn2)
	}
	if c, _ := sc.Customers.Get(cu.ID, nil); c.Balance != -500 {
		t.Fatalf("balance after credit: %d", c.Balance)
	}
	if v, err := sc.CreditNotes.VoidCreditNote(cn2.ID, nil); err != nil || v.Status != stripe.CreditNoteStatusVoid || v.VoidedAt == 0 {
		t.Fatalf("void: %v %+v", err, v)
	}
	if c, _ := sc.Customers.Get(cu.ID, nil); c.Balance != 0 {
		t.Fatalf("balance after void: %d", c.Balance)
	}
	if _, err := sc.CreditNotes.VoidCreditNote(cn.ID, nil); stripeErr(t, err).HTTPStatusCode != 400 {
		t.Fatalf("voided a refunded credit note")
	}
	n := 0
	it := sc.CreditNotes.List(&stripe.CreditNoteListParams{Invoice: stripe.String(inv.ID)})
	for it.Next() {
		n++
	}
	if n != 2 || eventCount(t, sb, "credit_note.created") != 2 || eventCount(t, sb, "credit_note.voided") != 1 {
		t.Fatalf("credit notes listed %d", n)
	}
}

func TestPrePaymentCreditNote(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	cu := billingCustomer(t, sb, "pm_card_visa", "")
	inv, err := sc.Invoices.New(&stripe.InvoiceParams{Customer: stripe.String(cu.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.InvoiceItems.New(&stripe.InvoiceItemParams{Customer: stripe.String(cu.ID), Invoice: stripe.String(inv.ID),
		Amount: stripe.Int64(5000), Currency: stripe.String("usd")}); err != nil {
		t.Fatal(err)
	}
	inv, err = sc.Invoices.FinalizeInvoice(inv.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	cn, err := sc.CreditNotes.New(&stripe.CreditNoteParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(2000)})
	if err != nil || cn.Type != stripe.CreditNoteTypePrePayment || cn.Total != 2000 {
		t.Fatalf("pre-payment credit note: %v %+v", err, cn)
	}
	got, err := sc.Invoices.Get(inv.ID, nil)
	if err != nil || got.AmountDue != 3000 || got.AmountRemaining != 3000 || got.PrePaymentCreditNotesAmount != 2000 {
		t.Fatalf("invoice after credit: %v due=%d", err, got.AmountDue)
	}
	pi, err := sc.PaymentIntents.Get(inv.PaymentIntent.ID, nil)
	if err != nil || pi.Amount != 3000 {
		t.Fatalf("intent amount: %v %+v", err, pi)
	}
	if _, err := sc.CreditNotes.New(&stripe.CreditNoteParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(3001)}); stripeErr(t, err).HTTPStatusCode != 400 {
		t.Fatalf("over-credit accepted")
	}
	if _, err := sc.CreditNotes.New(&stripe.CreditNoteParams{Invoice: stripe.String(inv.ID), Amount: stripe.Int64(3000)}); err != nil {
		t.Fatal(err)
	}
	got, err = sc.Invoices.Get(inv.ID, nil)
	if err != nil || got.Status != stripe.InvoiceStatusPaid || got.AmountDue != 0 || got.Charge != nil {
		t.Fatalf("fully credited invoice: %v %+v", err, got)
	}
}
