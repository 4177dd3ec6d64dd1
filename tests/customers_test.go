package tests

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/api/workflowservice/v1"
	tclient "go.temporal.io/sdk/client"

	"github.com/ledgerbridge/ledgerbridge/internal/devstack"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// A Stripe customer is mirrored in the ERP once, kept up to date, and linked both ways.
func TestStripeCustomerSyncsToERPOnce(t *testing.T) {
	email := fmt.Sprintf("sync-%s@example.com", uniqueSuffix())
	cus, err := sc.Customers.New(&stripe.CustomerParams{Name: stripe.String("Katherine Johnson"), Email: stripe.String(email)})
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.CustomerResult
	waitDone(t, tc, workflows.CustomerID(cus.ID), &res, time.Minute)
	c := requireOne(t, "Customers", byRef(cus.ID))
	if c["CustomerName"] != "Katherine Johnson" || c["EmailAddress"] != email {
		t.Fatalf("ERP customer %v", c)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, _ := sc.Customers.Get(cus.ID, nil)
		if got.Metadata["Sage500CustomerID"] == c["CustomerID"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Stripe metadata %v, want %v", got.Metadata, c["CustomerID"])
		}
		time.Sleep(200 * time.Millisecond)
	}
	// An edit in Stripe updates the same ERP customer.
	if _, err := sc.Customers.Update(cus.ID, &stripe.CustomerParams{Name: stripe.String("Katherine G. Johnson")}); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		c = requireOne(t, "Customers", byRef(cus.ID))
		if c["CustomerName"] == "Katherine G. Johnson" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ERP customer not updated: %v", c)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A payment by the same customer reuses the ERP customer.
	pi, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(1500), Currency: stripe.String("usd"),
		Customer: stripe.String(cus.ID), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	r := waitResult(t, pi.LatestCharge.ID, time.Minute)
	if r.CustomerID != c["CustomerID"] {
		t.Fatalf("order-to-cash used customer %s, want %v", r.CustomerID, c["CustomerID"])
	}
	requireOne(t, "Customers", byRef(cus.ID))
}

// A customer created and edited in the ERP reaches Stripe through the scheduled sync, with the
// cross-reference written both ways, and a converged sync changes nothing.
func TestERPCustomerSyncsToStripeOnSchedule(t *testing.T) {
	email := fmt.Sprintf("erp-%s@example.com", uniqueSuffix())
	var created map[string]any
	doJSON(t, http.MethodPost, stack.SageURL()+"/Sage500API/Customers", devstack.SageKey,
		map[string]any{"CustomerName": "Dorothy Vaughan", "EmailAddress": email, "BillingCity": "Hampton"}, &created)
	id := fmt.Sprint(created["CustomerID"])

	res := triggerSync(t)
	if res.Created < 1 {
		t.Fatalf("sync created nothing: %+v", res)
	}
	c := sageCustomer(t, id)
	stripeID := fmt.Sprint(c["StripeCustomerID_Custom"])
	got, err := sc.Customers.Get(stripeID, nil)
	if err != nil {
		t.Fatalf("no Stripe customer %q for ERP customer %s: %v", stripeID, id, err)
	}
	if got.Email != email || got.Name != "Dorothy Vaughan" || got.Metadata["Sage500CustomerID"] != id {
		t.Fatalf("Stripe customer %+v", got)
	}
	c["CustomerName"] = "Dorothy J. Vaughan"
	for _, k := range []string{"CustomerID", "CreateDate", "UpdateDate"} {
		delete(c, k)
	}
	doJSON(t, http.MethodPut, stack.SageURL()+"/Sage500API/Customers/"+id, devstack.SageKey, c, nil)
	second := triggerSync(t)
	if got, _ = sc.Customers.Get(stripeID, nil); got.Name != "Dorothy J. Vaughan" {
		t.Fatalf("Stripe name %q after the ERP edit (sync %+v)", got.Name, second)
	}
	// The sync's own writes echo back once (customer.updated → ERP, found equal) and then stop.
	time.Sleep(2 * time.Second)
	triggerSync(t)
	if again := triggerSync(t); again.Created != 0 || again.Updated != 0 {
		t.Fatalf("a converged sync still writes: %+v", again)
	}
	if n := len(sageList(t, "Customers", byRef(stripeID))); n != 1 {
		t.Fatalf("%d ERP customers for %s", n, stripeID)
	}
}

func sageCustomer(t *testing.T, id string) map[string]any {
	t.Helper()
	var c map[string]any
	doJSON(t, http.MethodGet, stack.SageURL()+"/Sage500API/Customers/"+id, devstack.SageKey, nil, &c)
	return c
}

// triggerSync runs the ERP → Stripe schedule now and returns that run's result.
func triggerSync(t *testing.T) workflows.CustomerSyncResult {
	t.Helper()
	ctx := context.Background()
	before := len(syncRuns(t))
	h := tc.ScheduleClient().GetHandle(ctx, workflows.CustomerSyncScheduleID)
	// The worker creates the schedule as it starts, which may be just after the stack is ready.
	deadline := time.Now().Add(30 * time.Second)
	for _, err := h.Describe(ctx); err != nil; _, err = h.Describe(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("schedule %s: %v", workflows.CustomerSyncScheduleID, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := h.Trigger(ctx, tclient.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		if runs := syncRuns(t); len(runs) > before {
			var res workflows.CustomerSyncResult
			if err := tc.GetWorkflow(ctx, runs[0][0], runs[0][1]).Get(ctx, &res); err != nil {
				t.Fatal(err)
			}
			return res
		}
		if time.Now().After(deadline) {
			t.Fatal("the triggered sync did not complete")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// syncRuns lists completed sync runs, newest first, as (workflow ID, run ID).
func syncRuns(t *testing.T) [][2]string {
	t.Helper()
	resp, err := tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf(`WorkflowType = %q AND ExecutionStatus = "Completed"`, workflows.CustomerSyncWorkflowName)})
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, e := range resp.Executions {
		out = append(out, [2]string{e.Execution.WorkflowId, e.Execution.RunId})
	}
	return out
}
