// Package sagex3 implements erp.Connector for Sage X3 through its REST facade (/api/v1, X3 field
// codes such as BPCNUM, SOHNUM, ITMREF in JSON, ISO dates, amounts as exact JSON numbers,
// bearer-token auth). Errors are classified like every Sage connector (see package httpx).
//
// X3 specifics the connector handles: addresses are normalised (ISO-2 country, US/CA state
// codes) before posting; a duplicate business partner (same e-mail or external reference) is
// rejected by X3 with 409, so callers look customers up first; sales orders carry a sales site
// (SALFCY) and allocate stock; receipts carry a payment type (PAYTYP) mapped from the payment
// method, the ledger account they are banked on (ACC) and the processor transaction ID (REFLOT).
package sagex3

import (
	"net/http"
	"strings"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

// Name is the connector name (the ERP setting's value).
const Name = "sagex3"

// Defaults of Options.
const (
	// DefaultSalesFacility is the sales site (SALFCY) of the sandbox's US company.
	DefaultSalesFacility = "US011"
	// DefaultPaymentType is the PAYTYP for a method no PaymentTypes keyword matches (card).
	DefaultPaymentType = "CB"
	// DefaultBankAccount is the ledger account receipts are banked on: the processor clearing
	// account of the shared chart of accounts.
	DefaultBankAccount = "1015-00"
)

// DefaultPaymentTypes maps payment-method keywords to X3 payment types: cards (Stripe card
// brands, PayTrace "CC") to CB, bank transfers and ACH to VIR, direct debits to PRL.
var DefaultPaymentTypes = map[string]string{
	"card": "CB", "cc": "CB", "credit": "CB", "debit": "CB", "visa": "CB", "mastercard": "CB", "amex": "CB",
	"discover": "CB", "jcb": "CB", "diners": "CB", "unionpay": "CB",
	"ach": "VIR", "transfer": "VIR", "wire": "VIR", "bank_transfer": "VIR", "us_bank_account": "VIR",
	"sepa_debit": "PRL", "bacs_debit": "PRL", "check": "CHQ", "cheque": "CHQ", "cash": "ESP",
}

// Options configures the X3 mapping.
type Options struct {
	// SalesFacility is the SALFCY sent on sales orders (default DefaultSalesFacility).
	SalesFacility string
	// PaymentTypes maps lower-case payment-method keywords to PAYTYP codes; entries override
	// DefaultPaymentTypes. The whole method ("stripe visa") is tried first, then each word.
	PaymentTypes map[string]string
	// DefaultPaymentType is the PAYTYP when no keyword matches (default DefaultPaymentType).
	DefaultPaymentType string
	// StrictPaymentTypes rejects a method no keyword matches instead of using the default.
	StrictPaymentTypes bool
	// BankAccount is the ledger account (ACC) receipts are posted to (default DefaultBankAccount).
	BankAccount string
}

// Client talks to one Sage X3 REST facade. It is safe for concurrent use.
type Client struct {
	h    *httpx.Client
	opts Options
	pay  map[string]string
}

var _ erp.Connector = (*Client)(nil)

// New returns a client for baseURL (e.g. http://127.0.0.1:8383; "/api/v1" is appended unless
// already present). A nil hc gets a default client with a 30 s timeout.
func New(baseURL, apiKey string, hc *http.Client, opts Options) *Client {
	base := strings.TrimRight(baseURL, "/")
	if !strings.HasSuffix(base, "/api/v1") {
		base += "/api/v1"
	}
	if opts.SalesFacility == "" {
		opts.SalesFacility = DefaultSalesFacility
	}
	if opts.DefaultPaymentType == "" {
		opts.DefaultPaymentType = DefaultPaymentType
	}
	if opts.BankAccount == "" {
		opts.BankAccount = DefaultBankAccount
	}
	pay := map[string]string{}
	for k, v := range DefaultPaymentTypes {
		pay[k] = v
	}
	for k, v := range opts.PaymentTypes {
		pay[strings.ToLower(k)] = v
	}
	return &Client{h: httpx.New(Name, base, apiKey, hc), opts: opts, pay: pay}
}

// Name identifies the connector.
func (c *Client) Name() string { return Name }

// ValidCustomerID checks the key syntax (Sage X3 BPCNUM: up to 15 characters of letters, digits, '.', '_', '-').
func (c *Client) ValidCustomerID(id string) bool { return erp.KeySyntax(id, 15, false) }

// PaymentType returns the PAYTYP for a payment method ("Stripe visa" → "CB").
func (c *Client) PaymentType(method string) (string, error) {
	m := strings.ToLower(strings.TrimSpace(method))
	if t, ok := c.pay[m]; ok {
		return t, nil
	}
	words := strings.FieldsFunc(m, func(r rune) bool { return r == ' ' || r == '-' || r == '/' || r == ',' })
	for _, w := range words {
		if t, ok := c.pay[w]; ok {
			return t, nil
		}
	}
	if c.opts.StrictPaymentTypes {
		return "", httpx.Invalid("payment method %q has no Sage X3 payment type (PAYTYP) mapping", method)
	}
	return c.opts.DefaultPaymentType, nil
}
