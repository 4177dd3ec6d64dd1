package stripesandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// dbtx is satisfied by *sql.DB and *sql.Tx so store helpers work in and
// outside a request transaction.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const schema = `
CREATE TABLE IF NOT EXISTS objects (
	id TEXT PRIMARY KEY,
	type TEXT NOT NULL,
	created INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	json TEXT NOT NULL,
	customer TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	payment_intent TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL DEFAULT '',
	currency TEXT NOT NULL DEFAULT '',
	url TEXT NOT NULL DEFAULT '',
	secret TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS objects_type_seq ON objects(type, seq);
CREATE INDEX IF NOT EXISTS objects_customer ON objects(type, customer, seq);
CREATE INDEX IF NOT EXISTS objects_pi ON objects(type, payment_intent, seq);
CREATE INDEX IF NOT EXISTS objects_source ON objects(type, source, seq);
CREATE INDEX IF NOT EXISTS objects_kind ON objects(type, kind, seq);
CREATE TABLE IF NOT EXISTS idempotency (
	key TEXT PRIMARY KEY,
	fingerprint TEXT NOT NULL,
	request_id TEXT NOT NULL,
	status INTEGER NOT NULL,
	body BLOB NOT NULL,
	created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	event_id TEXT NOT NULL,
	endpoint_id TEXT NOT NULL,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_ms INTEGER NOT NULL,
	enqueued_ms INTEGER NOT NULL,
	last_status INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt_ms);
CREATE INDEX IF NOT EXISTS deliveries_event ON deliveries(event_id);
CREATE TABLE IF NOT EXISTS delivery_attempts (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	delivery_id INTEGER NOT NULL,
	event_id TEXT NOT NULL,
	endpoint_id TEXT NOT NULL,
	at_ms INTEGER NOT NULL,
	status_code INTEGER NOT NULL,
	error TEXT NOT NULL,
	duration_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_delivery ON delivery_attempts(delivery_id);
`

// openDB opens (creating if needed) the SQLite file in WAL mode with a busy
// timeout, so readers never block the single writer and vice versa.
func openDB(path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("stripesandbox: DBPath is required")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("stripesandbox: create db dir: %w", err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// 64 MiB page cache: bulk payouts insert 100,000 rows into random-keyed
	// indexes, which thrash the default 2 MiB cache.
	q.Add("_pragma", "cache_size(-65536)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("stripesandbox: open db: %w", err)
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("stripesandbox: create schema: %w", err)
	}
	if err := migrateLedger(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("stripesandbox: migrate schema: %w", err)
	}
	return db, nil
}

// row is one stored Stripe object with its lookup columns.
type row struct {
	ID, Type      string
	Created, Seq  int64
	JSON          []byte
	Customer      string
	Email         string
	PaymentIntent string
	Source        string
	Kind          string // event type, balance transaction type
	Currency      string
	URL           string // webhook endpoint URL
	Secret        string // webhook endpoint secret, never part of JSON
	// Ledger columns, balance transactions only: net and available_on
	// mirror the JSON; Payout is the po_ that swept the row. Payout is
	// written on insert but never by the upsert path (sweeps set it).
	Net         int64
	AvailableOn int64
	Payout      string
}

// putRow inserts or replaces an object. seq is kept on update so list order
// reflects creation.
func putRow(ctx context.Context, q dbtx, r row) error {
	_, err := q.ExecContext(ctx, putRowSQL, r.args()...)
	return err
}

const putRowSQL = `INSERT INTO objects
		(id, type, created, seq, json, customer, email, payment_intent, source, kind, currency, url, secret,
		net, available_on, payout)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(id) DO UPDATE SET json=excluded.json, customer=excluded.customer,
		email=excluded.email, payment_intent=excluded.payment_intent, source=excluded.source,
		kind=excluded.kind, currency=excluded.currency, url=excluded.url, secret=excluded.secret,
		net=excluded.net, available_on=excluded.available_on`

// args are putRowSQL's parameters.
func (r row) args() []any {
	return []any{r.ID, r.Type, r.Created, r.Seq, string(r.JSON), r.Customer, r.Email, r.PaymentIntent,
		r.Source, r.Kind, r.Currency, r.URL, r.Secret, r.Net, r.AvailableOn, r.Payout}
}

// errNotFound is returned by getRow for unknown IDs.
var errNotFound = errors.New("not found")

const rowCols = `id, type, created, seq, json, customer, email, payment_intent, source, kind, currency, url, secret`

func scanRow(sc interface{ Scan(...any) error }) (row, error) {
	var r row
	var js string
	err := sc.Scan(&r.ID, &r.Type, &r.Created, &r.Seq, &js, &r.Customer, &r.Email,
		&r.PaymentIntent, &r.Source, &r.Kind, &r.Currency, &r.URL, &r.Secret)
	r.JSON = []byte(js)
	return r, err
}

// getRow loads an object by ID, optionally requiring its type.
func getRow(ctx context.Context, q dbtx, id, typ string) (row, error) {
	r, err := scanRow(q.QueryRowContext(ctx, `SELECT `+rowCols+` FROM objects WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && typ != "" && r.Type != typ) {
		return row{}, errNotFound
	}
	return r, err
}

// listQuery selects objects of one type, newest first, with equality filters
// on lookup columns and an optional created range.
type listQuery struct {
	Type          string
	Eq            map[string]string // column -> value; columns come from code, never from users
	JSONEq        map[string]any    // JSON path ($.active) -> value; paths come from code
	Not           map[string]string // column -> excluded value
	CreatedGT     *int64
	CreatedGTE    *int64
	CreatedLT     *int64
	CreatedLTE    *int64
	Limit         int
	StartingAfter int64 // seq; 0 = none
	EndingBefore  int64 // seq; 0 = none
}

// listRows returns up to Limit+1 rows so callers can compute has_more. The
// result is always newest first.
func listRows(ctx context.Context, q dbtx, lq listQuery) ([]row, error) {
	var where []string
	args := []any{lq.Type}
	where = append(where, "type = ?")
	cols := make([]string, 0, len(lq.Eq))
	for c := range lq.Eq {
		cols = append(cols, c)
	}
	sort.Strings(cols) // deterministic SQL text
	for _, c := range cols {
		where = append(where, c+" = ?")
		args = append(args, lq.Eq[c])
	}
	nots := make([]string, 0, len(lq.Not))
	for c := range lq.Not {
		nots = append(nots, c)
	}
	sort.Strings(nots)
	for _, c := range nots {
		where = append(where, c+" != ?")
		args = append(args, lq.Not[c])
	}
	paths := make([]string, 0, len(lq.JSONEq))
	for p := range lq.JSONEq {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		where = append(where, "json_extract(json, ?) = ?")
		args = append(args, p, lq.JSONEq[p])
	}
	addCmp := func(op string, v *int64) {
		if v != nil {
			where = append(where, "created "+op+" ?")
			args = append(args, *v)
		}
	}
	addCmp(">", lq.CreatedGT)
	addCmp(">=", lq.CreatedGTE)
	addCmp("<", lq.CreatedLT)
	addCmp("<=", lq.CreatedLTE)
	order := "DESC"
	if lq.StartingAfter > 0 {
		where = append(where, "seq < ?")
		args = append(args, lq.StartingAfter)
	}
	if lq.EndingBefore > 0 {
		// Page backwards: the items just newer than the cursor.
		where = append(where, "seq > ?")
		args = append(args, lq.EndingBefore)
		order = "ASC"
	}
	args = append(args, lq.Limit+1)
	rows, err := q.QueryContext(ctx, `SELECT `+rowCols+` FROM objects WHERE `+
		strings.Join(where, " AND ")+` ORDER BY seq `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// maxSeq returns the highest seq in use, to seed the in-memory counter.
func maxSeq(ctx context.Context, q dbtx) (int64, error) {
	var n sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT MAX(seq) FROM objects`).Scan(&n)
	return n.Int64, err
}

// migrateLedger adds the ledger columns (net, available_on, payout) to
// databases created before payouts existed, backfills them from the stored
// balance transactions, and creates the indexes that keep sweeps, balances
// and "list by payout" fast at 100,000+ rows.
func migrateLedger(db *sql.DB) error {
	rows, err := db.Query(`PRAGMA table_info(objects)`)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for rows.Next() {
		var cid, notnull, pk int
		var name, typ string
		var dflt sql.NullString
		if err := rows.Scan(&cid, &name, &typ, &notnull, &dflt, &pk); err != nil {
			rows.Close()
			return err
		}
		have[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	added := false
	for _, col := range []string{"net INTEGER NOT NULL DEFAULT 0", "available_on INTEGER NOT NULL DEFAULT 0", "payout TEXT NOT NULL DEFAULT ''"} {
		name, _, _ := strings.Cut(col, " ")
		if have[name] {
			continue
		}
		if _, err := db.Exec(`ALTER TABLE objects ADD COLUMN ` + col); err != nil {
			return err
		}
		added = true
	}
	if added {
		if _, err := db.Exec(`UPDATE objects SET net = CAST(json_extract(json, '$.net') AS INTEGER),
			available_on = CAST(json_extract(json, '$.available_on') AS INTEGER) WHERE type = 'balance_transaction'`); err != nil {
			return err
		}
	}
	_, err = db.Exec(`
CREATE INDEX IF NOT EXISTS objects_payout ON objects(type, payout, seq);
CREATE INDEX IF NOT EXISTS objects_ledger ON objects(type, currency, payout, available_on, net);`)
	return err
}
