// Package workflows holds ledgerbridge's deterministic orchestration. Workflows never touch the
// network, the clock or map iteration order: every external effect is an activity.
package workflows

import "go.temporal.io/sdk/temporal"

// TaskQueue is the default task queue the worker polls and the gateway starts workflows on.
const TaskQueue = "ledgerbridge"

// OrderToCashWorkflowName is the registered name of OrderToCash (stable across refactors).
const OrderToCashWorkflowName = "OrderToCash"

// OrderToCashID is the workflow ID for a Stripe charge. It is derived from the charge, not the
// event, so charge.succeeded, payment_intent.succeeded and every redelivery reach the same run.
func OrderToCashID(chargeID string) string { return "order-to-cash/stripe/" + chargeID }

// Signal and query names of order-to-cash (and of every workflow that parks).
const (
	QueryStatus   = "status"
	SignalRetry   = "retry"
	SignalAbandon = "abandon"
)

// Run statuses, shown by the status query and the LedgerStatus search attribute.
const (
	StatusReceived       = "Received"
	StatusRunning        = "Running"
	StatusNeedsAttention = "NeedsAttention"
	StatusPosted         = "Posted"
	StatusAbandoned      = "Abandoned"
	StatusCompensating   = "Compensating"
	StatusSkipped        = "Skipped"
	// StatusDispatched: a run that only started other runs (charge.refunded → one run per refund).
	StatusDispatched = "Dispatched"
	StatusWaiting    = "WaitingForOrderToCash"
	// StatusWaitingCapture: an authorised charge waits for its capture before it is posted.
	StatusWaitingCapture = "WaitingForCapture"
)

// Search attributes operators filter on in Temporal Web UI. `make run` registers them with the
// dev server; a production cluster needs `temporal operator search-attribute create` (README).
var (
	SAProvider       = temporal.NewSearchAttributeKeyKeyword("Provider")
	SAProviderObject = temporal.NewSearchAttributeKeyKeyword("ProviderObjectID")
	SACustomerEmail  = temporal.NewSearchAttributeKeyKeyword("CustomerEmail")
	SAErpDocument    = temporal.NewSearchAttributeKeyKeyword("ErpDocument")
	SALedgerStatus   = temporal.NewSearchAttributeKeyKeyword("LedgerStatus")
	SANeedsAttention = temporal.NewSearchAttributeKeyBool("NeedsAttention")
	SAAmount         = temporal.NewSearchAttributeKeyFloat64("Amount")
	// SAAnomaly lists the anomaly rules a run's charge tripped (activities.RuleRepeatedCharge, …).
	SAAnomaly = temporal.NewSearchAttributeKeyKeywordList("Anomaly")
)

// SearchAttributeTypes maps each search attribute to the type name the Temporal CLI expects.
var SearchAttributeTypes = [][2]string{
	{"Provider", "Keyword"}, {"ProviderObjectID", "Keyword"}, {"CustomerEmail", "Keyword"},
	{"ErpDocument", "Keyword"}, {"LedgerStatus", "Keyword"}, {"NeedsAttention", "Bool"}, {"Amount", "Double"},
	{"Anomaly", "KeywordList"},
}
