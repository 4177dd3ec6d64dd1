package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Signature errors. Each names what a sender got wrong; none echoes the header or a secret.
var (
	errNotSigned      = errors.New("missing signature header")
	errBadHeader      = errors.New("malformed signature header: want t=<unix>,v1=<hex>")
	errNoSignature    = errors.New("no v1 signature matches any configured secret")
	errTooOld         = errors.New("signature timestamp is older than the tolerance")
	errInFuture       = errors.New("signature timestamp is in the future beyond the tolerance")
	errNoSecretConfig = errors.New("no webhook secret configured")
)

// signedHeader is a parsed `t=<unix>,v1=<hex>[,v1=<hex>…]` header, the scheme Stripe uses (and
// the PayTrace sandbox's notification extension copies). Unknown keys are ignored, as Stripe does.
type signedHeader struct {
	timestamp  time.Time
	signatures [][]byte
}

// parseSignedHeader parses the header without looking at the body, so a request whose header
// is missing, malformed or stale is refused before its body is read.
func parseSignedHeader(header string, tolerance time.Duration, now time.Time) (signedHeader, error) {
	var sh signedHeader
	if header == "" {
		return sh, errNotSigned
	}
	if len(header) > 4096 {
		return sh, errBadHeader
	}
	haveT := false
	for _, pair := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			return sh, errBadHeader
		}
		switch k {
		case "t":
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return sh, errBadHeader
			}
			sh.timestamp, haveT = time.Unix(sec, 0), true
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil && len(sig) == sha256.Size {
				sh.signatures = append(sh.signatures, sig)
			}
		}
	}
	if !haveT || len(sh.signatures) == 0 {
		return sh, errBadHeader
	}
	// Stripe's own library checks only the past; a future timestamp would stay valid forever, so
	// a captured request could be replayed at will. Both directions are bounded here.
	switch age := now.Sub(sh.timestamp); {
	case age > tolerance:
		return sh, errTooOld
	case -age > tolerance:
		return sh, errInFuture
	}
	return sh, nil
}

// verify checks the body against every configured secret (several are live while a secret is
// rotated across endpoints); any one matching v1 signature is enough.
func (sh signedHeader) verify(body []byte, secrets []string) error {
	if len(secrets) == 0 {
		return errNoSecretConfig
	}
	ts := strconv.FormatInt(sh.timestamp.Unix(), 10)
	for _, secret := range secrets {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts))
		mac.Write([]byte("."))
		mac.Write(body)
		want := mac.Sum(nil)
		for _, sig := range sh.signatures {
			if hmac.Equal(sig, want) {
				return nil
			}
		}
	}
	return errNoSignature
}

// Sign returns a signature header for body at time t, in the scheme verify accepts. Tests and the
// sandboxes use it.
func Sign(body []byte, secret string, t time.Time) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", t.Unix())
	mac.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", t.Unix(), hex.EncodeToString(mac.Sum(nil)))
}
