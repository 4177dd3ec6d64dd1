package tests

import (
	"context"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// A credit note on a paid, taxed two-line invoice, delivered twice, becomes exactly one ERP
// credit memo on that invoice, line for line with its tax; the refund the credit note issued
// posts only its cash (no second memo), taking the credit note's total out of clearing.
func TestCreditNoteBecomesOneCreditMemo(t *testing.T) {
	e := newMonthEnv(t)
	e.admin(t, "/_sandbox/delivery", map[string]any{"duplicates": 2}, nil)
	ctx := context.Background()
	cus, err := e.sc.Customers.New(&stripe.CustomerParams{Email: stripe.String("cn-" + uniqueSuffix() + "@example.com"),
		Name: stripe.String("Mary Jackson"), PaymentMethod: stripe.String("pm_card_visa"),
		InvoiceSettings: &stripe.CustomerInvoiceSettingsParams{DefaultPaymentMethod: stripe.String("pm_card_visa")}})
	if err != nil {
		t.Fatal(err)
	}
	tax, err := e.sc.TaxRates.New(&stripe.TaxRateParams{DisplayName: stripe.String("Sales tax"), Percentage: stripe.Float64(8.25), Inclusive: stripe.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range []struct {
		desc   string
		amount int64
	}{{"Consulting", 12000}, {"Support plan", 3000}} {
		if _, err := e.sc.InvoiceItems.New(&stripe.InvoiceItemParams{Customer: stripe.String(cus.ID), Amount: stripe.Int64(it.amount),
			Currency: stripe.String("usd"), Description: stripe.String(it.desc), TaxRates: []*string{stripe.String(tax.ID)}}); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := e.sc.Invoices.New(&stripe.InvoiceParams{Customer: stripe.String(cus.ID), PendingInvoiceItemsBehavior: stripe.String("include")})
	if err != nil {
		t.Fatal(err)
	}
	if inv, err = e.sc.Invoices.Pay(inv.ID, &stripe.InvoicePayParams{}); err != nil || inv.Status != stripe.InvoiceStatusPaid || inv.Charge == nil {
		t.Fatalf("pay invoice: %+v %v", inv, err)
	}
	ch := inv.Charge.ID
	var ores workflows.OrderToCashResult
	waitDone(t, e.tc, workflows.OrderToCashID(ch), &ores, 2*time.Minute)
	if ores.Status != workflows.StatusPosted {
		t.Fatalf("order-to-cash %+v", ores)
	}

	// Credit the support line in full, refunded to the card.
	lines := e.stripeLines(t, inv.ID)
	var support *stripe.InvoiceLineItem
	for _, l := range lines {
		if l.Description == "Support plan" {
			support = l
		}
	}
	if support == nil {
		t.Fatalf("no support line in %d lines", len(lines))
	}
	cnTotal := support.Amount
	for _, x := range support.TaxAmounts {
		cnTotal += x.Amount
	}
	cn, err := e.sc.CreditNotes.New(&stripe.CreditNoteParams{Invoice: stripe.String(inv.ID), RefundAmount: stripe.Int64(cnTotal),
		Lines: []*stripe.CreditNoteLineParams{{Type: stripe.String("invoice_line_item"), InvoiceLineItem: stripe.String(support.ID), Quantity: stripe.Int64(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	if cn.Total != cnTotal || cn.Refund == nil {
		t.Fatalf("credit note total %d (want %d), refund %v", cn.Total, cnTotal, cn.Refund)
	}
	var cres workflows.CreditNoteResult
	waitDone(t, e.tc, workflows.CreditNoteID(cn.ID), &cres, 2*time.Minute)
	if cres.Status != workflows.StatusPosted || cres.CreditMemo == "" || cres.InvoiceNumber != ores.InvoiceNumber {
		t.Fatalf("credit note run %+v (invoice %s)", cres, ores.InvoiceNumber)
	}
	var rres workflows.RefundResult
	waitDone(t, e.tc, workflows.RefundID(cn.Refund.ID), &rres, 2*time.Minute)
	if rres.Status != workflows.StatusPosted || rres.JournalEntry == "" {
		t.Fatalf("refund run %+v", rres)
	}
	e.waitQuiet(t, time.Minute)

	conn := e.connector(t, "sage500")
	memo, err := conn.FindDocument(ctx, erp.KindCreditMemo, cn.ID)
	if err != nil || memo == nil || memo.SourceRef != ores.InvoiceNumber {
		t.Fatalf("credit memo for %s: %+v %v", cn.ID, memo, err)
	}
	if !memo.Total.Equal(money.FromMinor(cnTotal, "USD")) || len(memo.Lines) != 1 ||
		!memo.Lines[0].Amount.Equal(money.FromMinor(support.Amount, "USD")) || !memo.TaxTotal.Equal(money.FromMinor(cnTotal-support.Amount, "USD")) {
		t.Fatalf("credit memo %+v, want total %d, one line %d with its tax", memo, cnTotal, support.Amount)
	}
	if n := len(e.sage(t, e.books.creditMemos, byRef(cn.ID))); n != 1 {
		t.Errorf("%d credit memos for %s", n, cn.ID)
	}
	if n := len(e.sage(t, e.books.creditMemos, byRef(cn.Refund.ID))); n != 0 {
		t.Errorf("the credit note's refund %s posted %d credit memos of its own", cn.Refund.ID, n)
	}
	invoice, _ := conn.FindDocument(ctx, erp.KindInvoice, ch)
	if invoice == nil || !invoice.Balance.IsZero() {
		t.Errorf("invoice after payment and credit: %+v", invoice)
	}
	je, _ := conn.FindJournalEntry(ctx, cn.Refund.ID)
	if je == nil || !entryAmount(t, e.books, e.sage(t, e.books.journals, byRef(cn.Refund.ID))[0], "1015-00").Equal(money.FromMinor(-cnTotal, "USD")) {
		t.Errorf("refund cash entry %+v, want clearing credited %d", je, cnTotal)
	}
}
