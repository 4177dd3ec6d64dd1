package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"go.uber.org/zap"
)

// Alert tells operators that a run parked. It always logs at error level (log shippers alert on
// it) and, when configured, POSTs the alert as JSON to a webhook (Slack, PagerDuty, …).
func (a *Activities) Alert(ctx context.Context, in *AlertInput) (*AlertResult, error) {
	a.log().Error("run needs attention", zap.String("workflowId", in.WorkflowID),
		zap.String("step", in.Step), zap.String("problem", in.Problem))
	if a.Settings.AlertWebhookURL == "" {
		return &AlertResult{}, nil
	}
	body, _ := json.Marshal(map[string]string{
		"text":       fmt.Sprintf("ledgerbridge: %s needs attention at %s: %s", in.WorkflowID, in.Step, in.Problem),
		"workflowId": in.WorkflowID, "step": in.Step, "problem": in.Problem,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Settings.AlertWebhookURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("alert webhook answered %s", resp.Status)
	}
	return &AlertResult{}, nil
}
