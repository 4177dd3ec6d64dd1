package stripesandbox

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Products and prices: POST/GET /v1/products[/{id}], DELETE
// /v1/products/{id} (only without prices), POST/GET /v1/prices[/{id}].
// Prices are per_unit with an integer unit_amount, one-off or recurring
// (day, week, month, year × interval_count, licensed usage).

// Events for the catalog and billing objects.
const (
	evProductCreated = "product.created"
	evProductUpdated = "product.updated"
	evProductDeleted = "product.deleted"
	evPriceCreated   = "price.created"
	evPriceUpdated   = "price.updated"
)

// customIDPattern is what Stripe accepts for caller-chosen IDs.
var customIDPattern = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,200}$`)

// objectID returns the caller's "id" parameter (checked unused) or a new ID
// with prefix ("" prefix: an 8-character code, as for coupons).
func (c *call) objectID(typ, prefix, human string) (string, *apiError) {
	id, ok, aerr := c.p.str("id")
	if aerr != nil {
		return "", aerr
	}
	if !ok || id == "" {
		if prefix == "" {
			return strings.ToUpper(randomString(8)), nil
		}
		return newID(prefix), nil
	}
	if !customIDPattern.MatchString(id) {
		return "", invalidParam("id", "Invalid id: %s", id)
	}
	if _, err := getRow(c.ctx, c.q, id, ""); err == nil {
		return "", &apiError{Status: http.StatusBadRequest, Type: "invalid_request_error", Code: "resource_already_exists",
			Param: "id", DocURL: docURL("resource_already_exists"), Message: human + " already exists."}
	} else if !errors.Is(err, errNotFound) {
		return "", internalError(err)
	}
	return id, nil
}

// loadRef loads an object of type typ named by a request parameter and
// decodes it into v (400 resource_missing when absent).
func (c *call) loadRef(id, typ, param string, v any) *apiError {
	r, err := getRow(c.ctx, c.q, id, typ)
	if errors.Is(err, errNotFound) {
		return noSuchObject(http.StatusBadRequest, param, humanKind(typ), id)
	}
	if err != nil {
		return internalError(err)
	}
	return decodeRow(r, v)
}

// setStrings applies optional string parameters of p ("" unsets).
func setStrings(p params, prefix string, dst map[string]**string) *apiError {
	for name, d := range dst {
		v, ok, aerr := p.str(name)
		if aerr != nil {
			if prefix != "" {
				aerr.Param = prefix + "[" + name + "]"
			}
			return aerr
		}
		if ok {
			*d = optStr(v)
		}
	}
	return nil
}

func productRow(pr *product) row {
	return row{ID: pr.ID, Type: "product", Created: pr.Created}
}

var productParams = []string{"name", "active", "description", "metadata", "statement_descriptor", "tax_code",
	"unit_label", "url", "images", "shippable", "expand"}

// applyProductParams sets the updatable product fields.
func applyProductParams(p params, pr *product) *apiError {
	if v, ok, aerr := p.str("name"); aerr != nil {
		return aerr
	} else if ok {
		if v == "" {
			return invalidParam("name", "You must supply a non-empty name for the product.")
		}
		pr.Name = v
	}
	if v, ok, aerr := p.boolean("active"); aerr != nil {
		return aerr
	} else if ok {
		pr.Active = v
	}
	if v, ok, aerr := p.boolean("shippable"); aerr != nil {
		return aerr
	} else if ok {
		pr.Shippable = &v
	}
	if aerr := setStrings(p, "", map[string]**string{"description": &pr.Description, "tax_code": &pr.TaxCode,
		"statement_descriptor": &pr.StatementDescriptor, "unit_label": &pr.UnitLabel, "url": &pr.URL}); aerr != nil {
		return aerr
	}
	if pr.StatementDescriptor != nil && len(*pr.StatementDescriptor) > 22 {
		return invalidParam("statement_descriptor", "The statement descriptor must be at most 22 characters.")
	}
	if imgs, ok, aerr := p.list("images"); aerr != nil {
		return aerr
	} else if ok {
		pr.Images = imgs
	}
	md, _, aerr := applyMetadata(p, pr.Metadata)
	if aerr != nil {
		return aerr
	}
	pr.Metadata = md
	return nil
}

func (s *Server) createProduct(c *call) (any, *apiError) {
	if aerr := c.p.allow("", append(productParams, "id", "type", "default_price_data")...); aerr != nil {
		return nil, aerr
	}
	if v, ok, _ := c.p.str("name"); !ok || v == "" {
		return nil, missingParam("name")
	}
	id, aerr := c.objectID("product", "prod", "Product")
	if aerr != nil {
		return nil, aerr
	}
	now := c.now()
	pr := &product{ID: id, Object: "product", Active: true, Created: now, Features: []any{}, Images: []string{},
		Metadata: map[string]string{}, Type: "service", Updated: now}
	if v, ok, aerr := c.p.str("type"); aerr != nil {
		return nil, aerr
	} else if ok && v != "service" && v != "good" {
		return nil, invalidParam("type", "Invalid type: must be one of good or service")
	} else if ok {
		pr.Type = v
	}
	if aerr := applyProductParams(c.p, pr); aerr != nil {
		return nil, aerr
	}
	var dp *price
	if h, ok, aerr := c.p.hash("default_price_data"); aerr != nil {
		return nil, aerr
	} else if ok && h != nil {
		if aerr := h.allow("default_price_data", "currency", "unit_amount", "unit_amount_decimal", "recurring",
			"tax_behavior", "metadata"); aerr != nil {
			return nil, aerr
		}
		dp = &price{ID: newID("price"), Product: pr.ID}
		if aerr := c.fillPrice(h, "default_price_data", dp); aerr != nil {
			return nil, aerr
		}
		pr.DefaultPrice = &dp.ID
	}
	if aerr := c.save(productRow(pr), pr); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evProductCreated, pr, nil); aerr != nil {
		return nil, aerr
	}
	if dp != nil {
		if aerr := c.save(priceRow(dp), dp); aerr != nil {
			return nil, aerr
		}
		if aerr := c.emit(evPriceCreated, dp, nil); aerr != nil {
			return nil, aerr
		}
	}
	return c.renderValue(pr, "product")
}

func (s *Server) updateProduct(c *call) (any, *apiError) {
	if aerr := c.p.allow("", append(productParams, "default_price")...); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("product")
	if aerr != nil {
		return nil, aerr
	}
	var pr product
	if aerr := decodeRow(r, &pr); aerr != nil {
		return nil, aerr
	}
	before := pr
	if aerr := applyProductParams(c.p, &pr); aerr != nil {
		return nil, aerr
	}
	if v, ok, aerr := c.p.str("default_price"); aerr != nil {
		return nil, aerr
	} else if ok && v == "" {
		pr.DefaultPrice = nil
	} else if ok {
		var dp price
		if aerr := c.loadRef(v, "price", "default_price", &dp); aerr != nil {
			return nil, aerr
		}
		if dp.Product != pr.ID {
			return nil, invalidParam("default_price", "The price %s does not belong to product %s.", v, pr.ID)
		}
		pr.DefaultPrice = &dp.ID
	}
	return c.saveUpdate(productRow(&pr), &before, &pr, evProductUpdated, "product", func() { pr.Updated = c.now() })
}

// saveUpdate stores an updated object and emits its .updated event with
// previous_attributes when something changed (touch runs first, e.g. to set
// "updated", only then), and renders it.
func (c *call) saveUpdate(r row, before, after any, evType, typ string, touch func()) (any, *apiError) {
	if aerr := c.storeUpdate(r, before, after, evType, touch); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(after, typ)
}

// storeUpdate is saveUpdate without rendering.
func (c *call) storeUpdate(r row, before, after any, evType string, touch func()) *apiError {
	prev, aerr := previousAttributes(before, after)
	if aerr != nil {
		return aerr
	}
	if len(prev) == 0 {
		return nil
	}
	if touch != nil {
		touch()
	}
	if aerr := c.save(r, after); aerr != nil {
		return aerr
	}
	return c.emit(evType, after, prev)
}

// deletedObject is the answer of a DELETE.
type deletedObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

func (s *Server) deleteProduct(c *call) (any, *apiError) {
	if aerr := c.p.allow(""); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("product")
	if aerr != nil {
		return nil, aerr
	}
	var pr product
	if aerr := decodeRow(r, &pr); aerr != nil {
		return nil, aerr
	}
	prices, err := listRows(c.ctx, c.q, listQuery{Type: "price", Eq: map[string]string{"source": pr.ID}, Limit: 1})
	if err != nil {
		return nil, internalError(err)
	}
	if len(prices) > 0 {
		return nil, invalidParam("", "This product cannot be deleted because it has one or more user-created prices.")
	}
	if _, err := c.q.ExecContext(c.ctx, `DELETE FROM objects WHERE id = ?`, pr.ID); err != nil {
		return nil, internalError(err)
	}
	if aerr := c.emit(evProductDeleted, &pr, nil); aerr != nil {
		return nil, aerr
	}
	return deletedObject{ID: pr.ID, Object: "product", Deleted: true}, nil
}

func (s *Server) getProduct(c *call) (any, *apiError) { return c.getAndRender("product") }

func (s *Server) listProducts(c *call) (any, *apiError) {
	return c.list("product", "/v1/products", map[string]string{"active": "json:$.active:bool",
		"shippable": "json:$.shippable:bool", "type": "json:$.type"})
}

func priceRow(pr *price) row {
	return row{ID: pr.ID, Type: "price", Created: pr.Created, Source: pr.Product, Currency: pr.Currency}
}

// maxIntervalCount bounds a recurring interval at three years, as Stripe.
var maxIntervalCount = map[string]int64{"day": 1095, "week": 156, "month": 36, "year": 3}

// fillPrice validates currency, unit_amount, recurring, tax_behavior and
// metadata of a new price from h (the request or a *_data hash) into pr.
func (c *call) fillPrice(h params, prefix string, pr *price) *apiError {
	name := func(n string) string {
		if prefix == "" {
			return n
		}
		return prefix + "[" + n + "]"
	}
	pr.Object, pr.Active, pr.BillingScheme, pr.Created = "price", true, "per_unit", c.now()
	pr.Metadata, pr.TaxBehavior, pr.Type = map[string]string{}, "unspecified", "one_time"
	cur, ok, aerr := h.str("currency")
	if aerr != nil {
		return aerr
	}
	if !ok || cur == "" {
		return missingParam(name("currency"))
	}
	pr.Currency = strings.ToLower(cur)
	if aerr := billingCurrency(pr.Currency, name("currency")); aerr != nil {
		return aerr
	}
	amount, ok, aerr := h.integer("unit_amount")
	if aerr != nil {
		aerr.Param = name("unit_amount")
		return aerr
	}
	if !ok {
		// unit_amount_decimal is accepted when it is a whole number of minor units.
		if d, dok, derr := h.str("unit_amount_decimal"); derr != nil {
			return derr
		} else if dok {
			d = strings.TrimRight(strings.TrimRight(d, "0"), ".")
			if n, err := strconv.ParseInt(d, 10, 64); err == nil {
				amount, ok = n, true
			} else if d == "" {
				amount, ok = 0, true
			} else {
				return invalidParam(name("unit_amount_decimal"), "The sandbox supports whole minor units only (unit_amount_decimal %s).", d)
			}
		}
	}
	if !ok {
		return missingParam(name("unit_amount"))
	}
	if amount < 0 || amount > maxChargeAmount {
		return invalidParam(name("unit_amount"), "Invalid integer: unit_amount must be between 0 and %d", int64(maxChargeAmount))
	}
	pr.UnitAmount, pr.UnitAmountDecimal = amount, strconv.FormatInt(amount, 10)
	if rh, ok, aerr := h.hash("recurring"); aerr != nil {
		return aerr
	} else if ok && rh != nil {
		if aerr := rh.allow(name("recurring"), "interval", "interval_count", "usage_type", "trial_period_days"); aerr != nil {
			return aerr
		}
		rc := &recurring{IntervalCount: 1, UsageType: "licensed"}
		iv, ok, aerr := rh.str("interval")
		if aerr != nil {
			return aerr
		}
		if !ok {
			return missingParam(name("recurring") + "[interval]")
		}
		if _, known := maxIntervalCount[iv]; !known {
			return invalidParam(name("recurring")+"[interval]", "Invalid recurring[interval]: must be one of day, month, week, or year")
		}
		rc.Interval = iv
		if n, ok, aerr := rh.integer("interval_count"); aerr != nil {
			return aerr
		} else if ok {
			if n < 1 || n > maxIntervalCount[iv] {
				return invalidParam(name("recurring")+"[interval_count]", "The maximum billing interval is 3 years (interval_count must be between 1 and %d for %s).", maxIntervalCount[iv], iv)
			}
			rc.IntervalCount = n
		}
		if v, ok, _ := rh.str("usage_type"); ok && v != "licensed" {
			return invalidParam(name("recurring")+"[usage_type]", "The sandbox supports licensed usage only.")
		}
		if n, ok, aerr := rh.integer("trial_period_days"); aerr != nil {
			return aerr
		} else if ok {
			rc.TrialPeriodDays = &n
		}
		pr.Recurring, pr.Type = rc, "recurring"
	}
	if v, ok, aerr := h.str("tax_behavior"); aerr != nil {
		return aerr
	} else if ok {
		if v != "exclusive" && v != "inclusive" && v != "unspecified" {
			return invalidParam(name("tax_behavior"), "Invalid tax_behavior: must be one of exclusive, inclusive, or unspecified")
		}
		pr.TaxBehavior = v
	}
	md, _, aerr := applyMetadata(h, nil)
	if aerr != nil {
		return aerr
	}
	pr.Metadata = md
	return nil
}

// billingCurrency refuses currencies the billing engine does not handle:
// three-decimal currencies, whose amounts must end in 0 (percentages and
// prorations would break that rule).
func billingCurrency(cur, param string) *apiError {
	if len(cur) != 3 || strings.Trim(cur, "abcdefghijklmnopqrstuvwxyz") != "" {
		return invalidParam(param, "Invalid currency: %s. Stripe currencies are three-letter ISO codes in lowercase.", cur)
	}
	if currencyExponent(cur) == 3 {
		return invalidParam(param, "The sandbox does not bill in three-decimal currencies (%s).", strings.ToUpper(cur))
	}
	return nil
}

var priceParams = []string{"currency", "unit_amount", "unit_amount_decimal", "product", "product_data", "recurring",
	"active", "nickname", "lookup_key", "metadata", "tax_behavior", "billing_scheme", "transfer_lookup_key", "expand"}

func (s *Server) createPrice(c *call) (any, *apiError) {
	p := c.p
	if aerr := p.allow("", priceParams...); aerr != nil {
		return nil, aerr
	}
	if v, ok, _ := p.str("billing_scheme"); ok && v != "per_unit" {
		return nil, invalidParam("billing_scheme", "The sandbox supports billing_scheme=per_unit only.")
	}
	pr := &price{ID: newID("price")}
	if aerr := c.fillPrice(p, "", pr); aerr != nil {
		return nil, aerr
	}
	if v, ok, aerr := p.boolean("active"); aerr != nil {
		return nil, aerr
	} else if ok {
		pr.Active = v
	}
	if aerr := setStrings(p, "", map[string]**string{"nickname": &pr.Nickname, "lookup_key": &pr.LookupKey}); aerr != nil {
		return nil, aerr
	}
	if _, _, aerr := p.boolean("transfer_lookup_key"); aerr != nil {
		return nil, aerr
	}
	prodID, hasProd, aerr := p.str("product")
	if aerr != nil {
		return nil, aerr
	}
	pd, hasData, aerr := p.hash("product_data")
	if aerr != nil {
		return nil, aerr
	}
	var newProd *product
	switch {
	case hasProd && hasData:
		return nil, invalidParam("product", "You may only specify one of these parameters: product, product_data.")
	case hasProd && prodID != "":
		var prod product
		if aerr := c.loadRef(prodID, "product", "product", &prod); aerr != nil {
			return nil, aerr
		}
		pr.Product = prod.ID
	case hasData && pd != nil:
		if aerr := pd.allow("product_data", "name", "active", "metadata", "statement_descriptor", "tax_code",
			"unit_label", "id"); aerr != nil {
			return nil, aerr
		}
		name, ok, aerr := pd.str("name")
		if aerr != nil {
			return nil, aerr
		}
		if !ok || name == "" {
			return nil, missingParam("product_data[name]")
		}
		id := newID("prod")
		if v, ok, _ := pd.str("id"); ok && v != "" {
			sub := &call{s: c.s, ctx: c.ctx, q: c.q, p: params{"id": v}}
			if id, aerr = sub.objectID("product", "prod", "Product"); aerr != nil {
				aerr.Param = "product_data[id]"
				return nil, aerr
			}
		}
		now := c.now()
		newProd = &product{ID: id, Object: "product", Active: true, Created: now, Features: []any{}, Images: []string{},
			Metadata: map[string]string{}, Type: "service", Updated: now}
		if aerr := applyProductParams(pd, newProd); aerr != nil {
			return nil, aerr
		}
		pr.Product = newProd.ID
	default:
		return nil, missingParam("product")
	}
	if newProd != nil {
		if aerr := c.save(productRow(newProd), newProd); aerr != nil {
			return nil, aerr
		}
		if aerr := c.emit(evProductCreated, newProd, nil); aerr != nil {
			return nil, aerr
		}
	}
	if aerr := c.save(priceRow(pr), pr); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evPriceCreated, pr, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(pr, "price")
}

func (s *Server) updatePrice(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "active", "nickname", "lookup_key", "metadata", "tax_behavior",
		"transfer_lookup_key", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load("price")
	if aerr != nil {
		return nil, aerr
	}
	var pr price
	if aerr := decodeRow(r, &pr); aerr != nil {
		return nil, aerr
	}
	before := pr
	if v, ok, aerr := c.p.boolean("active"); aerr != nil {
		return nil, aerr
	} else if ok {
		pr.Active = v
	}
	if aerr := setStrings(c.p, "", map[string]**string{"nickname": &pr.Nickname, "lookup_key": &pr.LookupKey}); aerr != nil {
		return nil, aerr
	}
	if v, ok, aerr := c.p.str("tax_behavior"); aerr != nil {
		return nil, aerr
	} else if ok && v != pr.TaxBehavior {
		if pr.TaxBehavior != "unspecified" {
			return nil, invalidParam("tax_behavior", "tax_behavior cannot be changed once it is set to exclusive or inclusive.")
		}
		if v != "exclusive" && v != "inclusive" {
			return nil, invalidParam("tax_behavior", "Invalid tax_behavior: must be one of exclusive or inclusive")
		}
		pr.TaxBehavior = v
	}
	md, _, aerr := applyMetadata(c.p, pr.Metadata)
	if aerr != nil {
		return nil, aerr
	}
	pr.Metadata = md
	return c.saveUpdate(priceRow(&pr), &before, &pr, evPriceUpdated, "price", nil)
}

func (s *Server) getPrice(c *call) (any, *apiError) { return c.getAndRender("price") }

func (s *Server) listPrices(c *call) (any, *apiError) {
	if v, ok, _ := c.p.str("currency"); ok {
		c.p["currency"] = strings.ToLower(v)
	}
	return c.list("price", "/v1/prices", map[string]string{"product": "source", "active": "json:$.active:bool",
		"type": "json:$.type", "currency": "currency"})
}

// loadPrice loads a price named by param.
func (c *call) loadPrice(id, param string) (*price, *apiError) {
	var pr price
	if aerr := c.loadRef(id, "price", param, &pr); aerr != nil {
		return nil, aerr
	}
	return &pr, nil
}
