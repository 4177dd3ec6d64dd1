package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Errors of the store; match them with errors.Is.
var (
	// ErrNotFound: no report has this ID (also matches fs.ErrNotExist).
	ErrNotFound = errors.New("report not found")
	// ErrInvalidID: the ID is not a report ID (see ValidID).
	ErrInvalidID = errors.New("invalid report id")
)

// idPattern is what a report ID may be: it is a file name in the store and a URL path segment.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,200}$`)

// ValidID says whether id can name a report: 1 to 200 of A-Z a-z 0-9 . _ -, no "..", not
// starting with a dot (the store's temporary files do) and not ending in .json or .html (those
// suffixes select a format in the HTTP handler).
func ValidID(id string) bool {
	return idPattern.MatchString(id) && !strings.Contains(id, "..") && !strings.HasPrefix(id, ".") &&
		!strings.HasSuffix(id, ".json") && !strings.HasSuffix(id, ".html")
}

// checkID returns ErrInvalidID (with the ID) when id is not valid.
func checkID(id string) error {
	if !ValidID(id) {
		return fmt.Errorf("%w %q: want 1-200 of A-Z a-z 0-9 . _ -, not starting with a dot, without \"..\"", ErrInvalidID, id)
	}
	return nil
}

// Summary is a report's header: what the list page and the history chart need, read from the
// start of its JSON file without decoding the items.
type Summary struct {
	ID          string    `json:"id"`
	Provider    string    `json:"provider"`
	ERP         string    `json:"erp"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	GeneratedAt time.Time `json:"generatedAt"`
	Objects     int       `json:"objects"`
	// Discrepancies is Report.Discrepancies: the objects that need a look.
	Discrepancies int          `json:"discrepancies"`
	Classes       []ClassCount `json:"classes"`
}

// Summarize is r's Summary.
func Summarize(r *Report) Summary {
	return Summary{ID: r.ID, Provider: r.Provider, ERP: r.ERP, From: r.From, To: r.To,
		GeneratedAt: r.GeneratedAt, Objects: r.Objects, Discrepancies: r.Discrepancies(),
		Classes: append([]ClassCount(nil), r.Classes...)}
}

// Store keeps reports in a directory, each as <id>.json (for machines, the source of truth) and
// <id>.html (the page, readable straight from the folder). Writes are atomic (temp file and
// rename), so a reader in another process (the gateway) never sees half a report. It is safe for
// concurrent use; List reads only the header of files it has not seen (or that changed).
type Store struct {
	dir string

	mu    sync.Mutex
	index map[string]indexEntry // by file name
}

// indexEntry is the cached header of one JSON file, valid while its size and mtime hold.
type indexEntry struct {
	size    int64
	modTime time.Time
	sum     Summary
	err     error // the file is not a readable report
}

// NewStore opens (creating it when missing) the report directory dir.
func NewStore(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("report store: no directory given")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report store: %w", err)
	}
	return &Store{dir: dir, index: map[string]indexEntry{}}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// HTMLPath is the file of report id's page (it may not exist).
func (s *Store) HTMLPath(id string) (string, error) {
	if err := checkID(id); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, id+".html"), nil
}

// Save writes r as <id>.json and <id>.html, replacing an earlier report with the same ID. The
// page is written first, so a report that List shows always has its page.
func (s *Store) Save(r *Report) error {
	if r == nil {
		return errors.New("report store: nil report")
	}
	if err := checkID(r.ID); err != nil {
		return err
	}
	if err := s.writeAtomic(r.ID+".html", func(w io.Writer) error { return Render(w, r) }); err != nil {
		return fmt.Errorf("report %s: page: %w", r.ID, err)
	}
	if err := s.writeAtomic(r.ID+".json", func(w io.Writer) error { return encodeJSON(w, r) }); err != nil {
		return fmt.Errorf("report %s: json: %w", r.ID, err)
	}
	name := r.ID + ".json"
	if fi, err := os.Stat(filepath.Join(s.dir, name)); err == nil {
		s.mu.Lock()
		s.index[name] = indexEntry{size: fi.Size(), modTime: fi.ModTime(), sum: Summarize(r)}
		s.mu.Unlock()
	}
	return nil
}

// writeAtomic writes name through a temporary file in the same directory, synced, then renamed
// over name. Temporary files start with a dot, so List ignores them.
func (s *Store) writeAtomic(name string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(s.dir, "."+name+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), filepath.Join(s.dir, name)); err != nil {
		return err
	}
	if d, derr := os.Open(s.dir); derr == nil { // make the rename durable (best effort)
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// itemsKey is where the items go in the JSON of a report encoded without them. Inside a JSON
// string a quote is always escaped, so this text can only be the top-level key.
var itemsKey = []byte(`"items":null`)

// encodeJSON writes r as JSON with the same shape as json.Marshal(r), streaming the items one by
// one so a report of MaxItems never needs its whole encoding in memory at once. The header
// fields come first (in Report's field order), which is what readSummary relies on.
func encodeJSON(w io.Writer, r *Report) error {
	head := *r
	head.Items = nil
	b, err := json.Marshal(&head)
	if err != nil {
		return err
	}
	at := bytes.Index(b, itemsKey)
	if at < 0 {
		return errors.New("encoding the report: no items key")
	}
	if _, err := w.Write(b[:at]); err != nil {
		return err
	}
	if r.Items == nil {
		_, err = w.Write(itemsKey)
	} else {
		_, err = io.WriteString(w, `"items":[`)
		for i := range r.Items {
			if err != nil {
				break
			}
			if i > 0 {
				if _, err = io.WriteString(w, ",\n"); err != nil {
					break
				}
			}
			var it []byte
			if it, err = json.Marshal(&r.Items[i]); err == nil {
				_, err = w.Write(it)
			}
		}
		if err == nil {
			_, err = io.WriteString(w, "]")
		}
	}
	if err != nil {
		return err
	}
	if _, err := w.Write(b[at+len(itemsKey):]); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// Get reads report id. An unknown ID is ErrNotFound, a malformed one ErrInvalidID.
func (s *Store) Get(id string) (*Report, error) {
	f, err := s.open(id, ".json")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r Report
	if err := json.NewDecoder(bufio.NewReaderSize(f, 64<<10)).Decode(&r); err != nil {
		return nil, fmt.Errorf("report %s: %w", id, err)
	}
	return &r, nil
}

// open opens <id><ext> in the store, mapping a missing file to ErrNotFound.
func (s *Store) open(id, ext string) (*os.File, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(s.dir, id+ext))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q: %w", ErrNotFound, id, err)
	}
	return f, err
}

// List summarises every report in the store, newest first (by GeneratedAt, then ID). Files that
// are not readable reports are left out.
func (s *Store) List() ([]Summary, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("report store: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := make(map[string]bool, len(entries))
	out := make([]Summary, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		id, ok := strings.CutSuffix(name, ".json")
		if !ok || e.IsDir() || !ValidID(id) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		seen[name] = true
		ent, ok := s.index[name]
		if !ok || ent.size != fi.Size() || !ent.modTime.Equal(fi.ModTime()) {
			ent = indexEntry{size: fi.Size(), modTime: fi.ModTime()}
			ent.sum, ent.err = readSummaryFile(filepath.Join(s.dir, name))
			if ent.err == nil && ent.sum.ID != id {
				ent.err = fmt.Errorf("%s holds report %q", name, ent.sum.ID)
			}
			s.index[name] = ent
		}
		if ent.err == nil {
			out = append(out, ent.sum)
		}
	}
	for name := range s.index {
		if !seen[name] {
			delete(s.index, name)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].GeneratedAt.Equal(out[j].GeneratedAt) {
			return out[i].GeneratedAt.After(out[j].GeneratedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// History is the discrepancy counts of the last n reports of provider, oldest first (for the
// history chart; the caller appends the run it is writing). It is empty when there are none or
// the store cannot be read.
func (s *Store) History(provider string, n int) []HistoryPoint {
	if n <= 0 {
		return nil
	}
	list, err := s.List()
	if err != nil {
		return nil
	}
	var out []HistoryPoint
	for _, sum := range list { // newest first
		if sum.Provider != provider {
			continue
		}
		out = append(out, HistoryPoint{At: sum.GeneratedAt, Discrepancies: sum.Discrepancies})
		if len(out) == n {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// readSummaryFile reads the Summary at the start of a report's JSON file.
func readSummaryFile(path string) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, err
	}
	defer f.Close()
	return readSummary(bufio.NewReaderSize(f, 16<<10))
}

// summaryKeys are the top-level keys a Summary needs; they precede "items" in encodeJSON's
// output, so reading stops before the items.
var summaryKeys = []string{"id", "provider", "erp", "from", "to", "generatedAt", "objects", "classes"}

// readSummary decodes a report's top-level keys one by one until it has every key of
// summaryKeys, skipping the values of the others.
func readSummary(rd io.Reader) (Summary, error) {
	var sum Summary
	dec := json.NewDecoder(rd)
	if t, err := dec.Token(); err != nil {
		return sum, err
	} else if t != json.Delim('{') {
		return sum, errors.New("not a JSON object")
	}
	need := make(map[string]bool, len(summaryKeys))
	for _, k := range summaryKeys {
		need[k] = true
	}
	var classes []ClassCount
	for len(need) > 0 && dec.More() {
		t, err := dec.Token()
		if err != nil {
			return sum, err
		}
		key, _ := t.(string)
		var target any
		switch key {
		case "id":
			target = &sum.ID
		case "provider":
			target = &sum.Provider
		case "erp":
			target = &sum.ERP
		case "from":
			target = &sum.From
		case "to":
			target = &sum.To
		case "generatedAt":
			target = &sum.GeneratedAt
		case "objects":
			target = &sum.Objects
		case "classes":
			target = &classes
		default:
			target = new(json.RawMessage)
		}
		if err := dec.Decode(target); err != nil {
			return sum, fmt.Errorf("%s: %w", key, err)
		}
		delete(need, key)
	}
	if sum.ID == "" {
		return sum, errors.New("no report id")
	}
	sum.Classes = classes
	sum.Discrepancies = (&Report{Classes: classes}).Discrepancies()
	return sum, nil
}
