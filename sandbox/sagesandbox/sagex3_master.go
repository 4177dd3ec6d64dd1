package sagesandbox

import (
	"net/http"
)

// x3Product is a product (ITMMASTER).
type x3Product struct {
	ITMREF    string `json:"ITMREF"`
	ITMDES    string `json:"ITMDES"`
	TCLCOD    string `json:"TCLCOD"` // category
	BASPRI    num    `json:"BASPRI"`
	ITMSTA    int    `json:"ITMSTA"`    // 1 active, 6 not usable
	STOMGTCOD int    `json:"STOMGTCOD"` // stock management: 1 not managed, 2 managed
}

func x3ProductFromCore(it *ldItem) *x3Product {
	p := &x3Product{ITMREF: it.Code, ITMDES: it.Desc, TCLCOD: it.Type, BASPRI: it.Price, ITMSTA: 1, STOMGTCOD: 1}
	if !it.Active {
		p.ITMSTA = 6
	}
	if it.Stocked {
		p.STOMGTCOD = 2
	}
	return p
}

// x3Stock is the stock of a product in a facility: physical (PHYSTO), allocated (ALASTO) and
// available (PHYSTO − ALASTO; negative when orders exceed stock).
type x3Stock struct {
	ITMREF string `json:"ITMREF"`
	STOFCY string `json:"STOFCY"`
	PHYSTO num    `json:"PHYSTO"`
	ALASTO num    `json:"ALASTO"`
	AVASTO num    `json:"AVASTO"`
}

// x3Account is a ledger account (GACCOUNT).
type x3Account struct {
	ACC    string `json:"ACC"`
	DES    string `json:"DES"`
	TYP    string `json:"TYP"`
	ENAFLG int    `json:"ENAFLG"` // 2 active, 1 inactive
}

func (s *Server) x3ListProducts(r *http.Request) (int, any, error) {
	if _, err := queryParams(r); err != nil {
		return 0, nil, err
	}
	return listConverted(s, r, x3.kind(ldItemK), filter{}, func(it *ldItem) any { return x3ProductFromCore(it) })
}

func (s *Server) x3GetProduct(r *http.Request) (int, any, error) {
	_, v, err := getOne[ldItem](s, r, x3.kind(ldItemK), "Product (ITM)", r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, x3ProductFromCore(v.(*ldItem)), nil
}

// x3GetStock answers the product's stock per facility (?facility= narrows to one).
func (s *Server) x3GetStock(r *http.Request) (int, any, error) {
	q, err := queryParams(r, "facility")
	if err != nil {
		return 0, nil, err
	}
	item := r.PathValue("id")
	var out []x3Stock
	err = s.st.read(r.Context(), func(t *txn) error {
		var it ldItem
		found, err := t.get(x3.kind(ldItemK), item, &it)
		if err != nil {
			return err
		}
		if !found {
			return notFound("Product (ITM) %q does not exist", item)
		}
		if !it.Stocked {
			return badField("ITMREF", "Product (ITM) %q is not stock-managed (STOMGTCOD 1)", item)
		}
		all, err := listAs[ldStock](t, x3.kind(ldStockK), filter{})
		if err != nil {
			return err
		}
		for _, st := range all {
			if st.Item == item && (q.Get("facility") == "" || q.Get("facility") == st.Facility) {
				out = append(out, x3Stock{ITMREF: st.Item, STOFCY: st.Facility, PHYSTO: st.OnHand, ALASTO: st.Allocated,
					AVASTO: val(st.OnHand.d.Sub(st.Allocated.d))})
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	if out == nil {
		out = []x3Stock{}
	}
	return http.StatusOK, listOf(out), nil
}

func x3AccountFromCore(a *ldAccount) *x3Account {
	w := &x3Account{ACC: a.No, DES: a.Desc, TYP: a.Type, ENAFLG: 2}
	if !a.Active {
		w.ENAFLG = 1
	}
	return w
}

func (s *Server) x3ListAccounts(r *http.Request) (int, any, error) {
	if _, err := queryParams(r); err != nil {
		return 0, nil, err
	}
	return listConverted(s, r, x3.kind(ldAcctK), filter{}, func(a *ldAccount) any { return x3AccountFromCore(a) })
}

func (s *Server) x3GetAccount(r *http.Request) (int, any, error) {
	_, v, err := getOne[ldAccount](s, r, x3.kind(ldAcctK), "Ledger Account (ACC)", r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, x3AccountFromCore(v.(*ldAccount)), nil
}

func (s *Server) x3ListPayTypes(r *http.Request) (int, any, error) {
	if _, err := queryParams(r); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, listOf(x3PayTypes), nil
}
