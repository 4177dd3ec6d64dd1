package tests

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"go.temporal.io/api/workflowservice/v1"
	tclient "go.temporal.io/sdk/client"

	"github.com/ledgerbridge/ledgerbridge/activities"
	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/workflows"
)

// Parity: the two-way customer sync works on Sage X3 and Sage Pro as on Sage 500. A Stripe
// customer becomes one ERP customer, linked both ways under this ERP's metadata key, and follows
// edits; a customer created and edited in the ERP reaches Stripe through the schedule, and a
// converged sync writes nothing.
func TestCustomerSyncOnEveryERP(t *testing.T) {
	for _, name := range []string{"sagex3", "sagepro"} {
		t.Run(name, func(t *testing.T) {
			e := newMonthEnv(t, "ERP="+name)
			ctx := context.Background()
			conn := e.connector(t, name)
			keys := activities.MetaKeysFor(name)

			// Stripe → ERP.
			email := fmt.Sprintf("sync-%s@example.com", uniqueSuffix())
			cus, err := e.sc.Customers.New(&stripe.CustomerParams{Name: stripe.String("Katherine Johnson"), Email: stripe.String(email),
				Address: &stripe.AddressParams{Line1: stripe.String("1 Langley Blvd"), City: stripe.String("Hampton"), State: stripe.String("VA"),
					PostalCode: stripe.String("23681"), Country: stripe.String("US")}})
			if err != nil {
				t.Fatal(err)
			}
			var res workflows.CustomerResult
			waitDone(t, e.tc, workflows.CustomerID(cus.ID), &res, time.Minute)
			c, err := conn.FindCustomerByExternalRef(ctx, cus.ID)
			if err != nil || c == nil || c.Email != email {
				t.Fatalf("ERP customer for %s: %+v %v", cus.ID, c, err)
			}
			eventually(t, 30*time.Second, func() bool {
				got, _ := e.sc.Customers.Get(cus.ID, nil)
				return got != nil && got.Metadata[keys.CustomerID] == c.ID
			}, "Stripe metadata %s = %s", keys.CustomerID, c.ID)
			if _, err := e.sc.Customers.Update(cus.ID, &stripe.CustomerParams{Name: stripe.String("Katherine G. Johnson")}); err != nil {
				t.Fatal(err)
			}
			eventually(t, 30*time.Second, func() bool {
				got, _ := conn.GetCustomer(ctx, c.ID)
				return got != nil && got.Name == "Katherine G. Johnson"
			}, "the ERP customer follows the Stripe edit")

			// ERP → Stripe.
			made, err := conn.CreateCustomer(ctx, erp.Customer{Name: "Dorothy Vaughan", Email: fmt.Sprintf("erp-%s@example.com", uniqueSuffix()),
				Currency: "USD", Active: true, Address: erp.Address{Line1: "2 Mercury Way", City: "Hampton", State: "VA", PostalCode: "23666", Country: "US"}})
			if err != nil {
				t.Fatal(err)
			}
			if r := e.triggerSync(t); r.Created < 1 {
				t.Fatalf("sync created nothing: %+v", r)
			}
			linked, err := conn.GetCustomer(ctx, made.ID)
			if err != nil || linked.ExternalRef == "" {
				t.Fatalf("ERP customer %s not linked: %+v %v", made.ID, linked, err)
			}
			got, err := e.sc.Customers.Get(linked.ExternalRef, nil)
			if err != nil || got.Name != "Dorothy Vaughan" || got.Metadata[keys.CustomerID] != made.ID {
				t.Fatalf("Stripe customer %+v %v", got, err)
			}
			linked.Name = "Dorothy J. Vaughan"
			if _, err := conn.UpdateCustomer(ctx, *linked); err != nil {
				t.Fatal(err)
			}
			e.triggerSync(t)
			if got, _ = e.sc.Customers.Get(linked.ExternalRef, nil); got.Name != "Dorothy J. Vaughan" {
				t.Fatalf("Stripe name %q after the ERP edit", got.Name)
			}
			time.Sleep(2 * time.Second)
			e.triggerSync(t)
			if again := e.triggerSync(t); again.Created != 0 || again.Updated != 0 {
				t.Fatalf("a converged sync still writes: %+v", again)
			}
		})
	}
}

func eventually(t *testing.T, within time.Duration, ok func() bool, what string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: "+what, append([]any{within}, args...)...)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// triggerSync runs this stack's ERP → Stripe schedule now and returns that run's result.
func (e *monthEnv) triggerSync(t *testing.T) workflows.CustomerSyncResult {
	t.Helper()
	var res workflows.CustomerSyncResult
	e.triggerSchedule(t, workflows.CustomerSyncScheduleID, workflows.CustomerSyncWorkflowName, &res)
	return res
}

// triggerSchedule runs a schedule now and decodes the result of that run into out.
func (e *monthEnv) triggerSchedule(t *testing.T, scheduleID, workflowType string, out any) {
	t.Helper()
	ctx := context.Background()
	runs := func() [][2]string {
		resp, err := e.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf(`WorkflowType = %q AND ExecutionStatus = "Completed"`, workflowType)})
		if err != nil {
			t.Fatal(err)
		}
		var out [][2]string
		for _, x := range resp.Executions {
			out = append(out, [2]string{x.Execution.WorkflowId, x.Execution.RunId})
		}
		return out
	}
	before := len(runs())
	h := e.tc.ScheduleClient().GetHandle(ctx, scheduleID)
	eventually(t, 30*time.Second, func() bool { _, err := h.Describe(ctx); return err == nil }, "schedule %s", scheduleID)
	if err := h.Trigger(ctx, tclient.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, func() bool {
		r := runs()
		if len(r) <= before {
			return false
		}
		if err := e.tc.GetWorkflow(ctx, r[0][0], r[0][1]).Get(ctx, out); err != nil {
			t.Fatal(err)
		}
		return true
	}, "the triggered run of %s completes", scheduleID)
}
