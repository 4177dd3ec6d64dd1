package stripesandbox

import "strings"

// Tax rates: POST/GET /v1/tax_rates[/{id}]. percentage (at most four
// decimals, 0-100) and inclusive are fixed at creation; display_name,
// description, jurisdiction, country, state, tax_type, active and metadata
// can be updated.

const (
	evTaxRateCreated = "tax_rate.created"
	evTaxRateUpdated = "tax_rate.updated"
)

func taxRateRow(tr *taxRate) row { return row{ID: tr.ID, Type: "tax_rate", Created: tr.Created} }

var taxTypes = map[string]bool{"amusement_tax": true, "communications_tax": true, "gst": true, "hst": true,
	"igst": true, "jct": true, "lease_tax": true, "pst": true, "qst": true, "rst": true, "sales_tax": true, "vat": true}

// applyTaxRateParams sets the updatable tax rate fields.
func applyTaxRateParams(p params, tr *taxRate) *apiError {
	if v, ok, aerr := p.str("display_name"); aerr != nil {
		return aerr
	} else if ok {
		if v == "" || len(v) > 50 {
			return invalidParam("display_name", "display_name must be between 1 and 50 characters.")
		}
		tr.DisplayName = v
	}
	if v, ok, aerr := p.boolean("active"); aerr != nil {
		return aerr
	} else if ok {
		tr.Active = v
	}
	if aerr := setStrings(p, "", map[string]**string{"description": &tr.Description, "jurisdiction": &tr.Jurisdiction,
		"country": &tr.Country, "state": &tr.State, "tax_type": &tr.TaxType}); aerr != nil {
		return aerr
	}
	if tr.Country != nil {
		up := strings.ToUpper(*tr.Country)
		if len(up) != 2 {
			return invalidParam("country", "Country '%s' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'.", *tr.Country)
		}
		tr.Country = &up
	}
	if tr.TaxType != nil && !taxTypes[*tr.TaxType] {
		return invalidParam("tax_type", "Invalid tax_type: %s", *tr.TaxType)
	}
	md, _, aerr := applyMetadata(p, tr.Metadata)
	if aerr != nil {
		return aerr
	}
	tr.Metadata = md
	return nil
}

var taxRateUpdateParams = []string{"display_name", "active", "description", "jurisdiction", "country", "state",
	"tax_type", "metadata", "expand"}

func (s *Server) createTaxRate(c *call) (any, *apiError) {
	if aerr := c.p.allow("", append(taxRateUpdateParams, "percentage", "inclusive")...); aerr != nil {
		return nil, aerr
	}
	for _, req := range []string{"display_name", "percentage", "inclusive"} {
		if !c.p.has(req) {
			return nil, missingParam(req)
		}
	}
	tr := &taxRate{ID: newID("txr"), Object: "tax_rate", Active: true, Created: c.now(), Metadata: map[string]string{}}
	raw, _, aerr := c.p.str("percentage")
	if aerr != nil {
		return nil, aerr
	}
	pct, ok := parsePercent(raw)
	if !ok || pct > 100*percentScale {
		return nil, invalidParam("percentage", "Invalid percentage: %s (a number from 0 to 100 with at most 4 decimal places)", raw)
	}
	tr.Percentage, tr.EffectivePercentage = pct, pct
	if tr.Inclusive, _, aerr = c.p.boolean("inclusive"); aerr != nil {
		return nil, aerr
	}
	if aerr := applyTaxRateParams(c.p, tr); aerr != nil {
		return nil, aerr
	}
	if aerr := c.save(taxRateRow(tr), tr); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evTaxRateCreated, tr, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(tr, "tax_rate")
}

func (s *Server) updateTaxRate(c *call) (any, *apiError) {
	if aerr := c.p.allow("", taxRateUpdateParams...); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("tax_rate")
	if aerr != nil {
		return nil, aerr
	}
	var tr taxRate
	if aerr := decodeRow(r, &tr); aerr != nil {
		return nil, aerr
	}
	before := tr
	if aerr := applyTaxRateParams(c.p, &tr); aerr != nil {
		return nil, aerr
	}
	return c.saveUpdate(taxRateRow(&tr), &before, &tr, evTaxRateUpdated, "tax_rate", nil)
}

func (s *Server) getTaxRate(c *call) (any, *apiError) { return c.getAndRender("tax_rate") }

func (s *Server) listTaxRates(c *call) (any, *apiError) {
	return c.list("tax_rate", "/v1/tax_rates", map[string]string{"active": "json:$.active:bool",
		"inclusive": "json:$.inclusive:bool"})
}

// loadTaxRates resolves tax rate IDs (param names them in errors); an
// inactive rate cannot be applied to new objects.
func (c *call) loadTaxRates(ids []string, param string) ([]*taxRate, *apiError) {
	out := make([]*taxRate, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" {
			continue
		}
		if seen[id] {
			return nil, invalidParam(param, "Tax rate %s was given more than once.", id)
		}
		seen[id] = true
		var tr taxRate
		if aerr := c.loadRef(id, "tax_rate", param, &tr); aerr != nil {
			return nil, aerr
		}
		if !tr.Active {
			return nil, invalidParam(param, "Tax rate %s is inactive and cannot be applied.", id)
		}
		out = append(out, &tr)
	}
	if len(out) > 5 {
		return nil, invalidParam(param, "You may apply at most 5 tax rates.")
	}
	return out, nil
}
