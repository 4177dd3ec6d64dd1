package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// providers are the payment providers ledgerbridge takes payments from.
var providers = []string{"stripe", "paytrace"}

// ledgerStatuses are the values of the LedgerStatus search attribute.
var ledgerStatuses = []string{
	workflows.StatusReceived, workflows.StatusRunning, workflows.StatusNeedsAttention, workflows.StatusPosted,
	workflows.StatusAbandoned, workflows.StatusCompensating, workflows.StatusSkipped, workflows.StatusDispatched,
	workflows.StatusWaiting, workflows.StatusWaitingCapture,
}

// listFilter is what `runs list` filters on; each field becomes one clause of the query.
type listFilter struct {
	Parked   bool
	Provider string
	Status   string
	Since    time.Time
	Extra    string // a raw visibility query, ANDed
}

// quote renders s as a visibility-query string literal: single quotes, with backslashes and
// quotes escaped, so that a value can never end the literal and inject a clause.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

// query builds the visibility query of f from the search attributes (workflows/ids.go).
func (f listFilter) query() string {
	var clauses []string
	if f.Parked {
		clauses = append(clauses, workflows.SANeedsAttention.GetName()+" = true")
	}
	if f.Provider != "" {
		clauses = append(clauses, workflows.SAProvider.GetName()+" = "+quote(f.Provider))
	}
	if f.Status != "" {
		clauses = append(clauses, workflows.SALedgerStatus.GetName()+" = "+quote(f.Status))
	}
	if !f.Since.IsZero() {
		clauses = append(clauses, "StartTime >= "+quote(f.Since.UTC().Format(time.RFC3339)))
	}
	if e := strings.TrimSpace(f.Extra); e != "" {
		if len(clauses) == 0 {
			return e
		}
		clauses = append(clauses, "("+e+")")
	}
	return strings.Join(clauses, " AND ")
}

// onlyRunning restricts q to open runs (only those can be signalled).
func onlyRunning(q string) string {
	q = strings.TrimSpace(q)
	if q == "" {
		return "ExecutionStatus = 'Running'"
	}
	if strings.Contains(strings.ToLower(q), "order by") {
		return q // cannot wrap a query that orders; closed runs then fail to signal, with a reason
	}
	return "(" + q + ") AND ExecutionStatus = 'Running'"
}

// checkValue refuses control characters in a flag value that goes into a query.
func checkValue(flag, v string) error {
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return usagef("--%s %q: control characters are not allowed", flag, v)
		}
	}
	return nil
}

// oneOf returns the canonical spelling of v among known (case-insensitive), or a usage error
// listing them.
func oneOf(flag, v string, known []string) (string, error) {
	for _, k := range known {
		if strings.EqualFold(k, v) {
			return k, nil
		}
	}
	return "", usagef("--%s %q: want one of %s", flag, v, strings.Join(known, ", "))
}

// parseSince reads a duration back from now (24h, 90m, 7d), a date (2026-12-01, midnight UTC)
// or an RFC 3339 time.
func parseSince(flag, v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if n, ok := strings.CutSuffix(v, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d >= 0 {
			return now.Add(-time.Duration(d) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d.Abs()), nil
	}
	if t, ok := timeValue(v, now); ok {
		return t, nil
	}
	return time.Time{}, usagef("--%s %q: want a duration back from now (24h, 7d), a date (2026-12-01) or an RFC 3339 time (2026-12-01T09:00:00Z)", flag, v)
}

// parseTime reads a date (2026-12-01, midnight UTC), an RFC 3339 time, or "now".
func parseTime(flag, v string, now time.Time) (time.Time, error) {
	if t, ok := timeValue(v, now); ok {
		return t, nil
	}
	return time.Time{}, usagef("--%s %q: want a date (2026-12-01), an RFC 3339 time (2026-12-01T09:00:00Z) or now", flag, v)
}

func timeValue(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "now") {
		return now.UTC().Truncate(time.Second), true
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// formatAmount prints the Amount search attribute without a float's noise.
func formatAmount(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// joinKnown lists names for a message.
func joinKnown(names []string) string { return strings.Join(names, ", ") }
