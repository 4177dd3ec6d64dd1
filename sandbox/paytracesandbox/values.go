package paytracesandbox

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// address is a billing or shipping address, in requests, storage and exports alike.
type address struct {
	Name           string `json:"name,omitempty"`
	StreetAddress  string `json:"street_address,omitempty"`
	StreetAddress2 string `json:"street_address2,omitempty"`
	City           string `json:"city,omitempty"`
	State          string `json:"state,omitempty"`
	Zip            string `json:"zip,omitempty"`
	Country        string `json:"country,omitempty"`
}

// validateAddress checks field widths (50 characters; state 30, zip 10).
func validateAddress(p problems, field string, a *address) {
	if a == nil {
		return
	}
	check := func(name, v string, max int) {
		if utf8.RuneCountInString(v) > max {
			p.add(keyAddress, "%s.%s must be at most %d characters.", field, name, max)
		}
	}
	check("name", a.Name, 50)
	check("street_address", a.StreetAddress, 50)
	check("street_address2", a.StreetAddress2, 50)
	check("city", a.City, 50)
	check("state", a.State, 30)
	check("zip", a.Zip, 10)
	check("country", a.Country, 50)
}

// checkText adds a problem when a free-text field is longer than max characters.
func checkText(p problems, field, v string, max int) {
	if utf8.RuneCountInString(v) > max {
		p.add(keyText, "%s must be at most %d characters.", field, max)
	}
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func checkEmail(p problems, v string) {
	if v != "" && (len(v) > 100 || !emailPattern.MatchString(v)) {
		p.add(keyEmail, "Please provide a valid Email Address.")
	}
}

// lineItemIn is one level-3 line item of a request. Field names follow PayTrace's
// level_three endpoints (ActiveMerchant's mapping).
type lineItemIn struct {
	ProductID           string          `json:"product_id"`
	Description         string          `json:"description"`
	Quantity            json.RawMessage `json:"quantity"`
	UnitOfMeasure       string          `json:"unit_of_measure"`
	UnitCost            json.RawMessage `json:"unit_cost"`
	Amount              json.RawMessage `json:"amount"`
	DiscountAmount      json.RawMessage `json:"discount_amount"`
	AdditionalTaxAmount json.RawMessage `json:"additional_tax_amount"`
	AdditionalTaxRate   json.RawMessage `json:"additional_tax_rate"`
	CommodityCode       string          `json:"commodity_code"`
}

// lineItem is a stored level-3 line item.
type lineItem struct {
	ProductID           string           `json:"product_id,omitempty"`
	Description         string           `json:"description"`
	Quantity            decimal.Decimal  `json:"quantity"`
	UnitOfMeasure       string           `json:"unit_of_measure,omitempty"`
	UnitCost            decimal.Decimal  `json:"unit_cost"`
	Amount              decimal.Decimal  `json:"amount"`
	DiscountAmount      *decimal.Decimal `json:"discount_amount,omitempty"`
	AdditionalTaxAmount *decimal.Decimal `json:"additional_tax_amount,omitempty"`
	AdditionalTaxRate   *decimal.Decimal `json:"additional_tax_rate,omitempty"`
	CommodityCode       string           `json:"commodity_code,omitempty"`
}

// lineItemOut is a line item in exports.
type lineItemOut struct {
	ProductID           string  `json:"product_id,omitempty"`
	Description         string  `json:"description"`
	Quantity            number  `json:"quantity"`
	UnitOfMeasure       string  `json:"unit_of_measure,omitempty"`
	UnitCost            number  `json:"unit_cost"`
	Amount              money   `json:"amount"`
	DiscountAmount      *money  `json:"discount_amount,omitempty"`
	AdditionalTaxAmount *money  `json:"additional_tax_amount,omitempty"`
	AdditionalTaxRate   *number `json:"additional_tax_rate,omitempty"`
	CommodityCode       string  `json:"commodity_code,omitempty"`
}

// number renders a decimal as a bare JSON number with its own digits (2.5, 3.9900).
type number decimal.Decimal

// MarshalJSON writes the decimal unquoted.
func (n number) MarshalJSON() ([]byte, error) { return []byte(decimal.Decimal(n).String()), nil }

func (li lineItem) out() lineItemOut {
	o := lineItemOut{ProductID: li.ProductID, Description: li.Description, Quantity: number(li.Quantity),
		UnitOfMeasure: li.UnitOfMeasure, UnitCost: number(li.UnitCost), Amount: money(li.Amount), CommodityCode: li.CommodityCode}
	if li.DiscountAmount != nil {
		m := money(*li.DiscountAmount)
		o.DiscountAmount = &m
	}
	if li.AdditionalTaxAmount != nil {
		m := money(*li.AdditionalTaxAmount)
		o.AdditionalTaxAmount = &m
	}
	if li.AdditionalTaxRate != nil {
		n := number(*li.AdditionalTaxRate)
		o.AdditionalTaxRate = &n
	}
	return o
}

// maxLineItems bounds the line items of one transaction.
const maxLineItems = 99

// parseDecimal reads a non-negative decimal with at most scale decimals, sent as a JSON
// number or string.
func parseDecimal(raw json.RawMessage, scale int32) (decimal.Decimal, bool) {
	s := strings.TrimSpace(string(raw))
	if unq, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, `"`) {
		s = strings.TrimSpace(unq)
	}
	if s == "" || strings.Trim(s, "0123456789.") != "" || strings.Count(s, ".") > 1 {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil || d.IsNegative() || -d.Exponent() > scale || d.GreaterThan(maxAmount) {
		return decimal.Decimal{}, false
	}
	return d, true
}

// validateLineItems checks level-3 line items. amount, when sent, must equal
// round(quantity × unit_cost, 2) (half up); when omitted the sandbox computes it.
func validateLineItems(p problems, in []lineItemIn) []lineItem {
	if len(in) > maxLineItems {
		p.add(keyLineItem, "At most %d line_items are accepted.", maxLineItems)
		return nil
	}
	out := make([]lineItem, 0, len(in))
	for i, li := range in {
		bad := func(format string, args ...any) {
			p.add(keyLineItem, "line_items[%d]: "+format, append([]any{i}, args...)...)
		}
		item := lineItem{ProductID: li.ProductID, Description: li.Description, UnitOfMeasure: li.UnitOfMeasure, CommodityCode: li.CommodityCode}
		if li.Description == "" || utf8.RuneCountInString(li.Description) > 35 {
			bad("description is required, at most 35 characters.")
		}
		if utf8.RuneCountInString(li.ProductID) > 12 || utf8.RuneCountInString(li.CommodityCode) > 12 || utf8.RuneCountInString(li.UnitOfMeasure) > 12 {
			bad("product_id, commodity_code and unit_of_measure must be at most 12 characters.")
		}
		q, ok := parseDecimal(li.Quantity, 4)
		if li.Quantity == nil || !ok || !q.IsPositive() {
			bad("quantity must be a positive number with at most 4 decimals.")
		}
		uc, ok := parseDecimal(li.UnitCost, 4)
		if li.UnitCost == nil || !ok {
			bad("unit_cost must be a non-negative number with at most 4 decimals.")
		}
		item.Quantity, item.UnitCost = q, uc
		item.Amount = q.Mul(uc).Round(2)
		if li.Amount != nil {
			a, ok := parseDecimal(li.Amount, 2)
			switch {
			case !ok:
				bad("amount must be a non-negative dollar amount with at most 2 decimals.")
			case !a.Equal(item.Amount):
				bad("amount %s must equal quantity × unit_cost rounded to the cent (%s).", a.StringFixed(2), item.Amount.StringFixed(2))
			}
		}
		opt := func(raw json.RawMessage, scale int32, name string) *decimal.Decimal {
			if raw == nil {
				return nil
			}
			d, ok := parseDecimal(raw, scale)
			if !ok {
				bad("%s must be a non-negative number with at most %d decimals.", name, scale)
				return nil
			}
			return &d
		}
		item.DiscountAmount = opt(li.DiscountAmount, 2, "discount_amount")
		item.AdditionalTaxAmount = opt(li.AdditionalTaxAmount, 2, "additional_tax_amount")
		item.AdditionalTaxRate = opt(li.AdditionalTaxRate, 4, "additional_tax_rate")
		out = append(out, item)
	}
	return out
}
