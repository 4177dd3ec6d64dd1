package paytracesandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"mime"
	"net/http"
	"strings"
)

// OAuth error bodies, in the wording of PayTrace's OAuth server (Doorkeeper).
const (
	descInvalidGrant = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
	descInvalidReq   = "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed."
	descUnsupported  = "The authorization grant type is not supported by the authorization server."
	descTokenInvalid = "The access token is invalid"
	descTokenExpired = "The access token expired"
)

// oauthError is an OAuth 2.0 error: {"error":"…","error_description":"…"}.
type oauthError struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.Code == "invalid_token" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="PayTrace", error="invalid_token", error_description="`+e.Description+`"`)
	}
	writeJSON(w, e.Status, e)
}

// tokenResponse is the body of a granted token.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	CreatedAt   int64  `json:"created_at"`
}

// token is POST /oauth/token: the resource-owner password grant, form-encoded.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		writeOAuthError(w, &oauthError{Status: http.StatusBadRequest, Code: "invalid_request", Description: descInvalidReq})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, &oauthError{Status: http.StatusBadRequest, Code: "invalid_request", Description: descInvalidReq})
		return
	}
	f := r.PostForm
	switch f.Get("grant_type") {
	case "password":
	case "":
		writeOAuthError(w, &oauthError{Status: http.StatusBadRequest, Code: "invalid_request", Description: descInvalidReq})
		return
	default:
		writeOAuthError(w, &oauthError{Status: http.StatusBadRequest, Code: "unsupported_grant_type", Description: descUnsupported})
		return
	}
	userOK := subtle.ConstantTimeCompare([]byte(f.Get("username")), []byte(s.cfg.User)) == 1
	passOK := subtle.ConstantTimeCompare([]byte(f.Get("password")), []byte(s.cfg.Password)) == 1
	if !userOK || !passOK {
		writeOAuthError(w, &oauthError{Status: http.StatusUnauthorized, Code: "invalid_grant", Description: descInvalidGrant})
		return
	}
	tok, err := newToken(s.cfg.User)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.now()
	err = s.st.write(r.Context(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(r.Context(), `INSERT INTO tokens (hash, username, created_ns, expires_ns) VALUES (?, ?, ?, ?)`,
			hashToken(tok), s.cfg.User, now.UnixNano(), now.Add(s.cfg.TokenTTL).UnixNano())
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tok, TokenType: "Bearer",
		ExpiresIn: int64(s.cfg.TokenTTL.Seconds()), CreatedAt: now.Unix()})
}

// newToken makes a token shaped like PayTrace's: hex(user):hex(random):base64url(random).
func newToken(user string) (string, error) {
	a, b := make([]byte, 24), make([]byte, 32)
	if _, err := rand.Read(a); err != nil {
		return "", err
	}
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString([]byte(user)) + ":" + hex.EncodeToString(a) + ":" + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashToken is how tokens are stored: only their SHA-256.
func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// authenticate checks "Authorization: Bearer <token>" and returns the token's user.
func (s *Server) authenticate(r *http.Request) (string, *oauthError) {
	invalid := &oauthError{Status: http.StatusUnauthorized, Code: "invalid_token", Description: descTokenInvalid}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", invalid
	}
	user, err := s.tokenUser(r.Context(), strings.TrimSpace(tok))
	switch {
	case errors.Is(err, errTokenExpired):
		return "", &oauthError{Status: http.StatusUnauthorized, Code: "invalid_token", Description: descTokenExpired}
	case err != nil:
		return "", invalid
	}
	return user, nil
}

var (
	errTokenExpired = errors.New("token expired")
	errTokenUnknown = errors.New("token unknown")
)

// tokenUser resolves a token to its user.
func (s *Server) tokenUser(ctx context.Context, tok string) (string, error) {
	var user string
	var expires int64
	err := s.st.db.QueryRowContext(ctx, `SELECT username, expires_ns FROM tokens WHERE hash = ?`, hashToken(tok)).Scan(&user, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errTokenUnknown
	}
	if err != nil {
		return "", err
	}
	if s.now().UnixNano() >= expires {
		return "", errTokenExpired
	}
	return user, nil
}

// expireTokens makes every current token expired now (fault injection).
func (s *Server) expireTokens(ctx context.Context) (int64, error) {
	var n int64
	err := s.st.write(ctx, func(tx *sql.Tx) error {
		now := s.now().UnixNano()
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET expires_ns = ? WHERE expires_ns > ?`, now, now)
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}
