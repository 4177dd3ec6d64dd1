// Package sagex3 implements erp.Connector for Sage X3 through its REST facade (/api/v1, X3 field
// codes such as BPCNUM, SOHNUM, ITMREF in JSON, ISO dates, amounts as exact JSON numbers,
// bearer-token auth). Errors are classified like every Sage connector (see package httpx).
//
// X3 specifics the connector handles: addresses are normalised (ISO-2 country, US/CA state
// codes) before posting; a duplicate business partner (same e-mail or external reference) is
// rejected by X3 with 409, so callers look customers up first; sales orders carry a sales site
// (SALFCY) and their stock is allocated by an explicit, idempotent call (AllocateStock); receipts carry the payment type (PAYTYP) and traceability
// reference (REFLOT) the mapping gives, the clearing account they are deposited to (ACC), their
// site (FCY) and the processor transaction ID (ZEXTREF, the lookup key).
package sagex3

import (
	"net/http"
	"strings"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/httpx"
)

// Name is the connector name (the ERP setting's value).
const Name = "sagex3"

// DefaultSalesFacility is the sales site (SALFCY) of the sandbox's US company, used when
// neither the mapping nor Options name one.
const DefaultSalesFacility = "US011"

// DefaultBankAccount is the ledger account receipts are deposited to when the caller names none:
// the Stripe clearing account of the shared chart of accounts.
const DefaultBankAccount = "1015-00"

// Options configures the X3 connector (the mapping file's extra section).
type Options struct {
	// SalesFacility is the site (SALFCY, FCY) of documents and receipts whose mapping gives
	// none (default DefaultSalesFacility).
	SalesFacility string
}

// Client talks to one Sage X3 REST facade. It is safe for concurrent use.
type Client struct {
	h    *httpx.Client
	opts Options
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
	return &Client{h: httpx.New(Name, base, apiKey, hc), opts: opts}
}

// Name identifies the connector.
func (c *Client) Name() string { return Name }

// ValidCustomerID checks the key syntax (Sage X3 BPCNUM: up to 15 characters of letters, digits, '.', '_', '-').
func (c *Client) ValidCustomerID(id string) bool { return erp.KeySyntax(id, 15, false) }

var (
	_ erp.WireRenderer   = (*Client)(nil)
	_ erp.StockAllocator = (*Client)(nil)
)

var (
	_ erp.DocumentLister = (*Client)(nil)
	_ erp.LiveCounter    = (*Client)(nil)
)
