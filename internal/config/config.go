// Package config reads ledgerbridge's settings from the environment. Every setting has a
// default that works with `make run` on one machine (see DESIGN.md's table), so a new user
// sets nothing; production overrides each by environment variable (README lists them all).
package config

import (
	"fmt"
	"github.com/ledgerbridge/ledgerbridge/internal/glmap"
	"github.com/ledgerbridge/ledgerbridge/internal/mapping"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the union of what the worker and the gateway need.
type Config struct {
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string

	GatewayAddr     string
	WebhookMaxBytes int64

	StripeAPIURL        string
	StripeAPIKey        string
	StripeWebhookSecret string

	ERP        string
	SageURL    string
	SageAPIKey string

	// MappingFile is the ERP connection's mapping file; empty means the shipped default for ERP.
	MappingFile string
	// CreateSalesOrder makes order-to-cash post a sales order before the invoice.
	CreateSalesOrder bool
	// AlertWebhookURL, if set, receives a JSON POST whenever a run parks.
	AlertWebhookURL string
	// CustomerSyncInterval is how often the ERP → Stripe customer sync runs (0: no schedule).
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
	{"LEDGERBRIDGE_TASK_QUEUE", "ledgerbridge", "task queue the worker polls and the gateway starts workflows on"},
	{"GATEWAY_ADDR", "127.0.0.1:8080", "gateway listen address"},
	{"GATEWAY_MAX_BODY_BYTES", "524288", "largest webhook body accepted (413 above)"},
	{"STRIPE_API_URL", "http://127.0.0.1:12111", "Stripe API base URL (the Stripe sandbox by default; https://api.stripe.com in production)"},
	{"STRIPE_API_KEY", "sk_test_ledgerbridge", "Stripe secret key"},
	{"STRIPE_WEBHOOK_SECRET", "whsec_ledgerbridge_dev", "Stripe webhook signing secret"},
	{"ERP", "sage500", "ERP connector: sage500, sagex3 or sagepro (one Sage sandbox serves all three)"},
	{"SAGE_URL", "http://127.0.0.1:8383", "Sage API base URL (the Sage sandbox by default)"},
	{"SAGE_API_KEY", "sage_ledgerbridge_dev", "Sage API key (sent as Bearer token)"},
	{"LEDGERBRIDGE_MAPPING_FILE", "", "mapping file (YAML) for the ERP connection; empty uses the shipped default for ERP (internal/mapping/defaults)"},
	{"LEDGERBRIDGE_CREATE_SALES_ORDER", "false", "post a sales order before the invoice"},
	{"LEDGERBRIDGE_ALERT_WEBHOOK_URL", "", "URL that receives a JSON alert when a run parks (NeedsAttention)"},
	{"LEDGERBRIDGE_GL_ACCOUNTS", "", "GL account overrides applied over the mapping file's gl section, e.g. `bank=1010-00,category.charge=1015-00,fee.refund=6150-00`"},
	{"LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL", "5m", "how often the Temporal Schedule pushes ERP customer changes to Stripe (0 disables)"},
	{"LEDGERBRIDGE_ADMIN_TOKEN", "admin_ledgerbridge_dev", "Bearer token of the gateway's /admin endpoints (preview); set it to a secret in production, or \"off\" to disable them"},
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
		TemporalAddress:     env("TEMPORAL_ADDRESS"),
		TemporalNamespace:   env("TEMPORAL_NAMESPACE"),
		TaskQueue:           env("LEDGERBRIDGE_TASK_QUEUE"),
		GatewayAddr:         env("GATEWAY_ADDR"),
		StripeAPIURL:        strings.TrimRight(env("STRIPE_API_URL"), "/"),
		StripeAPIKey:        env("STRIPE_API_KEY"),
		StripeWebhookSecret: env("STRIPE_WEBHOOK_SECRET"),
		ERP:                 strings.ToLower(env("ERP")),
		SageURL:             strings.TrimRight(env("SAGE_URL"), "/"),
		SageAPIKey:          env("SAGE_API_KEY"),
		MappingFile:         env("LEDGERBRIDGE_MAPPING_FILE"),
		GLOverrides:         env("LEDGERBRIDGE_GL_ACCOUNTS"),
		AlertWebhookURL:     env("LEDGERBRIDGE_ALERT_WEBHOOK_URL"),
		LogLevel:            env("LOG_LEVEL"),
		AdminToken:          env("LEDGERBRIDGE_ADMIN_TOKEN"),
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
	if c.AdminToken == "off" {
		c.AdminToken = ""
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
	return c, nil
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
	gl, err := glmap.Apply(m.GL, c.GLOverrides)
	return m, gl, err
}
