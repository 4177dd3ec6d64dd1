package codec

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

func TestDataConverterRoundTrip(t *testing.T) {
	k := mustKeyring(t, "k1:"+testKey(1))
	tests := []struct {
		name string
		keys *Keyring
		enc  string // encoding the payload carries
	}{
		{"encryption on", k, EncodingEncrypted},
		{"encryption off", nil, "json/plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dc := DataConverter(tt.keys)
			in := customer{Name: "Ada Lovelace", Email: testEmail}
			p, err := dc.ToPayload(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(p.Metadata[converter.MetadataEncoding]); got != tt.enc {
				t.Errorf("encoding = %q, want %q", got, tt.enc)
			}
			var out customer
			if err := dc.FromPayload(p, &out); err != nil {
				t.Fatalf("FromPayload: %v", err)
			}
			if out != in {
				t.Errorf("FromPayload = %+v, want %+v", out, in)
			}
			if s := dc.ToString(p); !strings.Contains(s, testEmail) {
				t.Errorf("ToString = %q, want the decoded value", s)
			}
		})
	}
}

// spyCodec records the payloads that cross it, i.e. what the Temporal server would store.
type spyCodec struct {
	mu   sync.Mutex
	seen []*commonpb.Payload
}

func (s *spyCodec) record(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, ps...)
	return ps, nil
}

func (s *spyCodec) Encode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) { return s.record(ps) }
func (s *spyCodec) Decode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) { return s.record(ps) }

func greetActivity(_ context.Context, c customer) (string, error) {
	return "hello " + c.Email, nil
}

func greetWorkflow(ctx workflow.Context, c customer) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var out string
	err := workflow.ExecuteActivity(ctx, greetActivity, c).Get(ctx, &out)
	return out, err
}

// TestSDKWorkflowWithEncryption runs a workflow and an activity through the SDK's test environment
// with the encrypting converter, and checks that every payload between SDK and "server" is
// encrypted.
func TestSDKWorkflowWithEncryption(t *testing.T) {
	k := mustKeyring(t, "k1:"+testKey(1))
	spy := &spyCodec{}
	// Codecs encode last to first, so spy sees what NewCodec produced.
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), spy, NewCodec(k))

	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetDataConverter(dc)
	env.RegisterWorkflow(greetWorkflow)
	env.RegisterActivity(greetActivity)
	env.ExecuteWorkflow(greetWorkflow, customer{Name: "Ada", Email: testEmail})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got != "hello "+testEmail {
		t.Errorf("result = %q", got)
	}

	spy.mu.Lock()
	defer spy.mu.Unlock()
	if len(spy.seen) == 0 {
		t.Fatal("no payload crossed the codec")
	}
	for i, p := range spy.seen {
		if enc := string(p.Metadata[converter.MetadataEncoding]); enc != EncodingEncrypted {
			t.Errorf("payload %d has encoding %q, want %q", i, enc, EncodingEncrypted)
		}
		if bytes.Contains(p.Data, []byte(testEmail)) {
			t.Errorf("payload %d contains the email in clear text", i)
		}
	}
}

func TestFailureConverterEncryptsMessages(t *testing.T) {
	k := mustKeyring(t, "k1:"+testKey(1))
	tests := []struct {
		name      string
		keys      *Keyring
		encrypted bool
	}{
		{"encryption on", k, true},
		{"encryption off", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := FailureConverter(tt.keys)
			msg := "customer Ada <" + testEmail + "> not found in Sage"
			f := fc.ErrorToFailure(temporal.NewNonRetryableApplicationError(msg, "CustomerNotFound", nil))
			if inClear := strings.Contains(f.GetMessage(), testEmail); inClear == tt.encrypted {
				t.Errorf("failure message %q; encrypted = %v", f.GetMessage(), tt.encrypted)
			}
			if tt.encrypted {
				if enc := f.GetEncodedAttributes(); enc == nil || bytes.Contains(enc.GetData(), []byte(testEmail)) {
					t.Errorf("encoded attributes = %v, want encrypted", enc)
				}
			}
			var appErr *temporal.ApplicationError
			if err := fc.FailureToError(f); !errors.As(err, &appErr) || appErr.Message() != msg || appErr.Type() != "CustomerNotFound" {
				t.Errorf("FailureToError = %v, want the original application error", err)
			}
		})
	}
}
