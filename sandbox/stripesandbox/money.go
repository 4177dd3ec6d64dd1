package stripesandbox

import "strings"

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
