package activities

import (
	"slices"
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

// A run's own flags: its charge against the customer's other recent charges.
func TestChargeAnomalies(t *testing.T) {
	at := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	usd := func(id, amount string, ago time.Duration) anomalyCharge {
		return anomalyCharge{ID: id, Customer: "cus_1", Currency: "USD", Amount: decimal.RequireFromString(amount), Created: at.Add(-ago)}
	}
	this := usd("ch_now", "9.99", 0)
	tests := []struct {
		name   string
		this   anomalyCharge
		others []anomalyCharge
		want   []string
	}{
		{"first charge", this, nil, nil},
		{"third of the same amount within 10 minutes", this, []anomalyCharge{usd("a", "9.99", 9*time.Minute), usd("b", "9.99", time.Minute)},
			[]string{RuleRepeatedCharge}},
		{"second only", this, []anomalyCharge{usd("a", "9.99", time.Minute)}, nil},
		{"same amount, but an hour apart", this, []anomalyCharge{usd("a", "9.99", time.Hour), usd("b", "9.99", time.Minute)}, nil},
		{"later charges do not count", this, []anomalyCharge{usd("a", "9.99", -time.Minute), usd("b", "9.99", -2*time.Minute)}, nil},
		{"other currency does not count", this, []anomalyCharge{{ID: "a", Currency: "EUR", Amount: decimal.RequireFromString("9.99"), Created: at},
			{ID: "b", Currency: "EUR", Amount: decimal.RequireFromString("9.99"), Created: at}}, nil},
		{"ten times the customer's usual", usd("ch_big", "500", 0),
			[]anomalyCharge{usd("a", "40", 48*time.Hour), usd("b", "50", 24*time.Hour), usd("c", "60", time.Hour)}, []string{RuleAmountOutlier}},
		{"just under ten times", usd("ch_big", "499.99", 0),
			[]anomalyCharge{usd("a", "40", 48*time.Hour), usd("b", "50", 24*time.Hour), usd("c", "60", time.Hour)}, nil},
		{"too little history to call it unusual", usd("ch_big", "5000", 0), []anomalyCharge{usd("a", "40", time.Hour), usd("b", "50", time.Hour)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := chargeAnomalies(tt.this, tt.others); !slices.Equal(got, tt.want) {
				t.Errorf("flags %v, want %v", got, tt.want)
			}
		})
	}
}
