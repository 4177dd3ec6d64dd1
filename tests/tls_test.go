package tests

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/internal/tclient/tlstest"
)

// tlsProxy terminates mutual TLS in front of the dev server (which speaks plaintext) and counts
// the handshakes that presented the expected client certificate.
type tlsProxy struct {
	ln       net.Listener
	verified atomic.Int32
	wg       sync.WaitGroup
}

func startTLSProxy(t *testing.T, files tlstest.Files, upstream string) *tlsProxy {
	t.Helper()
	cfg, err := files.ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.NextProtos = []string{"h2"} // gRPC insists on ALPN h2, as a real TLS frontend offers
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &tlsProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				defer c.Close()
				tc := c.(*tls.Conn)
				if err := tc.Handshake(); err != nil {
					return
				}
				if st := tc.ConnectionState(); len(st.PeerCertificates) > 0 && st.PeerCertificates[0].Subject.CommonName == tlstest.ClientCommonName {
					p.verified.Add(1)
				}
				up, err := net.Dial("tcp", upstream)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { _, _ = io.Copy(up, c) }()
				_, _ = io.Copy(c, up)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return p
}

// The worker and the gateway reach a Temporal frontend that requires mutual TLS with
// TEMPORAL_TLS_CERT/KEY/CA: the worker polls its task queue through it, the gateway is ready.
func TestWorkerAndGatewayOverMutualTLS(t *testing.T) {
	files, err := tlstest.Generate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	proxy := startTLSProxy(t, files, stack.TemporalAddress())
	tlsEnv := []string{"TEMPORAL_ADDRESS=" + proxy.ln.Addr().String(), "TEMPORAL_NAMESPACE=" + stack.Namespace(), "TEMPORAL_TLS_CERT=" + files.Client,
		"TEMPORAL_TLS_KEY=" + files.ClientKey, "TEMPORAL_TLS_CA=" + files.CA, "LEDGERBRIDGE_TASK_QUEUE=tls-check",
		"STRIPE_API_URL=" + stack.StripeURL(), "SAGE_URL=" + stack.SageURL(), "LEDGERBRIDGE_CUSTOMER_SYNC_INTERVAL=0",
		"WORKER_HEALTH_ADDR=127.0.0.1:0"}
	gwPort, _ := devstack.FreePort()
	inPort, _ := devstack.FreePort()
	start := func(name string, env ...string) {
		cmd := exec.Command(filepath.Join(binDir(), name))
		cmd.Env = append(append(os.Environ(), tlsEnv...), env...)
		log, _ := os.Create(filepath.Join(t.TempDir(), name+".log"))
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			if t.Failed() {
				b, _ := os.ReadFile(log.Name())
				t.Logf("%s log (tail):\n%s", name, b[max(0, len(b)-3000):])
			}
		})
	}
	start("worker")
	start("gateway", fmt.Sprintf("GATEWAY_ADDR=127.0.0.1:%d", gwPort), fmt.Sprintf("GATEWAY_INTERNAL_ADDR=127.0.0.1:%d", inPort))

	deadline := time.Now().Add(45 * time.Second)
	for {
		desc, err := tc.DescribeTaskQueue(context.Background(), "tls-check", enumspb.TASK_QUEUE_TYPE_WORKFLOW)
		if err == nil && len(desc.Pollers) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no worker polls tls-check through the TLS frontend: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", gwPort))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway not ready through the TLS frontend: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if proxy.verified.Load() < 2 {
		t.Fatalf("%d handshakes presented the client certificate; want worker and gateway", proxy.verified.Load())
	}
}
