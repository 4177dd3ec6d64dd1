package sagesandbox

import (
	"net/http"
	"regexp"
	"strings"
)

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// validate checks a customer against the Sage 500 column rules and applies defaults.
func (c *s5Customer) validate() error {
	c.CustomerName = strings.TrimSpace(c.CustomerName)
	if c.CustomerName == "" {
		return badField("CustomerName", "CustomerName is required")
	}
	widths := []struct {
		field, v string
		max      int
	}{
		{"CustomerName", c.CustomerName, 40},
		{"EmailAddress", c.EmailAddress, 256},
		{"BillingAddress1", c.BillingAddress1, 40},
		{"BillingAddress2", c.BillingAddress2, 40},
		{"BillingCity", c.BillingCity, 20},
		{"BillingState", c.BillingState, 3},
		{"BillingZip", c.BillingZip, 10},
		{"BillingCountry", c.BillingCountry, 3},
		{"PhoneNumber", c.PhoneNumber, 17},
		{"StripeCustomerID_Custom", c.StripeCustomerID_Custom, 50},
	}
	for _, w := range widths {
		if err := checkLen(w.field, w.v, w.max); err != nil {
			return err
		}
	}
	if c.EmailAddress != "" && !emailRE.MatchString(c.EmailAddress) {
		return badField("EmailAddress", "EmailAddress %q is not a valid e-mail address", c.EmailAddress)
	}
	curr, err := checkCurr("CurrID", c.CurrID, "USD")
	if err != nil {
		return err
	}
	c.CurrID = curr
	switch c.Status {
	case "":
		c.Status = s5Active
	case s5Active, s5Inactive:
	default:
		return badField("Status", "Status %q must be %q or %q", c.Status, s5Active, s5Inactive)
	}
	return nil
}

func (s *Server) s5CreateCustomer(r *http.Request) (int, any, error) {
	var c s5Customer
	if err := decodeBody(r, &c); err != nil {
		return 0, nil, err
	}
	if c.CustomerID != "" {
		if err := checkKey("CustomerID", c.CustomerID, 12); err != nil {
			return 0, nil, err
		}
	}
	if err := c.validate(); err != nil {
		return 0, nil, err
	}
	err := s.st.write(r.Context(), func(t *txn) error {
		if c.CustomerID != "" {
			taken, err := t.exists(s5KindCustomer, c.CustomerID)
			if err != nil {
				return err
			}
			if taken {
				return conflict("CustomerID", "CustomerID %q already exists", c.CustomerID)
			}
		} else {
			// Skip numbers a client already used explicitly.
			for {
				n, err := t.next(s5KindCustomer)
				if err != nil {
					return err
				}
				c.CustomerID = docNo("C", n)
				taken, err := t.exists(s5KindCustomer, c.CustomerID)
				if err != nil {
					return err
				}
				if !taken {
					break
				}
			}
		}
		c.CreateDate, c.UpdateDate = stamp(t.now), stamp(t.now)
		return t.insert(s5KindCustomer, c.CustomerID, &c)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, &c, nil
}

// s5UpdateCustomer replaces every updatable field (PUT semantics); CreateDate is kept.
func (s *Server) s5UpdateCustomer(r *http.Request) (int, any, error) {
	id := r.PathValue("id")
	var c s5Customer
	if err := decodeBody(r, &c); err != nil {
		return 0, nil, err
	}
	if c.CustomerID != "" && c.CustomerID != id {
		return 0, nil, badField("CustomerID", "CustomerID %q in the body does not match %q in the path; customer IDs cannot be changed", c.CustomerID, id)
	}
	c.CustomerID = id
	err := s.st.write(r.Context(), func(t *txn) error {
		var old s5Customer
		found, err := t.get(s5KindCustomer, id, &old)
		if err != nil {
			return err
		}
		if !found {
			return notFound("Customer %q does not exist", id)
		}
		// Omitted CurrID and Status keep their values rather than resetting to defaults.
		if c.CurrID == "" {
			c.CurrID = old.CurrID
		}
		if c.Status == "" {
			c.Status = old.Status
		}
		if err := c.validate(); err != nil {
			return err
		}
		if c.CurrID != old.CurrID {
			if err := checkNoDocuments(t, id, old.CurrID, c.CurrID); err != nil {
				return err
			}
		}
		c.CreateDate, c.UpdateDate = old.CreateDate, stamp(t.now)
		return t.update(s5KindCustomer, id, &c)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, &c, nil
}

func (s *Server) s5GetCustomer(r *http.Request) (int, any, error) {
	return getOne[s5Customer](s, r, s5KindCustomer, "Customer", r.PathValue("id"))
}

func (s *Server) s5ListCustomers(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef", "email", "modifiedSince")
	if err != nil {
		return 0, nil, err
	}
	since, err := sinceParam(q)
	if err != nil {
		return 0, nil, err
	}
	return listMatching[s5Customer](s, r, s5KindCustomer, filter{ExternalRef: q.Get("externalRef"), Email: q.Get("email"), ModifiedSince: since})
}

func (s *Server) s5ListItems(r *http.Request) (int, any, error) {
	if _, err := queryParams(r); err != nil {
		return 0, nil, err
	}
	return listMatching[s5Item](s, r, s5KindItem, filter{})
}

func (s *Server) s5GetItem(r *http.Request) (int, any, error) {
	return getOne[s5Item](s, r, s5KindItem, "Item", r.PathValue("id"))
}

func (s *Server) s5ListAccounts(r *http.Request) (int, any, error) {
	if _, err := queryParams(r); err != nil {
		return 0, nil, err
	}
	return listMatching[s5GLAccount](s, r, s5KindGLAccount, filter{})
}

func (s *Server) s5GetAccount(r *http.Request) (int, any, error) {
	return getOne[s5GLAccount](s, r, s5KindGLAccount, "GLAccount", r.PathValue("id"))
}

// checkNoDocuments refuses a currency change once the customer has sales documents.
func checkNoDocuments(t *txn, id, from, to string) error {
	for _, kind := range []string{s5KindSalesOrder, s5KindInvoice, s5KindCreditMemo, s5KindPayment} {
		docs, err := t.list(kind, filter{CustomerID: id})
		if err != nil {
			return err
		}
		if len(docs) > 0 {
			return conflict("CurrID", "customer %q has documents in %s; CurrID cannot change to %s", id, from, to)
		}
	}
	return nil
}
