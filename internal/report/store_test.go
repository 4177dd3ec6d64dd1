package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// newStore opens a store in a fresh directory (one level down, so NewStore creates it).
func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := NewStore(filepath.Join(t.TempDir(), "reports"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// save saves r or fails the test.
func save(t *testing.T, s *Store, r *Report) {
	t.Helper()
	if err := s.Save(r); err != nil {
		t.Fatalf("Save(%s): %v", r.ID, err)
	}
}

// canonical is r's JSON, for comparing reports after a round trip.
func canonical(t *testing.T, r *Report) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStoreRoundTrip(t *testing.T) {
	s := newStore(t)
	r := realisticReport()
	save(t, s, r)
	got, err := s.Get(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if canonical(t, got) != canonical(t, r) {
		t.Errorf("Get after Save differs:\n got %s\nwant %s", canonical(t, got), canonical(t, r))
	}
	if !got.Totals[0].Provider.Equal(dec("48210.55")) || !got.Items[0].Amount.Equal(dec("1250.00")) {
		t.Error("amounts changed in the round trip")
	}
	page, err := os.ReadFile(filepath.Join(s.Dir(), r.ID+".html"))
	if err != nil || !bytes.Contains(page, []byte("12 discrepancies need attention")) {
		t.Errorf("the saved page: %v", err)
	}
	if p, err := s.HTMLPath(r.ID); err != nil || p != filepath.Join(s.Dir(), r.ID+".html") {
		t.Errorf("HTMLPath = %q, %v", p, err)
	}
	entries, _ := os.ReadDir(s.Dir())
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 {
		t.Errorf("store holds %v, want the JSON and the page only (no temporary files)", names)
	}
	fi, _ := os.Stat(filepath.Join(s.Dir(), r.ID+".json"))
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("report mode %v, want 0644", fi.Mode().Perm())
	}
	// Saving again replaces.
	r.Objects = 137
	save(t, s, r)
	if got, _ := s.Get(r.ID); got.Objects != 137 {
		t.Errorf("Objects after re-save = %d", got.Objects)
	}
}

func TestEncodeJSONMatchesMarshal(t *testing.T) {
	tricky := smallReport("t", "stripe", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 2)
	tricky.WebUI = `http://x/"items":null`
	tricky.Items[0].Reason = `"items":null, "truncated": 9`
	tricky.Truncated = 5
	tests := []struct {
		name string
		r    *Report
	}{
		{"realistic", realisticReport()},
		{"nil items", &Report{ID: "a"}},
		{"empty items", &Report{ID: "a", Items: []Item{}}},
		{"one item", &Report{ID: "a", Items: []Item{{Class: ClassMissing, Object: "ch_1", Amount: dec("1.5")}}}},
		{"the items key inside strings", tricky},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var streamed bytes.Buffer
			if err := encodeJSON(&streamed, tt.r); err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tt.r)
			var got bytes.Buffer
			if err := json.Compact(&got, streamed.Bytes()); err != nil {
				t.Fatalf("streamed JSON is invalid: %v\n%s", err, streamed.String())
			}
			if got.String() != string(want) {
				t.Errorf("streamed JSON differs from json.Marshal:\n got %s\nwant %s", got.String(), want)
			}
		})
	}
}

func TestReadSummaryStopsBeforeItems(t *testing.T) {
	r := realisticReport()
	var b bytes.Buffer
	if err := encodeJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	// Cut the file in the middle of its items: the header must still be readable, which shows
	// List never reads (or decodes) the items.
	cut := b.Bytes()[:bytes.Index(b.Bytes(), []byte(`"items":[`))+40]
	sum, err := readSummary(bytes.NewReader(cut))
	if err != nil {
		t.Fatalf("readSummary of a header: %v", err)
	}
	want := Summarize(r)
	if g, w := canonicalSummary(t, sum), canonicalSummary(t, want); g != w {
		t.Errorf("summary\n got %s\nwant %s", g, w)
	}
	if sum.Discrepancies != 12 {
		t.Errorf("Discrepancies = %d, want 12", sum.Discrepancies)
	}
	for _, bad := range []string{"", "[]", `{"provider":"stripe"}`, "{", `{"id": 5}`} {
		if _, err := readSummary(strings.NewReader(bad)); err == nil {
			t.Errorf("readSummary(%q) succeeded", bad)
		}
	}
}

// canonicalSummary is sum's JSON.
func canonicalSummary(t *testing.T, sum Summary) string {
	t.Helper()
	b, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStoreListAndHistory(t *testing.T) {
	s := newStore(t)
	base := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	for i, n := range []int{4, 0, 2, 7, 1} { // stripe runs, one a day
		save(t, s, smallReport("stripe-"+string(rune('a'+i)), "stripe", base.AddDate(0, 0, i), n))
	}
	save(t, s, smallReport("paytrace-x", "paytrace", base.AddDate(0, 0, 10), 3))
	// Files that are not reports are left out.
	for name, body := range map[string]string{"notes.json": "not json", ".stripe-z.json.123.tmp": "{", "other.txt": "x", "mislabelled.json": `{"id":"other"}`} {
		if err := os.WriteFile(filepath.Join(s.Dir(), name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(s.Dir(), "dir.json"), 0o755); err != nil {
		t.Fatal(err)
	}

	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, sum := range list {
		ids = append(ids, sum.ID)
	}
	if got, want := strings.Join(ids, " "), "paytrace-x stripe-e stripe-d stripe-c stripe-b stripe-a"; got != want {
		t.Errorf("List order %q, want %q (newest first)", got, want)
	}
	if sum := list[2]; sum.Provider != "stripe" || sum.ERP != "sagex3" || sum.Discrepancies != 7 || sum.Objects != 17 ||
		!sum.GeneratedAt.Equal(base.AddDate(0, 0, 3)) || !sum.To.Equal(base.AddDate(0, 0, 3)) || len(sum.Classes) != 3 {
		t.Errorf("summary of stripe-d = %+v", sum)
	}

	tests := []struct {
		provider string
		n        int
		want     []int
	}{
		{"stripe", 3, []int{2, 7, 1}},
		{"stripe", 30, []int{4, 0, 2, 7, 1}},
		{"stripe", 0, nil},
		{"paytrace", 5, []int{3}},
		{"unknown", 5, nil},
	}
	for _, tt := range tests {
		h := s.History(tt.provider, tt.n)
		var got []int
		for i, p := range h {
			got = append(got, p.Discrepancies)
			if i > 0 && !p.At.After(h[i-1].At) {
				t.Errorf("History(%s) not oldest first", tt.provider)
			}
		}
		if !equalInts(got, tt.want) {
			t.Errorf("History(%q, %d) = %v, want %v", tt.provider, tt.n, got, tt.want)
		}
	}

	// Another process (the worker) replaces and removes reports: List sees it.
	other, err := NewStore(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	changed := smallReport("stripe-a", "stripe", base.AddDate(0, 0, 20), 9)
	changed.Objects = 99
	save(t, other, changed)
	if err := os.Remove(filepath.Join(s.Dir(), "paytrace-x.json")); err != nil {
		t.Fatal(err)
	}
	list, _ = s.List()
	if len(list) != 5 || list[0].ID != "stripe-a" || list[0].Objects != 99 || list[0].Discrepancies != 9 {
		t.Errorf("List after another store's writes = %+v", list)
	}
}

// equalInts compares two int slices.
func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"stripe-20261201T000000Z-20261202T000000Z-3f9a2c1e", true},
		{"a", true},
		{"A.b_c-9", true},
		{strings.Repeat("x", 200), true},
		{strings.Repeat("x", 201), false},
		{"", false},
		{"..", false},
		{".", false},
		{".hidden", false},
		{"v1.2", true},
		{"a..b", false},
		{"../etc/passwd", false},
		{"a/b", false},
		{`a\b`, false},
		{"a b", false},
		{"a%2Fb", false},
		{"x.json", false},
		{"x.html", false},
		{"ünïcode", false},
		{"a\x00b", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := ValidID(tt.id); got != tt.want {
				t.Errorf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

func TestStoreRefusesBadIDs(t *testing.T) {
	s := newStore(t)
	for _, id := range []string{"", "..", "../x", "a/b", "x.json"} {
		if err := s.Save(&Report{ID: id}); !errors.Is(err, ErrInvalidID) {
			t.Errorf("Save(%q) = %v, want ErrInvalidID", id, err)
		}
		if _, err := s.Get(id); !errors.Is(err, ErrInvalidID) {
			t.Errorf("Get(%q) = %v, want ErrInvalidID", id, err)
		}
		if _, err := s.HTMLPath(id); !errors.Is(err, ErrInvalidID) {
			t.Errorf("HTMLPath(%q) = %v, want ErrInvalidID", id, err)
		}
	}
	if _, err := s.Get("missing"); !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
	if err := s.Save(nil); err == nil {
		t.Error("Save(nil) succeeded")
	}
	if _, err := NewStore(""); err == nil {
		t.Error("NewStore(\"\") succeeded")
	}
}

func TestStoreConcurrentSaveAndList(t *testing.T) {
	s := newStore(t)
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 5 {
				r := smallReport("r-"+string(rune('a'+w))+string(rune('a'+i)), "stripe", base.Add(time.Duration(w*10+i)*time.Minute), i)
				if err := s.Save(r); err != nil {
					t.Error(err)
				}
				if _, err := s.List(); err != nil {
					t.Error(err)
				}
				_ = s.History("stripe", 3)
			}
		})
	}
	wg.Wait()
	if list, _ := s.List(); len(list) != 20 {
		t.Errorf("%d reports, want 20", len(list))
	}
}
