package codec

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

const webUI = "http://127.0.0.1:8233"

// codecServer serves Handler the way the processes mount it.
func codecServer(t *testing.T, k *Keyring) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/codec/", Handler(k, []string{webUI, "https://temporal.example.com/"}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, origin string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", "default")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readPayloads(t *testing.T, resp *http.Response) []*commonpb.Payload {
	t.Helper()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, buf.String())
	}
	var ps commonpb.Payloads
	if err := protojson.Unmarshal(buf.Bytes(), &ps); err != nil {
		t.Fatalf("response %s: %v", buf.String(), err)
	}
	return ps.Payloads
}

func marshalPayloads(t *testing.T, ps []*commonpb.Payload) []byte {
	t.Helper()
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: ps})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHandlerDecodeAndEncode(t *testing.T) {
	k := mustKeyring(t, "k1:"+testKey(1))
	srv := codecServer(t, k)
	orig := payloadsOf(t, customer{Name: "Ada", Email: testEmail}, "plain before encryption")
	enc, err := NewCodec(k).Encode(orig[:1])
	if err != nil {
		t.Fatal(err)
	}

	// Web UI sends one encrypted and one older unencrypted payload.
	got := readPayloads(t, post(t, srv.URL+"/codec/decode", webUI, marshalPayloads(t, []*commonpb.Payload{enc[0], orig[1]})))
	if len(got) != 2 || !proto.Equal(got[0], orig[0]) || !proto.Equal(got[1], orig[1]) {
		t.Errorf("decode = %v, want %v", got, orig)
	}

	// The CLI (no Origin) encodes; the result decodes with the codec.
	got = readPayloads(t, post(t, srv.URL+"/codec/encode", "", marshalPayloads(t, orig[:1])))
	if len(got) != 1 || string(got[0].Metadata[converter.MetadataEncoding]) != EncodingEncrypted {
		t.Fatalf("encode = %v, want one encrypted payload", got)
	}
	back, err := NewCodec(k).Decode(got)
	if err != nil || !proto.Equal(back[0], orig[0]) {
		t.Errorf("encode result decodes to %v, %v; want %v", back, err, orig[0])
	}
}

func TestHandlerStripPrefix(t *testing.T) {
	k := mustKeyring(t, "k1:"+testKey(1))
	srv := httptest.NewServer(http.StripPrefix("/codec", Handler(k, nil)))
	defer srv.Close()
	orig := payloadsOf(t, customer{Email: testEmail})
	enc, err := NewCodec(k).Encode(orig)
	if err != nil {
		t.Fatal(err)
	}
	got := readPayloads(t, post(t, srv.URL+"/codec/decode", "", marshalPayloads(t, enc)))
	if len(got) != 1 || !proto.Equal(got[0], orig[0]) {
		t.Errorf("decode = %v, want %v", got, orig)
	}
}

func TestHandlerCORS(t *testing.T) {
	srv := codecServer(t, mustKeyring(t, "k1:"+testKey(1)))
	tests := []struct {
		name       string
		method     string
		origin     string
		wantStatus int
		wantCORS   bool
	}{
		{"preflight from Web UI", http.MethodOptions, webUI, http.StatusNoContent, true},
		{"preflight from configured origin with trailing slash", http.MethodOptions, "https://temporal.example.com", http.StatusNoContent, true},
		{"preflight from another origin", http.MethodOptions, "https://evil.example.com", http.StatusForbidden, false},
		{"preflight from a lookalike origin", http.MethodOptions, webUI + ".evil.example.com", http.StatusForbidden, false},
		{"POST from Web UI", http.MethodPost, webUI, http.StatusOK, true},
		{"POST from another origin", http.MethodPost, "https://evil.example.com", http.StatusForbidden, false},
		{"POST without origin", http.MethodPost, "", http.StatusOK, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+"/codec/decode", strings.NewReader(`{"payloads":[]}`))
			if err != nil {
				t.Fatal(err)
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			h := resp.Header
			if !tt.wantCORS {
				for _, name := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"} {
					if v := h.Get(name); v != "" {
						t.Errorf("%s = %q, want none", name, v)
					}
				}
				return
			}
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.origin {
				t.Errorf("Allow-Origin = %q, want %q", got, tt.origin)
			}
			if got := h.Get("Access-Control-Allow-Credentials"); got != "true" {
				t.Errorf("Allow-Credentials = %q, want true", got)
			}
			if tt.method == http.MethodOptions {
				if got := h.Get("Access-Control-Allow-Methods"); got != "POST, OPTIONS" {
					t.Errorf("Allow-Methods = %q", got)
				}
				if got := h.Get("Access-Control-Allow-Headers"); got != "Content-Type, X-Namespace, Authorization" {
					t.Errorf("Allow-Headers = %q", got)
				}
			}
		})
	}
}

func TestHandlerRejects(t *testing.T) {
	srv := codecServer(t, mustKeyring(t, "k1:"+testKey(1)))
	unknownKey, err := NewCodec(mustKeyring(t, "k9:"+testKey(9))).Encode(payloadsOf(t, "x"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		method     string
		path       string
		body       []byte
		wantStatus int
		wantBody   string
	}{
		{"GET", http.MethodGet, "/codec/decode", nil, http.StatusMethodNotAllowed, "use POST"},
		{"unknown path", http.MethodPost, "/codec/other", []byte(`{}`), http.StatusNotFound, ""},
		{"not JSON", http.MethodPost, "/codec/decode", []byte("nope"), http.StatusBadRequest, "request body is not"},
		{"unknown key", http.MethodPost, "/codec/decode", marshalPayloads(t, unknownKey), http.StatusBadRequest, `unknown encryption key "k9"`},
		{"body too large", http.MethodPost, "/codec/decode", bytes.Repeat([]byte(" "), MaxBodyBytes+1), http.StatusRequestEntityTooLarge, "exceeds 4 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(buf.String(), tt.wantBody) {
				t.Errorf("got %d %q, want %d containing %q", resp.StatusCode, buf.String(), tt.wantStatus, tt.wantBody)
			}
		})
	}
}

// TestHandlerWithSDKRemoteCodec checks protocol compatibility with the SDK's own codec-server
// client (converter.NewRemotePayloadCodec), which speaks what Web UI and the CLI speak.
func TestHandlerWithSDKRemoteCodec(t *testing.T) {
	k := mustKeyring(t, "k1:"+testKey(1))
	srv := codecServer(t, k)
	remote := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{Endpoint: srv.URL + "/codec"})
	orig := payloadsOf(t, customer{Name: "Ada", Email: testEmail}, nil, []byte("bin"))
	enc, err := remote.Encode(orig)
	if err != nil {
		t.Fatalf("remote Encode: %v", err)
	}
	local, err := NewCodec(k).Decode(enc)
	if err != nil {
		t.Fatalf("local Decode of remote Encode: %v", err)
	}
	dec, err := remote.Decode(enc)
	if err != nil {
		t.Fatalf("remote Decode: %v", err)
	}
	for i := range orig {
		if !proto.Equal(local[i], orig[i]) || !proto.Equal(dec[i], orig[i]) {
			t.Errorf("payload %d: local %v, remote %v, want %v", i, local[i], dec[i], orig[i])
		}
	}
}
