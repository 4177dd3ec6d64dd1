package monitor

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/ledgerbridge/ledgerbridge/internal/redact"
)

// outage is a system's current run of transient failures.
type outage struct {
	since    time.Time
	reported bool
}

// track feeds the outage tracker with a call's outcome: a transient failure starts (or
// continues) an outage, a success ends it, anything else changes nothing (a validation error or
// a rejected key is the system answering, but not a sign that it works for us).
func (m *Monitor) track(system string, o Outcome, err error) {
	if o != OK && o != Transient {
		return
	}
	now := m.now()
	var event func()
	m.mu.Lock()
	st := m.outages[system]
	switch {
	case o == OK && st == nil:
		// The common case: nothing to do.
	case o == OK:
		delete(m.outages, system)
		m.outageGauge.WithLabelValues(system).Set(0)
		if st.reported && m.cfg.OnRecovery != nil {
			lasted := now.Sub(st.since)
			event = func() { m.cfg.OnRecovery(system, lasted) }
		}
	default:
		if st == nil {
			st = &outage{since: now}
			m.outages[system] = st
			m.outageGauge.WithLabelValues(system).Set(1)
		}
		if !st.reported && now.Sub(st.since) > m.threshold {
			st.reported = true
			if m.cfg.OnOutage != nil {
				since, safe := st.since, Sanitize(err)
				event = func() { m.cfg.OnOutage(system, since, safe) }
			}
		}
	}
	if event == nil {
		m.mu.Unlock()
		return
	}
	// Taking cbMu before releasing mu keeps callbacks in the order their events happened.
	m.cbMu.Lock()
	m.mu.Unlock()
	defer m.cbMu.Unlock()
	event()
}

// sanitized is an error reduced to a safe text: it wraps nothing, so no URL can be recovered
// from it with errors.As.
type sanitized struct{ msg string }

func (e *sanitized) Error() string { return e.msg }

// Sanitize returns an error with err's text minus what must not reach a log or an alert: every
// URL is cut to its scheme and host (tokens live in paths, queries and user info), and card
// data is masked (redact.Text). It returns nil for nil.
func Sanitize(err error) error {
	if err == nil {
		return nil
	}
	msg := withoutURL(err).Error()
	return &sanitized{msg: redact.Text(urlPattern.ReplaceAllStringFunc(msg, shortURL))}
}

// withoutURL drops the request URL from an HTTP client error (url.Error prints it, token and
// all), keeping the text of whatever wraps it and what it wraps. Our copy of activities'.
func withoutURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) || ue.URL == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), ue.URL, shortURL(ue.URL)))
}

// urlPattern finds absolute URLs in free text (connectors flatten url.Errors into messages).
var urlPattern = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>]+`)

// shortURL is raw cut to scheme://host, or "<url>" when it has no host.
func shortURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<url>"
	}
	return u.Scheme + "://" + u.Host
}
