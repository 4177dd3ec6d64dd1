package codec

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// testKey returns a deterministic 32-byte key filled with b, in standard base64.
func testKey(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

// mustKeyring parses s or fails the test.
func mustKeyring(t *testing.T, s string) *Keyring {
	t.Helper()
	k, err := ParseKeyring(s)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return k
}

func TestParseKeyring(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb}, 32) // encodes with '+' / '-' and '/' / '_'
	tests := []struct {
		name    string
		in      string
		wantIDs []string // nil: nil keyring
	}{
		{"empty is off", "", nil},
		{"blank is off", "  \t", nil},
		{"one key", "k1:" + testKey(1), []string{"k1"}},
		{"first key encrypts", "k2:" + testKey(2) + ",k1:" + testKey(1), []string{"k2", "k1"}},
		{"spaces around entries", " k2 : " + testKey(2) + " , k1:" + testKey(1) + " ", []string{"k2", "k1"}},
		{"raw std base64", "a.b_c-D9:" + base64.RawStdEncoding.EncodeToString(raw), []string{"a.b_c-D9"}},
		{"raw url base64", "u:" + base64.RawURLEncoding.EncodeToString(raw), []string{"u"}},
		{"64-character ID", strings.Repeat("x", 64) + ":" + testKey(1), []string{strings.Repeat("x", 64)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := mustKeyring(t, tt.in)
			if tt.wantIDs == nil {
				if k != nil {
					t.Fatalf("keyring = %v, want nil", k)
				}
				return
			}
			if got := strings.Join(k.KeyIDs(), ","); got != strings.Join(tt.wantIDs, ",") {
				t.Errorf("KeyIDs = %s, want %v", got, tt.wantIDs)
			}
			if k.EncryptionKeyID() != tt.wantIDs[0] {
				t.Errorf("EncryptionKeyID = %s, want %s", k.EncryptionKeyID(), tt.wantIDs[0])
			}
		})
	}
}

func TestParseKeyringErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 16))
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"short key", "k2:" + testKey(2) + ",k1:" + short,
			`LEDGERBRIDGE_CODEC_KEYS: entry 2: key "k1" is 16 bytes; want 32 (base64 of 32 random bytes, e.g. openssl rand -base64 32)`},
		{"long key", "k1:" + base64.StdEncoding.EncodeToString(make([]byte, 48)), `entry 1: key "k1" is 48 bytes; want 32`},
		{"not base64", "k1:" + testKey(1)[:43] + "!", `entry 1: key "k1" is not valid base64`},
		{"no colon", testKey(1), "entry 1 has no colon; want ID:BASE64KEY"},
		{"empty key", "k1:", `entry 1: key "k1" is 0 bytes`},
		{"empty ID", ":" + testKey(1), "entry 1: key ID must be 1-64 characters of A-Z a-z 0-9 . _ - (got 0 characters)"},
		{"ID too long", strings.Repeat("x", 65) + ":" + testKey(1), "(got 65 characters)"},
		{"ID with space", "my key:" + testKey(1), "entry 1: key ID must be"},
		{"ID that looks like a key", testKey(9) + ":" + testKey(1), "entry 1: key ID must be"},
		{"duplicate ID", "k1:" + testKey(1) + ",k1:" + testKey(2), `entry 2: key ID "k1" is listed twice`},
		{"trailing comma", "k1:" + testKey(1) + ",", "entry 2 is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKeyring(tt.in)
			if err == nil {
				t.Fatalf("ParseKeyring = %v, want error containing %q", k, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			for _, secret := range []string{testKey(1), testKey(2), testKey(9), short} {
				if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:20]) {
					t.Errorf("error %q echoes key material", err)
				}
			}
		})
	}
}

func TestKeyringPrintsNoKeyMaterial(t *testing.T) {
	k := mustKeyring(t, "k2:"+testKey(2)+",k1:"+testKey(1))
	if got := k.String(); got != "keyring(k2,k1)" {
		t.Errorf("String = %q", got)
	}
	var nilK *Keyring
	if got := nilK.String(); got != "keyring(off)" {
		t.Errorf("nil String = %q", got)
	}
	if nilK.EncryptionKeyID() != "" || nilK.KeyIDs() != nil {
		t.Error("nil keyring accessors should return zero values")
	}
}
