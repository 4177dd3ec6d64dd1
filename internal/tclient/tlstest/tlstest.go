// Package tlstest writes a throwaway certificate authority with a server and a client certificate
// for 127.0.0.1 and localhost, for tests that run Temporal connections over (mutual) TLS.
package tlstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ClientCommonName is the subject common name of the generated client certificate.
const ClientCommonName = "ledgerbridge-test-client"

// ServerName is a DNS name the generated server certificate is valid for (as are 127.0.0.1 and ::1).
const ServerName = "localhost"

// Files holds the paths Generate wrote, all PEM.
type Files struct {
	CA        string // ca.pem: the CA certificate that signed both others
	Server    string // server.pem: server certificate for localhost, 127.0.0.1 and ::1
	ServerKey string // server-key.pem: its PKCS #8 private key
	Client    string // client.pem: client certificate, common name ClientCommonName
	ClientKey string // client-key.pem: its PKCS #8 private key
}

// Generate writes a fresh self-signed CA (ca.pem) and a server (server.pem, server-key.pem) and a
// client (client.pem, client-key.pem) certificate signed by it into dir, with ECDSA P-256 keys
// valid from an hour ago for 30 days.
func Generate(dir string) (Files, error) {
	f := Files{
		CA:        filepath.Join(dir, "ca.pem"),
		Server:    filepath.Join(dir, "server.pem"),
		ServerKey: filepath.Join(dir, "server-key.pem"),
		Client:    filepath.Join(dir, "client.pem"),
		ClientKey: filepath.Join(dir, "client-key.pem"),
	}
	now := time.Now()
	base := x509.Certificate{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(30 * 24 * time.Hour)}

	caTmpl := base
	caTmpl.Subject = pkix.Name{CommonName: "ledgerbridge test CA"}
	caTmpl.IsCA = true
	caTmpl.BasicConstraintsValid = true
	caTmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	caCert, caKey, err := issue(&caTmpl, nil, nil)
	if err != nil {
		return Files{}, err
	}

	srvTmpl := base
	srvTmpl.Subject = pkix.Name{CommonName: ServerName}
	srvTmpl.DNSNames = []string{ServerName}
	srvTmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	srvTmpl.KeyUsage = x509.KeyUsageDigitalSignature
	srvTmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	srvCert, srvKey, err := issue(&srvTmpl, caCert, caKey)
	if err != nil {
		return Files{}, err
	}

	cliTmpl := base
	cliTmpl.Subject = pkix.Name{CommonName: ClientCommonName}
	cliTmpl.KeyUsage = x509.KeyUsageDigitalSignature
	cliTmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	cliCert, cliKey, err := issue(&cliTmpl, caCert, caKey)
	if err != nil {
		return Files{}, err
	}

	srvKeyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		return Files{}, fmt.Errorf("tlstest: %w", err)
	}
	cliKeyDER, err := x509.MarshalPKCS8PrivateKey(cliKey)
	if err != nil {
		return Files{}, fmt.Errorf("tlstest: %w", err)
	}
	for _, w := range []struct {
		path string
		der  []byte
		typ  string
	}{
		{f.CA, caCert.Raw, "CERTIFICATE"},
		{f.Server, srvCert.Raw, "CERTIFICATE"},
		{f.ServerKey, srvKeyDER, "PRIVATE KEY"},
		{f.Client, cliCert.Raw, "CERTIFICATE"},
		{f.ClientKey, cliKeyDER, "PRIVATE KEY"},
	} {
		if err := os.WriteFile(w.path, pem.EncodeToMemory(&pem.Block{Type: w.typ, Bytes: w.der}), 0o600); err != nil {
			return Files{}, fmt.Errorf("tlstest: %w", err)
		}
	}
	return f, nil
}

// issue creates a certificate from tmpl signed by parent/parentKey (self-signed when parent is
// nil) and returns it with its new key.
func issue(tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("tlstest: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, fmt.Errorf("tlstest: serial: %w", err)
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, fmt.Errorf("tlstest: create %q certificate: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("tlstest: %w", err)
	}
	return cert, key, nil
}

// ServerConfig returns a server-side TLS configuration with the server certificate that requires
// and verifies a client certificate signed by the CA (mutual TLS), as a TLS proxy in front of
// Temporal or a fake server would use.
func (f Files) ServerConfig() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(f.Server, f.ServerKey)
	if err != nil {
		return nil, fmt.Errorf("tlstest: %w", err)
	}
	pool, err := f.CAPool()
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// CAPool returns a certificate pool holding the generated CA.
func (f Files) CAPool() (*x509.CertPool, error) {
	pemBytes, err := os.ReadFile(f.CA)
	if err != nil {
		return nil, fmt.Errorf("tlstest: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, fmt.Errorf("tlstest: %s holds no certificate", f.CA)
	}
	return pool, nil
}
