package codec

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// customer stands for a workflow input carrying personal data.
type customer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

const testEmail = "ada.lovelace@example.com"

// payloadsOf converts values with the SDK's default converter, as a client would before the codec.
func payloadsOf(t *testing.T, values ...any) []*commonpb.Payload {
	t.Helper()
	ps, err := converter.GetDefaultDataConverter().ToPayloads(values...)
	if err != nil {
		t.Fatal(err)
	}
	return ps.GetPayloads()
}

func encodeOne(t *testing.T, c *Codec, p *commonpb.Payload) *commonpb.Payload {
	t.Helper()
	out, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return out[0]
}

func TestCodecRoundTrip(t *testing.T) {
	c := NewCodec(mustKeyring(t, "k1:"+testKey(1)))
	tests := []struct {
		name  string
		value any
	}{
		{"json struct", customer{Name: "Ada Lovelace", Email: testEmail}},
		{"nil", nil},
		{"binary/plain", []byte("raw bytes \x00\x01 " + testEmail)},
		{"string", "12 Analytical Engine Way, London"},
		{"number", 12345},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := payloadsOf(t, tt.value)[0]
			enc := encodeOne(t, c, orig)
			if got := string(enc.Metadata[converter.MetadataEncoding]); got != EncodingEncrypted {
				t.Errorf("encoding = %q, want %q", got, EncodingEncrypted)
			}
			if got := string(enc.Metadata[MetadataKeyID]); got != "k1" {
				t.Errorf("key ID = %q, want k1", got)
			}
			if len(enc.Metadata) != 2 {
				t.Errorf("encrypted metadata = %v, want only encoding and key ID", enc.Metadata)
			}
			dec, err := c.Decode([]*commonpb.Payload{enc})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !proto.Equal(dec[0], orig) {
				t.Errorf("decoded %v, want %v", dec[0], orig)
			}
		})
	}
}

func TestCodecHidesPlaintext(t *testing.T) {
	c := NewCodec(mustKeyring(t, "k1:"+testKey(1)))
	orig := payloadsOf(t, customer{Name: "Ada Lovelace", Email: testEmail})[0]
	a, b := encodeOne(t, c, orig), encodeOne(t, c, orig)
	wire, err := proto.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{testEmail, "Ada", "json/plain"} {
		if bytes.Contains(wire, []byte(s)) {
			t.Errorf("encrypted payload contains %q", s)
		}
	}
	if bytes.Equal(a.Data, b.Data) {
		t.Error("two encryptions of the same payload are identical; nonce is not random")
	}
	if len(a.Data) != 12+len(mustMarshal(t, orig))+16 {
		t.Errorf("data is %d bytes, want nonce(12) + plaintext + tag(16)", len(a.Data))
	}
}

func mustMarshal(t *testing.T, p *commonpb.Payload) []byte {
	t.Helper()
	b, err := proto.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCodecKeyRotation(t *testing.T) {
	old := NewCodec(mustKeyring(t, "k1:"+testKey(1)))
	rotated := NewCodec(mustKeyring(t, "k2:"+testKey(2)+",k1:"+testKey(1)))
	orig := payloadsOf(t, customer{Email: testEmail})[0]

	fromOld := encodeOne(t, old, orig)
	dec, err := rotated.Decode([]*commonpb.Payload{fromOld})
	if err != nil {
		t.Fatalf("k1 payload does not decode after rotation: %v", err)
	}
	if !proto.Equal(dec[0], orig) {
		t.Errorf("decoded %v, want %v", dec[0], orig)
	}

	fromNew := encodeOne(t, rotated, orig)
	if got := string(fromNew.Metadata[MetadataKeyID]); got != "k2" {
		t.Errorf("new data encrypted with %q, want k2", got)
	}
	// A process still on the old keyring cannot read k2 data, and says which key it lacks.
	_, err = old.Decode([]*commonpb.Payload{fromNew})
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), `"k2"`) {
		t.Errorf("old keyring on k2 data: err = %v, want ErrUnknownKey naming k2", err)
	}
}

func TestCodecDecodeErrors(t *testing.T) {
	k1 := NewCodec(mustKeyring(t, "k1:"+testKey(1)))
	enc := encodeOne(t, k1, payloadsOf(t, customer{Email: testEmail})[0])
	with := func(mod func(p *commonpb.Payload)) *commonpb.Payload {
		p := proto.Clone(enc).(*commonpb.Payload)
		mod(p)
		return p
	}
	tests := []struct {
		name    string
		codec   *Codec
		payload *commonpb.Payload
		is      error
		want    string
	}{
		{"unknown key ID", NewCodec(mustKeyring(t, "k2:"+testKey(2))), enc, ErrUnknownKey,
			`unknown encryption key "k1": LEDGERBRIDGE_CODEC_KEYS has only k2`},
		{"encryption off", NewCodec(nil), enc, ErrUnknownKey, `"k1": LEDGERBRIDGE_CODEC_KEYS is empty`},
		{"missing key ID", k1, with(func(p *commonpb.Payload) { delete(p.Metadata, MetadataKeyID) }), nil,
			"encrypted payload has no encryption-key-id metadata"},
		{"same ID, different key", NewCodec(mustKeyring(t, "k1:"+testKey(3))), enc, ErrAuthentication, `key "k1"`},
		{"flipped ciphertext byte", k1, with(func(p *commonpb.Payload) { p.Data[20] ^= 1 }), ErrAuthentication, ""},
		{"flipped nonce byte", k1, with(func(p *commonpb.Payload) { p.Data[0] ^= 0x80 }), ErrAuthentication, ""},
		{"flipped tag byte", k1, with(func(p *commonpb.Payload) { p.Data[len(p.Data)-1] ^= 1 }), ErrAuthentication, ""},
		{"truncated", k1, with(func(p *commonpb.Payload) { p.Data = p.Data[:10] }), ErrAuthentication, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.codec.Decode([]*commonpb.Payload{tt.payload})
			if err == nil {
				t.Fatal("Decode succeeded, want error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testKey(1)) {
				t.Errorf("err %q echoes key material", err)
			}
		})
	}
}

func TestCodecPassesUnencryptedThrough(t *testing.T) {
	plain := payloadsOf(t, customer{Email: testEmail}, nil, []byte("x"))
	tests := []struct {
		name  string
		codec *Codec
	}{
		{"keyring", NewCodec(mustKeyring(t, "k1:"+testKey(1)))},
		{"no keyring", NewCodec(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.codec.Decode(plain)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			for i := range plain {
				if !proto.Equal(got[i], plain[i]) {
					t.Errorf("payload %d changed: %v, want %v", i, got[i], plain[i])
				}
			}
		})
	}
	// With encryption off, Encode is the identity too.
	got, err := NewCodec(nil).Encode(plain)
	if err != nil || len(got) != len(plain) || got[0] != plain[0] {
		t.Errorf("Encode with no keyring = %v, %v; want input unchanged", got, err)
	}
}

func TestCodecMixedBatch(t *testing.T) {
	c := NewCodec(mustKeyring(t, "k1:"+testKey(1)))
	plain := payloadsOf(t, "before encryption was on")
	enc, err := c.Encode(payloadsOf(t, customer{Email: testEmail}, "x"))
	if err != nil {
		t.Fatal(err)
	}
	batch := append(append([]*commonpb.Payload{}, plain...), enc...)
	got, err := c.Decode(batch)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	want := append(plain, payloadsOf(t, customer{Email: testEmail}, "x")...)
	for i := range want {
		if !proto.Equal(got[i], want[i]) {
			t.Errorf("payload %d = %v, want %v", i, got[i], want[i])
		}
	}
}
