package codec

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// MaxBodyBytes caps a codec server request body.
const MaxBodyBytes = 4 << 20

// CORS answers for allowed origins.
const (
	corsAllowMethods = "POST, OPTIONS"
	corsAllowHeaders = "Content-Type, X-Namespace, Authorization"
)

// Handler returns a Temporal codec server over k: the HTTP protocol Temporal Web UI and the
// temporal CLI (--codec-endpoint) speak. POST .../encode and POST .../decode take and return
// {"payloads":[...]} in protojson form and apply Codec.Encode or Codec.Decode.
//
// Requests are routed on the last path element only, so the handler works mounted directly,
// mux.Handle("/codec/", codec.Handler(k, origins)), which serves /codec/encode and /codec/decode
// and is the intended way, and equally behind http.StripPrefix. Point Web UI's codec endpoint
// (and the CLI's --codec-endpoint) at http://HOST:PORT/codec.
//
// CORS: a request whose Origin is exactly one of allowedOrigins (e.g. "http://127.0.0.1:8233",
// no trailing slash needed) gets Access-Control-Allow-Origin echoing it and
// Access-Control-Allow-Credentials: true, and an OPTIONS preflight also gets the allowed methods
// (POST, OPTIONS) and headers (Content-Type, X-Namespace, Authorization). A request carrying any
// other Origin is refused with 403 and no CORS headers; requests without Origin (the CLI, curl)
// are served. Bodies over MaxBodyBytes get 413.
//
// The decode endpoint decrypts whatever it is sent and has no authentication of its own: expose
// it only where the operators who may read histories in clear text can reach it.
func Handler(k *Keyring, allowedOrigins []string) http.Handler {
	allowed := map[string]bool{}
	for _, o := range allowedOrigins {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			allowed[o] = true
		}
	}
	return &handler{codec: NewCodec(k), allowed: allowed}
}

type handler struct {
	codec   *Codec
	allowed map[string]bool
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Add("Vary", "Origin")
	if origin := r.Header.Get("Origin"); origin != "" {
		if !h.allowed[origin] {
			http.Error(w, "origin not allowed", http.StatusForbidden)
			return
		}
		hdr.Set("Access-Control-Allow-Origin", origin)
		hdr.Set("Access-Control-Allow-Credentials", "true")
	}

	var op func([]*commonpb.Payload) ([]*commonpb.Payload, error)
	switch path.Base(r.URL.Path) {
	case "encode":
		op = h.codec.Encode
	case "decode":
		op = h.codec.Decode
	default:
		http.NotFound(w, r)
		return
	}

	switch r.Method {
	case http.MethodOptions:
		if hdr.Get("Access-Control-Allow-Origin") != "" {
			hdr.Set("Access-Control-Allow-Methods", corsAllowMethods)
			hdr.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			hdr.Set("Access-Control-Max-Age", "600")
		}
		hdr.Set("Allow", corsAllowMethods)
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodPost:
	default:
		hdr.Set("Allow", corsAllowMethods)
		http.Error(w, "method not allowed; use POST", http.StatusMethodNotAllowed)
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			http.Error(w, fmt.Sprintf("request body exceeds %d MiB", MaxBodyBytes>>20), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "read request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	var in commonpb.Payloads
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, &in); err != nil {
		http.Error(w, `request body is not {"payloads":[...]}: `+err.Error(), http.StatusBadRequest)
		return
	}
	out, err := op(in.GetPayloads())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	hdr.Set("Content-Type", "application/json")
	_, _ = w.Write(resp)
}
