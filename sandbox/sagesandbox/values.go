package sagesandbox

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// num is an exact decimal that travels as a bare JSON number (never a float64) and remembers
// whether the client sent it, so optional totals can be validated only when present.
type num struct {
	d   decimal.Decimal
	set bool
}

func val(d decimal.Decimal) num { return num{d: d, set: true} }

// UnmarshalJSON accepts JSON numbers only; quoted amounts are a type error, as in a strict ERP.
func (n *num) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*n = num{}
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		return &json.UnmarshalTypeError{Value: "string", Type: reflect.TypeFor[num]()}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "number " + s, Type: reflect.TypeFor[num]()}
	}
	*n = num{d: d, set: true}
	return nil
}

// MarshalJSON emits the exact digits, keeping the scale (10.50 stays 10.50).
func (n num) MarshalJSON() ([]byte, error) {
	if !n.set {
		return []byte("null"), nil
	}
	if exp := n.d.Exponent(); exp < 0 {
		return []byte(n.d.StringFixed(-exp)), nil
	}
	return []byte(n.d.String()), nil
}

// IsZero makes `omitzero` drop amounts that were never set.
func (n num) IsZero() bool { return !n.set }

// currencyDecimals is the ISO 4217 minor-unit exponent; unlisted currencies use 2.
var currencyDecimals = map[string]int32{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

func decimalsOf(curr string) int32 {
	if d, ok := currencyDecimals[curr]; ok {
		return d
	}
	return 2
}

var currRE = regexp.MustCompile(`^[A-Z]{3}$`)

// checkCurr validates a CurrID, defaulting an empty one to def.
func checkCurr(field, curr, def string) (string, error) {
	if curr == "" {
		return def, nil
	}
	if !currRE.MatchString(curr) {
		return "", badField(field, "%s %q must be a 3-letter upper-case ISO 4217 code", field, curr)
	}
	return curr, nil
}

// checkAmount rejects amounts with more decimals than the currency has and returns the value
// rescaled to exactly that many decimals.
func checkAmount(field string, n num, curr string) (decimal.Decimal, error) {
	places := decimalsOf(curr)
	if !n.d.Equal(n.d.Round(places)) {
		return decimal.Decimal{}, badField(field, "%s %s has more than %d decimal places allowed for %s",
			field, n.d.String(), places, curr)
	}
	return n.d.Round(places), nil
}

// checkDate requires a YYYY-MM-DD calendar date.
func checkDate(field, v string) error {
	if v == "" {
		return badField(field, "%s is required (YYYY-MM-DD)", field)
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return badField(field, "%s %q is not a valid date (YYYY-MM-DD)", field, v)
	}
	return nil
}

var keyRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// checkKey validates a client-supplied business key such as CustomerID.
func checkKey(field, v string, maxLen int) error {
	if len(v) > maxLen {
		return badField(field, "%s %q is longer than %d characters", field, v, maxLen)
	}
	if !keyRE.MatchString(v) {
		return badField(field, "%s %q may contain only letters, digits, '.', '_' and '-'", field, v)
	}
	return nil
}

// checkLen enforces a column width.
func checkLen(field, v string, maxLen int) error {
	if len([]rune(v)) > maxLen {
		return badField(field, "%s is %d characters long; the maximum is %d", field, len([]rune(v)), maxLen)
	}
	return nil
}

// readOnly rejects a server-assigned field the client tried to set.
func readOnly(field string, set bool) error {
	if set {
		return badField(field, "%s is assigned by Sage 500 and must not be sent", field)
	}
	return nil
}

func docNo(prefix string, n int64) string { return fmt.Sprintf("%s%06d", prefix, n) }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
