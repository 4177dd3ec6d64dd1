package webhooks

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
)

func startServer(t *testing.T, l Limits) *Server {
	t.Helper()
	g := New(Config{StripeWebhookSecrets: []string{secret}, MaxBodyBytes: 1 << 20}, &fakeTemporal{}, zap.NewNop())
	s, err := Listen("public", "127.0.0.1:0", g.PublicHandler(), l)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve() }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// A client that sends a valid header and then trickles its body is cut off at ReadTimeout
// instead of holding the connection (and a goroutine and buffer) for as long as it likes.
func TestSlowBodyClientIsCutOff(t *testing.T) {
	s := startServer(t, Limits{ReadHeaderTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := event("charge.succeeded", `{"id":"ch_1"}`)
	fmt.Fprintf(conn, "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nStripe-Signature: %s\r\n\r\n",
		len(body)+100000, Sign(body, secret, time.Now()))
	start := time.Now()
	var closed atomic.Bool
	go func() {
		_, _ = io.Copy(io.Discard, conn)
		closed.Store(true)
	}()
	for i := 0; i < 100 && !closed.Load(); i++ {
		if _, err := conn.Write([]byte(" ")); err != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !closed.Load() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !closed.Load() {
		t.Fatalf("a trickling client still holds its connection after %s", time.Since(start))
	}
}

// Connections beyond MaxConnections wait instead of each taking a goroutine; silent ones are
// closed after ReadHeaderTimeout, after which the server answers normally again.
func TestConnectionLimit(t *testing.T) {
	s := startServer(t, Limits{ReadHeaderTimeout: 500 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second, MaxConnections: 4})
	var idle []net.Conn
	for i := 0; i < 20; i++ {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get("http://" + s.Addr() + "/healthz")
	if err != nil {
		t.Fatalf("server did not recover from idle connections: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
	// Every idle connection was closed by the server (reading gives EOF, not a timeout).
	for i, c := range idle {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := bufio.NewReader(c).ReadByte(); err == nil || strings.Contains(err.Error(), "timeout") {
			t.Fatalf("idle connection %d still open: %v", i, err)
		}
	}
}
