package monitor

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Limits is a system's client-side rate limit: RatePerSecond calls per second on average, with
// up to Burst calls at once after a quiet spell. A zero (or negative) RatePerSecond means
// unlimited; a Burst below 1 means one second's worth of calls (at least 1).
type Limits struct {
	RatePerSecond float64
	Burst         int
}

// DefaultLimits returns the suggested limits per worker process, under the systems' own:
// Stripe 20/s burst 20 (Stripe allows 25/s in test mode, 100/s live), the ERP 20/s burst 10
// (the Sage APIs publish no limit; an on-premise Sage server shares its capacity with its
// users), PayTrace 10/s burst 10 (a conservative guess; PayTrace publishes no limit either). Each
// call returns a new map the caller may change.
func DefaultLimits() map[string]Limits {
	return map[string]Limits{
		SystemStripe:   {RatePerSecond: 20, Burst: 20},
		SystemERP:      {RatePerSecond: 20, Burst: 10},
		SystemPayTrace: {RatePerSecond: 10, Burst: 10},
	}
}

// burst is the effective burst.
func (l Limits) burst() int {
	if l.Burst >= 1 {
		return l.Burst
	}
	return max(1, int(math.Ceil(l.RatePerSecond)))
}

// Unlimited reports whether l limits nothing.
func (l Limits) Unlimited() bool { return !(l.RatePerSecond > 0) || math.IsInf(l.RatePerSecond, 1) }

// String is l in ParseLimits' syntax ("20/s,burst=10", or "unlimited").
func (l Limits) String() string {
	if l.Unlimited() {
		return "unlimited"
	}
	return strconv.FormatFloat(l.RatePerSecond, 'f', -1, 64) + "/s,burst=" + strconv.Itoa(l.burst())
}

// ParseLimits parses a rate limit as configured in the environment (LEDGERBRIDGE_RATE_STRIPE,
// LEDGERBRIDGE_RATE_ERP, LEDGERBRIDGE_RATE_PAYTRACE): "RATE/UNIT" with UNIT s, m or h
// ("20/s", "1200/m", "0.5/s"), optionally followed by ",burst=N" ("20/s,burst=10"); "0", "off"
// and "unlimited" turn the limiter off. Without a burst, the burst is one second's worth.
func ParseLimits(s string) (Limits, error) {
	spec := strings.TrimSpace(s)
	switch strings.ToLower(spec) {
	case "0", "off", "unlimited", "none":
		return Limits{}, nil
	case "":
		return Limits{}, fmt.Errorf("rate limit %q: empty (want e.g. 20/s or 20/s,burst=10, or off)", s)
	}
	ratePart, rest, hasBurst := strings.Cut(spec, ",")
	num, unit, ok := strings.Cut(strings.TrimSpace(ratePart), "/")
	if !ok {
		return Limits{}, fmt.Errorf("rate limit %q: want RATE/s, RATE/m or RATE/h (e.g. 20/s), or off", s)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return Limits{}, fmt.Errorf("rate limit %q: %q is not a non-negative number", s, strings.TrimSpace(num))
	}
	var per time.Duration
	switch strings.TrimSpace(strings.ToLower(unit)) {
	case "s", "sec", "second":
		per = time.Second
	case "m", "min", "minute":
		per = time.Minute
	case "h", "hour":
		per = time.Hour
	default:
		return Limits{}, fmt.Errorf("rate limit %q: unit %q is not s, m or h", s, strings.TrimSpace(unit))
	}
	l := Limits{RatePerSecond: n / per.Seconds()}
	if !hasBurst {
		return l, nil
	}
	key, val, ok := strings.Cut(strings.TrimSpace(rest), "=")
	if !ok || strings.TrimSpace(strings.ToLower(key)) != "burst" {
		return Limits{}, fmt.Errorf("rate limit %q: after the rate, only burst=N may follow", s)
	}
	b, err := strconv.Atoi(strings.TrimSpace(val))
	if err != nil || b < 1 {
		return Limits{}, fmt.Errorf("rate limit %q: burst %q is not a whole number ≥ 1", s, strings.TrimSpace(val))
	}
	l.Burst = b
	return l, nil
}
