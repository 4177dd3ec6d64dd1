package activities

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/internal/money"
	"github.com/ledgerbridge/ledgerbridge/internal/report"
)

// Anomaly flags (the seeds' "anomaly detection", done as explainable rules): reconciliation
// raises them over the provider's objects of its window and lists them in the report with the
// rule and the numbers that tripped it. They never block or change a posting.
const (
	// RuleRepeatedCharge: the same customer charged the same amount RepeatCount times within
	// RepeatWithin (a double-click, a retry loop, card testing).
	RuleRepeatedCharge = "repeated-charge"
	// RuleAmountOutlier: a charge OutlierFactor times the median charge of its currency (at least
	// OutlierMinSample charges to compare with).
	RuleAmountOutlier = "amount-outlier"
	// RuleVelocitySpike: an hour with VelocityFactor times the window's mean charges per active
	// hour (and at least VelocityMin).
	RuleVelocitySpike = "velocity-spike"
	// RuleRefundsExceedCharges: in a currency, the window's refunds exceed its charges.
	RuleRefundsExceedCharges = "refunds-exceed-charges"
)

// Thresholds of the rules.
const (
	RepeatCount      = 3
	RepeatWithin     = 10 * time.Minute
	OutlierFactor    = 10
	OutlierMinSample = 10
	VelocityFactor   = 3
	VelocityMin      = 10
)

// anomalyCharge is what the rules look at of a charge.
type anomalyCharge struct {
	ID, Customer, Currency string
	Amount                 decimal.Decimal
	Created                time.Time
}

// HourCount is how many charges were created in one hour (UTC, "2006-01-02T15").
type HourCount struct {
	Hour  string `json:"hour"`
	Count int    `json:"count"`
}

// KindTotal is the provider amount of one kind of object (charge, refund) in one currency.
type KindTotal struct {
	Kind     string          `json:"kind"`
	Currency string          `json:"currency"`
	Amount   decimal.Decimal `json:"amount"`
}

// pageAnomalies applies the per-page rules (repeated charges, outliers) to one page of charges.
// A page holds up to 100 charges in created order, so repeats straddling two pages are missed.
func pageAnomalies(charges []anomalyCharge, workflowID func(id string) string) []report.Anomaly {
	var out []report.Anomaly
	// Repeats: group by customer, currency and amount, then slide a window over creation times.
	groups := map[string][]anomalyCharge{}
	var keys []string
	for _, c := range charges {
		if c.Customer == "" {
			continue
		}
		k := c.Customer + "|" + c.Currency + "|" + c.Amount.String()
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], c)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := groups[k]
		// Stripe's created has seconds: ties are ordered by ID, so the same page flags the same charge.
		sort.Slice(g, func(i, j int) bool {
			if !g[i].Created.Equal(g[j].Created) {
				return g[i].Created.Before(g[j].Created)
			}
			return g[i].ID < g[j].ID
		})
		for i := 0; i+RepeatCount-1 < len(g); i++ {
			first, last := g[i], g[i+RepeatCount-1]
			if span := last.Created.Sub(first.Created); span <= RepeatWithin {
				ids := make([]string, RepeatCount)
				for j := range ids {
					ids[j] = g[i+j].ID
				}
				out = append(out, report.Anomaly{Rule: RuleRepeatedCharge, Object: last.ID, WorkflowID: workflowID(last.ID),
					Detail: fmt.Sprintf("customer %s charged %s %s %d times in %s (%s)", first.Customer, first.Amount, first.Currency,
						RepeatCount, span.Round(time.Second), strings.Join(ids, ", "))})
				break // one flag per group
			}
		}
	}
	// Outliers: against the median of the page's other charges in the currency.
	byCur := map[string][]decimal.Decimal{}
	for _, c := range charges {
		byCur[c.Currency] = append(byCur[c.Currency], c.Amount)
	}
	for _, c := range charges {
		amts := byCur[c.Currency]
		if len(amts) < OutlierMinSample {
			continue
		}
		med := median(amts)
		if med.IsPositive() && c.Amount.GreaterThanOrEqual(med.Mul(decimal.NewFromInt(OutlierFactor))) {
			out = append(out, report.Anomaly{Rule: RuleAmountOutlier, Object: c.ID, WorkflowID: workflowID(c.ID),
				Detail: fmt.Sprintf("%s %s is %s× the median %s charge (%s) of %d", c.Amount, c.Currency,
					c.Amount.Div(med).Round(1), c.Currency, med, len(amts))})
		}
	}
	return out
}

func median(v []decimal.Decimal) decimal.Decimal {
	s := append([]decimal.Decimal(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i].LessThan(s[j]) })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return s[len(s)/2-1].Add(s[len(s)/2]).Div(decimal.NewFromInt(2))
}

// windowAnomalies applies the rules that need the whole window: velocity spikes and refunds
// exceeding charges.
func windowAnomalies(hours []HourCount, kinds []KindTotal) []report.Anomaly {
	var out []report.Anomaly
	if len(hours) > 1 {
		total := 0
		for _, h := range hours {
			total += h.Count
		}
		for _, h := range hours {
			// The mean of the other active hours, so one huge hour does not hide itself.
			rest := float64(total-h.Count) / float64(len(hours)-1)
			if h.Count >= VelocityMin && float64(h.Count) >= VelocityFactor*rest {
				out = append(out, report.Anomaly{Rule: RuleVelocitySpike, Object: h.Hour + ":00Z",
					Detail: fmt.Sprintf("%d charges in the hour from %s:00 UTC, %.1f× the %.1f of the window's other active hours", h.Count, h.Hour, float64(h.Count)/max(rest, 1), rest)})
			}
		}
	}
	charged := map[string]decimal.Decimal{}
	for _, k := range kinds {
		if k.Kind == "charge" {
			charged[k.Currency] = charged[k.Currency].Add(k.Amount)
		}
	}
	for _, k := range kinds {
		if k.Kind == "refund" && k.Amount.GreaterThan(charged[k.Currency]) {
			out = append(out, report.Anomaly{Rule: RuleRefundsExceedCharges, Object: k.Currency,
				Detail: fmt.Sprintf("refunds %s %s exceed the window's charges %s %s", k.Amount, k.Currency, charged[k.Currency], k.Currency)})
		}
	}
	return out
}

// mergeHours and mergeKinds add one page's counts to the tally's.
func mergeHours(into []HourCount, add []HourCount) []HourCount {
	for _, h := range add {
		found := false
		for i := range into {
			if into[i].Hour == h.Hour {
				into[i].Count += h.Count
				found = true
			}
		}
		if !found {
			into = append(into, h)
		}
	}
	return into
}

func mergeKinds(into []KindTotal, add []KindTotal) []KindTotal {
	for _, k := range add {
		found := false
		for i := range into {
			if into[i].Kind == k.Kind && into[i].Currency == k.Currency {
				into[i].Amount = into[i].Amount.Add(k.Amount)
				found = true
			}
		}
		if !found {
			into = append(into, k)
		}
	}
	return into
}

// Thresholds of a run's own flags (runAnomalies): a customer's charges of the last
// CustomerHistory, at most CustomerSample of them; "far above usual" needs CustomerMinSample
// earlier charges in the currency.
const (
	CustomerHistory   = 30 * 24 * time.Hour
	CustomerSample    = 100
	CustomerMinSample = 3
)

// runAnomalies flags a charge on its own run, as it is posted: the rules it trips against its
// customer's recent charges. It never blocks the posting: when Stripe cannot list them, the run
// goes on unflagged (reconciliation's report still applies its rules to the window).
func (a *Activities) runAnomalies(ctx context.Context, ch *ChargeSnapshot) []string {
	// An authorisation not yet captured is fetched again while its run waits; the fetch after
	// the capture (the one that posts) is the one flagged.
	if ch.Customer.StripeID == "" || a.Stripe == nil || ch.Uncaptured {
		return nil
	}
	created := time.Unix(ch.Created, 0)
	recent, err := a.Stripe.CustomerCharges(ctx, ch.Customer.StripeID, created.Add(-CustomerHistory), CustomerSample)
	if err != nil {
		if a.Logger != nil {
			a.Logger.Warn("anomaly rules skipped: cannot list the customer's charges", zap.String("charge", ch.ID), zap.Error(err))
		}
		return nil
	}
	this := anomalyCharge{ID: ch.ID, Customer: ch.Customer.StripeID, Currency: strings.ToUpper(ch.Currency), Amount: ch.Posted(), Created: created}
	var others []anomalyCharge
	for _, o := range recent {
		if o.ID == ch.ID || o.Status != "succeeded" {
			continue
		}
		others = append(others, anomalyCharge{ID: o.ID, Customer: o.Customer, Currency: strings.ToUpper(o.Currency),
			Amount: money.FromMinor(o.Amount, o.Currency), Created: time.Unix(o.Created, 0)})
	}
	return chargeAnomalies(this, others)
}

// chargeAnomalies applies the run's rules to one charge and its customer's other recent charges:
// the same amount RepeatCount times within RepeatWithin up to this charge (repeated-charge), and
// an amount OutlierFactor times the median of the customer's earlier charges in the currency
// (amount-outlier).
func chargeAnomalies(this anomalyCharge, others []anomalyCharge) []string {
	var flags []string
	same := 1
	var earlier []decimal.Decimal
	for _, o := range others {
		if o.Currency != this.Currency || o.Created.After(this.Created) {
			continue
		}
		earlier = append(earlier, o.Amount)
		if o.Amount.Equal(this.Amount) && this.Created.Sub(o.Created) <= RepeatWithin {
			same++
		}
	}
	if same >= RepeatCount {
		flags = append(flags, RuleRepeatedCharge)
	}
	if len(earlier) >= CustomerMinSample {
		if med := median(earlier); med.IsPositive() && this.Amount.GreaterThanOrEqual(med.Mul(decimal.NewFromInt(OutlierFactor))) {
			flags = append(flags, RuleAmountOutlier)
		}
	}
	return flags
}
