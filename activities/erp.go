package activities

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"go.uber.org/zap"

	"github.com/ledgerbridge/ledgerbridge/internal/erp"
	"github.com/ledgerbridge/ledgerbridge/internal/posting"
)

// ResolveCustomer finds or creates the ERP customer of a charge, in the seed's order: an operator
// correction, the ERP ID stored in Stripe metadata, the Stripe ID stored in the ERP (which also
// catches a customer this activity created before a crash), the email address, and finally a new
// customer carrying the Stripe ID so the next lookup finds it.
func (a *Activities) ResolveCustomer(ctx context.Context, in *ResolveCustomerInput) (*ResolveCustomerResult, error) {
	ch, err := a.charge(ctx, chargeID(in.ChargeID, in.Legacy))
	if err != nil {
		return nil, err
	}
	c := ch.Customer
	if id := in.Corrections.CustomerID; id != "" {
		if !a.validCustomerID(id) {
			return nil, validation(fmt.Sprintf("corrected CustomerID %q is not a valid %s customer ID", id, a.ERP.Name()))
		}
		cust, err := a.ERP.GetCustomer(ctx, id)
		if err != nil {
			return nil, erpError("get customer "+id, err)
		}
		if cust == nil {
			return nil, validation(fmt.Sprintf("corrected CustomerID %q does not exist in the ERP", id))
		}
		return &ResolveCustomerResult{CustomerID: cust.ID, How: "correction"}, nil
	}
	// The customer's own cross-reference is preferred over one pasted on a single charge. Both
	// are editable by anyone with Stripe dashboard access: an ID that is not valid ERP key syntax
	// is ignored (and matching goes on), never sent to the ERP.
	if id := firstNonEmpty(a.meta().ERPCustomerID(c.Metadata), a.meta().ERPCustomerID(ch.Metadata)); id != "" && !a.validCustomerID(id) {
		a.log().Warn("Stripe metadata holds an ERP customer ID that is not valid for this ERP; ignoring it",
			zap.String("charge", ch.ID), zap.String("key", a.meta().CustomerID), zap.Int("length", len(id)))
	} else if id != "" {
		cust, err := a.ERP.GetCustomer(ctx, id)
		if err != nil {
			return nil, erpError("get customer "+id, err)
		}
		if cust != nil && cust.Active {
			return a.resolved(ctx, cust, ch, "metadata")
		}
		a.log().Warn("Stripe metadata names an ERP customer that is missing or inactive; matching again",
			zap.String("charge", ch.ID), zap.String("erpCustomer", id))
	}
	if c.StripeID != "" {
		cust, err := a.ERP.FindCustomerByExternalRef(ctx, c.StripeID)
		if err != nil {
			return nil, erpError("find customer by Stripe ID", err)
		}
		if cust != nil {
			return a.resolved(ctx, cust, ch, "externalRef")
		}
	}
	if c.Email != "" {
		cust, err := a.ERP.FindCustomerByEmail(ctx, c.Email)
		if err != nil {
			return nil, erpError("find customer by email", err)
		}
		// An ERP customer already linked to another Stripe customer is not this one.
		if cust != nil && cust.ExternalRef != "" && c.StripeID != "" && cust.ExternalRef != c.StripeID {
			cust = nil
		}
		if cust != nil {
			if cust.ExternalRef == "" && c.StripeID != "" {
				// Record the cross-reference so the next charge matches by ID, not by email.
				cust.ExternalRef = c.StripeID
				if _, err := a.ERP.UpdateCustomer(ctx, *cust); err != nil {
					return nil, erpError("link customer "+cust.ID+" to "+c.StripeID, err)
				}
			}
			return a.resolved(ctx, cust, ch, "email")
		}
	}
	if c.StripeID == "" && c.Email == "" {
		return nil, validation(fmt.Sprintf("charge %s has no Stripe customer and no billing email to match an ERP customer; retry with corrections.customerId", ch.ID))
	}
	desired, err := posting.Customer(a.mapping(), ch)
	if err != nil {
		return nil, dataError(err)
	}
	created, how, err := a.createCustomerOnce(ctx, desired, firstNonEmpty(c.StripeID, strings.ToLower(c.Email)))
	if err != nil {
		return nil, err
	}
	return a.resolved(ctx, created, ch, how)
}

// resolved makes sure the customer can take a document in the charge's currency: Sage keeps one
// currency per customer. A customer without documents yet (e.g. created by the customer sync
// before the first charge) is switched to the charge's currency; one with documents in another
// currency parks the run with what to do.
func (a *Activities) resolved(ctx context.Context, cust *erp.Customer, ch *ChargeSnapshot, how string) (*ResolveCustomerResult, error) {
	if cust.Currency != "" && ch.Currency != "" && !strings.EqualFold(cust.Currency, ch.Currency) {
		upd := *cust
		upd.Currency = ch.Currency
		if _, err := a.ERP.UpdateCustomer(ctx, upd); err != nil {
			if erp.IsValidation(err) {
				return nil, validation(fmt.Sprintf("ERP customer %s is kept in %s and already has documents, so it cannot take charge %s in %s: create a %s customer in the ERP and retry with corrections.customerId (ERP said: %v)",
					cust.ID, cust.Currency, ch.ID, ch.Currency, ch.Currency, err))
			}
			return nil, erpError("set currency of customer "+cust.ID, err)
		}
	}
	return &ResolveCustomerResult{CustomerID: cust.ID, How: how}, nil
}

// CustomerKey derives the ERP customer ID from the provider's key (Stripe customer ID, or the
// email of a guest): "S" and 9 base-32 characters of its SHA-256, within every Sage dialect's key
// width. Two workflows that create the same customer at once (order-to-cash and the customer
// sync) then collide on the ERP's primary key instead of creating two customers.
func CustomerKey(providerKey string) string {
	sum := sha256.Sum256([]byte(providerKey))
	return "S" + base32.StdEncoding.EncodeToString(sum[:])[:9]
}

// createCustomerOnce creates c under the deterministic ID for key; when the ERP answers that the
// ID already exists (a concurrent run created it), it returns that customer instead.
func (a *Activities) createCustomerOnce(ctx context.Context, c erp.Customer, key string) (*erp.Customer, string, error) {
	if c.ID != "" && !a.validCustomerID(c.ID) {
		// The mapping rendered the ID from provider data (metadata anyone can edit).
		a.log().Warn("the mapping rendered an ERP customer ID that is not valid for this ERP; using the derived key",
			zap.String("erp", a.ERP.Name()), zap.Int("length", len(c.ID)))
		c.ID = ""
	}
	if c.ID == "" {
		c.ID = CustomerKey(key)
	}
	created, err := a.ERP.CreateCustomer(ctx, c)
	if err == nil {
		a.posted("customer")
		return created, "created", nil
	}
	var v *erp.ValidationError
	if errors.As(err, &v) && v.Status == http.StatusConflict {
		// Another run created it first (same derived key): use theirs. A lookup that fails is
		// retried (transient), never reported as the conflict, which would park the run.
		existing, gerr := a.ERP.GetCustomer(ctx, c.ID)
		if gerr != nil {
			return nil, "", erpError("get customer "+c.ID+" created concurrently", gerr)
		}
		if existing != nil {
			return existing, "externalRef", nil
		}
		if c.ExternalRef != "" {
			existing, ferr := a.ERP.FindCustomerByExternalRef(ctx, c.ExternalRef)
			if ferr != nil {
				return nil, "", erpError("find customer created concurrently", ferr)
			}
			if existing != nil {
				return existing, "externalRef", nil
			}
		}
	}
	return nil, "", erpError("create customer", err)
}

// PostSalesOrder creates the charge's sales order when Settings.CreateSalesOrder is on.
func (a *Activities) PostSalesOrder(ctx context.Context, in *PostDocumentInput) (*PostDocumentResult, error) {
	if !a.Settings.CreateSalesOrder && !in.Required {
		return &PostDocumentResult{Skipped: true}, nil
	}
	res, err := a.postDocument(ctx, erp.KindSalesOrder, in)
	if err != nil {
		return nil, err
	}
	// Where the ERP allocates stock by its own call (X3), make it for the new or reused order:
	// the call is idempotent, so a retry after a crash between create and allocate is safe.
	if al, ok := erp.As[erp.StockAllocator](a.ERP); ok {
		if err := al.AllocateStock(ctx, res.Number); err != nil && !errors.Is(err, erp.ErrUnsupported) {
			return nil, erpError("allocate stock of sales order "+res.Number, err)
		}
	}
	return res, nil
}

// PostInvoice creates the charge's invoice, or returns the one already posted for this charge.
func (a *Activities) PostInvoice(ctx context.Context, in *PostDocumentInput) (*PostDocumentResult, error) {
	return a.postDocument(ctx, erp.KindInvoice, in)
}

func (a *Activities) postDocument(ctx context.Context, kind erp.DocumentKind, in *PostDocumentInput) (*PostDocumentResult, error) {
	ch, err := a.charge(ctx, chargeID(in.ChargeID, in.Legacy))
	if err != nil {
		return nil, err
	}
	existing, err := a.ERP.FindDocument(ctx, kind, ch.ID)
	if err != nil {
		return nil, erpError(fmt.Sprintf("find %s for %s", kind, ch.ID), err)
	}
	if existing != nil && !erp.Dead(existing.Status) {
		return &PostDocumentResult{Number: existing.Number, Total: existing.Total, Reused: true}, nil
	}
	doc, err := posting.Document(a.mapping(), ch, in.CustomerID, in.SalesOrder, posting.Corrections{ItemID: in.Corrections.ItemID})
	if err != nil {
		return nil, dataError(err)
	}
	created, err := a.ERP.CreateDocument(ctx, kind, doc)
	if err != nil {
		return nil, erpError(fmt.Sprintf("create %s for %s", kind, ch.ID), err)
	}
	a.posted(string(kind))
	return &PostDocumentResult{Number: created.Number, Total: created.Total}, nil
}

// ApplyPayment records the charge as a cash receipt against its invoice, or returns the receipt
// already recorded for this charge.
func (a *Activities) ApplyPayment(ctx context.Context, in *ApplyPaymentInput) (*ApplyPaymentResult, error) {
	ch, err := a.charge(ctx, chargeID(in.ChargeID, in.Legacy))
	if err != nil {
		return nil, err
	}
	existing, err := a.ERP.FindPayment(ctx, ch.ID)
	if err != nil {
		return nil, erpError("find payment for "+ch.ID, err)
	}
	if existing != nil && !erp.Dead(existing.Status) {
		return &ApplyPaymentResult{PaymentID: existing.ID, Reused: true}, nil
	}
	plan, err := posting.Payment(a.mapping(), ch, in.CustomerID, in.InvoiceNumber)
	if err != nil {
		return nil, dataError(err)
	}
	plan.SalesOrder = in.SalesOrder
	plan.Account = a.clearingFor(ch)
	p, err := a.ERP.ApplyPayment(ctx, plan)
	if err != nil {
		return nil, erpError("apply payment for "+ch.ID, err)
	}
	a.posted("payment")
	return &ApplyPaymentResult{PaymentID: p.ID}, nil
}

// Compensate voids, newest first, the payment, credit memo, invoice and sales order a run posted. It looks each
// up again and skips what is already void, so running it twice is harmless.
func (a *Activities) Compensate(ctx context.Context, in *CompensateInput) (*CompensateResult, error) {
	res := &CompensateResult{}
	if in.PaymentID != "" {
		if err := a.ERP.VoidPayment(ctx, in.PaymentID); err != nil && !erp.IsValidation(err) {
			return nil, erpError("void payment "+in.PaymentID, err)
		} else if err != nil {
			res.NotVoided = append(res.NotVoided, fmt.Sprintf("payment %s: %v", in.PaymentID, err))
		} else {
			res.Voided = append(res.Voided, "payment "+in.PaymentID)
		}
	}
	for _, d := range []struct {
		kind   erp.DocumentKind
		number string
	}{{erp.KindCreditMemo, in.CreditMemo}, {erp.KindInvoice, in.InvoiceNumber}, {erp.KindSalesOrder, in.SalesOrder}} {
		if d.number == "" {
			continue
		}
		if err := a.ERP.VoidDocument(ctx, d.kind, d.number); err != nil && !erp.IsValidation(err) {
			return nil, erpError(fmt.Sprintf("void %s %s", d.kind, d.number), err)
		} else if err != nil {
			// The ERP refuses (e.g. a credit memo is applied): report it, an operator must act.
			res.NotVoided = append(res.NotVoided, fmt.Sprintf("%s %s: %v", d.kind, d.number, err))
		} else {
			res.Voided = append(res.Voided, fmt.Sprintf("%s %s", d.kind, d.number))
		}
	}
	return res, nil
}

func (a *Activities) date(unix int64) string { return a.mapping().Date(unix) }

// validCustomerID checks an ID from outside against the ERP's key syntax, when the connector
// knows it.
func (a *Activities) validCustomerID(id string) bool {
	if v, ok := a.ERP.(erp.CustomerIDChecker); ok {
		return v.ValidCustomerID(id)
	}
	return true
}

func (a *Activities) log() *zap.Logger {
	if a.Logger == nil {
		return zap.NewNop()
	}
	return a.Logger
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// clearingFor is the account a charge's receipt is deposited to: one clearing account per
// processor, so each ties out on its own (Sage X3 ACC).
func (a *Activities) clearingFor(ch *ChargeSnapshot) string {
	if ch.Provider == "paytrace" {
		return a.GL.PayTraceClearing
	}
	return a.GL.Clearing
}
