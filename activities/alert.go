package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/internal/redact"
)

// alertClient posts alerts; its own timeout keeps a slow receiver from holding the activity.
var alertClient = &http.Client{Timeout: 10 * time.Second}

// Alert tells operators that a run parked. It always logs at error level (log shippers alert on
// it) and, when configured, POSTs the alert as JSON to a webhook (Slack, PagerDuty, …).
//
// The webhook payload carries no data values (no names, amounts or ERP messages), only where to
// look: the workflow, the step and the kind of problem; the details are in the run's status
// query. The alert URL carries its receiver's token, so it appears in no error, log or history.
func (a *Activities) Alert(ctx context.Context, in *AlertInput) (*AlertResult, error) {
	kind := problemKind(in.Problem)
	a.log().Error("run needs attention", zap.String("workflowId", in.WorkflowID),
		zap.String("step", in.Step), zap.String("kind", kind), zap.String("problem", redact.Text(in.Problem)))
	if a.Settings.AlertWebhookURL == "" {
		return &AlertResult{}, nil
	}
	body, _ := json.Marshal(map[string]string{
		"text":       fmt.Sprintf("ledgerbridge: %s needs attention at step %s (%s); its status query says why", in.WorkflowID, in.Step, kind),
		"workflowId": in.WorkflowID, "step": in.Step, "kind": kind,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Settings.AlertWebhookURL, bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("alert webhook: invalid LEDGERBRIDGE_ALERT_WEBHOOK_URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := alertClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("alert webhook: %w", withoutURL(err))
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("alert webhook answered %s", resp.Status)
	}
	return &AlertResult{}, nil
}

// problemKind is the error type at the head of a problem text ("ValidationError: …"), or a
// generic kind: never the message itself, which may quote data.
func problemKind(problem string) string {
	if k, _, ok := strings.Cut(problem, ":"); ok && k != "" && !strings.ContainsAny(k, " \t") {
		return k
	}
	return "NeedsAttention"
}

// withoutURL drops the request URL from an HTTP client error (url.Error prints it, token and all).
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
