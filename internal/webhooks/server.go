package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// Limits bound what one client can hold of the gateway: a client trickling its body or opening
// hundreds of connections is cut off instead of exhausting memory or goroutines.
type Limits struct {
	// ReadHeaderTimeout bounds reading the request line and headers (also how long a new
	// connection may stay silent).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading the whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing the response.
	WriteTimeout time.Duration
	// IdleTimeout closes keep-alive connections idle this long.
	IdleTimeout time.Duration
	// MaxConnections caps concurrently open connections per listener; further clients wait in
	// the kernel's accept queue.
	MaxConnections int
	// MaxHeaderBytes caps the request headers.
	MaxHeaderBytes int
}

// DefaultLimits are the production defaults; every field is configurable (README).
var DefaultLimits = Limits{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second,
	IdleTimeout: 60 * time.Second, MaxConnections: 512, MaxHeaderBytes: 64 << 10}

// Server is one HTTP listener of the gateway with its limits applied.
type Server struct {
	Name string
	srv  *http.Server
	ln   net.Listener
}

// Listen binds addr and returns a server for h with the limits applied; Serve starts it.
func Listen(name, addr string, h http.Handler, l Limits) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s listener on %s: %w", name, addr, err)
	}
	if l.MaxConnections > 0 {
		ln = netutil.LimitListener(ln, l.MaxConnections)
	}
	return &Server{Name: name, ln: ln, srv: &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout: l.ReadTimeout, WriteTimeout: l.WriteTimeout, IdleTimeout: l.IdleTimeout, MaxHeaderBytes: l.MaxHeaderBytes}}, nil
}

// Addr is the bound address (useful with port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve serves until Shutdown; it returns nil after a shutdown.
func (s *Server) Serve() error {
	if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s listener: %w", s.Name, err)
	}
	return nil
}

// Shutdown stops accepting and waits for in-flight requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
