package stripesandbox

import (
	"encoding/json"
	"net/mail"
	"reflect"
	"strings"
)

var customerParams = []string{"email", "name", "phone", "address", "description", "metadata", "expand",
	"invoice_settings", "balance", "invoice_prefix"}

// applyCustomerParams validates and applies create/update parameters.
func applyCustomerParams(p params, cu *customer, extra ...string) *apiError {
	if aerr := p.allow("", append(customerParams, extra...)...); aerr != nil {
		return aerr
	}
	if n, ok, aerr := p.integer("balance"); aerr != nil {
		return aerr
	} else if ok {
		cu.Balance = n
	}
	if v, ok, aerr := p.str("invoice_prefix"); aerr != nil {
		return aerr
	} else if ok {
		if len(v) < 3 || len(v) > 12 || strings.Trim(strings.ToUpper(v), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			return invalidParam("invoice_prefix", "Invalid invoice_prefix: 3-12 uppercase letters or digits")
		}
		cu.InvoicePrefix = strings.ToUpper(v)
	}
	for _, f := range []struct {
		name string
		dst  **string
	}{{"email", &cu.Email}, {"name", &cu.Name}, {"phone", &cu.Phone}, {"description", &cu.Description}} {
		v, ok, aerr := p.str(f.name)
		if aerr != nil {
			return aerr
		}
		if !ok {
			continue
		}
		if f.name == "email" && v != "" {
			if len(v) > 512 {
				return invalidParam("email", "Invalid email address: email must be at most 512 characters")
			}
			if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
				return invalidParamCode("email_invalid", "email", "Invalid email address: %s", v)
			}
		}
		*f.dst = optStr(v)
	}
	if h, ok, aerr := p.hash("address"); aerr != nil {
		return aerr
	} else if ok {
		if h == nil {
			cu.Address = nil // "address=" unsets it
		} else {
			addr, aerr := mergeAddress(h, cu.Address, "address")
			if aerr != nil {
				return aerr
			}
			cu.Address = addr
		}
	}
	md, _, aerr := applyMetadata(p, cu.Metadata)
	if aerr != nil {
		return aerr
	}
	cu.Metadata = md
	return nil
}

// mergeAddress sets the sent address fields on a copy of the current one.
func mergeAddress(h params, cur *address, prefix string) (*address, *apiError) {
	if aerr := h.allow(prefix, "line1", "line2", "city", "state", "postal_code", "country"); aerr != nil {
		return nil, aerr
	}
	out := address{}
	if cur != nil {
		out = *cur
	}
	for name, dst := range map[string]**string{"line1": &out.Line1, "line2": &out.Line2, "city": &out.City,
		"state": &out.State, "postal_code": &out.PostalCode, "country": &out.Country} {
		v, ok, aerr := h.str(name)
		if aerr != nil {
			aerr.Param = prefix + "[" + name + "]"
			return nil, aerr
		}
		if ok {
			*dst = optStr(v)
		}
	}
	if out.Country != nil && len(*out.Country) != 2 {
		return nil, invalidParam(prefix+"[country]", "Country '%s' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'.", *out.Country)
	}
	return &out, nil
}

func customerRow(cu *customer) row {
	email := ""
	if cu.Email != nil {
		email = *cu.Email
	}
	return row{ID: cu.ID, Type: "customer", Created: cu.Created, Email: email}
}

func (s *Server) createCustomer(c *call) (any, *apiError) {
	cu := &customer{ID: newID("cus"), Object: "customer", Metadata: map[string]string{},
		InvoicePrefix: strings.ToUpper(randomString(8)), NextInvoiceSeq: 1, PreferredLocales: []string{}, TaxExempt: "none"}
	if id, ok, aerr := c.p.str("test_clock"); aerr != nil {
		return nil, aerr
	} else if ok && id != "" {
		clk, aerr := c.loadClock(id, "test_clock")
		if aerr != nil {
			return nil, aerr
		}
		cu.TestClock, c.frozen = &clk.ID, clk.FrozenTime
	}
	cu.Created = c.now()
	if aerr := applyCustomerParams(c.p, cu, "test_clock", "payment_method"); aerr != nil {
		return nil, aerr
	}
	var pm *paymentMethod
	token, _, aerr := c.p.str("payment_method")
	if aerr != nil {
		return nil, aerr
	}
	if token != "" {
		if pm, aerr = c.attachPaymentMethod(token, cu.ID, "payment_method"); aerr != nil {
			return nil, aerr
		}
	}
	if aerr := c.applyInvoiceSettings(cu, token, pm); aerr != nil {
		return nil, aerr
	}
	if aerr := c.save(customerRow(cu), cu); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evCustomerCreated, cu, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(cu, "customer")
}

// applyInvoiceSettings applies invoice_settings[default_payment_method]
// (a payment method of this customer; on create also the payment_method
// token just attached) and invoice_settings[footer].
func (c *call) applyInvoiceSettings(cu *customer, token string, attached *paymentMethod) *apiError {
	h, ok, aerr := c.p.hash("invoice_settings")
	if aerr != nil || !ok || h == nil {
		return aerr
	}
	if aerr := h.allow("invoice_settings", "default_payment_method", "footer", "custom_fields", "rendering_options"); aerr != nil {
		return aerr
	}
	if v, ok, aerr := h.str("default_payment_method"); aerr != nil {
		return aerr
	} else if ok {
		switch {
		case v == "":
			cu.InvoiceSettings.DefaultPaymentMethod = nil
		case attached != nil && (v == token || v == attached.ID):
			cu.InvoiceSettings.DefaultPaymentMethod = &attached.ID
		default:
			pm, aerr := c.customerPaymentMethod(v, cu.ID, "invoice_settings[default_payment_method]")
			if aerr != nil {
				return aerr
			}
			cu.InvoiceSettings.DefaultPaymentMethod = &pm.ID
		}
	}
	if v, ok, aerr := h.str("footer"); aerr != nil {
		return aerr
	} else if ok {
		cu.InvoiceSettings.Footer = optStr(v)
	}
	return nil
}

func (s *Server) updateCustomer(c *call) (any, *apiError) {
	r, aerr := c.load("customer")
	if aerr != nil {
		return nil, aerr
	}
	var cu customer
	if aerr := decodeRow(r, &cu); aerr != nil {
		return nil, aerr
	}
	before := cu // applyCustomerParams replaces maps and pointers, never mutates them
	if aerr := applyCustomerParams(c.p, &cu); aerr != nil {
		return nil, aerr
	}
	if aerr := c.applyInvoiceSettings(&cu, "", nil); aerr != nil {
		return nil, aerr
	}
	prev, aerr := previousAttributes(&before, &cu)
	if aerr != nil {
		return nil, aerr
	}
	if len(prev) > 0 {
		if aerr := c.save(customerRow(&cu), &cu); aerr != nil {
			return nil, aerr
		}
		if aerr := c.emit(evCustomerUpdated, &cu, prev); aerr != nil {
			return nil, aerr
		}
	}
	return c.renderValue(&cu, "customer")
}

func (s *Server) getCustomer(c *call) (any, *apiError) { return c.getAndRender("customer") }

func (s *Server) listCustomers(c *call) (any, *apiError) {
	return c.list("customer", "/v1/customers", map[string]string{"email": "email"})
}

// renderValue marshals a just-written object and applies expand[].
func (c *call) renderValue(v any, typ string) (any, *apiError) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, internalError(err)
	}
	return c.expandRaw(b, typ, c.expand, 0)
}

// previousAttributes returns the top-level fields that changed, with their
// old values, as Stripe puts in data.previous_attributes. For metadata only
// the changed keys are listed (keys that did not exist map to null).
func previousAttributes(before, after any) (map[string]any, *apiError) {
	var b, a map[string]any
	for _, x := range []struct {
		src any
		dst *map[string]any
	}{{before, &b}, {after, &a}} {
		raw, err := json.Marshal(x.src)
		if err != nil {
			return nil, internalError(err)
		}
		if err := json.Unmarshal(raw, x.dst); err != nil {
			return nil, internalError(err)
		}
	}
	prev := map[string]any{}
	for k, av := range a {
		bv := b[k]
		if reflect.DeepEqual(av, bv) {
			continue
		}
		if k == "metadata" {
			bm, _ := bv.(map[string]any)
			am, _ := av.(map[string]any)
			diff := map[string]any{}
			for mk, mv := range bm {
				if !reflect.DeepEqual(am[mk], mv) {
					diff[mk] = mv
				}
			}
			for mk := range am {
				if _, had := bm[mk]; !had {
					diff[mk] = nil
				}
			}
			prev[k] = diff
			continue
		}
		prev[k] = bv
	}
	return prev, nil
}
