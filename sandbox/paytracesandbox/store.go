package paytracesandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// schema holds every table. Records are JSON in data; the other columns are copies of the
// fields that lookups and exports filter or sort on, so queries never parse JSON.
// Nothing here ever holds a full card number or a CSC: only masked numbers.
const schema = `
CREATE TABLE IF NOT EXISTS transactions (
	id           INTEGER PRIMARY KEY,
	type         TEXT NOT NULL,
	status       TEXT NOT NULL,
	customer_id  TEXT NOT NULL DEFAULT '',
	original_id  INTEGER NOT NULL DEFAULT 0,
	batch_number INTEGER NOT NULL DEFAULT 0,
	created_date TEXT NOT NULL,
	updated_date TEXT NOT NULL,
	created_ns   INTEGER NOT NULL,
	updated_ns   INTEGER NOT NULL,
	search       TEXT NOT NULL DEFAULT '',
	data         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transactions_created ON transactions (created_date, id);
CREATE INDEX IF NOT EXISTS transactions_updated ON transactions (updated_date, id);
CREATE INDEX IF NOT EXISTS transactions_batch ON transactions (batch_number, id);
CREATE INDEX IF NOT EXISTS transactions_status ON transactions (status, id);
CREATE TABLE IF NOT EXISTS customers (
	customer_id TEXT PRIMARY KEY,
	created_ns  INTEGER NOT NULL,
	updated_ns  INTEGER NOT NULL,
	data        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
	batch_number INTEGER PRIMARY KEY,
	settled_date TEXT NOT NULL,
	data         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_date ON batches (settled_date, batch_number);
CREATE TABLE IF NOT EXISTS tokens (
	hash       TEXT PRIMARY KEY,
	username   TEXT NOT NULL,
	created_ns INTEGER NOT NULL,
	expires_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
	id             TEXT PRIMARY KEY,
	event          TEXT NOT NULL,
	transaction_id INTEGER NOT NULL DEFAULT 0,
	batch_number   INTEGER NOT NULL DEFAULT 0,
	created_ns     INTEGER NOT NULL,
	body           TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
	seq             INTEGER PRIMARY KEY AUTOINCREMENT,
	notification_id TEXT NOT NULL,
	state           TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_ms INTEGER NOT NULL,
	enqueued_ms     INTEGER NOT NULL,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_ms);
CREATE INDEX IF NOT EXISTS deliveries_notification ON deliveries (notification_id);`

// dbtx is satisfied by *sql.DB and *sql.Tx, so helpers work in and outside a transaction.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// store persists the sandbox in SQLite. Writes are serialized by mu, so multi-record updates
// (a refund changing its sale) are atomic and never hit SQLITE_BUSY; reads use WAL snapshots.
type store struct {
	db *sql.DB
	mu sync.Mutex
}

func openStore(path string) (*store, error) {
	if path == "" {
		return nil, errors.New("paytracesandbox: DBPath is required")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("paytracesandbox: create db dir: %w", err)
		}
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("paytracesandbox: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if _, err := db.Exec(schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("paytracesandbox: create schema: %w", err)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

// write runs fn in a serialized read-write transaction. The transaction is detached from the
// request context: a client hanging up must not roll back a payment halfway.
func (s *store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// next increments and returns the persisted counter name (1 on first use).
func next(ctx context.Context, q dbtx, name string) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `INSERT INTO counters (name, value) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`, name).Scan(&v)
	return v, err
}

// decodeRows scans rows of one JSON column into values of T.
func decodeRows[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// getJSON loads one JSON column into dst; it reports false when no row matches.
func getJSON(ctx context.Context, q dbtx, dst any, query string, args ...any) (bool, error) {
	var data string
	err := q.QueryRowContext(ctx, query, args...).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal([]byte(data), dst)
}
