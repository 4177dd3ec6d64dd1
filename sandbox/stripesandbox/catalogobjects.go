package stripesandbox

// Stored forms of the catalog objects (products, prices, tax rates,
// coupons, discounts). As in objects.go the JSON is Stripe's wire format and
// pointers mark nullable fields.

// product is a Stripe Product.
type product struct {
	ID                  string            `json:"id"`
	Object              string            `json:"object"`
	Active              bool              `json:"active"`
	Created             int64             `json:"created"`
	DefaultPrice        *string           `json:"default_price"`
	Description         *string           `json:"description"`
	Features            []any             `json:"features"`
	Images              []string          `json:"images"`
	Livemode            bool              `json:"livemode"`
	Metadata            map[string]string `json:"metadata"`
	Name                string            `json:"name"`
	PackageDimensions   any               `json:"package_dimensions"`
	Shippable           *bool             `json:"shippable"`
	StatementDescriptor *string           `json:"statement_descriptor"`
	TaxCode             *string           `json:"tax_code"`
	Type                string            `json:"type"`
	UnitLabel           *string           `json:"unit_label"`
	Updated             int64             `json:"updated"`
	URL                 *string           `json:"url"`
}

// recurring is Price.recurring.
type recurring struct {
	AggregateUsage  *string `json:"aggregate_usage"`
	Interval        string  `json:"interval"`
	IntervalCount   int64   `json:"interval_count"`
	TrialPeriodDays *int64  `json:"trial_period_days"`
	UsageType       string  `json:"usage_type"`
}

// price is a Stripe Price (per_unit billing only). unit_amount_decimal is a
// decimal string on the wire, as stripe-go's ",string" tag expects.
type price struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Active            bool              `json:"active"`
	BillingScheme     string            `json:"billing_scheme"`
	Created           int64             `json:"created"`
	Currency          string            `json:"currency"`
	CustomUnitAmount  any               `json:"custom_unit_amount"`
	Livemode          bool              `json:"livemode"`
	LookupKey         *string           `json:"lookup_key"`
	Metadata          map[string]string `json:"metadata"`
	Nickname          *string           `json:"nickname"`
	Product           string            `json:"product"`
	Recurring         *recurring        `json:"recurring"`
	TaxBehavior       string            `json:"tax_behavior"`
	TiersMode         *string           `json:"tiers_mode"`
	TransformQuantity any               `json:"transform_quantity"`
	Type              string            `json:"type"`
	UnitAmount        int64             `json:"unit_amount"`
	UnitAmountDecimal string            `json:"unit_amount_decimal"`
}

// plan is the legacy Plan view of a recurring price that Stripe still puts
// on subscription items and subscription invoice lines.
type plan struct {
	ID              string            `json:"id"`
	Object          string            `json:"object"`
	Active          bool              `json:"active"`
	AggregateUsage  *string           `json:"aggregate_usage"`
	Amount          int64             `json:"amount"`
	AmountDecimal   string            `json:"amount_decimal"`
	BillingScheme   string            `json:"billing_scheme"`
	Created         int64             `json:"created"`
	Currency        string            `json:"currency"`
	Interval        string            `json:"interval"`
	IntervalCount   int64             `json:"interval_count"`
	Livemode        bool              `json:"livemode"`
	Metadata        map[string]string `json:"metadata"`
	Nickname        *string           `json:"nickname"`
	Product         string            `json:"product"`
	TiersMode       *string           `json:"tiers_mode"`
	TransformUsage  any               `json:"transform_usage"`
	TrialPeriodDays *int64            `json:"trial_period_days"`
	UsageType       string            `json:"usage_type"`
}

// planOf returns the Plan view of a recurring price (nil for one-off).
func planOf(pr *price) *plan {
	if pr == nil || pr.Recurring == nil {
		return nil
	}
	return &plan{ID: pr.ID, Object: "plan", Active: pr.Active, Amount: pr.UnitAmount, AmountDecimal: pr.UnitAmountDecimal,
		BillingScheme: pr.BillingScheme, Created: pr.Created, Currency: pr.Currency, Interval: pr.Recurring.Interval,
		IntervalCount: pr.Recurring.IntervalCount, Metadata: copyMap(pr.Metadata), Nickname: pr.Nickname,
		Product: pr.Product, UsageType: pr.Recurring.UsageType}
}

// taxRate is a Stripe TaxRate (manual tax, exclusive or inclusive).
type taxRate struct {
	ID                  string            `json:"id"`
	Object              string            `json:"object"`
	Active              bool              `json:"active"`
	Country             *string           `json:"country"`
	Created             int64             `json:"created"`
	Description         *string           `json:"description"`
	DisplayName         string            `json:"display_name"`
	EffectivePercentage percent           `json:"effective_percentage"`
	Inclusive           bool              `json:"inclusive"`
	Jurisdiction        *string           `json:"jurisdiction"`
	JurisdictionLevel   *string           `json:"jurisdiction_level"`
	Livemode            bool              `json:"livemode"`
	Metadata            map[string]string `json:"metadata"`
	Percentage          percent           `json:"percentage"`
	State               *string           `json:"state"`
	TaxType             *string           `json:"tax_type"`
}

// coupon is a Stripe Coupon: percent_off or amount_off (with currency).
type coupon struct {
	ID               string            `json:"id"`
	Object           string            `json:"object"`
	AmountOff        *int64            `json:"amount_off"`
	Created          int64             `json:"created"`
	Currency         *string           `json:"currency"`
	Duration         string            `json:"duration"`
	DurationInMonths *int64            `json:"duration_in_months"`
	Livemode         bool              `json:"livemode"`
	MaxRedemptions   *int64            `json:"max_redemptions"`
	Metadata         map[string]string `json:"metadata"`
	Name             *string           `json:"name"`
	PercentOff       *percent          `json:"percent_off"`
	RedeemBy         *int64            `json:"redeem_by"`
	TimesRedeemed    int64             `json:"times_redeemed"`
	Valid            bool              `json:"valid"`
}

// discount is a Stripe Discount: one application of a coupon to a customer,
// subscription, invoice or invoice item. Discounts are stored objects
// (di_…) so that discounts[] and discount_amounts[].discount can be IDs.
type discount struct {
	ID               string  `json:"id"`
	Object           string  `json:"object"`
	CheckoutSession  *string `json:"checkout_session"`
	Coupon           coupon  `json:"coupon"`
	Customer         *string `json:"customer"`
	End              *int64  `json:"end"`
	Invoice          *string `json:"invoice"`
	InvoiceItem      *string `json:"invoice_item"`
	PromotionCode    *string `json:"promotion_code"`
	Start            int64   `json:"start"`
	Subscription     *string `json:"subscription"`
	SubscriptionItem *string `json:"subscription_item"`
}
