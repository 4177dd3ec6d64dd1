package sage500

import (
	"context"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

// wireAccount is a chart-of-accounts entry.
type wireAccount struct {
	AcctNo string `json:"AcctNo"`
	Status string `json:"Status"`
}

// ListGLAccounts returns the active accounts of the chart (erp.AccountLister), so the worker can
// refuse to start with a GL mapping that names an account Sage 500 does not have.
func (c *Client) ListGLAccounts(ctx context.Context) ([]string, error) {
	var l list[wireAccount]
	if err := c.do(ctx, "GET", "/GLAccounts", nil, nil, &l); err != nil {
		return nil, err
	}
	var out []string
	for _, a := range l.Value {
		if a.Status == "" || a.Status == "Active" {
			out = append(out, a.AcctNo)
		}
	}
	return out, nil
}

var _ erp.AccountLister = (*Client)(nil)
