package config

import (
	"os"
	"strings"
	"testing"
)

// setEnv clears every variable Load reads, then sets kv.
func setEnv(t *testing.T, kv ...string) {
	t.Helper()
	for _, v := range Vars {
		t.Setenv(v.Name, "")
	}
	for i := 0; i+1 < len(kv); i += 2 {
		t.Setenv(kv[i], kv[i+1])
	}
}

func TestLocalDevelopmentDefaultsLoad(t *testing.T) {
	setEnv(t)
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.AdminToken != "" {
		t.Errorf("admin endpoints are on by default (token %q)", c.AdminToken)
	}
	if len(c.StripeWebhookSecrets) != 1 || c.GatewayInternalAddr != "127.0.0.1:8081" {
		t.Errorf("defaults: %+v", c)
	}
}

// Exposed beyond loopback, every public dev default is refused and named.
func TestDevDefaultsRefusedWhenExposed(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		want []string
	}{
		{"gateway on all interfaces", []string{"GATEWAY_ADDR", "0.0.0.0:8080"},
			[]string{"GATEWAY_ADDR=0.0.0.0:8080 listens beyond loopback", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_KEY", "SAGE_API_KEY", "STRIPE_API_URL", "SAGE_URL"}},
		{"empty host", []string{"GATEWAY_ADDR", ":8080"}, []string{"GATEWAY_ADDR=:8080"}},
		{"real Stripe, dev webhook secret and admin token", []string{"STRIPE_API_URL", "https://api.stripe.com", "STRIPE_API_KEY", "sk_live_x",
			"SAGE_URL", "https://sage.example.com", "SAGE_API_KEY", "k", "LEDGERBRIDGE_ADMIN_TOKEN", "admin_ledgerbridge_dev"},
			[]string{"STRIPE_API_URL=https://api.stripe.com is not a local sandbox", "STRIPE_WEBHOOK_SECRET", "LEDGERBRIDGE_ADMIN_TOKEN"}},
		{"dev secret among rotated ones", []string{"GATEWAY_ADDR", "10.0.0.5:8080", "STRIPE_WEBHOOK_SECRET", "whsec_real,whsec_ledgerbridge_dev"},
			[]string{"STRIPE_WEBHOOK_SECRET is the public development default"}},
	}
	for _, c := range cases {
		setEnv(t, c.env...)
		_, err := Load()
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not name %q", c.name, err, w)
			}
		}
	}
	setEnv(t, "GATEWAY_ADDR", "0.0.0.0:8080", "STRIPE_API_URL", "https://api.stripe.com", "STRIPE_API_KEY", "rk_live_x",
		"STRIPE_WEBHOOK_SECRET", "whsec_a,whsec_b", "SAGE_URL", "https://sage.example.com", "SAGE_API_KEY", "k", "LEDGERBRIDGE_PROVIDERS", "stripe")
	c, err := Load()
	if err != nil {
		t.Fatalf("a production Stripe configuration was refused: %v", err)
	}
	if len(c.StripeWebhookSecrets) != 2 || c.Uses("paytrace") || c.PayTraceNotifySecrets != nil {
		t.Errorf("config %+v", c)
	}
	// A PayTrace merchant's production configuration needs no Stripe setting.
	setEnv(t, "GATEWAY_ADDR", "0.0.0.0:8080", "SAGE_URL", "https://sage.example.com", "SAGE_API_KEY", "k", "LEDGERBRIDGE_PROVIDERS", "paytrace",
		"PAYTRACE_API_URL", "https://api.paytrace.com", "PAYTRACE_PASSWORD", "secret", "PAYTRACE_NOTIFY_SECRET", "off")
	if c, err := Load(); err != nil || c.PayTraceNotifySecrets != nil {
		t.Fatalf("a production PayTrace configuration was refused: %v", err)
	}
	setEnv(t, "GATEWAY_ADDR", "0.0.0.0:8080", "SAGE_URL", "https://sage.example.com", "SAGE_API_KEY", "k", "LEDGERBRIDGE_PROVIDERS", "paytrace")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "PAYTRACE_PASSWORD") || strings.Contains(err.Error(), "STRIPE") {
		t.Fatalf("PayTrace dev defaults: %v", err)
	}
}

// Non-loopback upstreams need https; the alert URL (which carries its token) is never echoed.
func TestHTTPSRequiredBeyondLoopback(t *testing.T) {
	setEnv(t, "SAGE_URL", "http://sage.example.com")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "SAGE_URL: host sage.example.com is not loopback, so the URL must use https") {
		t.Errorf("http Sage: %v", err)
	}
	setEnv(t, "LEDGERBRIDGE_ALERT_WEBHOOK_URL", "http://hooks.example.com/services/T000/B000/SECRETTOKEN")
	_, err := Load()
	if err == nil || strings.Contains(err.Error(), "SECRETTOKEN") || !strings.Contains(err.Error(), "LEDGERBRIDGE_ALERT_WEBHOOK_URL") {
		t.Errorf("http alert URL: %v", err)
	}
	setEnv(t, "LEDGERBRIDGE_ALERT_WEBHOOK_URL", "http://127.0.0.1:9999/alerts")
	if _, err := Load(); err != nil {
		t.Errorf("loopback http alert URL refused: %v", err)
	}
}

func TestBadNumbersNameTheirVariable(t *testing.T) {
	for _, kv := range [][2]string{{"GATEWAY_READ_TIMEOUT", "soon"}, {"GATEWAY_MAX_CONNECTIONS", "-1"}, {"GATEWAY_RECENT_EVENTS", "x"}, {"GATEWAY_INTERNAL_ADDR", "8081"}} {
		setEnv(t, kv[0], kv[1])
		if _, err := Load(); err == nil || !strings.HasPrefix(err.Error(), kv[0]) {
			t.Errorf("%s=%s: %v", kv[0], kv[1], err)
		}
	}
}

// Every variable Load reads is documented in the README's configuration table.
func TestEveryVariableIsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Vars {
		if !strings.Contains(string(readme), "`"+v.Name+"`") {
			t.Errorf("README.md does not document %s", v.Name)
		}
	}
}
