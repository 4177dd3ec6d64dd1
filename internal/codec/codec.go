package codec

import (
	"errors"
	"fmt"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Metadata of an encrypted payload. The format (AES-256-GCM, data = 12-byte nonce || ciphertext ||
// tag of the marshalled original Payload) is the one Temporal's encryption samples use.
const (
	// EncodingEncrypted is the "encoding" metadata value of an encrypted payload.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID is the metadata key holding the ID of the key that encrypted the payload.
	MetadataKeyID = "encryption-key-id"
)

var (
	// ErrUnknownKey is returned (wrapped) when a payload was encrypted with a key ID that is not in
	// the keyring.
	ErrUnknownKey = errors.New("unknown encryption key")
	// ErrAuthentication is returned (wrapped) when an encrypted payload fails GCM authentication:
	// it was truncated or altered, or its key ID now names a different key.
	ErrAuthentication = errors.New("encrypted payload fails authentication (altered, truncated, or key replaced under the same ID)")
)

// Codec is a converter.PayloadCodec that encrypts every payload with the keyring's first key and
// decrypts with whichever key the payload names. Payloads that are not encrypted decode unchanged,
// so histories recorded before encryption was turned on stay readable. A Codec with a nil keyring
// encodes nothing and can only decode unencrypted payloads.
//
// Each encryption uses a fresh random 96-bit nonce; rotate the key well before it has encrypted
// 2^32 payloads.
type Codec struct {
	keys *Keyring
}

var _ converter.PayloadCodec = (*Codec)(nil)

// NewCodec returns a Codec over k (which may be nil: encryption off).
func NewCodec(k *Keyring) *Codec { return &Codec{keys: k} }

// Encode encrypts each payload under the keyring's first key. Nil payloads stay nil.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if c.keys == nil {
		return payloads, nil
	}
	id := c.keys.EncryptionKeyID()
	aead := c.keys.aeads[id]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if p == nil {
			continue
		}
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, fmt.Errorf("codec: marshal payload %d: %w", i, err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:              []byte(id),
			},
			Data: aead.Seal(nil, nil, plain, nil),
		}
	}
	return out, nil
}

// Decode decrypts each payload whose encoding is binary/encrypted, restoring the original payload
// with its own encoding and metadata; other payloads are returned unchanged. An encrypted payload
// whose key ID is not in the keyring fails with ErrUnknownKey, and one that does not authenticate
// with ErrAuthentication.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if p == nil || string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		d, err := c.decrypt(p)
		if err != nil {
			return payloads, fmt.Errorf("codec: payload %d: %w", i, err)
		}
		out[i] = d
	}
	return out, nil
}

func (c *Codec) decrypt(p *commonpb.Payload) (*commonpb.Payload, error) {
	id, ok := p.GetMetadata()[MetadataKeyID]
	if !ok || len(id) == 0 {
		return nil, fmt.Errorf("encrypted payload has no %s metadata", MetadataKeyID)
	}
	if c.keys == nil {
		return nil, fmt.Errorf("%w %q: %s is empty, so no key can decrypt it", ErrUnknownKey, string(id), KeysEnv)
	}
	aead, ok := c.keys.aeads[string(id)]
	if !ok {
		return nil, fmt.Errorf("%w %q: %s has only %s", ErrUnknownKey, string(id), KeysEnv, strings.Join(c.keys.ids, ", "))
	}
	plain, err := aead.Open(nil, nil, p.GetData(), nil)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", string(id), ErrAuthentication)
	}
	var orig commonpb.Payload
	if err := proto.Unmarshal(plain, &orig); err != nil {
		return nil, fmt.Errorf("key %q: decrypted data is not a payload: %w", string(id), err)
	}
	return &orig, nil
}

// DataConverter returns the SDK's default data converter wrapped with a Codec over k, or the
// default converter itself when k is nil (encryption off). Give it to client.Options.DataConverter
// in every process that talks to Temporal (worker, gateway, tests, tools).
func DataConverter(k *Keyring) converter.DataConverter {
	if k == nil {
		return converter.GetDefaultDataConverter()
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), NewCodec(k))
}

// FailureConverter returns the SDK's default failure converter, which stores error messages and
// stack traces in clear text, when k is nil; otherwise one that moves them into an encrypted
// payload (EncodeCommonAttributes), so that an error message quoting a customer's name or email
// is encrypted too. The history then shows "Encoded failure" until the codec server decodes it.
// Give it to client.Options.FailureConverter together with DataConverter(k), in every process.
func FailureConverter(k *Keyring) converter.FailureConverter {
	if k == nil {
		return temporal.GetDefaultFailureConverter()
	}
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          DataConverter(k),
		EncodeCommonAttributes: true,
	})
}
