package sagesandbox

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// spCustomer is an arcust01 record. Character columns are fixed width; codes are upper case.
type spCustomer struct {
	Custno   string `json:"custno"`
	Company  string `json:"company"`
	Contact  string `json:"contact"`
	Address1 string `json:"address1"`
	Address2 string `json:"address2"`
	City     string `json:"city"`
	State    string `json:"state"`
	Zip      string `json:"zip"`
	Country  string `json:"country"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
	Stripeid string `json:"stripeid"` // user-defined field: the processor's customer ID
	Currcode string `json:"currcode"`
	Status   string `json:"status"`             // A active, I inactive
	Entered  string `json:"entered,omitempty"`  // MM/DD/YYYY
	Lastupdt string `json:"lastupdt,omitempty"` // audit stamp, RFC 3339
}

func (c *spCustomer) index() index { return index{ExternalRef: c.Stripeid, Email: c.Email} }

func spLoadCustomer(t *txn, id string) (*ldCust, error) {
	var c spCustomer
	found, err := t.get(spKindCustomer, id, &c)
	if err != nil || !found {
		return nil, err
	}
	return &ldCust{ID: c.Custno, Curr: c.Currcode, Active: c.Status == "A"}, nil
}

var spCodeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]*$`)

// spCode validates an upper-case code column (custno, state, country).
func spCode(field, v string, width int) error {
	if err := checkLen(field, v, width); err != nil {
		return err
	}
	if v != "" && v != strings.ToUpper(v) {
		return badField(field, "%s %q must be upper case", field, v)
	}
	return nil
}

func (c *spCustomer) validate() error {
	if strings.TrimSpace(c.Company) == "" {
		return badField("company", "company is required")
	}
	widths := []struct {
		field, v string
		max      int
	}{{"company", c.Company, 40}, {"contact", c.Contact, 30}, {"address1", c.Address1, 40}, {"address2", c.Address2, 40},
		{"city", c.City, 20}, {"zip", c.Zip, 10}, {"phone", c.Phone, 20}, {"email", c.Email, 60}, {"stripeid", c.Stripeid, 50}}
	for _, w := range widths {
		if err := checkLen(w.field, w.v, w.max); err != nil {
			return err
		}
	}
	if err := firstErr(spCode("state", c.State, 10), spCode("country", c.Country, 3)); err != nil {
		return err
	}
	if c.Email != "" && !emailRE.MatchString(c.Email) {
		return badField("email", "email %q is not a valid e-mail address", c.Email)
	}
	cur, err := checkCurr("currcode", c.Currcode, "USD")
	if err != nil {
		return err
	}
	c.Currcode = cur
	switch c.Status {
	case "":
		c.Status = "A"
	case "A", "I":
	default:
		return badField("status", "status %q must be A (active) or I (inactive)", c.Status)
	}
	return nil
}

func (s *Server) spCreateCustomer(r *http.Request) (int, any, error) {
	var c spCustomer
	if err := decodeBody(r, &c); err != nil {
		return 0, nil, err
	}
	if c.Custno != "" {
		if err := spCode("custno", c.Custno, 10); err != nil {
			return 0, nil, err
		}
		if !spCodeRE.MatchString(c.Custno) {
			return 0, nil, badField("custno", "custno %q may contain only A-Z, 0-9 and '-'", c.Custno)
		}
	}
	if err := firstErr(spReadOnly("entered", c.Entered != ""), spReadOnly("lastupdt", c.Lastupdt != ""), c.validate()); err != nil {
		return 0, nil, err
	}
	err := s.st.write(r.Context(), func(t *txn) error {
		if c.Custno != "" {
			taken, err := t.exists(spKindCustomer, c.Custno)
			if err != nil {
				return err
			}
			if taken {
				return conflict("custno", "custno %q already exists", c.Custno)
			}
		} else {
			for {
				n, err := t.next(spKindCustomer)
				if err != nil {
					return err
				}
				c.Custno = fmt.Sprintf("C%06d", n)
				taken, err := t.exists(spKindCustomer, c.Custno)
				if err != nil {
					return err
				}
				if !taken {
					break
				}
			}
		}
		c.Entered, c.Lastupdt = t.now.Format(spDateLayout), stamp(t.now)
		return t.insert(spKindCustomer, c.Custno, &c)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, &c, nil
}

// spUpdateCustomer replaces the record; omitted currcode and status keep their values.
func (s *Server) spUpdateCustomer(r *http.Request) (int, any, error) {
	id := r.PathValue("id")
	var c spCustomer
	if err := decodeBody(r, &c); err != nil {
		return 0, nil, err
	}
	if c.Custno != "" && c.Custno != id {
		return 0, nil, badField("custno", "custno %q in the body does not match %q in the path; customer numbers cannot be changed", c.Custno, id)
	}
	c.Custno = id
	err := s.st.write(r.Context(), func(t *txn) error {
		var old spCustomer
		found, err := t.get(spKindCustomer, id, &old)
		if err != nil {
			return err
		}
		if !found {
			return notFound("customer %q does not exist in arcust01", id)
		}
		if c.Currcode == "" {
			c.Currcode = old.Currcode
		}
		if c.Status == "" {
			c.Status = old.Status
		}
		if err := c.validate(); err != nil {
			return err
		}
		if c.Currcode != old.Currcode {
			for _, e := range []string{ldOrder, ldInvoice, ldCredit, ldPayment} {
				docs, err := t.list(sp.kind(e), filter{CustomerID: id})
				if err != nil {
					return err
				}
				if len(docs) > 0 {
					return conflict("currcode", "customer %q has documents in %s; currcode cannot change to %s", id, old.Currcode, c.Currcode)
				}
			}
		}
		c.Entered, c.Lastupdt = old.Entered, stamp(t.now)
		return t.update(spKindCustomer, id, &c)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, &c, nil
}

func (s *Server) spGetCustomer(r *http.Request) (int, any, error) {
	return getOne[spCustomer](s, r, spKindCustomer, "customer (arcust01)", r.PathValue("id"))
}

func (s *Server) spListCustomers(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef", "email", "modifiedSince")
	if err != nil {
		return 0, nil, err
	}
	since, err := sinceParam(q)
	if err != nil {
		return 0, nil, err
	}
	return listMatching[spCustomer](s, r, spKindCustomer, filter{ExternalRef: q.Get("externalRef"), Email: q.Get("email"), ModifiedSince: since})
}
