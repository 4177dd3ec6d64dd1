package stripesandbox

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// currencyExponents lists the currencies whose minor unit is not 1/100 of the
// major unit. Every other ISO 4217 code is treated as two-decimal.
// Source: https://stripe.com/docs/currencies.
var currencyExponents = map[string]int{
	// zero-decimal
	"bif": 0, "clp": 0, "djf": 0, "gnf": 0, "jpy": 0, "kmf": 0, "krw": 0, "mga": 0,
	"pyg": 0, "rwf": 0, "ugx": 0, "vnd": 0, "vuv": 0, "xaf": 0, "xof": 0, "xpf": 0,
	// three-decimal (amounts must still end in 0)
	"bhd": 3, "jod": 3, "kwd": 3, "omr": 3, "tnd": 3,
}

// currencyExponent returns the number of minor-unit digits for an ISO code.
func currencyExponent(currency string) int {
	if e, ok := currencyExponents[strings.ToLower(currency)]; ok {
		return e
	}
	return 2
}

// maxChargeAmount is Stripe's upper bound for a single charge (eight digits).
const maxChargeAmount = 99999999

// stripeFee computes the sandbox's processing fee in minor units with integer
// arithmetic only:
//   - two-decimal currencies: 2.9% (rounded half up) + 30
//   - zero-decimal currencies: 3.6% (rounded half up), no fixed part
//   - three-decimal currencies: 2.9% + 300, rounded half up to a multiple of 10
//     (their last digit must be 0)
func stripeFee(amount int64, currency string) int64 {
	if amount <= 0 {
		return 0
	}
	switch currencyExponent(currency) {
	case 0:
		return (amount*36 + 500) / 1000
	case 3:
		// (amount*0.029 + 300) in thousandths, rounded to tens: one rounding step.
		return (amount*29 + 300*1000 + 5000) / 10000 * 10
	default:
		return (amount*29+500)/1000 + 30
	}
}

// usdMicros is the sandbox's fixed FX table: the value of one major unit of
// each currency in millionths of a US dollar (EUR 1.08 USD = 1_080_000).
// Rates between two non-USD currencies are the ratio of their entries.
// A charge in a currency missing here that would need conversion is refused.
var usdMicros = map[string]int64{
	"usd": 1_000_000, "eur": 1_080_000, "gbp": 1_270_000, "jpy": 6_700, "chf": 1_120_000,
	"cad": 740_000, "aud": 660_000, "nzd": 610_000, "sgd": 740_000, "hkd": 128_000,
	"sek": 95_000, "nok": 94_000, "dkk": 145_000, "pln": 250_000, "czk": 43_000,
	"huf": 2_800, "inr": 12_000, "mxn": 58_000, "brl": 200_000, "cny": 140_000,
	"krw": 750, "clp": 1_100, "vnd": 40, "kwd": 3_250_000, "bhd": 2_650_000,
	"jod": 1_410_000, "omr": 2_600_000, "tnd": 320_000, "zar": 54_000, "aed": 272_000,
}

// pow10 returns 10^n for small n.
func pow10(n int) int64 {
	v := int64(1)
	for ; n > 0; n-- {
		v *= 10
	}
	return v
}

// divRound divides num by den (den > 0) rounding half away from zero.
func divRound(num, den *big.Int) *big.Int {
	neg := num.Sign() < 0
	n := new(big.Int).Abs(num)
	n.Mul(n, big.NewInt(2)).Add(n, den)
	n.Quo(n, new(big.Int).Mul(den, big.NewInt(2)))
	if neg {
		n.Neg(n)
	}
	return n
}

// convertAmount converts minor units of from into minor units of to with the
// fixed table, integer math only: amount × rate(from) × 10^exp(to) ÷
// (rate(to) × 10^exp(from)), rounded half away from zero, and to a multiple
// of 10 when the target is a three-decimal currency (one rounding step). ok
// is false when a currency is missing from the table.
func convertAmount(amount int64, from, to string) (int64, bool) {
	if from == to {
		return amount, true
	}
	rf, ok1 := usdMicros[from]
	rt, ok2 := usdMicros[to]
	if !ok1 || !ok2 {
		return 0, false
	}
	num := new(big.Int).Mul(big.NewInt(amount), big.NewInt(rf))
	num.Mul(num, big.NewInt(pow10(currencyExponent(to))))
	den := new(big.Int).Mul(big.NewInt(rt), big.NewInt(pow10(currencyExponent(from))))
	step := int64(1)
	if currencyExponent(to) == 3 {
		step = 10
	}
	den.Mul(den, big.NewInt(step))
	return divRound(num, den).Int64() * step, true
}

// exchangeRate is the balance transaction's exchange_rate for from→to:
// the ratio of the table entries rounded to 6 decimal places.
func exchangeRate(from, to string) float64 {
	r := float64(usdMicros[from]) / float64(usdMicros[to])
	return math.Round(r*1e6) / 1e6
}

// disputeFees are the dispute fees by settlement currency (minor units).
// Other settlement currencies pay USD 15.00 converted with the FX table and
// rounded half up to a whole major unit.
var disputeFees = map[string]int64{
	"usd": 1500, "eur": 2000, "gbp": 2000, "jpy": 1500, "cad": 1500, "aud": 2500,
}

// disputeFee returns the dispute fee for a balance in currency.
func disputeFee(currency string) int64 {
	if f, ok := disputeFees[currency]; ok {
		return f
	}
	v, ok := convertAmount(1500, "usd", currency)
	if !ok {
		return 1500
	}
	unit := pow10(currencyExponent(currency))
	return (v + unit/2) / unit * unit
}

// currencySymbols prefix formatted amounts in error messages.
var currencySymbols = map[string]string{"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}

// formatAmount renders minor units like Stripe's messages: $10.50, ¥1000,
// CHF 10.50, KWD 1.250.
func formatAmount(amount int64, currency string) string {
	exp := currencyExponent(currency)
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	num := strconv.FormatInt(amount, 10)
	if exp > 0 {
		unit := pow10(exp)
		num = fmt.Sprintf("%d.%0*d", amount/unit, exp, amount%unit)
	}
	if sym, ok := currencySymbols[currency]; ok {
		return sign + sym + num
	}
	return sign + strings.ToUpper(currency) + " " + num
}
