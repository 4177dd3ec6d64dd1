// Package config reads ledgerbridge's settings from the environment. Every setting has a
// default that works with `make run` on one machine (see DESIGN.md's table), so a new user
// sets nothing; production overrides each by environment variable (README lists them all).
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/internal/codec"
	"github.com/ledgerbridge/ledgerbridge/internal/erp/connectors"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
	"github.com/ledgerbridge/ledgerbridge/internal/tclient"
)

// Config is the union of what the worker and the gateway need.
type Config struct {
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string
	// Temporal TLS (PEM file paths) and API key; TLS is on when any is set.
	TemporalTLSCert, TemporalTLSKey, TemporalTLSCA, TemporalTLSServerName string
	TemporalAPIKey                                                        string

	// GatewayAddr is the public listener (webhooks, health); GatewayInternalAddr serves metrics,
	// admin and the codec server to operators only.
	GatewayAddr         string
	GatewayInternalAddr string
	WebhookMaxBytes     int64
	// GatewayReadTimeout bounds reading one whole request; GatewayMaxConnections caps open
	// connections per listener.
	GatewayReadTimeout    time.Duration
	GatewayMaxConnections int
	// GatewayTrustedProxies are the proxies whose X-Forwarded-For the access log believes.
	GatewayTrustedProxies []string
	// GatewayRecentEvents sizes the cache of recently accepted event IDs (0 disables it).
	GatewayRecentEvents int

	// WorkerHealthAddr serves the worker's /healthz, /readyz and /metrics.
	WorkerHealthAddr string
	// NamespaceRetention is the history retention of a namespace the worker creates.
	NamespaceRetention time.Duration

	StripeAPIURL string
	StripeAPIKey string
	// StripeWebhookSecrets are every accepted signing secret (comma-separated in the variable).
	StripeWebhookSecrets []string

	// CodecKeys encrypts Temporal payloads when set ("id:base64key,…", the first encrypts).
	CodecKeys string
	// CodecOrigins are the Web UI origins allowed to call the codec server.
	CodecOrigins []string

	ERP        string
	SageURL    string
	SageAPIKey string

	// Providers are the payment providers this installation takes payments from.
	Providers []string

	// PayTrace API (the sandbox by default) and the notification extension's secrets.
	PayTraceURL, PayTraceUser, PayTracePassword, PayTraceIntegratorID string
	PayTraceNotifySecrets                                             []string
	// PayTracePollInterval is how often the paytrace-poll schedule runs (0 pauses it).
	PayTracePollInterval time.Duration
	// PayTraceLocation is the merchant's PayTrace time zone (export dates are local to it).
	PayTraceLocation *time.Location

	// RateLimits are the client-side rate limits per external system (monitor.ParseLimits
	// syntax); OutageAlertAfter is how long a system may fail before one alert goes out.
	RateStripe, RateERP, RatePayTrace string
	OutageAlertAfter                  time.Duration

	// ReconcileInterval is how often the reconcile-<provider> schedules run (0 pauses them).
	ReconcileInterval time.Duration
	// ReportDir holds reconciliation reports; WebUI is Temporal Web UI's base URL for links.
	ReportDir, WebUI string

	// MappingFile is the ERP connection's mapping file; empty means the shipped default for ERP.
	MappingFile string
	// CreateSalesOrder makes order-to-cash post a sales order before the invoice.
	CreateSalesOrder bool
	// AlertWebhookURL, if set, receives a JSON POST whenever a run parks.
	AlertWebhookURL string
	// CustomerSyncInterval is how often the customer syncs run (ERP → Stripe, PayTrace profiles ↔ ERP; 0: paused).
	CustomerSyncInterval time.Duration
	// GLOverrides are LEDGERBRIDGE_GL_ACCOUNTS entries, applied over the mapping file's gl section.
	GLOverrides string

	// AdminToken guards the gateway's /admin endpoints (preview); empty disables them.
	AdminToken string

	LogLevel string
}

// Var describes one environment variable for the README and for `--help` output.
type Var struct {
	Name, Default, Meaning string
}

// Vars lists every variable Load reads, with its default.
var Vars = []Var{
	{"TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend; when set, `make run` uses that cluster and starts no dev server"},
	{"TEMPORAL_NAMESPACE", "default", "Temporal namespace"},
	{"TEMPORAL_TLS_CERT", "", "client certificate (PEM file) for mTLS to Temporal; with TEMPORAL_TLS_KEY"},
	{"TEMPORAL_TLS_KEY", "", "client key (PEM file) for TEMPORAL_TLS_CERT"},
	{"TEMPORAL_TLS_CA", "", "CA bundle (PEM file) that signed the Temporal server's certificate (system roots when empty)"},
	{"TEMPORAL_TLS_SERVER_NAME", "", "server name to verify on Temporal's certificate (default: the host of TEMPORAL_ADDRESS)"},
	{"TEMPORAL_API_KEY", "", "Temporal Cloud API key (turns TLS on)"},
	{"LEDGERBRIDGE_TASK_QUEUE", "ledgerbridge", "task queue the worker polls and the gateway starts workflows on"},
	{"LEDGERBRIDGE_CODEC_KEYS", "", "encrypt Temporal payloads: `keyID:base64-32-byte-key[,olderID:key…]`; the first key encrypts, all decrypt (rotation). Empty: payloads are not encrypted"},
	{"LEDGERBRIDGE_CODEC_ORIGINS", "http://127.0.0.1:8233,http://localhost:8233", "Temporal Web UI origins allowed to call the gateway's codec server (/codec on the internal listener)"},
	{"GATEWAY_ADDR", "127.0.0.1:8080", "gateway public listen address: POST /webhooks/*, GET /healthz /readyz"},
	{"GATEWAY_INTERNAL_ADDR", "127.0.0.1:8081", "gateway internal listen address: /metrics, /admin/*, /codec/* (operators only)"},
	{"GATEWAY_MAX_BODY_BYTES", "524288", "largest webhook body accepted (413 above)"},
	{"GATEWAY_READ_TIMEOUT", "10s", "longest time to read one request, body included (a trickling client is cut off)"},
	{"GATEWAY_MAX_CONNECTIONS", "512", "open connections per gateway listener; more wait in the accept queue"},
	{"GATEWAY_TRUSTED_PROXIES", "", "comma-separated IPs/CIDRs of proxies whose X-Forwarded-For is believed (none: the peer address is logged)"},
	{"WORKER_HEALTH_ADDR", "127.0.0.1:8090", "worker health listener: GET /healthz, /readyz (Temporal reachable, namespace and search attributes in place, polling), /metrics"},
	{"LEDGERBRIDGE_NAMESPACE_RETENTION", "720h", "history retention of the Temporal namespace when the worker has to create it"},
	{"GATEWAY_RECENT_EVENTS", "10000", "recently accepted event IDs remembered to answer exact redeliveries without Temporal (0 disables)"},
	{"STRIPE_API_URL", "http://127.0.0.1:12111", "Stripe API base URL (the Stripe sandbox by default; https://api.stripe.com in production)"},
	{"STRIPE_API_KEY", "sk_test_ledgerbridge", "Stripe secret key"},
	{"STRIPE_WEBHOOK_SECRET", "whsec_ledgerbridge_dev", "Stripe webhook signing secret; several comma-separated are accepted at once (rotation, several endpoints)"},
	{"LEDGERBRIDGE_PROVIDERS", "stripe,paytrace", "payment providers to take payments from: stripe, paytrace or both; only their settings are checked and used"},
	{"PAYTRACE_API_URL", "http://127.0.0.1:8282", "PayTrace API base URL (the PayTrace sandbox by default; https://api.paytrace.com in production)"},
	{"PAYTRACE_USERNAME", "ledgerbridge", "PayTrace API user (OAuth password grant)"},
	{"PAYTRACE_PASSWORD", "ledgerbridge-dev", "PayTrace API password"},
	{"PAYTRACE_INTEGRATOR_ID", "ledgerbridge", "PayTrace integrator ID sent in every request"},
	{"LEDGERBRIDGE_RATE_STRIPE", "20/s,burst=20", "client-side rate limit of Stripe calls per worker (Stripe allows 25/s in test mode, 100/s live; divide by the worker count), or off"},
	{"LEDGERBRIDGE_RATE_ERP", "20/s,burst=10", "client-side rate limit of ERP calls per worker, or off"},
	{"LEDGERBRIDGE_RATE_PAYTRACE", "10/s,burst=10", "client-side rate limit of PayTrace calls per worker, or off"},
	{"LEDGERBRIDGE_OUTAGE_ALERT_AFTER", "15m", "an external system failing for longer than this alerts once (and once more when it recovers)"},
	{"LEDGERBRIDGE_RECONCILE_INTERVAL", "24h", "how often the Temporal Schedules reconcile-stripe and reconcile-paytrace reconcile the last 48 hours and heal what is missing (0 pauses them)"},
	{"LEDGERBRIDGE_REPORT_DIR", ".data/reports", "where reconciliation reports (JSON and HTML) are written (worker) and served from (gateway /admin/reports): a folder both share"},
	{"LEDGERBRIDGE_WEB_UI", "http://127.0.0.1:8233/namespaces/default", "Temporal Web UI base URL (with the namespace) that reports and the CLI link runs to"},
	{"PAYTRACE_TIMEZONE", "America/Los_Angeles", "time zone of the PayTrace merchant account: export dates (MM/DD/YYYY) and local timestamps are read in it"},
	{"PAYTRACE_NOTIFY_SECRET", "ptwhsec_ledgerbridge_dev", "secret(s), comma-separated, of the PayTrace notification extension (POST /webhooks/paytrace), or off; the real PayTrace sends none: the poll is the real intake"},
	{"LEDGERBRIDGE_PAYTRACE_POLL_INTERVAL", "1m", "how often the Temporal Schedule paytrace-poll exports new and changed PayTrace transactions (0 pauses it)"},
	{"ERP", "sage500", "ERP connector: sage500, sagex3 or sagepro (one Sage sandbox serves all three)"},
	{"SAGE_URL", "http://127.0.0.1:8383", "Sage API base URL (the Sage sandbox by default)"},
	{"SAGE_API_KEY", "sage_ledgerbridge_dev", "Sage API key (sent as Bearer token)"},
	{"LEDGERBRIDGE_MAPPING_FILE", "", "mapping file (YAML) for the ERP connection; empty uses the shipped default for ERP (internal/mapping/defaults)"},
	{"LEDGERBRIDGE_CREATE_SALES_ORDER", "false", "post a sales order before the invoice"},
	{"LEDGERBRIDGE_ALERT_WEBHOOK_URL", "", "URL that receives a JSON alert when a run parks (NeedsAttention)"},
	{"LEDGERBRIDGE_GL_ACCOUNTS", "", "GL account overrides applied over the mapping file's gl section, e.g. `bank=1010-00,category.charge=1015-00,fee.refund=6150-00`"},
	{"LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL", "5m", "how often the customer syncs run: ERP changes → Stripe (`customer-sync-erp-to-stripe`) and PayTrace profiles ↔ ERP (`paytrace-customer-sync`); 0 disables"},
	{"LEDGERBRIDGE_ADMIN_TOKEN", "", "Bearer token of the gateway's /admin endpoints (preview); empty (the default) disables them. `make run` sets admin_ledgerbridge_dev"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
}

func env(name string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	for _, v := range Vars {
		if v.Name == name {
			return v.Default
		}
	}
	return ""
}

// Load reads the environment and validates it, naming the variable at fault.
func Load() (*Config, error) {
	c := &Config{
		TemporalAddress:       env("TEMPORAL_ADDRESS"),
		TemporalNamespace:     env("TEMPORAL_NAMESPACE"),
		TemporalTLSCert:       env("TEMPORAL_TLS_CERT"),
		TemporalTLSKey:        env("TEMPORAL_TLS_KEY"),
		TemporalTLSCA:         env("TEMPORAL_TLS_CA"),
		TemporalTLSServerName: env("TEMPORAL_TLS_SERVER_NAME"),
		TemporalAPIKey:        env("TEMPORAL_API_KEY"),
		TaskQueue:             env("LEDGERBRIDGE_TASK_QUEUE"),
		GatewayAddr:           env("GATEWAY_ADDR"),
		GatewayInternalAddr:   env("GATEWAY_INTERNAL_ADDR"),
		GatewayTrustedProxies: list(env("GATEWAY_TRUSTED_PROXIES")),
		WorkerHealthAddr:      env("WORKER_HEALTH_ADDR"),
		StripeAPIURL:          strings.TrimRight(env("STRIPE_API_URL"), "/"),
		StripeAPIKey:          env("STRIPE_API_KEY"),
		StripeWebhookSecrets:  list(env("STRIPE_WEBHOOK_SECRET")),
		CodecKeys:             env("LEDGERBRIDGE_CODEC_KEYS"),
		CodecOrigins:          list(env("LEDGERBRIDGE_CODEC_ORIGINS")),
		ERP:                   strings.ToLower(env("ERP")),
		SageURL:               strings.TrimRight(env("SAGE_URL"), "/"),
		PayTraceURL:           strings.TrimRight(env("PAYTRACE_API_URL"), "/"),
		PayTraceUser:          env("PAYTRACE_USERNAME"),
		PayTracePassword:      env("PAYTRACE_PASSWORD"),
		PayTraceIntegratorID:  env("PAYTRACE_INTEGRATOR_ID"),
		PayTraceNotifySecrets: list(env("PAYTRACE_NOTIFY_SECRET")),
		Providers:             list(strings.ToLower(env("LEDGERBRIDGE_PROVIDERS"))),
		ReportDir:             env("LEDGERBRIDGE_REPORT_DIR"),
		RateStripe:            env("LEDGERBRIDGE_RATE_STRIPE"),
		RateERP:               env("LEDGERBRIDGE_RATE_ERP"),
		RatePayTrace:          env("LEDGERBRIDGE_RATE_PAYTRACE"),
		WebUI:                 strings.TrimRight(env("LEDGERBRIDGE_WEB_UI"), "/"),
		SageAPIKey:            env("SAGE_API_KEY"),
		MappingFile:           env("LEDGERBRIDGE_MAPPING_FILE"),
		GLOverrides:           env("LEDGERBRIDGE_GL_ACCOUNTS"),
		AlertWebhookURL:       env("LEDGERBRIDGE_ALERT_WEBHOOK_URL"),
		LogLevel:              env("LOG_LEVEL"),
		AdminToken:            env("LEDGERBRIDGE_ADMIN_TOKEN"),
	}
	var err error
	if c.WebhookMaxBytes, err = strconv.ParseInt(env("GATEWAY_MAX_BODY_BYTES"), 10, 64); err != nil || c.WebhookMaxBytes <= 0 {
		return nil, fmt.Errorf("GATEWAY_MAX_BODY_BYTES=%q: want a positive number of bytes", env("GATEWAY_MAX_BODY_BYTES"))
	}
	if c.CreateSalesOrder, err = strconv.ParseBool(env("LEDGERBRIDGE_CREATE_SALES_ORDER")); err != nil {
		return nil, fmt.Errorf("LEDGERBRIDGE_CREATE_SALES_ORDER=%q: want true or false", env("LEDGERBRIDGE_CREATE_SALES_ORDER"))
	}
	if c.CustomerSyncInterval, err = time.ParseDuration(env("LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL")); err != nil || c.CustomerSyncInterval < 0 {
		if v := env("LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL"); v == "0" {
			c.CustomerSyncInterval, err = 0, nil
		} else {
			return nil, fmt.Errorf("LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL=%q: want a duration such as 5m, or 0", v)
		}
	}
	if c.GatewayReadTimeout, err = time.ParseDuration(env("GATEWAY_READ_TIMEOUT")); err != nil || c.GatewayReadTimeout <= 0 {
		return nil, fmt.Errorf("GATEWAY_READ_TIMEOUT=%q: want a positive duration such as 10s", env("GATEWAY_READ_TIMEOUT"))
	}
	if c.GatewayMaxConnections, err = strconv.Atoi(env("GATEWAY_MAX_CONNECTIONS")); err != nil || c.GatewayMaxConnections <= 0 {
		return nil, fmt.Errorf("GATEWAY_MAX_CONNECTIONS=%q: want a positive number", env("GATEWAY_MAX_CONNECTIONS"))
	}
	if c.GatewayRecentEvents, err = strconv.Atoi(env("GATEWAY_RECENT_EVENTS")); err != nil || c.GatewayRecentEvents < 0 {
		return nil, fmt.Errorf("GATEWAY_RECENT_EVENTS=%q: want a number ≥ 0", env("GATEWAY_RECENT_EVENTS"))
	}
	if c.NamespaceRetention, err = time.ParseDuration(env("LEDGERBRIDGE_NAMESPACE_RETENTION")); err != nil || c.NamespaceRetention < 24*time.Hour {
		return nil, fmt.Errorf("LEDGERBRIDGE_NAMESPACE_RETENTION=%q: want a duration of at least 24h, such as 720h", env("LEDGERBRIDGE_NAMESPACE_RETENTION"))
	}
	if c.PayTracePollInterval, err = duration(env("LEDGERBRIDGE_PAYTRACE_POLL_INTERVAL")); err != nil {
		return nil, fmt.Errorf("LEDGERBRIDGE_PAYTRACE_POLL_INTERVAL=%q: want a duration such as 1m, or 0", env("LEDGERBRIDGE_PAYTRACE_POLL_INTERVAL"))
	}
	if c.OutageAlertAfter, err = time.ParseDuration(env("LEDGERBRIDGE_OUTAGE_ALERT_AFTER")); err != nil || c.OutageAlertAfter <= 0 {
		return nil, fmt.Errorf("LEDGERBRIDGE_OUTAGE_ALERT_AFTER=%q: want a positive duration such as 15m", env("LEDGERBRIDGE_OUTAGE_ALERT_AFTER"))
	}
	if c.ReconcileInterval, err = duration(env("LEDGERBRIDGE_RECONCILE_INTERVAL")); err != nil {
		return nil, fmt.Errorf("LEDGERBRIDGE_RECONCILE_INTERVAL=%q: want a duration such as 24h, or 0", env("LEDGERBRIDGE_RECONCILE_INTERVAL"))
	}
	if c.PayTraceLocation, err = time.LoadLocation(env("PAYTRACE_TIMEZONE")); err != nil {
		return nil, fmt.Errorf("PAYTRACE_TIMEZONE=%q: want an IANA time zone such as America/Los_Angeles", env("PAYTRACE_TIMEZONE"))
	}
	if len(c.PayTraceNotifySecrets) == 1 && c.PayTraceNotifySecrets[0] == "off" {
		c.PayTraceNotifySecrets = nil
	}
	for _, p := range c.Providers {
		if p != "stripe" && p != "paytrace" {
			return nil, fmt.Errorf("LEDGERBRIDGE_PROVIDERS=%q: want stripe, paytrace or stripe,paytrace", env("LEDGERBRIDGE_PROVIDERS"))
		}
	}
	if len(c.Providers) == 0 {
		return nil, fmt.Errorf("LEDGERBRIDGE_PROVIDERS: want at least one of stripe, paytrace")
	}
	if !c.Uses("paytrace") {
		c.PayTraceNotifySecrets = nil
	}
	if c.AdminToken == "off" {
		c.AdminToken = ""
	}
	for _, a := range []struct{ name, addr string }{{"GATEWAY_ADDR", c.GatewayAddr}, {"GATEWAY_INTERNAL_ADDR", c.GatewayInternalAddr}, {"WORKER_HEALTH_ADDR", c.WorkerHealthAddr}} {
		if _, _, err := net.SplitHostPort(a.addr); err != nil {
			return nil, fmt.Errorf("%s=%q: want host:port", a.name, a.addr)
		}
	}
	if len(c.StripeWebhookSecrets) == 0 {
		return nil, fmt.Errorf("STRIPE_WEBHOOK_SECRET: want at least one signing secret")
	}
	if _, err = glmap.Parse(c.GLOverrides); err != nil {
		return nil, err
	}
	switch c.ERP {
	case "sage500", "sagex3", "sagepro":
	default:
		return nil, fmt.Errorf("ERP=%q: supported connectors are sage500, sagex3 and sagepro", c.ERP)
	}
	if !strings.HasPrefix(c.StripeAPIKey, "sk_") && !strings.HasPrefix(c.StripeAPIKey, "rk_") {
		return nil, fmt.Errorf("STRIPE_API_KEY: want a secret key starting sk_ or rk_")
	}
	if err := c.checkURLs(); err != nil {
		return nil, err
	}
	if err := c.refuseDevDefaults(); err != nil {
		return nil, err
	}
	if _, err := c.Keyring(); err != nil {
		return nil, err
	}
	return c, nil
}

// Uses reports whether payments come from provider ("stripe" or "paytrace").
func (c *Config) Uses(provider string) bool {
	for _, p := range c.Providers {
		if p == provider {
			return true
		}
	}
	return false
}

// duration parses a non-negative duration; "0" is zero.
func duration(v string) (time.Duration, error) {
	if v == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		err = fmt.Errorf("negative")
	}
	return d, err
}

// list splits a comma-separated variable, dropping blanks.
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Public development defaults (DESIGN.md): anyone can read them, so they must never protect
// anything reachable from outside this machine.
var devDefaults = []struct{ provider, name, value, fix string }{
	{"stripe", "STRIPE_WEBHOOK_SECRET", "whsec_ledgerbridge_dev", "set it to your Stripe endpoint's signing secret (Dashboard → Developers → Webhooks)"},
	{"stripe", "STRIPE_API_KEY", "sk_test_ledgerbridge", "set it to your Stripe secret or restricted key"},
	{"", "SAGE_API_KEY", "sage_ledgerbridge_dev", "set it to your Sage API key"},
	{"", "LEDGERBRIDGE_ADMIN_TOKEN", "admin_ledgerbridge_dev", "set a long random token, or leave it empty to disable /admin"},
	{"stripe", "STRIPE_API_URL", "http://127.0.0.1:12111", "it is the Stripe sandbox; set https://api.stripe.com"},
	{"", "SAGE_URL", "http://127.0.0.1:8383", "it is the Sage sandbox; set your Sage API's https URL"},
	{"paytrace", "PAYTRACE_PASSWORD", "ledgerbridge-dev", "set it to your PayTrace API user's password"},
	{"paytrace", "PAYTRACE_NOTIFY_SECRET", "ptwhsec_ledgerbridge_dev", "set a random secret, or off (the poll is the real intake)"},
	{"paytrace", "PAYTRACE_API_URL", "http://127.0.0.1:8282", "it is the PayTrace sandbox; set https://api.paytrace.com"},
}

// exposure says why this process counts as reachable beyond the laptop: a listener on a
// non-loopback address, or a non-loopback Stripe or Sage. "" means a local development setup.
func (c *Config) exposure() string {
	for _, a := range []struct{ name, addr string }{{"GATEWAY_ADDR", c.GatewayAddr}, {"GATEWAY_INTERNAL_ADDR", c.GatewayInternalAddr}, {"WORKER_HEALTH_ADDR", c.WorkerHealthAddr}} {
		if host, _, err := net.SplitHostPort(a.addr); err == nil && !isLoopback(host) {
			return fmt.Sprintf("%s=%s listens beyond loopback", a.name, a.addr)
		}
	}
	for _, u := range []struct{ name, url string }{{"STRIPE_API_URL", c.StripeAPIURL}, {"SAGE_URL", c.SageURL}, {"PAYTRACE_API_URL", c.PayTraceURL}} {
		if u.name == "PAYTRACE_API_URL" && !c.Uses("paytrace") || u.name == "STRIPE_API_URL" && !c.Uses("stripe") {
			continue
		}
		if pu, err := url.Parse(u.url); err == nil && !isLoopback(pu.Hostname()) {
			return fmt.Sprintf("%s=%s is not a local sandbox", u.name, u.url)
		}
	}
	return ""
}

// refuseDevDefaults stops a process that is exposed but still carries a public dev secret or a
// sandbox URL, naming every such variable.
func (c *Config) refuseDevDefaults() error {
	why := c.exposure()
	if why == "" {
		return nil
	}
	values := map[string][]string{"STRIPE_WEBHOOK_SECRET": c.StripeWebhookSecrets, "STRIPE_API_KEY": {c.StripeAPIKey},
		"SAGE_API_KEY": {c.SageAPIKey}, "LEDGERBRIDGE_ADMIN_TOKEN": {c.AdminToken}, "STRIPE_API_URL": {c.StripeAPIURL}, "SAGE_URL": {c.SageURL},
		"PAYTRACE_PASSWORD": {c.PayTracePassword}, "PAYTRACE_NOTIFY_SECRET": c.PayTraceNotifySecrets, "PAYTRACE_API_URL": {c.PayTraceURL}}
	var bad []string
	for _, d := range devDefaults {
		if d.provider != "" && !c.Uses(d.provider) {
			continue
		}
		for _, v := range values[d.name] {
			if v == d.value {
				bad = append(bad, fmt.Sprintf("%s is the public development default: %s", d.name, d.fix))
				break
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("refusing to start with development defaults because %s:\n  - %s", why, strings.Join(bad, "\n  - "))
}

// checkURLs requires https for every non-loopback upstream. The alert URL carries its token, so
// its errors name the variable and host only, never the URL.
func (c *Config) checkURLs() error {
	for _, u := range []struct {
		name, url string
		secret    bool
	}{{"STRIPE_API_URL", c.StripeAPIURL, false}, {"SAGE_URL", c.SageURL, false}, {"PAYTRACE_API_URL", c.PayTraceURL, false},
		{"LEDGERBRIDGE_ALERT_WEBHOOK_URL", c.AlertWebhookURL, true}} {
		if u.url == "" {
			continue
		}
		pu, err := url.Parse(u.url)
		if err != nil || pu.Host == "" || (pu.Scheme != "http" && pu.Scheme != "https") {
			if u.secret {
				return fmt.Errorf("%s: not an http(s) URL", u.name)
			}
			return fmt.Errorf("%s=%q: want an http(s) URL", u.name, u.url)
		}
		if pu.Scheme != "https" && !isLoopback(pu.Hostname()) {
			return fmt.Errorf("%s: host %s is not loopback, so the URL must use https", u.name, pu.Hostname())
		}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LoadMapping reads the mapping file (or the shipped default for ERP), checks it is written for
// that ERP, and applies LEDGERBRIDGE_GL_ACCOUNTS over its GL section.
func (c *Config) LoadMapping() (*mapping.Mapping, glmap.Accounts, error) {
	var (
		m   *mapping.Mapping
		err error
	)
	if c.MappingFile != "" {
		m, err = mapping.Load(c.MappingFile)
	} else {
		m, err = mapping.Default(c.ERP)
	}
	if err != nil {
		return nil, glmap.Accounts{}, err
	}
	if err := m.ExpectERP(c.ERP); err != nil {
		return nil, glmap.Accounts{}, err
	}
	// A key the ERP has no field for is refused, not accepted and dropped.
	if err := connectors.CheckMapping(c.ERP, m.Name, m); err != nil {
		return nil, glmap.Accounts{}, err
	}
	gl, err := glmap.Apply(m.GL, c.GLOverrides)
	return m, gl, err
}

// Keyring parses LEDGERBRIDGE_CODEC_KEYS (nil when encryption is off).
func (c *Config) Keyring() (*codec.Keyring, error) { return codec.ParseKeyring(c.CodecKeys) }

// TemporalOptions is how every process connects to Temporal: address, namespace, TLS, API key
// and, when LEDGERBRIDGE_CODEC_KEYS is set, the encrypting data and failure converters.
func (c *Config) TemporalOptions(log *zap.Logger, wait time.Duration) (tclient.Options, error) {
	k, err := c.Keyring()
	if err != nil {
		return tclient.Options{}, err
	}
	o := tclient.Options{HostPort: c.TemporalAddress, Namespace: c.TemporalNamespace, TLSCert: c.TemporalTLSCert,
		TLSKey: c.TemporalTLSKey, TLSCA: c.TemporalTLSCA, TLSServerName: c.TemporalTLSServerName, APIKey: c.TemporalAPIKey,
		Logger: log, Wait: wait}
	if k != nil {
		o.DataConverter, o.FailureConverter = codec.DataConverter(k), codec.FailureConverter(k)
	}
	return o, nil
}
