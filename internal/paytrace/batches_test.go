package paytrace

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/sandbox/paytracesandbox"
)

func TestBatchesAfterSettlement(t *testing.T) {
	e := newEnv(t, func(c *paytracesandbox.Config) { c.ExportLimit = 2 })
	ctx := t.Context()
	ids := []int64{e.sale("10.00", "INV-1"), e.sale("19.99", "INV-2"), e.sale("0.50", "INV-3")}
	auth, err := e.client.AuthorizeKeyed(ctx, KeyedSale{SaleDetails: SaleDetails{Amount: dec("5.00")}, CreditCard: visa()})
	if err != nil {
		t.Fatal(err)
	}
	today := e.clock.Now()
	if list, err := e.client.Batches(ctx, today, today); err != nil || len(list) != 0 {
		t.Fatalf("batches before settlement = %v, %v", list, err)
	}
	if _, err := e.client.Batch(ctx, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("latest batch before any: err = %v, want ErrNotFound", err)
	}
	e.settle()

	list, err := e.client.Batches(ctx, today.AddDate(0, 0, -3), today)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("batches = %d, want 1", len(list))
	}
	b := list[0]
	// Fees 2.9% + 0.30 per sale, half up: 0.59 + 0.88 + 0.31 = 1.78.
	if b.Number == "" || b.SalesCount != 3 || b.RefundCount != 0 || b.TransactionCount != 3 {
		t.Errorf("batch = %+v", b)
	}
	wantDecimal(t, "SalesAmount", b.SalesAmount, "30.49")
	wantDecimal(t, "RefundAmount", b.RefundAmount, "0")
	wantDecimal(t, "FeeAmount", b.FeeAmount, "1.78")
	wantDecimal(t, "NetAmount", b.NetAmount, "28.71")
	if y, m, d := b.Settled.Date(); y != 2026 || m != time.March || d != 10 || b.Settled.Location().String() != DefaultTimeZone {
		t.Errorf("Settled = %v, want 03/10/2026 merchant time", b.Settled)
	}
	if !b.Created.Equal(today) {
		t.Errorf("Created = %v, want %v", b.Created, today)
	}
	if len(b.CardTypes) != 1 || b.CardTypes[0].Type != "VISA" || b.CardTypes[0].SalesCount != 3 {
		t.Errorf("card types = %+v", b.CardTypes)
	}

	one, err := e.client.Batch(ctx, b.Number)
	if err != nil || one.Number != b.Number || !one.NetAmount.Equal(b.NetAmount) {
		t.Fatalf("Batch(%s) = %+v, %v", b.Number, one, err)
	}
	latest, err := e.client.Batch(ctx, "")
	if err != nil || latest.Number != b.Number {
		t.Errorf("latest batch = %+v, %v", latest, err)
	}
	if _, err := e.client.Batch(ctx, "999"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown batch: err = %v, want ErrNotFound", err)
	}
	if _, err := e.client.Batch(ctx, "1; drop"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("malformed batch number: err = %v, want ErrInvalidInput", err)
	}

	// Three transactions with a page cap of 2: BatchTransactions pages through all.
	txns, err := e.client.BatchTransactions(ctx, b.Number)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, tx := range txns {
		got = append(got, tx.ID)
		if tx.BatchNumber != b.Number || tx.Status != StatusSettled {
			t.Errorf("transaction %d: batch %q status %s", tx.ID, tx.BatchNumber, tx.Status)
		}
		if y, m, d := tx.Settled.Date(); y != 2026 || m != time.March || d != 10 {
			t.Errorf("transaction %d settled %v", tx.ID, tx.Settled)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Errorf("batch transactions = %v, want %v (not the uncaptured authorization %d)", got, ids, auth.TransactionID)
	}
}
