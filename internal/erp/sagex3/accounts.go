package sagex3

import (
	"context"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

// ListGLAccounts returns the enabled ledger accounts (ACC, ENAFLG 2) so the worker can check its
// GL mapping against Sage X3 at start-up (erp.AccountLister).
func (c *Client) ListGLAccounts(ctx context.Context) ([]string, error) {
	var l struct {
		Value []struct {
			ACC    string `json:"ACC"`
			ENAFLG int    `json:"ENAFLG"`
		} `json:"value"`
	}
	if err := c.h.Do(ctx, "GET", "/financials/accounts", nil, nil, &l); err != nil {
		return nil, err
	}
	var out []string
	for _, a := range l.Value {
		if a.ENAFLG != 1 {
			out = append(out, a.ACC)
		}
	}
	return out, nil
}

var _ erp.AccountLister = (*Client)(nil)
