package stripesandbox

// Stored forms of the billing objects: invoice items, invoices and their
// lines, subscriptions, test clocks and credit notes. As in objects.go the
// JSON is Stripe's 2023-10-16 wire format and pointers mark nullable fields.

// period is a [start, end] pair of Unix times.
type period struct {
	End   int64 `json:"end"`
	Start int64 `json:"start"`
}

// discountAmount is one discount's share of a line or total.
type discountAmount struct {
	Amount   int64  `json:"amount"`
	Discount string `json:"discount"`
}

// taxAmount is one tax rate's tax on a line or total.
type taxAmount struct {
	Amount           int64   `json:"amount"`
	Inclusive        bool    `json:"inclusive"`
	TaxRate          string  `json:"tax_rate"`
	TaxabilityReason *string `json:"taxability_reason"`
	TaxableAmount    int64   `json:"taxable_amount"`
}

// creditedItems names the invoice line a credit proration reverses.
type creditedItems struct {
	Invoice          string   `json:"invoice"`
	InvoiceLineItems []string `json:"invoice_line_items"`
}

// prorationDetails is InvoiceLineItem.proration_details.
type prorationDetails struct {
	CreditedItems *creditedItems `json:"credited_items"`
}

// invoiceItem is a Stripe InvoiceItem. Credited is sandbox-internal (the
// line a credit proration reverses, copied into the invoice line's
// proration_details) and stripped from every response (see wireForm).
type invoiceItem struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Amount            int64             `json:"amount"`
	Currency          string            `json:"currency"`
	Customer          string            `json:"customer"`
	Date              int64             `json:"date"`
	Description       *string           `json:"description"`
	Discountable      bool              `json:"discountable"`
	Discounts         []string          `json:"discounts"`
	Invoice           *string           `json:"invoice"`
	Livemode          bool              `json:"livemode"`
	Metadata          map[string]string `json:"metadata"`
	Period            period            `json:"period"`
	Plan              *plan             `json:"plan"`
	Price             *price            `json:"price"`
	Proration         bool              `json:"proration"`
	Quantity          int64             `json:"quantity"`
	Subscription      *string           `json:"subscription"`
	SubscriptionItem  *string           `json:"subscription_item"`
	TaxRates          []*taxRate        `json:"tax_rates"`
	TestClock         *string           `json:"test_clock"`
	UnitAmount        *int64            `json:"unit_amount"`
	UnitAmountDecimal *string           `json:"unit_amount_decimal"`
	Credited          *creditedItems    `json:"_sandbox_credited,omitempty"`
}

// lineItem is a Stripe InvoiceLineItem (object "line_item").
type lineItem struct {
	ID                     string            `json:"id"`
	Object                 string            `json:"object"`
	Amount                 int64             `json:"amount"`
	AmountExcludingTax     int64             `json:"amount_excluding_tax"`
	Currency               string            `json:"currency"`
	Description            *string           `json:"description"`
	DiscountAmounts        []discountAmount  `json:"discount_amounts"`
	Discountable           bool              `json:"discountable"`
	Discounts              []string          `json:"discounts"`
	Invoice                string            `json:"invoice"`
	InvoiceItem            *string           `json:"invoice_item"`
	Livemode               bool              `json:"livemode"`
	Metadata               map[string]string `json:"metadata"`
	Period                 period            `json:"period"`
	Plan                   *plan             `json:"plan"`
	Price                  *price            `json:"price"`
	Proration              bool              `json:"proration"`
	ProrationDetails       prorationDetails  `json:"proration_details"`
	Quantity               int64             `json:"quantity"`
	Subscription           *string           `json:"subscription"`
	SubscriptionItem       *string           `json:"subscription_item"`
	TaxAmounts             []taxAmount       `json:"tax_amounts"`
	TaxRates               []*taxRate        `json:"tax_rates"`
	Type                   string            `json:"type"`
	UnitAmountExcludingTax string            `json:"unit_amount_excluding_tax"`
}

// lineList is an embedded list of invoice lines.
type lineList struct {
	Object     string      `json:"object"`
	Data       []*lineItem `json:"data"`
	HasMore    bool        `json:"has_more"`
	TotalCount int64       `json:"total_count"`
	URL        string      `json:"url"`
}

type statusTransitions struct {
	FinalizedAt           *int64 `json:"finalized_at"`
	MarkedUncollectibleAt *int64 `json:"marked_uncollectible_at"`
	PaidAt                *int64 `json:"paid_at"`
	VoidedAt              *int64 `json:"voided_at"`
}

type automaticTax struct {
	Enabled   bool    `json:"enabled"`
	Liability any     `json:"liability"`
	Status    *string `json:"status"`
}

type invoiceIssuer struct {
	Type string `json:"type"`
}

type paymentSettings struct {
	DefaultMandate       *string  `json:"default_mandate"`
	PaymentMethodOptions any      `json:"payment_method_options"`
	PaymentMethodTypes   []string `json:"payment_method_types"`
}

type subscriptionDetails struct {
	Metadata map[string]string `json:"metadata"`
}

// invoice is a Stripe Invoice (collection_method charge_automatically).
type invoice struct {
	ID                           string               `json:"id"`
	Object                       string               `json:"object"`
	AccountCountry               string               `json:"account_country"`
	AccountName                  string               `json:"account_name"`
	AccountTaxIDs                any                  `json:"account_tax_ids"`
	AmountDue                    int64                `json:"amount_due"`
	AmountPaid                   int64                `json:"amount_paid"`
	AmountRemaining              int64                `json:"amount_remaining"`
	AmountShipping               int64                `json:"amount_shipping"`
	Application                  *string              `json:"application"`
	ApplicationFeeAmount         *int64               `json:"application_fee_amount"`
	AttemptCount                 int64                `json:"attempt_count"`
	Attempted                    bool                 `json:"attempted"`
	AutoAdvance                  bool                 `json:"auto_advance"`
	AutomaticTax                 automaticTax         `json:"automatic_tax"`
	BillingReason                string               `json:"billing_reason"`
	Charge                       *string              `json:"charge"`
	CollectionMethod             string               `json:"collection_method"`
	Created                      int64                `json:"created"`
	Currency                     string               `json:"currency"`
	CustomFields                 any                  `json:"custom_fields"`
	Customer                     string               `json:"customer"`
	CustomerAddress              *address             `json:"customer_address"`
	CustomerEmail                *string              `json:"customer_email"`
	CustomerName                 *string              `json:"customer_name"`
	CustomerPhone                *string              `json:"customer_phone"`
	CustomerShipping             any                  `json:"customer_shipping"`
	CustomerTaxExempt            string               `json:"customer_tax_exempt"`
	CustomerTaxIDs               []any                `json:"customer_tax_ids"`
	DefaultPaymentMethod         *string              `json:"default_payment_method"`
	DefaultSource                *string              `json:"default_source"`
	DefaultTaxRates              []*taxRate           `json:"default_tax_rates"`
	Description                  *string              `json:"description"`
	Discount                     *discount            `json:"discount"`
	Discounts                    []string             `json:"discounts"`
	DueDate                      *int64               `json:"due_date"`
	EffectiveAt                  *int64               `json:"effective_at"`
	EndingBalance                *int64               `json:"ending_balance"`
	Footer                       *string              `json:"footer"`
	FromInvoice                  any                  `json:"from_invoice"`
	HostedInvoiceURL             *string              `json:"hosted_invoice_url"`
	InvoicePDF                   *string              `json:"invoice_pdf"`
	Issuer                       invoiceIssuer        `json:"issuer"`
	LastFinalizationError        any                  `json:"last_finalization_error"`
	LatestRevision               *string              `json:"latest_revision"`
	Lines                        lineList             `json:"lines"`
	Livemode                     bool                 `json:"livemode"`
	Metadata                     map[string]string    `json:"metadata"`
	NextPaymentAttempt           *int64               `json:"next_payment_attempt"`
	Number                       *string              `json:"number"`
	OnBehalfOf                   *string              `json:"on_behalf_of"`
	Paid                         bool                 `json:"paid"`
	PaidOutOfBand                bool                 `json:"paid_out_of_band"`
	PaymentIntent                *string              `json:"payment_intent"`
	PaymentSettings              paymentSettings      `json:"payment_settings"`
	PeriodEnd                    int64                `json:"period_end"`
	PeriodStart                  int64                `json:"period_start"`
	PostPaymentCreditNotesAmount int64                `json:"post_payment_credit_notes_amount"`
	PrePaymentCreditNotesAmount  int64                `json:"pre_payment_credit_notes_amount"`
	Quote                        *string              `json:"quote"`
	ReceiptNumber                *string              `json:"receipt_number"`
	Rendering                    any                  `json:"rendering"`
	RenderingOptions             any                  `json:"rendering_options"`
	ShippingCost                 any                  `json:"shipping_cost"`
	ShippingDetails              any                  `json:"shipping_details"`
	StartingBalance              int64                `json:"starting_balance"`
	StatementDescriptor          *string              `json:"statement_descriptor"`
	Status                       string               `json:"status"`
	StatusTransitions            statusTransitions    `json:"status_transitions"`
	Subscription                 *string              `json:"subscription"`
	SubscriptionDetails          *subscriptionDetails `json:"subscription_details"`
	SubscriptionProrationDate    *int64               `json:"subscription_proration_date,omitempty"`
	Subtotal                     int64                `json:"subtotal"`
	SubtotalExcludingTax         int64                `json:"subtotal_excluding_tax"`
	Tax                          *int64               `json:"tax"`
	TestClock                    *string              `json:"test_clock"`
	ThresholdReason              any                  `json:"threshold_reason"`
	Total                        int64                `json:"total"`
	TotalDiscountAmounts         []discountAmount     `json:"total_discount_amounts"`
	TotalExcludingTax            int64                `json:"total_excluding_tax"`
	TotalTaxAmounts              []taxAmount          `json:"total_tax_amounts"`
	TransferData                 any                  `json:"transfer_data"`
	WebhooksDeliveredAt          *int64               `json:"webhooks_delivered_at"`
}

// subscriptionItem is a Stripe SubscriptionItem.
type subscriptionItem struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	BillingThresholds any               `json:"billing_thresholds"`
	Created           int64             `json:"created"`
	Discounts         []string          `json:"discounts"`
	Metadata          map[string]string `json:"metadata"`
	Plan              *plan             `json:"plan"`
	Price             *price            `json:"price"`
	Quantity          int64             `json:"quantity"`
	Subscription      string            `json:"subscription"`
	TaxRates          []*taxRate        `json:"tax_rates"`
}

// subscriptionItemList is Subscription.items.
type subscriptionItemList struct {
	Object     string              `json:"object"`
	Data       []*subscriptionItem `json:"data"`
	HasMore    bool                `json:"has_more"`
	TotalCount int64               `json:"total_count"`
	URL        string              `json:"url"`
}

type cancellationDetails struct {
	Comment  *string `json:"comment"`
	Feedback *string `json:"feedback"`
	Reason   *string `json:"reason"`
}

// subscription is a Stripe Subscription (charge_automatically, licensed).
type subscription struct {
	ID                            string               `json:"id"`
	Object                        string               `json:"object"`
	Application                   *string              `json:"application"`
	ApplicationFeePercent         *float64             `json:"application_fee_percent"`
	AutomaticTax                  automaticTax         `json:"automatic_tax"`
	BillingCycleAnchor            int64                `json:"billing_cycle_anchor"`
	BillingThresholds             any                  `json:"billing_thresholds"`
	CancelAt                      *int64               `json:"cancel_at"`
	CancelAtPeriodEnd             bool                 `json:"cancel_at_period_end"`
	CanceledAt                    *int64               `json:"canceled_at"`
	CancellationDetails           cancellationDetails  `json:"cancellation_details"`
	CollectionMethod              string               `json:"collection_method"`
	Created                       int64                `json:"created"`
	Currency                      string               `json:"currency"`
	CurrentPeriodEnd              int64                `json:"current_period_end"`
	CurrentPeriodStart            int64                `json:"current_period_start"`
	Customer                      string               `json:"customer"`
	DaysUntilDue                  *int64               `json:"days_until_due"`
	DefaultPaymentMethod          *string              `json:"default_payment_method"`
	DefaultSource                 *string              `json:"default_source"`
	DefaultTaxRates               []*taxRate           `json:"default_tax_rates"`
	Description                   *string              `json:"description"`
	Discount                      *discount            `json:"discount"`
	Discounts                     []string             `json:"discounts"`
	EndedAt                       *int64               `json:"ended_at"`
	Items                         subscriptionItemList `json:"items"`
	LatestInvoice                 *string              `json:"latest_invoice"`
	Livemode                      bool                 `json:"livemode"`
	Metadata                      map[string]string    `json:"metadata"`
	NextPendingInvoiceItemInvoice *int64               `json:"next_pending_invoice_item_invoice"`
	OnBehalfOf                    *string              `json:"on_behalf_of"`
	PauseCollection               any                  `json:"pause_collection"`
	PaymentSettings               paymentSettings      `json:"payment_settings"`
	PendingInvoiceItemInterval    any                  `json:"pending_invoice_item_interval"`
	PendingSetupIntent            *string              `json:"pending_setup_intent"`
	PendingUpdate                 any                  `json:"pending_update"`
	Schedule                      *string              `json:"schedule"`
	StartDate                     int64                `json:"start_date"`
	Status                        string               `json:"status"`
	TestClock                     *string              `json:"test_clock"`
	TransferData                  any                  `json:"transfer_data"`
	TrialEnd                      *int64               `json:"trial_end"`
	TrialSettings                 any                  `json:"trial_settings"`
	TrialStart                    *int64               `json:"trial_start"`
}

// testClock is a Stripe TestHelpersTestClock.
type testClock struct {
	ID           string  `json:"id"`
	Object       string  `json:"object"`
	Created      int64   `json:"created"`
	DeletesAfter int64   `json:"deletes_after"`
	FrozenTime   int64   `json:"frozen_time"`
	Livemode     bool    `json:"livemode"`
	Name         *string `json:"name"`
	Status       string  `json:"status"`
}

// creditNoteLine is a Stripe CreditNoteLineItem.
type creditNoteLine struct {
	ID                     string           `json:"id"`
	Object                 string           `json:"object"`
	Amount                 int64            `json:"amount"`
	AmountExcludingTax     int64            `json:"amount_excluding_tax"`
	Description            *string          `json:"description"`
	DiscountAmount         int64            `json:"discount_amount"`
	DiscountAmounts        []discountAmount `json:"discount_amounts"`
	InvoiceLineItem        *string          `json:"invoice_line_item,omitempty"`
	Livemode               bool             `json:"livemode"`
	Quantity               *int64           `json:"quantity"`
	TaxAmounts             []taxAmount      `json:"tax_amounts"`
	TaxRates               []*taxRate       `json:"tax_rates"`
	Type                   string           `json:"type"`
	UnitAmount             *int64           `json:"unit_amount"`
	UnitAmountDecimal      *string          `json:"unit_amount_decimal"`
	UnitAmountExcludingTax *string          `json:"unit_amount_excluding_tax"`
}

// creditNoteLineList is CreditNote.lines.
type creditNoteLineList struct {
	Object     string            `json:"object"`
	Data       []*creditNoteLine `json:"data"`
	HasMore    bool              `json:"has_more"`
	TotalCount int64             `json:"total_count"`
	URL        string            `json:"url"`
}

// creditNote is a Stripe CreditNote.
type creditNote struct {
	ID                         string             `json:"id"`
	Object                     string             `json:"object"`
	Amount                     int64              `json:"amount"`
	AmountShipping             int64              `json:"amount_shipping"`
	Created                    int64              `json:"created"`
	Currency                   string             `json:"currency"`
	Customer                   string             `json:"customer"`
	CustomerBalanceTransaction *string            `json:"customer_balance_transaction"`
	DiscountAmount             int64              `json:"discount_amount"`
	DiscountAmounts            []discountAmount   `json:"discount_amounts"`
	EffectiveAt                *int64             `json:"effective_at"`
	Invoice                    string             `json:"invoice"`
	Lines                      creditNoteLineList `json:"lines"`
	Livemode                   bool               `json:"livemode"`
	Memo                       *string            `json:"memo"`
	Metadata                   map[string]string  `json:"metadata"`
	Number                     string             `json:"number"`
	OutOfBandAmount            *int64             `json:"out_of_band_amount"`
	PDF                        string             `json:"pdf"`
	Reason                     *string            `json:"reason"`
	Refund                     *string            `json:"refund"`
	ShippingCost               any                `json:"shipping_cost"`
	Status                     string             `json:"status"`
	Subtotal                   int64              `json:"subtotal"`
	SubtotalExcludingTax       int64              `json:"subtotal_excluding_tax"`
	TaxAmounts                 []taxAmount        `json:"tax_amounts"`
	Total                      int64              `json:"total"`
	TotalExcludingTax          int64              `json:"total_excluding_tax"`
	Type                       string             `json:"type"`
	VoidedAt                   *int64             `json:"voided_at"`
}
