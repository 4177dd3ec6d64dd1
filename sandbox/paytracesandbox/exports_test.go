package paytracesandbox

import (
	"testing"
	"time"
)

func TestExportByDateRange(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.ExportLimit = 2 })
	day1 := []int64{e.sale("1.00"), e.sale("2.00"), e.sale("3.00")}
	e.advance(24 * time.Hour) // 03/11/2026
	day2 := []int64{e.sale("4.00")}
	declined := want(t, e.api("transactions/sale/keyed", obj{"amount": "1.12", "credit_card": card(CardVisa)}), 400, codeDeclined).id()

	ids := func(r resp) []int64 {
		var out []int64
		for _, x := range r.txns() {
			out = append(out, int64(x["transaction_id"].(float64)))
		}
		return out
	}
	tests := []struct {
		name string
		body obj
		want []int64
		more bool
	}{
		{"first page", obj{"start_date": "03/10/2026", "end_date": "03/11/2026"}, day1[:2], true},
		{"second page", obj{"start_date": "03/10/2026", "end_date": "03/11/2026", "after_transaction_id": day1[1]}, []int64{day1[2], day2[0]}, true},
		{"last page", obj{"start_date": "03/10/2026", "end_date": "03/11/2026", "after_transaction_id": day2[0]}, []int64{declined}, false},
		{"one day, M/D/YYYY", obj{"start_date": "3/11/2026", "end_date": "3/11/2026"}, []int64{day2[0], declined}, false},
		{"declined only", obj{"start_date": "03/10/2026", "end_date": "03/11/2026", "transaction_type": "DECLINED"}, []int64{declined}, false},
		{"sales skip declines", obj{"start_date": "03/11/2026", "end_date": "03/11/2026", "transaction_type": "sale"}, day2, false},
		{"one id", obj{"start_date": "03/10/2026", "end_date": "03/11/2026", "transaction_id": day1[2]}, day1[2:], false},
		{"nothing before", obj{"start_date": "03/01/2026", "end_date": "03/09/2026"}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := want(t, e.api("transactions/export/by_date_range", tc.body), 200, codeCompleted)
			got := ids(r)
			if len(got) != len(tc.want) || r.body["has_more"] != tc.more {
				t.Fatalf("got %v has_more %v, want %v %v", got, r.body["has_more"], tc.want, tc.more)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
	errs := []struct {
		name string
		body obj
		keys string
	}{
		{"no dates", obj{}, keyStartDate + "," + keyEndDate},
		{"ISO dates", obj{"start_date": "2026-03-10", "end_date": "2026-03-11"}, keyStartDate + "," + keyEndDate},
		{"end before start", obj{"start_date": "03/11/2026", "end_date": "03/10/2026"}, keyEndDate},
		{"bad type", obj{"start_date": "03/10/2026", "end_date": "03/10/2026", "transaction_type": "CHARGE"}, keyTxnType},
		{"bad date_type", obj{"start_date": "03/10/2026", "end_date": "03/10/2026", "date_type": "settled"}, keyPaging},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, e.api("transactions/export/by_date_range", tc.body), codeError, tc.keys)
		})
	}
}

func TestExportByID(t *testing.T) {
	e := newEnv(t)
	id := e.sale("9.99")
	if x := e.export(id); x["transaction_id"] != float64(id) || x["amount"] != 9.99 {
		t.Fatalf("export %v", x)
	}
	wantErr(t, e.api("transactions/export/by_id", obj{"transaction_id": id + 100}), codeError, keyTransactionID)
	wantErr(t, e.api("transactions/export/by_id", obj{"transaction_id": "abc"}), codeError, keyTransactionID)
	wantErr(t, e.api("transactions/export/by_id", obj{}), codeError, keyTransactionID)
	// A numeric string is accepted, as PayTrace clients send either.
	want(t, e.api("transactions/export/by_id", obj{"transaction_id": "100000001"}), 200, codeCompleted)
}
