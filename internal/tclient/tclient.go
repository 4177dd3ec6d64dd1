// Package tclient dials Temporal (plain, TLS, mutual TLS or Temporal Cloud with an API key),
// waiting for a server that is still starting.
package tclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/internal/logging"
)

// Environment variables the processes read the connection security settings from; errors name
// them so that an operator knows which setting to fix.
const (
	EnvTLSCert       = "TEMPORAL_TLS_CERT"        // path of the client certificate (PEM), for mutual TLS
	EnvTLSKey        = "TEMPORAL_TLS_KEY"         // path of its private key (PEM)
	EnvTLSCA         = "TEMPORAL_TLS_CA"          // path of the CA certificate(s) (PEM) that sign the server's; default: system roots
	EnvTLSServerName = "TEMPORAL_TLS_SERVER_NAME" // server name to verify, if not the host in the address
	EnvAPIKey        = "TEMPORAL_API_KEY"         // API key (Temporal Cloud); implies TLS
)

// Options says how to reach Temporal. Only HostPort is required.
type Options struct {
	HostPort  string // host:port of the frontend
	Namespace string // default: "default"

	// TLS is on when any of TLSCert, TLSCA, TLSServerName or APIKey is set.
	TLSCert       string // client certificate file (PEM); needs TLSKey
	TLSKey        string // client private key file (PEM); needs TLSCert
	TLSCA         string // CA bundle file (PEM) to verify the server; empty: system roots
	TLSServerName string // name to verify the server certificate against; empty: the host of HostPort
	APIKey        string // sent as a bearer token on every call (Temporal Cloud)

	DataConverter    converter.DataConverter    // nil: the SDK default (e.g. codec.DataConverter for encryption)
	MetricsHandler   client.MetricsHandler      // nil: no SDK metrics (the worker passes a Prometheus one)
	FailureConverter converter.FailureConverter // nil: the SDK default (e.g. codec.FailureConverter)

	Logger *zap.Logger   // nil: no logging
	Wait   time.Duration // how long to keep retrying a server that is not up yet
}

// TLSConfig returns the client TLS configuration o asks for, or nil when TLS is off. It reads the
// certificate files, so it fails early (naming the environment variable) on a missing or bad file,
// on a certificate without its key or a key without its certificate, and on a CA file that holds
// no certificate. The minimum version is TLS 1.2.
func TLSConfig(o Options) (*tls.Config, error) {
	if o.TLSCert == "" && o.TLSKey == "" && o.TLSCA == "" && o.TLSServerName == "" && o.APIKey == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: o.TLSServerName}
	switch {
	case o.TLSCert != "" && o.TLSKey == "":
		return nil, fmt.Errorf("%s is set but %s is not: a client certificate needs its private key", EnvTLSCert, EnvTLSKey)
	case o.TLSKey != "" && o.TLSCert == "":
		return nil, fmt.Errorf("%s is set but %s is not: a client private key needs its certificate", EnvTLSKey, EnvTLSCert)
	case o.TLSCert != "":
		certPEM, err := os.ReadFile(o.TLSCert)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvTLSCert, err)
		}
		keyPEM, err := os.ReadFile(o.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvTLSKey, err)
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("%s=%s, %s=%s: %w", EnvTLSCert, o.TLSCert, EnvTLSKey, o.TLSKey, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if o.TLSCA != "" {
		caPEM, err := os.ReadFile(o.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvTLSCA, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("%s=%s holds no PEM certificate", EnvTLSCA, o.TLSCA)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// DialOptions connects to Temporal as o says, retrying for up to o.Wait (logging each retry at
// info) so that processes started together with the server do not race it. Configuration errors
// (TLSConfig) fail at once; the last connection error is returned as
// "connect to Temporal at <host> (namespace <ns>): <err>".
func DialOptions(ctx context.Context, o Options) (client.Client, error) {
	tlsCfg, err := TLSConfig(o)
	if err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = zap.NewNop()
	}
	copts := client.Options{
		HostPort:          o.HostPort,
		Namespace:         o.Namespace,
		Logger:            logging.Temporal{L: log},
		DataConverter:     o.DataConverter,
		FailureConverter:  o.FailureConverter,
		ConnectionOptions: client.ConnectionOptions{TLS: tlsCfg},
		MetricsHandler:    o.MetricsHandler,
	}
	if o.APIKey != "" {
		copts.Credentials = client.NewAPIKeyStaticCredentials(o.APIKey)
	}
	ns := o.Namespace
	if ns == "" {
		ns = client.DefaultNamespace
	}
	deadline := time.Now().Add(o.Wait)
	for {
		c, err := client.DialContext(ctx, copts)
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("connect to Temporal at %s (namespace %s): %w", o.HostPort, ns, err)
		}
		log.Info("waiting for Temporal", zap.String("address", o.HostPort), zap.Bool("tls", tlsCfg != nil), zap.Error(err))
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// Dial connects to hostPort/namespace without TLS and with the default data converter, retrying
// for up to wait. It is DialOptions with only those fields set, kept for callers that have not
// moved to Options yet.
func Dial(ctx context.Context, hostPort, namespace string, log *zap.Logger, wait time.Duration) (client.Client, error) {
	return DialOptions(ctx, Options{HostPort: hostPort, Namespace: namespace, Logger: log, Wait: wait})
}
