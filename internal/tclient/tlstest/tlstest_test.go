package tlstest

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

func TestGenerateChainsVerify(t *testing.T) {
	f, err := Generate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pool, err := f.CAPool()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, cert, key, dnsName string
		usage                    x509.ExtKeyUsage
	}{
		{"server for localhost", f.Server, f.ServerKey, "localhost", x509.ExtKeyUsageServerAuth},
		{"server for 127.0.0.1", f.Server, f.ServerKey, "127.0.0.1", x509.ExtKeyUsageServerAuth},
		{"server for ::1", f.Server, f.ServerKey, "::1", x509.ExtKeyUsageServerAuth},
		{"client", f.Client, f.ClientKey, "", x509.ExtKeyUsageClientAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pair, err := tls.LoadX509KeyPair(tt.cert, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pair.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: tt.dnsName, KeyUsages: []x509.ExtKeyUsage{tt.usage}}); err != nil {
				t.Errorf("verify: %v", err)
			}
		})
	}
	if _, err := f.ServerConfig(); err != nil {
		t.Errorf("ServerConfig: %v", err)
	}
}
