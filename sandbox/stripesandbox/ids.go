package stripesandbox

import (
	"crypto/rand"
	"math/big"
	"strings"
)

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomString returns n characters from a base62 alphabet using crypto/rand,
// so IDs and secrets are unguessable like Stripe's.
func randomString(n int) string {
	var b strings.Builder
	max := big.NewInt(int64(len(idAlphabet)))
	for i := 0; i < n; i++ {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			// crypto/rand never fails on supported platforms; fall back to a fixed char.
			b.WriteByte('0')
			continue
		}
		b.WriteByte(idAlphabet[v.Int64()])
	}
	return b.String()
}

// newID returns a Stripe-style object ID such as "cus_3QxY…" (prefix + 24 chars).
func newID(prefix string) string { return prefix + "_" + randomString(24) }

// objectTypeForID maps an ID prefix to the Stripe object type stored under it.
func objectTypeForID(id string) string {
	prefix, _, ok := strings.Cut(id, "_")
	if !ok {
		return ""
	}
	switch prefix {
	case "cus":
		return "customer"
	case "pi":
		return "payment_intent"
	case "ch":
		return "charge"
	case "txn":
		return "balance_transaction"
	case "pm":
		return "payment_method"
	case "evt":
		return "event"
	case "we":
		return "webhook_endpoint"
	}
	return ""
}
