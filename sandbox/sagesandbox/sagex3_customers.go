package sagesandbox

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ledgerbridge/ledgerbridge/internal/erp/sagex3/geo"
)

// x3KindCustomer is the store kind of BPC records.
const x3KindCustomer = "sagex3.customer"

// BPCSTA values: X3 local menu 1 = No, 2 = Yes ("active").
const (
	x3Inactive = 1
	x3Active   = 2
)

// x3Customer is a customer business partner (BPCUSTOMER + its default BPADDRESS).
type x3Customer struct {
	BPCNUM    string   `json:"BPCNUM"`
	BPCNAM    string   `json:"BPCNAM"`
	WEB       string   `json:"WEB"` // e-mail
	TEL       string   `json:"TEL"`
	BPAADDLIG []string `json:"BPAADDLIG"` // address lines 1–3
	CTY       string   `json:"CTY"`
	SAT       string   `json:"SAT"`
	POSCOD    string   `json:"POSCOD"`
	CRY       string   `json:"CRY"`
	CUR       string   `json:"CUR"`
	ZEXTREF   string   `json:"ZEXTREF"` // specific field: the processor's customer ID
	BPCSTA    int      `json:"BPCSTA"`
	CREDATTIM string   `json:"CREDATTIM,omitempty"`
	UPDDATTIM string   `json:"UPDDATTIM,omitempty"`
}

func (c *x3Customer) index() index { return index{ExternalRef: c.ZEXTREF, Email: c.WEB} }

func x3LoadCustomer(t *txn, id string) (*ldCust, error) {
	var c x3Customer
	found, err := t.get(x3KindCustomer, id, &c)
	if err != nil || !found {
		return nil, err
	}
	return &ldCust{ID: c.BPCNUM, Curr: c.CUR, Active: c.BPCSTA == x3Active}, nil
}

// validate applies the BPC column rules; X3 does not normalise addresses itself: a state name or
// a lower-case code is rejected, the integration must send codes.
func (c *x3Customer) validate() error {
	c.BPCNAM = strings.TrimSpace(c.BPCNAM)
	if c.BPCNAM == "" {
		return badField("BPCNAM", "BPCNAM (company name) is required")
	}
	if len(c.BPAADDLIG) > 3 {
		return badField("BPAADDLIG", "BPAADDLIG has %d lines; a business partner address has at most 3", len(c.BPAADDLIG))
	}
	widths := []struct {
		field, v string
		max      int
	}{{"BPCNAM", c.BPCNAM, 35}, {"WEB", c.WEB, 80}, {"TEL", c.TEL, 20}, {"CTY", c.CTY, 40},
		{"SAT", c.SAT, 35}, {"POSCOD", c.POSCOD, 10}, {"ZEXTREF", c.ZEXTREF, 50}}
	for i, l := range c.BPAADDLIG {
		widths = append(widths, struct {
			field, v string
			max      int
		}{fmt.Sprintf("BPAADDLIG[%d]", i), l, 50})
	}
	for _, w := range widths {
		if err := checkLen(w.field, w.v, w.max); err != nil {
			return err
		}
	}
	if c.WEB != "" && !emailRE.MatchString(c.WEB) {
		return badField("WEB", "WEB %q is not a valid e-mail address", c.WEB)
	}
	if c.CRY != "" && !geo.KnownCountry(c.CRY) {
		return badField("CRY", "CRY %q is not a country code of table TABCOUNTRY (ISO 3166-1 alpha-2, upper case)", c.CRY)
	}
	if c.SAT != "" && c.CRY == "" {
		return badField("CRY", "CRY is required when SAT is given")
	}
	if !geo.ValidState(c.CRY, c.SAT) {
		return badField("SAT", "SAT %q is not a state code of country %s (use the 2-letter upper-case code, e.g. IL)", c.SAT, c.CRY)
	}
	cur, err := checkCurr("CUR", c.CUR, "USD")
	if err != nil {
		return err
	}
	c.CUR = cur
	switch c.BPCSTA {
	case 0:
		c.BPCSTA = x3Active
	case x3Active, x3Inactive:
	default:
		return badField("BPCSTA", "BPCSTA %d must be 1 (inactive) or 2 (active)", c.BPCSTA)
	}
	if c.BPAADDLIG == nil {
		c.BPAADDLIG = []string{}
	}
	return nil
}

func (s *Server) x3CreateCustomer(r *http.Request) (int, any, error) {
	var c x3Customer
	if err := decodeBody(r, &c); err != nil {
		return 0, nil, err
	}
	if c.BPCNUM != "" {
		if err := checkKey("BPCNUM", c.BPCNUM, 15); err != nil {
			return 0, nil, err
		}
	}
	if err := c.validate(); err != nil {
		return 0, nil, err
	}
	kind := x3KindCustomer
	err := s.st.write(r.Context(), func(t *txn) error {
		if err := x3CheckDuplicate(t, &c); err != nil {
			return err
		}
		if c.BPCNUM != "" {
			taken, err := t.exists(kind, c.BPCNUM)
			if err != nil {
				return err
			}
			if taken {
				return conflict("BPCNUM", "Duplicate Customer (BPC) record detected during sync: BPCNUM %q already exists", c.BPCNUM)
			}
		} else {
			for {
				n, err := t.next(kind)
				if err != nil {
					return err
				}
				c.BPCNUM = docNo("C", n)
				if taken, err := t.exists(kind, c.BPCNUM); err != nil || !taken {
					if err != nil {
						return err
					}
					break
				}
			}
		}
		c.CREDATTIM, c.UPDDATTIM = stamp(t.now), stamp(t.now)
		return t.insert(kind, c.BPCNUM, &c)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, &c, nil
}

// x3CheckDuplicate rejects a new BPC whose e-mail or external reference another BPC already
// has: X3's duplicate-partner control, which makes integrations look customers up first.
func x3CheckDuplicate(t *txn, c *x3Customer) error {
	for _, f := range []struct {
		name string
		flt  filter
	}{{"WEB", filter{Email: c.WEB}}, {"ZEXTREF", filter{ExternalRef: c.ZEXTREF}}} {
		if f.flt.Email == "" && f.flt.ExternalRef == "" {
			continue
		}
		same, err := listAs[x3Customer](t, x3KindCustomer, f.flt)
		if err != nil {
			return err
		}
		if len(same) > 0 {
			v := c.WEB
			if f.name == "ZEXTREF" {
				v = c.ZEXTREF
			}
			return conflict(f.name, "Duplicate Customer (BPC) record detected during sync: BPC %q already has %s %q", same[0].BPCNUM, f.name, v)
		}
	}
	return nil
}

// x3UpdateCustomer replaces the customer's fields; omitted CUR and BPCSTA keep their values.
func (s *Server) x3UpdateCustomer(r *http.Request) (int, any, error) {
	id := r.PathValue("id")
	var c x3Customer
	if err := decodeBody(r, &c); err != nil {
		return 0, nil, err
	}
	if c.BPCNUM != "" && c.BPCNUM != id {
		return 0, nil, badField("BPCNUM", "BPCNUM %q in the body does not match %q in the path; BPC codes cannot be changed", c.BPCNUM, id)
	}
	c.BPCNUM = id
	kind := x3KindCustomer
	err := s.st.write(r.Context(), func(t *txn) error {
		var old x3Customer
		found, err := t.get(kind, id, &old)
		if err != nil {
			return err
		}
		if !found {
			return notFound("Customer (BPC) %q does not exist", id)
		}
		if c.CUR == "" {
			c.CUR = old.CUR
		}
		if c.BPCSTA == 0 {
			c.BPCSTA = old.BPCSTA
		}
		if err := c.validate(); err != nil {
			return err
		}
		if c.CUR != old.CUR {
			for _, e := range []string{ldOrder, ldInvoice, ldCredit, ldPayment} {
				if docs, err := t.list(x3.kind(e), filter{CustomerID: id}); err != nil || len(docs) > 0 {
					if err != nil {
						return err
					}
					return conflict("CUR", "Customer (BPC) %q has documents in %s; CUR cannot change to %s", id, old.CUR, c.CUR)
				}
			}
		}
		c.CREDATTIM, c.UPDDATTIM = old.CREDATTIM, stamp(t.now)
		return t.update(kind, id, &c)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, &c, nil
}

func (s *Server) x3GetCustomer(r *http.Request) (int, any, error) {
	return getOne[x3Customer](s, r, x3KindCustomer, "Customer (BPC)", r.PathValue("id"))
}

func (s *Server) x3ListCustomers(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "externalRef", "email", "modifiedSince")
	if err != nil {
		return 0, nil, err
	}
	since, err := sinceParam(q)
	if err != nil {
		return 0, nil, err
	}
	return listMatching[x3Customer](s, r, x3KindCustomer, filter{ExternalRef: q.Get("externalRef"), Email: q.Get("email"), ModifiedSince: since})
}
