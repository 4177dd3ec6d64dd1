package monitor

import (
	"net/http"
)

// Transport returns a round tripper that waits for system's limiter (and, for a request whose
// context is WithBulk, its bulk limiter) before every request base sends; nil base means
// http.DefaultTransport. List system in Config.PerRequest so that monitored calls do not wait
// a second time. A request that cannot get a slot before its context ends fails with the
// limiter's error without being sent.
func (m *Monitor) Transport(system string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if m == nil {
		return base
	}
	return &limitedTransport{m: m, system: system, base: base}
}

type limitedTransport struct {
	m      *Monitor
	system string
	base   http.RoundTripper
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.m.wait(req.Context(), t.system); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, err
	}
	return t.base.RoundTrip(req)
}
