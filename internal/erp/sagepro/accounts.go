package sagepro

import (
	"context"
	"strings"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

// ListGLAccounts returns the active GL accounts (status A) so the worker can check its GL
// mapping against Sage Pro at start-up (erp.AccountLister).
func (c *Client) ListGLAccounts(ctx context.Context) ([]string, error) {
	var l struct {
		Value []struct {
			Glacnt string `json:"glacnt"`
			Status string `json:"status"`
		} `json:"value"`
	}
	if err := c.h.Do(ctx, "GET", "/GLAccount", nil, nil, &l); err != nil {
		return nil, err
	}
	var out []string
	for _, a := range l.Value {
		if a.Status != "I" {
			out = append(out, strings.TrimSpace(a.Glacnt))
		}
	}
	return out, nil
}

var _ erp.AccountLister = (*Client)(nil)
