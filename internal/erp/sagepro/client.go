// Package sagepro implements erp.Connector for Sage Pro (the legacy SBT Pro Series / Visual
// FoxPro ERP) through its REST facade (/SageProAPI: DBF column names such as custno, sono, invno;
// MM/DD/YYYY dates; upper-case fixed-width keys; bearer-token auth). Errors are classified like
// every Sage connector (see package httpx).
//
// The connector applies the transformation rules of the Stripe → Sage Pro integration: dates
// are converted to MM/DD/YYYY, names and address lines are cut or concatenated to fit the
// 40-character columns, amounts are sent at the currency's exponent (2 decimals for dollars),
// and the provider's payment status is mapped to Sage Pro's PaymentStatus ("succeeded" → "Paid").
package sagepro

import (
	"net/http"
	"strings"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

// Name is the connector name (the ERP setting's value).
const Name = "sagepro"

// DefaultPaymentStatuses maps provider payment statuses (lower case) to Sage Pro's
// PaymentStatus. An empty status means the caller only applies settled payments.
var DefaultPaymentStatuses = map[string]string{"": "Paid", "succeeded": "Paid", "paid": "Paid", "captured": "Paid", "settled": "Paid"}

// Options configures the Sage Pro mapping.
type Options struct {
	// PaymentStatuses maps provider statuses to PaymentStatus values; entries override
	// DefaultPaymentStatuses. A status without a mapping is rejected before posting.
	PaymentStatuses map[string]string
}

// Client talks to one Sage Pro REST facade. It is safe for concurrent use.
type Client struct {
	h        *httpx.Client
	statuses map[string]string
}

var _ erp.Connector = (*Client)(nil)

// New returns a client for baseURL (e.g. http://127.0.0.1:8383; "/SageProAPI" is appended unless
// already present). A nil hc gets a default client with a 30 s timeout.
func New(baseURL, apiKey string, hc *http.Client, opts Options) *Client {
	base := strings.TrimRight(baseURL, "/")
	if !strings.HasSuffix(base, "/SageProAPI") {
		base += "/SageProAPI"
	}
	st := map[string]string{}
	for k, v := range DefaultPaymentStatuses {
		st[k] = v
	}
	for k, v := range opts.PaymentStatuses {
		st[strings.ToLower(k)] = v
	}
	return &Client{h: httpx.New(Name, base, apiKey, hc), statuses: st}
}

// Name identifies the connector.
func (c *Client) Name() string { return Name }

// ValidCustomerID checks the key syntax (Sage Pro custno: up to 10 upper-case characters of letters, digits, '.', '_', '-').
func (c *Client) ValidCustomerID(id string) bool { return erp.KeySyntax(id, 10, true) }

// PaymentStatus maps a provider status ("succeeded") to Sage Pro's PaymentStatus ("Paid").
func (c *Client) PaymentStatus(status string) (string, error) {
	if v, ok := c.statuses[strings.ToLower(strings.TrimSpace(status))]; ok {
		return v, nil
	}
	return "", httpx.Invalid("payment status %q has no Sage Pro PaymentStatus mapping; only settled payments are posted as receipts", status)
}
