package stripesandbox

// The structs below are the sandbox's stored form of Stripe objects. Their
// JSON is Stripe's wire format; expandable fields hold IDs and are replaced by
// full objects at render time (see expand.go). Pointers mark nullable fields.

// address is Stripe's Address hash.
type address struct {
	City       *string `json:"city"`
	Country    *string `json:"country"`
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	PostalCode *string `json:"postal_code"`
	State      *string `json:"state"`
}

type invoiceSettings struct {
	CustomFields         any     `json:"custom_fields"`
	DefaultPaymentMethod *string `json:"default_payment_method"`
	Footer               *string `json:"footer"`
	RenderingOptions     any     `json:"rendering_options"`
}

// customer is a Stripe Customer.
type customer struct {
	ID               string            `json:"id"`
	Object           string            `json:"object"`
	Address          *address          `json:"address"`
	Balance          int64             `json:"balance"`
	Created          int64             `json:"created"`
	Currency         *string           `json:"currency"`
	DefaultSource    *string           `json:"default_source"`
	Delinquent       bool              `json:"delinquent"`
	Description      *string           `json:"description"`
	Discount         any               `json:"discount"`
	Email            *string           `json:"email"`
	InvoicePrefix    string            `json:"invoice_prefix"`
	InvoiceSettings  invoiceSettings   `json:"invoice_settings"`
	Livemode         bool              `json:"livemode"`
	Metadata         map[string]string `json:"metadata"`
	Name             *string           `json:"name"`
	NextInvoiceSeq   int64             `json:"next_invoice_sequence"`
	Phone            *string           `json:"phone"`
	PreferredLocales []string          `json:"preferred_locales"`
	Shipping         any               `json:"shipping"`
	TaxExempt        string            `json:"tax_exempt"`
	TestClock        *string           `json:"test_clock"`
}

// cardDetails is the masked card data Stripe exposes; never a full number.
type cardDetails struct {
	Brand       string  `json:"brand"`
	Checks      any     `json:"checks"`
	Country     string  `json:"country"`
	ExpMonth    int64   `json:"exp_month"`
	ExpYear     int64   `json:"exp_year"`
	Fingerprint string  `json:"fingerprint"`
	Funding     string  `json:"funding"`
	Last4       string  `json:"last4"`
	Network     *string `json:"network,omitempty"`
}

type billingDetails struct {
	Address *address `json:"address"`
	Email   *string  `json:"email"`
	Name    *string  `json:"name"`
	Phone   *string  `json:"phone"`
}

// paymentMethod is a Stripe PaymentMethod of type card.
type paymentMethod struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	BillingDetails billingDetails    `json:"billing_details"`
	Card           cardDetails       `json:"card"`
	Created        int64             `json:"created"`
	Customer       *string           `json:"customer"`
	Livemode       bool              `json:"livemode"`
	Metadata       map[string]string `json:"metadata"`
	Type           string            `json:"type"`
}

// paymentIntent is a Stripe PaymentIntent (automatic capture only).
type paymentIntent struct {
	ID                   string            `json:"id"`
	Object               string            `json:"object"`
	Amount               int64             `json:"amount"`
	AmountCapturable     int64             `json:"amount_capturable"`
	AmountReceived       int64             `json:"amount_received"`
	Application          *string           `json:"application"`
	CanceledAt           *int64            `json:"canceled_at"`
	CancellationReason   *string           `json:"cancellation_reason"`
	CaptureMethod        string            `json:"capture_method"`
	ClientSecret         string            `json:"client_secret"`
	ConfirmationMethod   string            `json:"confirmation_method"`
	Created              int64             `json:"created"`
	Currency             string            `json:"currency"`
	Customer             *string           `json:"customer"`
	Description          *string           `json:"description"`
	Invoice              *string           `json:"invoice"`
	LastPaymentError     *apiError         `json:"last_payment_error"`
	LatestCharge         *string           `json:"latest_charge"`
	Livemode             bool              `json:"livemode"`
	Metadata             map[string]string `json:"metadata"`
	NextAction           any               `json:"next_action"`
	PaymentMethod        *string           `json:"payment_method"`
	PaymentMethodTypes   []string          `json:"payment_method_types"`
	ReceiptEmail         *string           `json:"receipt_email"`
	SetupFutureUsage     *string           `json:"setup_future_usage"`
	Shipping             any               `json:"shipping"`
	StatementDescriptor  *string           `json:"statement_descriptor"`
	StatementDescSuffix  *string           `json:"statement_descriptor_suffix"`
	Status               string            `json:"status"`
	TransferGroup        *string           `json:"transfer_group"`
	PaymentMethodOptions any               `json:"payment_method_options"`
}

type chargeOutcome struct {
	NetworkStatus string  `json:"network_status"`
	Reason        *string `json:"reason"`
	RiskLevel     string  `json:"risk_level"`
	RiskScore     int64   `json:"risk_score"`
	SellerMessage string  `json:"seller_message"`
	Type          string  `json:"type"`
}

type paymentMethodDetails struct {
	Card cardDetails `json:"card"`
	Type string      `json:"type"`
}

// charge is a Stripe Charge.
type charge struct {
	ID                   string               `json:"id"`
	Object               string               `json:"object"`
	Amount               int64                `json:"amount"`
	AmountCaptured       int64                `json:"amount_captured"`
	AmountRefunded       int64                `json:"amount_refunded"`
	BalanceTransaction   *string              `json:"balance_transaction"`
	BillingDetails       billingDetails       `json:"billing_details"`
	Captured             bool                 `json:"captured"`
	Created              int64                `json:"created"`
	Currency             string               `json:"currency"`
	Customer             *string              `json:"customer"`
	Description          *string              `json:"description"`
	Disputed             bool                 `json:"disputed"`
	FailureBalanceTxn    *string              `json:"failure_balance_transaction"`
	FailureCode          *string              `json:"failure_code"`
	FailureMessage       *string              `json:"failure_message"`
	FraudDetails         map[string]string    `json:"fraud_details"`
	Invoice              *string              `json:"invoice"`
	Livemode             bool                 `json:"livemode"`
	Metadata             map[string]string    `json:"metadata"`
	Outcome              chargeOutcome        `json:"outcome"`
	Paid                 bool                 `json:"paid"`
	PaymentIntent        *string              `json:"payment_intent"`
	PaymentMethod        string               `json:"payment_method"`
	PaymentMethodDetails paymentMethodDetails `json:"payment_method_details"`
	ReceiptEmail         *string              `json:"receipt_email"`
	ReceiptURL           string               `json:"receipt_url"`
	Refunded             bool                 `json:"refunded"`
	Refunds              *refundList          `json:"refunds"`
	Status               string               `json:"status"`
}

// refundList is the charge's refunds sub-list, newest first.
type refundList struct {
	Object     string    `json:"object"`
	Data       []*refund `json:"data"`
	HasMore    bool      `json:"has_more"`
	TotalCount int64     `json:"total_count"`
	URL        string    `json:"url"`
}

// refund is a Stripe Refund (always succeeded in the sandbox).
type refund struct {
	ID                        string            `json:"id"`
	Object                    string            `json:"object"`
	Amount                    int64             `json:"amount"`
	BalanceTransaction        *string           `json:"balance_transaction"`
	Charge                    string            `json:"charge"`
	Created                   int64             `json:"created"`
	Currency                  string            `json:"currency"`
	Description               *string           `json:"description"`
	DestinationDetails        any               `json:"destination_details"`
	FailureBalanceTransaction *string           `json:"failure_balance_transaction,omitempty"`
	FailureReason             *string           `json:"failure_reason,omitempty"`
	Metadata                  map[string]string `json:"metadata"`
	PaymentIntent             *string           `json:"payment_intent"`
	Reason                    *string           `json:"reason"`
	ReceiptNumber             *string           `json:"receipt_number"`
	SourceTransferReversal    *string           `json:"source_transfer_reversal"`
	Status                    string            `json:"status"`
	TransferReversal          *string           `json:"transfer_reversal"`
}

// disputeEvidence is a minimal Dispute.evidence: nothing submitted.
type disputeEvidence struct {
	CustomerEmailAddress *string `json:"customer_email_address"`
	CustomerName         *string `json:"customer_name"`
	ProductDescription   *string `json:"product_description"`
	UncategorizedText    *string `json:"uncategorized_text"`
}

type disputeEvidenceDetails struct {
	DueBy           int64 `json:"due_by"`
	HasEvidence     bool  `json:"has_evidence"`
	PastDue         bool  `json:"past_due"`
	SubmissionCount int64 `json:"submission_count"`
}

type disputeCardDetails struct {
	Brand             string `json:"brand"`
	NetworkReasonCode string `json:"network_reason_code"`
}

type disputePaymentMethodDetails struct {
	Card disputeCardDetails `json:"card"`
	Type string             `json:"type"`
}

// dispute is a Stripe Dispute. balance_transactions holds full objects, as
// in Stripe.
type dispute struct {
	ID                   string                      `json:"id"`
	Object               string                      `json:"object"`
	Amount               int64                       `json:"amount"`
	BalanceTransactions  []*balanceTransaction       `json:"balance_transactions"`
	Charge               string                      `json:"charge"`
	Created              int64                       `json:"created"`
	Currency             string                      `json:"currency"`
	Evidence             disputeEvidence             `json:"evidence"`
	EvidenceDetails      disputeEvidenceDetails      `json:"evidence_details"`
	IsChargeRefundable   bool                        `json:"is_charge_refundable"`
	Livemode             bool                        `json:"livemode"`
	Metadata             map[string]string           `json:"metadata"`
	NetworkReasonCode    *string                     `json:"network_reason_code"`
	PaymentIntent        *string                     `json:"payment_intent"`
	PaymentMethodDetails disputePaymentMethodDetails `json:"payment_method_details"`
	Reason               string                      `json:"reason"`
	Status               string                      `json:"status"`
}

// payout is a Stripe Payout (automatic, standard, to a bank account).
type payout struct {
	ID                        string            `json:"id"`
	Object                    string            `json:"object"`
	Amount                    int64             `json:"amount"`
	ArrivalDate               int64             `json:"arrival_date"`
	Automatic                 bool              `json:"automatic"`
	BalanceTransaction        *string           `json:"balance_transaction"`
	Created                   int64             `json:"created"`
	Currency                  string            `json:"currency"`
	Description               *string           `json:"description"`
	Destination               string            `json:"destination"`
	FailureBalanceTransaction *string           `json:"failure_balance_transaction"`
	FailureCode               *string           `json:"failure_code"`
	FailureMessage            *string           `json:"failure_message"`
	Livemode                  bool              `json:"livemode"`
	Metadata                  map[string]string `json:"metadata"`
	Method                    string            `json:"method"`
	OriginalPayout            *string           `json:"original_payout"`
	ReconciliationStatus      string            `json:"reconciliation_status"`
	ReversedBy                *string           `json:"reversed_by"`
	SourceType                string            `json:"source_type"`
	StatementDescriptor       *string           `json:"statement_descriptor"`
	Status                    string            `json:"status"`
	Type                      string            `json:"type"`
}

type feeDetail struct {
	Amount      int64   `json:"amount"`
	Application *string `json:"application"`
	Currency    string  `json:"currency"`
	Description string  `json:"description"`
	Type        string  `json:"type"`
}

// balanceTransaction is a Stripe BalanceTransaction.
type balanceTransaction struct {
	ID                string      `json:"id"`
	Object            string      `json:"object"`
	Amount            int64       `json:"amount"`
	AvailableOn       int64       `json:"available_on"`
	Created           int64       `json:"created"`
	Currency          string      `json:"currency"`
	Description       *string     `json:"description"`
	ExchangeRate      *float64    `json:"exchange_rate"`
	Fee               int64       `json:"fee"`
	FeeDetails        []feeDetail `json:"fee_details"`
	Net               int64       `json:"net"`
	ReportingCategory string      `json:"reporting_category"`
	Source            *string     `json:"source"`
	Status            string      `json:"status"`
	Type              string      `json:"type"`
}

// eventRequest tells which API request caused an event.
type eventRequest struct {
	ID             *string `json:"id"`
	IdempotencyKey *string `json:"idempotency_key"`
}

type eventData struct {
	Object             any            `json:"object"`
	PreviousAttributes map[string]any `json:"previous_attributes,omitempty"`
}

// event is a Stripe Event; data.object is a snapshot taken at creation.
type event struct {
	ID              string       `json:"id"`
	Object          string       `json:"object"`
	Account         *string      `json:"account,omitempty"`
	APIVersion      string       `json:"api_version"`
	Created         int64        `json:"created"`
	Data            eventData    `json:"data"`
	Livemode        bool         `json:"livemode"`
	PendingWebhooks int64        `json:"pending_webhooks"`
	Request         eventRequest `json:"request"`
	Type            string       `json:"type"`
}

// webhookEndpoint is a Stripe WebhookEndpoint. Secret is only rendered in the
// create response; it is stored in its own column.
type webhookEndpoint struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	APIVersion    *string           `json:"api_version"`
	Application   *string           `json:"application"`
	Created       int64             `json:"created"`
	Description   *string           `json:"description"`
	EnabledEvents []string          `json:"enabled_events"`
	Livemode      bool              `json:"livemode"`
	Metadata      map[string]string `json:"metadata"`
	Secret        string            `json:"secret,omitempty"`
	Status        string            `json:"status"`
	URL           string            `json:"url"`
}

func strPtr(s string) *string { return &s }

// optStr converts "" to nil, matching Stripe's null for unset strings.
func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
