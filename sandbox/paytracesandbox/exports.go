package paytracesandbox

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// exportByIDRequest is the body of transactions/export/by_id.
type exportByIDRequest struct {
	common
	TransactionID json.RawMessage `json:"transaction_id"`
	IncludeBin    *bool           `json:"include_bin"`
}

// exportRangeRequest is the body of transactions/export/by_date_range.
type exportRangeRequest struct {
	common
	StartDate       string          `json:"start_date"`
	EndDate         string          `json:"end_date"`
	TransactionID   json.RawMessage `json:"transaction_id"`
	TransactionType string          `json:"transaction_type"`
	CustomerID      string          `json:"customer_id"`
	IncludeBin      *bool           `json:"include_bin"`
	IncludingText   string          `json:"including_text"`
	// DateType (sandbox extension) picks the date the range applies to: "transaction"
	// (default, PayTrace's behaviour) or "updated" (the last change: capture, void,
	// settlement, refund).
	DateType string `json:"date_type"`
	// AfterTransactionID (sandbox extension) pages: only IDs above it are returned.
	AfterTransactionID json.RawMessage `json:"after_transaction_id"`
}

// exportResponse answers transaction exports.
type exportResponse struct {
	Success       bool     `json:"success"`
	ResponseCode  int      `json:"response_code"`
	StatusMessage string   `json:"status_message"`
	Transactions  []txnOut `json:"transactions"`
	// HasMore (sandbox extension) says the page cap cut the list: ask again with
	// after_transaction_id set to the last transaction_id returned.
	HasMore bool `json:"has_more"`
}

func (s *Server) exportOf(list []*transaction, more bool) exportResponse {
	out := exportResponse{Success: true, ResponseCode: codeCompleted, StatusMessage: msgCompleted,
		Transactions: make([]txnOut, 0, len(list)), HasMore: more}
	for _, t := range list {
		out.Transactions = append(out.Transactions, s.render(t))
	}
	return out
}

// exportByID exports one transaction.
func (s *Server) exportByID(c *call) (int, any, error) {
	var req exportByIDRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	id := requireTransactionID(p, req.TransactionID)
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	t, err := mustTransaction(c.ctx, s.st.db, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.exportOf([]*transaction{t}, false), nil
}

// exportByDateRange exports the transactions of an inclusive range of merchant-local dates,
// by ascending transaction ID, at most ExportLimit per response.
func (s *Server) exportByDateRange(c *call) (int, any, error) {
	var req exportRangeRequest
	p, err := s.decode(c, &req)
	if err != nil {
		return 0, nil, err
	}
	q := txnQuery{DateColumn: "created_date", CustomerID: req.CustomerID, Text: req.IncludingText, Limit: s.cfg.ExportLimit}
	q.From, q.To = dateRange(p, req.StartDate, req.EndDate)
	if req.TransactionID != nil {
		q.ID = requireTransactionID(p, req.TransactionID)
	}
	if req.TransactionType != "" {
		q.Type = strings.ToUpper(req.TransactionType)
		if _, ok := txnTypeFilters[q.Type]; !ok {
			p.add(keyTxnType, "Please provide a valid Transaction Type: one of %s.", strings.Join(txnTypeNames(), ", "))
		}
	}
	switch req.DateType {
	case "", "transaction":
	case "updated":
		q.DateColumn = "updated_date"
	default:
		p.add(keyPaging, `date_type must be "transaction" or "updated".`)
	}
	if req.AfterTransactionID != nil {
		n, ok := parseInt(req.AfterTransactionID)
		if !ok {
			p.add(keyPaging, "after_transaction_id must be a transaction ID.")
		}
		q.AfterID = n
	}
	if err := p.err(); err != nil {
		return 0, nil, err
	}
	list, more, err := listTransactions(c.ctx, s.st.db, q)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.exportOf(list, more), nil
}

// dateRange validates start_date and end_date (MM/DD/YYYY, start ≤ end).
func dateRange(p problems, start, end string) (string, string) {
	from, ok := parseDate(start)
	if !ok {
		p.add(keyStartDate, "Please provide a valid Start Date (MM/DD/YYYY).")
	}
	to, ok2 := parseDate(end)
	if !ok2 {
		p.add(keyEndDate, "Please provide a valid End Date (MM/DD/YYYY).")
	}
	if ok && ok2 && to < from {
		p.add(keyEndDate, "The End Date must not be before the Start Date.")
	}
	return from, to
}

func txnTypeNames() []string {
	names := make([]string, 0, len(txnTypeFilters))
	for k := range txnTypeFilters {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
