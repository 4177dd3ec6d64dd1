package sage500

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"5":                             5 * time.Second,
		" 12 ":                          12 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Thu, 01 Jan 2026 12:00:30 GMT": 30 * time.Second,
		"Thu, 01 Jan 2026 11:00:00 GMT": 0,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", v, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	body := []byte(`{"error":{"code":"ValidationError","message":"ItemID \"NOPE\" does not exist","field":"Lines[0].ItemID"}}`)
	cases := []struct {
		status int
		check  func(error) bool
	}{
		{400, func(err error) bool {
			var v *erp.ValidationError
			return errors.As(err, &v) && v.Status == 400 && v.Message == `Lines[0].ItemID: ItemID "NOPE" does not exist`
		}},
		{404, erp.IsValidation},
		{409, erp.IsValidation},
		{422, erp.IsValidation},
		{401, func(err error) bool { var a *erp.AuthError; return errors.As(err, &a) }},
		{403, func(err error) bool { var a *erp.AuthError; return errors.As(err, &a) }},
		{408, func(err error) bool { var x *erp.TransientError; return errors.As(err, &x) }},
		{429, func(err error) bool {
			var x *erp.TransientError
			return errors.As(err, &x) && x.RetryAfter == 2*time.Second
		}},
		{500, func(err error) bool { var x *erp.TransientError; return errors.As(err, &x) && x.Status == 500 }},
		{503, func(err error) bool { var x *erp.TransientError; return errors.As(err, &x) }},
	}
	for _, tc := range cases {
		resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Retry-After": {"2"}}}
		if err := classify(resp, body, "POST", "/Invoices"); !tc.check(err) {
			t.Errorf("status %d: %T %v", tc.status, err, err)
		}
	}
	if got := serverMessage([]byte("<html>gateway</html>")); got != "<html>gateway</html>" {
		t.Errorf("non-JSON body message = %q", got)
	}
}
