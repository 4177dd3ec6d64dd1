package paytracesandbox

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Test cards. Any other Luhn-valid Visa, Mastercard, Amex or Discover number approves too.
const (
	CardVisa             = "4111111111111111" // approves
	CardMastercard       = "5454545454545454" // approves
	CardVisa2            = "4012000098765439" // approves (PayTrace's sandbox Visa)
	CardAmex             = "378282246310005"  // approves
	CardDiscover         = "6011111111111117" // approves
	CardDeclined         = "4000000000000002" // declines 102 "DECLINE - Do not honor"
	CardInsufficientFund = "4000000000009995" // declines 102 "NSF - Insufficient funds"
)

// Test amounts that decline on any card.
var (
	AmountInsufficientFunds = decimal.RequireFromString("1.12") // 102 insufficient funds
	AmountDoNotHonor        = decimal.RequireFromString("1.13") // 102 do not honor
)

// Decline outcomes derived from the card or the amount.
const (
	outcomeApprove      = ""
	outcomeDoNotHonor   = "do_not_honor"
	outcomeInsufficient = "insufficient_funds"
	outcomeExpired      = "expired"
)

// Card brands as exports name them.
const (
	brandVisa       = "VISA"
	brandMastercard = "MASTERCARD"
	brandAmex       = "AMEX"
	brandDiscover   = "DISCOVER"
)

// creditCardIn is the request's credit_card object. The number is read, checked and
// discarded: only cardInfo (masked) is ever stored or returned.
type creditCardIn struct {
	Number          string          `json:"number"`
	ExpirationMonth json.RawMessage `json:"expiration_month"`
	ExpirationYear  json.RawMessage `json:"expiration_year"`
}

// cardInfo is everything the sandbox keeps about a card.
type cardInfo struct {
	Masked   string `json:"masked"`
	Type     string `json:"type"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	// Outcome is the test-card decline this number triggers (derived, not the number).
	Outcome string `json:"outcome,omitempty"`
}

// cardOut is the credit_card object of exports.
type cardOut struct {
	MaskedNumber    string `json:"masked_number"`
	Type            string `json:"type"`
	ExpirationMonth int    `json:"expiration_month"`
	ExpirationYear  int    `json:"expiration_year"`
}

func (c *cardInfo) out() *cardOut {
	if c == nil || c.Masked == "" {
		return nil
	}
	return &cardOut{MaskedNumber: c.Masked, Type: c.Type, ExpirationMonth: c.ExpMonth, ExpirationYear: c.ExpYear}
}

// expired reports whether the card's expiry month has passed at now.
func (c *cardInfo) expired(now time.Time) bool {
	y, m, _ := now.Date()
	return c.ExpYear < y || (c.ExpYear == y && c.ExpMonth < int(m))
}

// validateCard checks a credit_card object and returns its masked description. Problems
// are added under PayTrace's keys 35 (number), 43 (month) and 44 (year).
func validateCard(p problems, in *creditCardIn, now time.Time) cardInfo {
	if in == nil {
		p.add(keyCardNumber, "Please provide a valid Credit Card Number. credit_card is required.")
		return cardInfo{}
	}
	var info cardInfo
	num := in.Number
	brand := cardBrand(num)
	switch {
	case num == "":
		p.add(keyCardNumber, "Please provide a valid Credit Card Number. credit_card.number is required.")
	case strings.Trim(num, "0123456789") != "" || len(num) < 13 || len(num) > 19:
		p.add(keyCardNumber, "Please provide a valid Credit Card Number. It must be 13 to 19 digits without spaces.")
	case !luhn(num):
		p.add(keyCardNumber, "Please provide a valid Credit Card Number. The number fails the check digit.")
	case brand == "":
		p.add(keyCardNumber, "Please provide a valid Credit Card Number. Only Visa, Mastercard, American Express and Discover are accepted.")
	default:
		info.Masked = maskNumber(num)
		info.Type = brand
		switch num {
		case CardDeclined:
			info.Outcome = outcomeDoNotHonor
		case CardInsufficientFund:
			info.Outcome = outcomeInsufficient
		}
	}
	month, ok := parseInt(in.ExpirationMonth)
	if in.ExpirationMonth == nil || !ok || month < 1 || month > 12 {
		p.add(keyExpMonth, "Please provide a valid Expiration Month (1-12).")
	}
	year, ok := parseInt(in.ExpirationYear)
	if ok && year < 100 {
		year += 2000
	}
	if in.ExpirationYear == nil || !ok || year < 2000 || year > int64(now.Year()+20) {
		p.add(keyExpYear, "Please provide a valid Expiration Year (YYYY, at most 20 years ahead).")
	}
	info.ExpMonth, info.ExpYear = int(month), int(year)
	return info
}

// luhn reports whether the digit string passes the Luhn check.
func luhn(num string) bool {
	sum := 0
	double := false
	for i := len(num) - 1; i >= 0; i-- {
		d := int(num[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// cardBrand names the brand of a card number by its prefix ("" when unsupported).
func cardBrand(num string) string {
	prefix := func(n int) int {
		if len(num) < n {
			return -1
		}
		v := 0
		for _, c := range num[:n] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	switch p2, p3, p4, p6 := prefix(2), prefix(3), prefix(4), prefix(6); {
	case strings.HasPrefix(num, "4"):
		return brandVisa
	case (p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720):
		return brandMastercard
	case (p2 == 34 || p2 == 37) && len(num) == 15:
		return brandAmex
	case p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925):
		return brandDiscover
	}
	return ""
}

// maskNumber keeps the last four digits: "xxxxxxxxxxxx1111".
func maskNumber(num string) string {
	if len(num) < 4 {
		return strings.Repeat("x", len(num))
	}
	return strings.Repeat("x", len(num)-4) + num[len(num)-4:]
}

// issuerDecision is the simulated issuer's answer to a sale or authorization.
type issuerDecision struct {
	Approved        bool
	ApprovalCode    string
	ApprovalMessage string
	AVS             string
	CSC             string
}

// decide approves or declines: expired cards, the decline test cards and the decline test
// amounts decline; everything else approves. AVS follows the billing address given.
func decide(card cardInfo, amount decimal.Decimal, billing *address, cscGiven bool, id int64, now time.Time) issuerDecision {
	d := issuerDecision{AVS: "No Match"}
	match := "  NO  MATCH"
	if billing != nil && billing.Zip != "" && billing.Zip != "99999" {
		d.AVS, match = "Zip Match", "  ZIP MATCH"
		if billing.StreetAddress != "" {
			d.AVS, match = "Full Exact Match", "  EXACT MATCH"
		}
	}
	if cscGiven {
		d.CSC = "Match"
	}
	outcome := card.Outcome
	switch {
	case card.expired(now):
		outcome = outcomeExpired
	case amount.Equal(AmountInsufficientFunds):
		outcome = outcomeInsufficient
	case amount.Equal(AmountDoNotHonor):
		outcome = outcomeDoNotHonor
	}
	switch outcome {
	case outcomeExpired:
		d.ApprovalMessage = "  EXPIRED CARD - Expired card"
	case outcomeInsufficient:
		d.ApprovalMessage = "    NSF - Insufficient funds"
	case outcomeDoNotHonor:
		d.ApprovalMessage = "    DECLINE - Do not honor"
	default:
		d.Approved = true
		d.ApprovalCode = approvalCode(id)
		d.ApprovalMessage = match + " - Approved and completed"
	}
	return d
}

// approvalCode derives a stable six-character approval code from the transaction ID.
func approvalCode(id int64) string {
	const digits = "0123456789"
	b := []byte("TAS000")
	for i, n := 5, id; i >= 3; i, n = i-1, n/10 {
		b[i] = digits[n%10]
	}
	return string(b)
}
