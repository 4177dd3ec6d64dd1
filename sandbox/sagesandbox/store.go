package sagesandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// schema is one generic record table shared by every dialect, plus persisted counters.
// Indexed columns are copies of the lookup fields so list filters never parse JSON.
const schema = `
CREATE TABLE IF NOT EXISTS records (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind         TEXT NOT NULL,
	key          TEXT NOT NULL,
	external_ref TEXT NOT NULL DEFAULT '',
	customer_id  TEXT NOT NULL DEFAULT '',
	parent_ref   TEXT NOT NULL DEFAULT '',
	email        TEXT NOT NULL DEFAULT '',
	data         TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (kind, key)
);
CREATE INDEX IF NOT EXISTS records_ext ON records (kind, external_ref);
CREATE INDEX IF NOT EXISTS records_cust ON records (kind, customer_id);
CREATE INDEX IF NOT EXISTS records_parent ON records (kind, parent_ref);
CREATE INDEX IF NOT EXISTS records_email ON records (kind, email);
CREATE INDEX IF NOT EXISTS records_updated ON records (kind, updated_at);
CREATE TABLE IF NOT EXISTS counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);`

// index holds the lookup columns of a stored record.
type index struct {
	ExternalRef string
	CustomerID  string
	ParentRef   string
	Email       string // stored lower-cased: email lookups are case-insensitive
}

// indexed is implemented by every stored dialect type.
type indexed interface{ index() index }

// filter selects records of one kind; empty fields do not filter.
type filter struct {
	ExternalRef   string
	CustomerID    string
	ParentRef     string
	Email         string
	ModifiedSince time.Time
	// DateFrom and DateTo (YYYY-MM-DD, inclusive) keep documents dated in that range; they apply
	// to records with a document date (datedRecord).
	DateFrom, DateTo string
}

// datedRecord is a record with a document date (YYYY-MM-DD), for filter.DateFrom/DateTo.
type datedRecord interface{ docDate() string }

func (x *ldDoc) docDate() string        { return x.Date }
func (o *s5SalesOrder) docDate() string { return o.OrderDate }
func (i *s5Invoice) docDate() string    { return i.InvoiceDate }
func (m *s5CreditMemo) docDate() string { return m.MemoDate }

// inDates reports whether v passes the filter's date range.
func (f filter) inDates(v any) bool {
	d, ok := v.(datedRecord)
	if !ok || (f.DateFrom == "" && f.DateTo == "") {
		return true
	}
	date := d.docDate()
	return (f.DateFrom == "" || date >= f.DateFrom) && (f.DateTo == "" || date <= f.DateTo)
}

// store persists records in SQLite. Writes are serialized by mu so multi-record updates
// (a payment changing an invoice balance) are atomic and never hit SQLITE_BUSY.
type store struct {
	db  *sql.DB
	mu  sync.Mutex
	now func() time.Time
}

func openStore(path string) (*store, error) {
	if path == "" {
		return nil, errors.New("sagesandbox: DBPath is required")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("sagesandbox: create db dir: %w", err)
		}
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sagesandbox: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if _, err := db.Exec(schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sagesandbox: create schema: %w", err)
	}
	return &store{db: db, now: func() time.Time { return time.Now().UTC() }}, nil
}

func (s *store) close() error { return s.db.Close() }

// txn is one transaction handed to read and write callbacks.
type txn struct {
	tx  *sql.Tx
	now time.Time
}

// write runs fn in a serialized read-write transaction.
func (s *store) write(ctx context.Context, fn func(t *txn) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.run(ctx, fn)
}

// read runs fn in a transaction without taking the write lock (WAL gives a consistent snapshot).
func (s *store) read(ctx context.Context, fn func(t *txn) error) error { return s.run(ctx, fn) }

func (s *store) run(ctx context.Context, fn func(t *txn) error) error {
	// The transaction must not be bound to the request context: a client that hangs up
	// after the handler finished must not roll back a commit in flight.
	tx, err := s.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	if err := fn(&txn{tx: tx, now: s.now()}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// get loads kind/key into dst; it reports false when the record does not exist.
func (t *txn) get(kind, key string, dst any) (bool, error) {
	var data string
	err := t.tx.QueryRow(`SELECT data FROM records WHERE kind = ? AND key = ?`, kind, key).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal([]byte(data), dst)
}

// exists reports whether kind/key is stored.
func (t *txn) exists(kind, key string) (bool, error) {
	var n int
	err := t.tx.QueryRow(`SELECT count(*) FROM records WHERE kind = ? AND key = ?`, kind, key).Scan(&n)
	return n > 0, err
}

// insert stores a new record; the caller has checked that the key is free.
func (t *txn) insert(kind, key string, v indexed) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ix := v.index()
	ts := t.now.UnixNano()
	_, err = t.tx.Exec(`INSERT INTO records (kind, key, external_ref, customer_id, parent_ref, email, data, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, kind, key, ix.ExternalRef, ix.CustomerID, ix.ParentRef,
		strings.ToLower(ix.Email), string(data), ts, ts)
	return err
}

// update replaces an existing record, keeping its insertion order.
func (t *txn) update(kind, key string, v indexed) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ix := v.index()
	res, err := t.tx.Exec(`UPDATE records SET external_ref = ?, customer_id = ?, parent_ref = ?, email = ?, data = ?, updated_at = ?
		WHERE kind = ? AND key = ?`, ix.ExternalRef, ix.CustomerID, ix.ParentRef, strings.ToLower(ix.Email),
		string(data), t.now.UnixNano(), kind, key)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("update %s/%s: record not found", kind, key)
	}
	return nil
}

// list returns the JSON of matching records, oldest first.
func (t *txn) list(kind string, f filter) ([]json.RawMessage, error) {
	q := `SELECT data FROM records WHERE kind = ?`
	args := []any{kind}
	add := func(col, val string) {
		if val != "" {
			q += ` AND ` + col + ` = ?`
			args = append(args, val)
		}
	}
	add("external_ref", f.ExternalRef)
	add("customer_id", f.CustomerID)
	add("parent_ref", f.ParentRef)
	add("email", strings.ToLower(f.Email))
	if !f.ModifiedSince.IsZero() {
		q += ` AND updated_at >= ?`
		args = append(args, f.ModifiedSince.UnixNano())
	}
	q += ` ORDER BY seq`
	rows, err := t.tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []json.RawMessage{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		out = append(out, json.RawMessage(data))
	}
	return out, rows.Err()
}

// next increments and returns the persisted counter name (1 on first use).
func (t *txn) next(name string) (int64, error) {
	var v int64
	err := t.tx.QueryRow(`INSERT INTO counters (name, value) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`, name).Scan(&v)
	return v, err
}

// listAs decodes the records matching f into values of T.
func listAs[T any](t *txn, kind string, f filter) ([]T, error) {
	raws, err := t.list(kind, f)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(raws))
	for _, r := range raws {
		var v T
		if err := json.Unmarshal(r, &v); err != nil {
			return nil, err
		}
		if !f.inDates(&v) {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// dateRange reads the optional dateFrom and dateTo query parameters (YYYY-MM-DD) into f.
func dateRange(q url.Values, f *filter) error {
	for _, p := range []struct {
		name string
		dst  *string
	}{{"dateFrom", &f.DateFrom}, {"dateTo", &f.DateTo}} {
		if v := q.Get(p.name); v != "" {
			if err := checkDate(p.name, v); err != nil {
				return err
			}
			*p.dst = v
		}
	}
	return nil
}
