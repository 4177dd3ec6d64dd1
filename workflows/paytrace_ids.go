package workflows

import "strconv"

// PayTrace workflow names, IDs and schedule (see paytrace.go).
const (
	PayTraceTransactionWorkflowName = "PayTraceTransaction"
	PayTraceBatchWorkflowName       = "PayTraceBatch"
	PayTracePollWorkflowName        = "PayTracePoll"
	// PayTracePollScheduleID is the Temporal Schedule that polls PayTrace's exports.
	PayTracePollScheduleID = "paytrace-poll"
)

// PayTraceTransactionID is the workflow ID of one PayTrace transaction: the poll, the
// notification extension and reconciliation all reach the same run.
func PayTraceTransactionID(transactionID int64) string {
	return "transaction/paytrace/" + strconv.FormatInt(transactionID, 10)
}

// PayTraceBatchID is the workflow ID of one PayTrace settlement batch.
func PayTraceBatchID(batchNumber int64) string {
	return "batch/paytrace/" + strconv.FormatInt(batchNumber, 10)
}

// PayTraceTransactionInput names a PayTrace transaction; the run re-fetches it.
type PayTraceTransactionInput struct {
	TransactionID int64  `json:"transactionId"`
	Source        string `json:"source,omitempty"` // poll, notification, reconcile
}

// PayTraceBatchInput names a closed PayTrace settlement batch.
type PayTraceBatchInput struct {
	BatchNumber int64  `json:"batchNumber"`
	Source      string `json:"source,omitempty"`
}
