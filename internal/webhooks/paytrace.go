package webhooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// PayTrace has no real webhooks (external-apis.md §3): the poll is how ledgerbridge learns of
// transactions. The sandbox can also POST a signed notification, a project extension that reaches
// the same workflow IDs as the poll, so the two together never post twice.

// payTraceNotification is the extension's body: IDs only, never card data.
type payTraceNotification struct {
	Event         string `json:"event"`
	ID            string `json:"id"`
	TransactionID int64  `json:"transaction_id"`
	BatchNumber   int64  `json:"batch_number"`
	Created       int64  `json:"created"`
}

// PayTraceSignatureHeader carries the notification's signature (t=<unix>,v1=<hex>).
const PayTraceSignatureHeader = "X-PayTrace-Signature"

// payTraceWebhook verifies a PayTrace notification and starts or signals the transaction's (or
// batch's) workflow, which re-fetches it through the export API.
func (g *Gateway) payTraceWebhook(c *gin.Context) {
	const provider = "paytrace"
	sh, err := parseSignedHeader(c.GetHeader(PayTraceSignatureHeader), g.cfg.Tolerance, g.cfg.Now())
	if err != nil {
		g.rejectFor(c, provider, http.StatusBadRequest, OutcomeRejected, "", PayTraceSignatureHeader+": "+err.Error())
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, g.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			g.rejectFor(c, provider, http.StatusRequestEntityTooLarge, OutcomeRejected, "", fmt.Sprintf("notification body exceeds %d bytes", g.cfg.MaxBodyBytes))
			return
		}
		g.rejectFor(c, provider, http.StatusBadRequest, OutcomeRejected, "", "could not read body")
		return
	}
	if err := sh.verify(body, g.cfg.PayTraceSecrets); err != nil {
		g.rejectFor(c, provider, http.StatusBadRequest, OutcomeRejected, "", "signature verification failed: "+err.Error())
		return
	}
	var n payTraceNotification
	if err := json.Unmarshal(body, &n); err != nil || n.Event == "" || n.ID == "" {
		g.rejectFor(c, provider, http.StatusBadRequest, OutcomeRejected, "", "body is not a PayTrace notification (event and id required)")
		return
	}
	c.Set("event", n.ID+" "+n.Event)
	if wf, ok := g.recent.lookup(n.ID); ok {
		c.Set("workflow", wf)
		g.events.WithLabelValues(provider, n.Event, OutcomeCached).Inc()
		c.JSON(http.StatusOK, gin.H{"received": true, "workflowId": wf, "duplicate": true})
		return
	}
	var rt route
	switch {
	case (n.Event == "transaction.success" || n.Event == "transaction.updated") && n.TransactionID > 0:
		id := strconv.FormatInt(n.TransactionID, 10)
		rt = route{workflows.PayTraceTransactionID(n.TransactionID), workflows.PayTraceTransactionWorkflowName, id,
			&workflows.PayTraceTransactionInput{TransactionID: n.TransactionID, Source: "notification"}, true}
	case n.Event == "batch.settled" && n.BatchNumber > 0:
		id := strconv.FormatInt(n.BatchNumber, 10)
		rt = route{workflows.PayTraceBatchID(n.BatchNumber), workflows.PayTraceBatchWorkflowName, id,
			&workflows.PayTraceBatchInput{BatchNumber: n.BatchNumber, Source: "notification"}, true}
	default:
		g.events.WithLabelValues(provider, n.Event, OutcomeIgnored).Inc()
		c.JSON(http.StatusOK, gin.H{"ignored": n.Event, "reason": "no workflow handles this notification"})
		return
	}
	g.dispatch(c, provider, n.ID, n.Event, n.Created, rt)
}
