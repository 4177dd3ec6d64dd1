package activities

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestPageAnomalies(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c := func(id, cus, amt string, minutes int) anomalyCharge {
		return anomalyCharge{ID: id, Customer: cus, Currency: "USD", Amount: decimal.RequireFromString(amt), Created: at.Add(time.Duration(minutes) * time.Minute)}
	}
	wf := func(id string) string { return "order-to-cash/stripe/" + id }
	for _, tc := range []struct {
		name    string
		charges []anomalyCharge
		want    []string // rule:object
	}{
		{"three in nine minutes", []anomalyCharge{c("ch_1", "cus_a", "9.99", 0), c("ch_2", "cus_a", "9.99", 4), c("ch_3", "cus_a", "9.99", 9)},
			[]string{"repeated-charge:ch_3"}},
		{"three but spread over eleven minutes", []anomalyCharge{c("ch_1", "cus_a", "9.99", 0), c("ch_2", "cus_a", "9.99", 5), c("ch_3", "cus_a", "9.99", 11)}, nil},
		{"two only", []anomalyCharge{c("ch_1", "cus_a", "9.99", 0), c("ch_2", "cus_a", "9.99", 1)}, nil},
		{"different amounts", []anomalyCharge{c("ch_1", "cus_a", "9.99", 0), c("ch_2", "cus_a", "9.98", 1), c("ch_3", "cus_a", "9.99", 2)}, nil},
		{"different customers", []anomalyCharge{c("ch_1", "cus_a", "9.99", 0), c("ch_2", "cus_b", "9.99", 1), c("ch_3", "cus_c", "9.99", 2)}, nil},
		{"guests are not grouped", []anomalyCharge{c("ch_1", "", "9.99", 0), c("ch_2", "", "9.99", 1), c("ch_3", "", "9.99", 2)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, a := range pageAnomalies(tc.charges, wf) {
				got = append(got, a.Rule+":"+a.Object)
				if a.WorkflowID != wf(a.Object) || a.Detail == "" {
					t.Errorf("anomaly %+v", a)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	// Outlier: ten ordinary charges and one at 10× their median.
	var cs []anomalyCharge
	for i := 0; i < 10; i++ {
		cs = append(cs, c("ch_n"+string(rune('a'+i)), "cus_"+string(rune('a'+i)), "20.00", i*30))
	}
	cs = append(cs, c("ch_big", "cus_z", "250.00", 400))
	got := pageAnomalies(cs, wf)
	if len(got) != 1 || got[0].Rule != RuleAmountOutlier || got[0].Object != "ch_big" || !strings.Contains(got[0].Detail, "median") {
		t.Fatalf("outlier: %+v", got)
	}
	// Too few to compare with: no outlier.
	if got := pageAnomalies(cs[8:], wf); len(got) != 0 {
		t.Fatalf("outlier on 3 charges: %+v", got)
	}
}

func TestWindowAnomalies(t *testing.T) {
	hours := []HourCount{{"2026-12-01T09", 2}, {"2026-12-01T10", 3}, {"2026-12-01T11", 14}, {"2026-12-01T12", 3}}
	got := windowAnomalies(hours, nil)
	if len(got) != 1 || got[0].Rule != RuleVelocitySpike || got[0].Object != "2026-12-01T11:00Z" {
		t.Fatalf("velocity: %+v", got)
	}
	if got := windowAnomalies([]HourCount{{"2026-12-01T09", 9}, {"2026-12-01T10", 1}}, nil); len(got) != 0 {
		t.Fatalf("9 charges is below the minimum: %+v", got)
	}
	d := decimal.RequireFromString
	kinds := []KindTotal{{"charge", "USD", d("100.00")}, {"refund", "USD", d("120.00")}, {"charge", "EUR", d("50.00")}, {"refund", "EUR", d("50.00")}}
	got = windowAnomalies(nil, kinds)
	if len(got) != 1 || got[0].Rule != RuleRefundsExceedCharges || got[0].Object != "USD" {
		t.Fatalf("refunds: %+v", got)
	}
}
