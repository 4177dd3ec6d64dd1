package stripesandbox

import (
	"crypto/rand"
)

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomString returns n characters from a base62 alphabet using crypto/rand,
// so IDs and secrets are unguessable like Stripe's.
// Bytes are drawn in batches and rejection-sampled (values >= 248 = 4*62 are
// skipped) so every character is uniform; bulk endpoints mint 100,000 IDs.
func randomString(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			// crypto/rand never fails on supported platforms; fall back to a fixed char.
			for len(out) < n {
				out = append(out, '0')
			}
			break
		}
		for _, b := range buf {
			if b >= 248 {
				continue
			}
			out = append(out, idAlphabet[int(b)%len(idAlphabet)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}

// newID returns a Stripe-style object ID such as "cus_3QxY…" (prefix + 24 chars).
func newID(prefix string) string { return prefix + "_" + randomString(24) }
