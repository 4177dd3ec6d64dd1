package sagesandbox

import (
	"net/http"
)

// registerAdmin mounts the fault-injection and stats API under /_admin.
func (s *Server) registerAdmin(mux *http.ServeMux) {
	mux.HandleFunc("GET /_admin/faults", s.serve(func(*http.Request) (int, any, error) {
		f, _ := s.faults.snapshot()
		return http.StatusOK, f, nil
	}))
	mux.HandleFunc("PUT /_admin/faults", s.serve(func(r *http.Request) (int, any, error) {
		var f Faults
		if err := decodeBody(r, &f); err != nil {
			return 0, nil, err
		}
		if err := f.validate(); err != nil {
			return 0, nil, err
		}
		s.faults.set(f)
		got, _ := s.faults.snapshot()
		s.logf("sage sandbox: faults set: %+v", got)
		return http.StatusOK, got, nil
	}))
	mux.HandleFunc("DELETE /_admin/faults", s.serve(func(*http.Request) (int, any, error) {
		s.faults.set(Faults{})
		f, _ := s.faults.snapshot()
		return http.StatusOK, f, nil
	}))
	// Credentials: {"revoked": true} makes every ERP call answer 401 until {"revoked": false}
	// (the Sage administrator revoked the integration's key, then issued it again).
	mux.HandleFunc("PUT /_admin/credentials", s.serve(func(r *http.Request) (int, any, error) {
		var in struct {
			Revoked bool `json:"revoked"`
		}
		if err := decodeBody(r, &in); err != nil {
			return 0, nil, err
		}
		s.revoked.Store(in.Revoked)
		s.logf("sage sandbox: API key revoked: %v", in.Revoked)
		return http.StatusOK, in, nil
	}))
	mux.HandleFunc("GET /_admin/stats", s.serve(func(*http.Request) (int, any, error) {
		_, st := s.faults.snapshot()
		return http.StatusOK, st, nil
	}))
	mux.HandleFunc("POST /_admin/stats/reset", s.serve(func(*http.Request) (int, any, error) {
		s.faults.resetStats()
		_, st := s.faults.snapshot()
		return http.StatusOK, st, nil
	}))
}
