package tclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	"github.com/ledgerbridge/ledgerbridge/internal/tclient/tlstest"
)

func generate(t *testing.T) tlstest.Files {
	t.Helper()
	f, err := tlstest.Generate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestTLSConfig(t *testing.T) {
	f := generate(t)
	tests := []struct {
		name       string
		o          Options
		wantNil    bool
		wantCert   bool
		wantRoots  bool
		serverName string
	}{
		{name: "off", o: Options{HostPort: "127.0.0.1:7233", Namespace: "default"}, wantNil: true},
		{name: "CA only (server TLS)", o: Options{TLSCA: f.CA}, wantRoots: true},
		{name: "server name only", o: Options{TLSServerName: "temporal.internal"}, serverName: "temporal.internal"},
		{name: "API key implies TLS with system roots", o: Options{APIKey: "secret"}},
		{name: "mutual TLS", o: Options{TLSCert: f.Client, TLSKey: f.ClientKey, TLSCA: f.CA, TLSServerName: "localhost"},
			wantCert: true, wantRoots: true, serverName: "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := TLSConfig(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantNil {
				if cfg != nil {
					t.Fatalf("TLSConfig = %+v, want nil", cfg)
				}
				return
			}
			if cfg == nil {
				t.Fatal("TLSConfig = nil, want TLS on")
			}
			if cfg.MinVersion != tls.VersionTLS12 {
				t.Errorf("MinVersion = %x, want TLS 1.2", cfg.MinVersion)
			}
			if got := len(cfg.Certificates) == 1; got != tt.wantCert {
				t.Errorf("client certificate present = %v, want %v", got, tt.wantCert)
			}
			if tt.wantCert && cfg.Certificates[0].Leaf.Subject.CommonName != tlstest.ClientCommonName {
				t.Errorf("client certificate CN = %q", cfg.Certificates[0].Leaf.Subject.CommonName)
			}
			if got := cfg.RootCAs != nil; got != tt.wantRoots {
				t.Errorf("RootCAs set = %v, want %v", got, tt.wantRoots)
			}
			if cfg.ServerName != tt.serverName {
				t.Errorf("ServerName = %q, want %q", cfg.ServerName, tt.serverName)
			}
			if cfg.InsecureSkipVerify {
				t.Error("InsecureSkipVerify is set")
			}
		})
	}
}

func TestTLSConfigErrors(t *testing.T) {
	f := generate(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	tests := []struct {
		name string
		o    Options
		want []string
	}{
		{"cert without key", Options{TLSCert: f.Client}, []string{"TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not"}},
		{"key without cert", Options{TLSKey: f.ClientKey}, []string{"TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not"}},
		{"CA file without certificate", Options{TLSCA: garbage}, []string{"TEMPORAL_TLS_CA=" + garbage + " holds no PEM certificate"}},
		{"CA file that is a key", Options{TLSCA: f.ClientKey}, []string{"TEMPORAL_TLS_CA=", "holds no PEM certificate"}},
		{"missing CA file", Options{TLSCA: missing}, []string{"TEMPORAL_TLS_CA: open " + missing}},
		{"missing cert file", Options{TLSCert: missing, TLSKey: f.ClientKey}, []string{"TEMPORAL_TLS_CERT: open " + missing}},
		{"missing key file", Options{TLSCert: f.Client, TLSKey: missing}, []string{"TEMPORAL_TLS_KEY: open " + missing}},
		{"key of another certificate", Options{TLSCert: f.Client, TLSKey: f.ServerKey}, []string{"TEMPORAL_TLS_CERT=" + f.Client, "TEMPORAL_TLS_KEY=" + f.ServerKey, "does not match"}},
		{"cert and key swapped", Options{TLSCert: f.ClientKey, TLSKey: f.Client}, []string{"TEMPORAL_TLS_CERT=", "TEMPORAL_TLS_KEY="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := TLSConfig(tt.o)
			if err == nil {
				t.Fatalf("TLSConfig = %+v, want error", cfg)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			// Configuration errors fail the dial at once, without waiting.
			start := time.Now()
			o := tt.o
			o.HostPort, o.Wait = "127.0.0.1:1", time.Minute
			if _, err := DialOptions(context.Background(), o); err == nil || time.Since(start) > 5*time.Second {
				t.Errorf("DialOptions = %v after %v, want an immediate error", err, time.Since(start))
			}
		})
	}
}

// handshake is what a listener saw of one TLS connection.
type handshake struct {
	clientCN string
	err      error
}

// TestDialOptionsHandshakeWithClientCert dials a TLS listener that is not a Temporal server: the
// mutual TLS handshake must succeed with our client certificate, the dial then fail with the
// documented message after retrying (with a log line per retry) for about Wait.
func TestDialOptionsHandshakeWithClientCert(t *testing.T) {
	f := generate(t)
	srvCfg, err := f.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", srvCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	seen := make(chan handshake, 100)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			tc := conn.(*tls.Conn)
			_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
			h := handshake{err: tc.Handshake()}
			if h.err == nil {
				if peers := tc.ConnectionState().PeerCertificates; len(peers) > 0 {
					h.clientCN = peers[0].Subject.CommonName
				}
			}
			seen <- h
			conn.Close()
		}
	}()

	core, logs := observer.New(zap.InfoLevel)
	start := time.Now()
	_, err = DialOptions(context.Background(), Options{
		HostPort: ln.Addr().String(), Namespace: "ledgerbridge",
		TLSCert: f.Client, TLSKey: f.ClientKey, TLSCA: f.CA,
		Logger: zap.New(core), Wait: time.Second,
	})
	if err == nil {
		t.Fatal("DialOptions succeeded against a non-Temporal listener")
	}
	if want := "connect to Temporal at " + ln.Addr().String() + " (namespace ledgerbridge): "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("dial took %v with Wait 1s", d)
	}
	if n := logs.FilterMessage("waiting for Temporal").Len(); n < 1 {
		t.Errorf("%d retry log lines, want at least 1", n)
	}
	select {
	case h := <-seen:
		if h.err != nil {
			t.Fatalf("listener handshake failed: %v", h.err)
		}
		if h.clientCN != tlstest.ClientCommonName {
			t.Errorf("client certificate CN = %q, want %q", h.clientCN, tlstest.ClientCommonName)
		}
	default:
		t.Fatal("the listener saw no connection")
	}
}

// TestDialOptionsUntrustedServer checks that the server certificate is verified: without the CA
// the dial fails, and the listener sees a failed handshake.
func TestDialOptionsUntrustedServer(t *testing.T) {
	f := generate(t)
	srvCfg, err := f.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	srvCfg.ClientAuth = tls.NoClientCert
	ln, err := tls.Listen("tcp", "127.0.0.1:0", srvCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	handshakeErr := make(chan error, 100)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			handshakeErr <- conn.(*tls.Conn).Handshake()
			conn.Close()
		}
	}()
	// TLSServerName alone turns TLS on with the system roots, which do not know the test CA.
	_, err = DialOptions(context.Background(), Options{HostPort: ln.Addr().String(), TLSServerName: tlstest.ServerName})
	if err == nil || !strings.Contains(err.Error(), "connect to Temporal at") {
		t.Fatalf("err = %v, want a connect error", err)
	}
	select {
	case err := <-handshakeErr:
		if err == nil {
			t.Error("handshake with an unverified server certificate succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the listener saw no connection")
	}
}

// fakeFrontend is a gRPC Temporal frontend that answers only GetSystemInfo (all Dial needs) and
// records what each call carried.
type fakeFrontend struct {
	workflowservice.UnimplementedWorkflowServiceServer
	mu    sync.Mutex
	calls []call
}

// call is what one GetSystemInfo carried.
type call struct {
	authorization, namespace, clientCN string
}

func (s *fakeFrontend) GetSystemInfo(ctx context.Context, _ *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	var c call
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("authorization"); len(v) > 0 {
		c.authorization = v[0]
	}
	if v := md.Get("temporal-namespace"); len(v) > 0 {
		c.namespace = v[0]
	}
	if p, ok := peer.FromContext(ctx); ok {
		if info, ok := p.AuthInfo.(credentials.TLSInfo); ok && len(info.State.PeerCertificates) > 0 {
			c.clientCN = info.State.PeerCertificates[0].Subject.CommonName
		}
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	return &workflowservice.GetSystemInfoResponse{}, nil
}

// startFrontend serves a fakeFrontend on 127.0.0.1 with the generated server certificate,
// requiring a client certificate when mutual is true.
func startFrontend(t *testing.T, f tlstest.Files, mutual bool) (string, *fakeFrontend) {
	t.Helper()
	cfg, err := f.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !mutual {
		cfg.ClientAuth = tls.NoClientCert
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(cfg)))
	fe := &fakeFrontend{}
	workflowservice.RegisterWorkflowServiceServer(srv, fe)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return ln.Addr().String(), fe
}

// TestDialOptionsOverTLS connects for real to a gRPC frontend over TLS and checks what reached it.
func TestDialOptionsOverTLS(t *testing.T) {
	f := generate(t)
	tests := []struct {
		name     string
		mutual   bool
		o        Options
		wantAuth string
		wantCN   string
	}{
		{"mutual TLS", true, Options{TLSCert: f.Client, TLSKey: f.ClientKey, TLSCA: f.CA}, "", tlstest.ClientCommonName},
		{"API key over server TLS", false, Options{TLSCA: f.CA, APIKey: "tc-api-key"}, "Bearer tc-api-key", ""},
		{"server name override", false, Options{TLSCA: f.CA, TLSServerName: tlstest.ServerName}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, fe := startFrontend(t, f, tt.mutual)
			o := tt.o
			o.HostPort, o.Namespace, o.Wait = addr, "ledgerbridge", 5*time.Second
			c, err := DialOptions(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
			fe.mu.Lock()
			defer fe.mu.Unlock()
			if len(fe.calls) == 0 {
				t.Fatal("the frontend saw no call")
			}
			got := fe.calls[0]
			if got.authorization != tt.wantAuth {
				t.Errorf("authorization = %q, want %q", got.authorization, tt.wantAuth)
			}
			if got.clientCN != tt.wantCN {
				t.Errorf("client certificate CN = %q, want %q", got.clientCN, tt.wantCN)
			}
		})
	}
}

func TestDialPlainRetriesThenFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connection refused

	core, logs := observer.New(zap.InfoLevel)
	start := time.Now()
	_, err = Dial(context.Background(), addr, "", zap.New(core), 1500*time.Millisecond)
	if err == nil {
		t.Fatal("Dial succeeded with nothing listening")
	}
	if want := "connect to Temporal at " + addr + " (namespace default): "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}
	if logs.FilterMessage("waiting for Temporal").Len() < 1 {
		t.Error("no retry was logged")
	}
	if d := time.Since(start); d < 1500*time.Millisecond || d > 20*time.Second {
		t.Errorf("Dial gave up after %v with Wait 1.5s", d)
	}
}

// Ensure the generated CA is what verifies the server in these tests, not the system roots.
func TestGeneratedCAIsNotASystemRoot(t *testing.T) {
	f := generate(t)
	pair, err := tls.LoadX509KeyPair(f.Server, f.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pair.Leaf.Verify(x509.VerifyOptions{DNSName: "localhost"}); err == nil {
		t.Error("the test server certificate verifies against the system roots")
	}
}
