// Package sagepro implements erp.Connector for Sage Pro (the legacy SBT Pro Series / Visual
// FoxPro ERP) through its REST facade (/SageProAPI: DBF column names such as custno, sono, invno;
// MM/DD/YYYY dates; upper-case fixed-width keys; bearer-token auth). Errors are classified like
// every Sage connector (see package httpx).
//
// The connector applies the transformation rules of the Stripe → Sage Pro integration: dates
// are converted to MM/DD/YYYY, names and address lines are cut or concatenated to fit the
// 40-character columns, and amounts are sent at the currency's exponent (2 decimals for dollars).
// A receipt's PaymentStatus is what the mapping gives (payment.status through
// value_maps.payment_status, "succeeded" → "Paid"); the connector does not translate it again.
package sagepro

import (
	"net/http"
	"strings"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

// Name is the connector name (the ERP setting's value).
const Name = "sagepro"

// Client talks to one Sage Pro REST facade. It is safe for concurrent use.
type Client struct {
	h *httpx.Client
}

var _ erp.Connector = (*Client)(nil)

// New returns a client for baseURL (e.g. http://127.0.0.1:8383; "/SageProAPI" is appended unless
// already present). A nil hc gets a default client with a 30 s timeout.
func New(baseURL, apiKey string, hc *http.Client) *Client {
	base := strings.TrimRight(baseURL, "/")
	if !strings.HasSuffix(base, "/SageProAPI") {
		base += "/SageProAPI"
	}
	return &Client{h: httpx.New(Name, base, apiKey, hc)}
}

// Name identifies the connector.
func (c *Client) Name() string { return Name }

// ValidCustomerID checks the key syntax (Sage Pro custno: up to 10 upper-case characters of letters, digits, '.', '_', '-').
func (c *Client) ValidCustomerID(id string) bool { return erp.KeySyntax(id, 10, true) }

var _ erp.WireRenderer = (*Client)(nil)

var (
	_ erp.DocumentLister = (*Client)(nil)
	_ erp.LiveCounter    = (*Client)(nil)
)
