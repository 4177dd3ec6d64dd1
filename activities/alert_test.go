package activities

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The alert webhook gets where to look, not data values; a failing receiver's error never
// shows the URL, which carries the receiver's token.
func TestAlertCarriesNoDataAndHidesItsURL(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&got)
	}))
	defer srv.Close()
	a := &Activities{Settings: Settings{AlertWebhookURL: srv.URL + "/services/T0/B0/SECRETTOKEN"}}
	in := &AlertInput{WorkflowID: "order-to-cash/stripe/ch_1", Step: "post-invoice",
		Problem: "ValidationError: create invoice for ch_1: customer Grace Hopper owes 129.99 USD; item WIDGET unknown"}
	if _, err := a.Alert(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(got)
	for _, leak := range []string{"Grace", "129.99", "WIDGET"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("alert payload carries %q: %s", leak, raw)
		}
	}
	if got["workflowId"] != in.WorkflowID || got["step"] != "post-invoice" || got["kind"] != "ValidationError" {
		t.Errorf("alert payload: %s", raw)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	a.Settings.AlertWebhookURL = "http://" + dead + "/services/T0/B0/SECRETTOKEN"
	_, err := a.Alert(context.Background(), in)
	if err == nil || strings.Contains(err.Error(), "SECRETTOKEN") || strings.Contains(err.Error(), "/services/") {
		t.Fatalf("error leaks the alert URL: %v", err)
	}
}
