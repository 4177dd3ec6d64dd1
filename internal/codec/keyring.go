// Package codec encrypts Temporal payloads so that the names, emails, addresses and descriptions
// that workflows carry are not stored in clear text in Temporal histories.
//
// A Keyring holds AES-256 keys parsed from LEDGERBRIDGE_CODEC_KEYS; Codec is the
// converter.PayloadCodec that uses it (AES-256-GCM, random nonce per payload); DataConverter wraps
// the SDK's default converter with it for clients and workers; Handler serves the same codec over
// HTTP for Temporal Web UI and the temporal CLI (a "codec server").
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"fmt"
	"strings"
)

// KeysEnv is the environment variable the processes read the keyring from.
const KeysEnv = "LEDGERBRIDGE_CODEC_KEYS"

// keySize is the AES-256 key length in bytes.
const keySize = 32

// maxKeyIDLen bounds a key ID, which travels in every encrypted payload's metadata.
const maxKeyIDLen = 64

// Keyring is an ordered set of AES-256 keys, each under an ID. The first key encrypts; every key
// decrypts. It never exposes key material, and prints as its key IDs only.
type Keyring struct {
	ids   []string // in configuration order; ids[0] encrypts
	aeads map[string]cipher.AEAD
}

// ParseKeyring parses a keyring from its configuration form, a comma-separated list of
// ID:BASE64KEY entries such as "k2:BASE64KEY,k1:BASE64KEY". Each key is 32 bytes in standard
// base64 (padded or not; URL-safe base64 is accepted too) and each ID is 1-64 characters of
// A-Z a-z 0-9 . _ -, unique in the list. The first entry encrypts new payloads and all entries
// decrypt, so a key is rotated by adding a new one in front and keeping the old ones until the
// histories they encrypted are gone. An empty (or all-blank) s returns a nil keyring and no
// error: encryption is off. Errors name the entry and key ID but never echo key material.
func ParseKeyring(s string) (*Keyring, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for i, entry := range strings.Split(s, ",") {
		n := i + 1
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("%s: entry %d is empty; want ID:BASE64KEY entries separated by commas", KeysEnv, n)
		}
		id, b64, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("%s: entry %d has no colon; want ID:BASE64KEY", KeysEnv, n)
		}
		id, b64 = strings.TrimSpace(id), strings.TrimSpace(b64)
		if !validKeyID(id) {
			// The ID is not echoed: a malformed entry may have the key where the ID belongs.
			return nil, fmt.Errorf("%s: entry %d: key ID must be 1-%d characters of A-Z a-z 0-9 . _ - (got %d characters)", KeysEnv, n, maxKeyIDLen, len(id))
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("%s: entry %d: key ID %q is listed twice", KeysEnv, n, id)
		}
		key, ok := decodeKey(b64)
		if !ok {
			return nil, fmt.Errorf("%s: entry %d: key %q is not valid base64 (want base64 of 32 random bytes, e.g. openssl rand -base64 32)", KeysEnv, n, id)
		}
		if len(key) != keySize {
			return nil, fmt.Errorf("%s: entry %d: key %q is %d bytes; want %d (base64 of 32 random bytes, e.g. openssl rand -base64 32)", KeysEnv, n, id, len(key), keySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("%s: entry %d: key %q: %v", KeysEnv, n, id, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("%s: entry %d: key %q: %v", KeysEnv, n, id, err)
		}
		k.ids = append(k.ids, id)
		k.aeads[id] = aead
	}
	return k, nil
}

// EncryptionKeyID returns the ID of the key that encrypts new payloads (the first one listed), or
// "" for a nil keyring.
func (k *Keyring) EncryptionKeyID() string {
	if k == nil {
		return ""
	}
	return k.ids[0]
}

// KeyIDs returns every key ID in configuration order, the encrypting one first (nil for a nil
// keyring).
func (k *Keyring) KeyIDs() []string {
	if k == nil {
		return nil
	}
	return append([]string(nil), k.ids...)
}

// String lists the key IDs, never the keys, so a keyring is safe to log.
func (k *Keyring) String() string {
	if k == nil {
		return "keyring(off)"
	}
	return "keyring(" + strings.Join(k.ids, ",") + ")"
}

// GoString is String, so that %#v does not print key schedules either.
func (k *Keyring) GoString() string { return k.String() }

// decodeKey accepts standard base64 (padded or raw) and URL-safe base64 (padded or raw).
func decodeKey(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// validKeyID reports whether id matches [A-Za-z0-9._-]{1,64}.
func validKeyID(id string) bool {
	if id == "" || len(id) > maxKeyIDLen {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}
