package paytracesandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// levelThreeRequest is the body of level_three/visa and level_three/mastercard. Header
// fields other than tax_amount, customer_reference_id and shipping_address are accepted
// and validated as amounts or text but not stored.
type levelThreeRequest struct {
	common
	TransactionID       json.RawMessage `json:"transaction_id"`
	InvoiceID           string          `json:"invoice_id"`
	CustomerReferenceID string          `json:"customer_reference_id"`
	TaxAmount           json.RawMessage `json:"tax_amount"`
	NationalTaxAmount   json.RawMessage `json:"national_tax_amount"`
	MerchantTaxID       string          `json:"merchant_tax_id"`
	CustomerTaxID       string          `json:"customer_tax_id"`
	CommodityCode       string          `json:"commodity_code"`
	DiscountAmount      json.RawMessage `json:"discount_amount"`
	FreightAmount       json.RawMessage `json:"freight_amount"`
	DutyAmount          json.RawMessage `json:"duty_amount"`
	AdditionalTaxAmount json.RawMessage `json:"additional_tax_amount"`
	AdditionalTaxRate   json.RawMessage `json:"additional_tax_rate"`
	SourceAddress       *address        `json:"source_address"`
	ShippingAddress     *address        `json:"shipping_address"`
	LineItems           []lineItemIn    `json:"line_items"`
}

// levelThreeResponse answers level_three calls (170).
type levelThreeResponse struct {
	Success       bool   `json:"success"`
	ResponseCode  int    `json:"response_code"`
	StatusMessage string `json:"status_message"`
}

// levelThree adds enhanced data to an approved, unsettled sale or authorization of the
// endpoint's brand. Its line items replace any sent with the sale.
func (s *Server) levelThree(brand string) handlerFunc {
	return func(c *call) (int, any, error) {
		var req levelThreeRequest
		p, err := s.decode(c, &req)
		if err != nil {
			return 0, nil, err
		}
		id := requireTransactionID(p, req.TransactionID)
		for _, f := range []struct {
			name string
			raw  json.RawMessage
		}{{"national_tax_amount", req.NationalTaxAmount}, {"discount_amount", req.DiscountAmount},
			{"freight_amount", req.FreightAmount}, {"duty_amount", req.DutyAmount}, {"additional_tax_amount", req.AdditionalTaxAmount}} {
			if _, ok := parseDecimal(f.raw, 2); f.raw != nil && !ok {
				p.add(keyAmount, "%s must be a non-negative dollar amount with at most 2 decimals.", f.name)
			}
		}
		if _, ok := parseDecimal(req.AdditionalTaxRate, 4); req.AdditionalTaxRate != nil && !ok {
			p.add(keyAmount, "additional_tax_rate must be a non-negative number with at most 4 decimals.")
		}
		tax, taxOK := parseAmount(req.TaxAmount)
		if req.TaxAmount != nil && !taxOK {
			p.add(keyAmount, "Please provide a valid Tax Amount.")
		}
		checkText(p, "customer_reference_id", req.CustomerReferenceID, 25)
		validateAddress(p, "shipping_address", req.ShippingAddress)
		validateAddress(p, "source_address", req.SourceAddress)
		items := validateLineItems(p, req.LineItems)
		if err := p.err(); err != nil {
			return 0, nil, err
		}
		err = s.update(c.ctx, func(w *wtx) error {
			t, err := mustTransaction(w.ctx, w.tx, id)
			if err != nil {
				return err
			}
			switch {
			case t.Type == typeRefund || t.Status == statusDeclined || t.Status == statusVoided:
				return fail(keyNotEligible, "Level 3 data can be added to approved sales and authorizations only; transaction ID %d is a %s %s.", id, t.Status, t.Type)
			case t.BatchNumber != 0:
				return fail(keyNotEligible, "Transaction ID %d has been settled; level 3 data must be added before settlement.", id)
			case t.Card.Type != brand:
				return fail(keyNotEligible, "Transaction ID %d was paid with %s; use the matching level_three endpoint.", id, t.Card.Type)
			}
			if len(items) > 0 {
				t.LineItems = items
			}
			if taxOK {
				t.TaxAmount = &tax
			}
			if req.CustomerReferenceID != "" {
				t.CustomerRef = req.CustomerReferenceID
			}
			if req.ShippingAddress != nil {
				t.ShippingAddress = req.ShippingAddress
			}
			t.Updated = w.now
			return s.putTransaction(w.ctx, w.tx, t)
		})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, levelThreeResponse{Success: true, ResponseCode: codeLevel3,
			StatusMessage: fmt.Sprintf("Visa/MasterCard enhanced data was successfully added to Transaction ID %d. %d line item records were created.", id, len(items))}, nil
	}
}
