package report

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"
)

// updateScreenshot makes the browser test write its screenshot to docs/report.png (the README's):
//
//	go test ./internal/report -run TestReportInChromium -update-screenshot
var updateScreenshot = flag.Bool("update-screenshot", false, "write the report page's full-page screenshot to docs/report.png")

// chromiumPath is Debian's chromium (make chromium installs it).
const chromiumPath = "/usr/bin/chromium"

// screenshotPath is the README's screenshot, relative to this package.
const screenshotPath = "../../docs/report.png"

// requireChromium skips the test without chromium, or fails it when LEDGERBRIDGE_REQUIRE_TOOLS=1
// (make test), so CI cannot pass by skipping.
func requireChromium(t *testing.T) {
	t.Helper()
	skip, fail := chromiumVerdict(chromiumPath, os.Getenv("LEDGERBRIDGE_REQUIRE_TOOLS") == "1", testing.Short())
	if fail != "" {
		t.Fatal(fail)
	}
	if skip != "" {
		t.Skip(skip)
	}
}

// chromiumVerdict says whether the browser test skips (skip) or fails (fail) with chromium at
// path, when tools are required (LEDGERBRIDGE_REQUIRE_TOOLS=1) or not, in -short or not.
func chromiumVerdict(path string, required, short bool) (skip, fail string) {
	if _, err := os.Stat(path); err != nil {
		if required {
			return "", "chromium not installed (" + err.Error() + ") and LEDGERBRIDGE_REQUIRE_TOOLS=1: run make chromium"
		}
		return "chromium not installed: make chromium", ""
	}
	if short && !required {
		return "a real browser: not in -short", ""
	}
	return "", ""
}

func TestChromiumVerdict(t *testing.T) {
	present := filepath.Join(t.TempDir(), "chromium")
	if err := os.WriteFile(present, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "no-chromium")
	tests := []struct {
		name            string
		path            string
		required, short bool
		skip, fail      bool
	}{
		{"missing", missing, false, false, true, false},
		{"missing, required", missing, true, false, false, true},
		{"missing, required, short", missing, true, true, false, true},
		{"present", present, false, false, false, false},
		{"present, short", present, false, true, true, false},
		{"present, required, short", present, true, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skip, fail := chromiumVerdict(tt.path, tt.required, tt.short)
			if (skip != "") != tt.skip || (fail != "") != tt.fail {
				t.Errorf("skip %q, fail %q; want skip %v, fail %v", skip, fail, tt.skip, tt.fail)
			}
			if tt.skip && !tt.short && skip != "chromium not installed: make chromium" {
				t.Errorf("skip message %q", skip)
			}
		})
	}
}

// newBrowser starts headless chromium with a fresh profile and returns a tab's context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "ledgerbridge-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Chromium's children may still write in the profile for a moment after it stops.
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 2*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelTimeout() })
	return tabCtx
}

// serve starts h on 127.0.0.1 (not httptest's default of any interface).
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// chartSeen is what the page shows of one chart.
type chartSeen struct {
	Tag         string    `json:"tag"`
	Width       float64   `json:"width"`
	Height      float64   `json:"height"`
	Title       string    `json:"title"`
	Label       string    `json:"label"`
	Marks       int       `json:"marks"`
	Visible     int       `json:"visible"`
	Legend      int       `json:"legend"`
	AxisTitles  int       `json:"axisTitles"`
	MarkHeights []float64 `json:"markHeights"`
	MarkWidths  []float64 `json:"markWidths"`
}

// seeCharts measures every chart's SVG and its marks (bars, points) as laid out.
const seeCharts = `(() => {
	const out = {};
	for (const [id, marks] of [["chart-daily-0", "g.bars rect"], ["chart-daily-1", "g.bars rect"],
			["chart-history", "g.points circle"], ["chart-payouts", "g.payouts rect.payout-bar"]]) {
		const svg = document.getElementById(id);
		if (!svg) continue;
		const box = svg.getBoundingClientRect();
		const els = [...svg.querySelectorAll(marks)].map(e => e.getBoundingClientRect());
		out[id] = {tag: svg.tagName, width: box.width, height: box.height,
			title: (svg.querySelector(":scope > title") || {}).textContent || "",
			label: svg.getAttribute("aria-label") || "",
			marks: els.length, visible: els.filter(r => r.width > 0 && r.height > 0).length,
			legend: svg.querySelectorAll("g.legend text").length,
			axisTitles: svg.querySelectorAll(".axis-title").length,
			markHeights: els.map(r => r.height), markWidths: els.map(r => r.width)};
	}
	return out;
})()`

// TestReportInChromium opens a realistic report in real headless Chromium, through the index
// page and Handler mounted the way the gateway mounts it, and checks what a person sees.
func TestReportInChromium(t *testing.T) {
	requireChromium(t)

	// A stand-in for Temporal Web UI records where the report's links lead.
	var mu sync.Mutex
	var uiRequests []string
	ui := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		uiRequests = append(uiRequests, r.RequestURI)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!DOCTYPE html><title>Temporal Web UI (stand-in)</title><p>workflow page</p>"))
	}))

	store := newStore(t)
	r := realisticReport()
	r.WebUI = ui.URL + "/namespaces/default"
	save(t, store, r)
	save(t, store, smallReport("stripe-older", "stripe", r.GeneratedAt.Add(-24*time.Hour), 3))

	gin.SetMode(gin.TestMode)
	g := gin.New()
	h := Handler(store)
	g.GET("/admin/reports", gin.WrapH(h))
	g.Any("/admin/reports/*path", gin.WrapH(h))
	srv := serve(t, g)

	ctx := newBrowser(t)
	run := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, a); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// The list page, newest first; its first link opens the report.
	run("open the list", chromedp.Navigate(srv.URL+"/admin/reports"))
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title != "Reconciliation reports" {
		t.Fatalf("list title %q, %v", title, err)
	}
	first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("table.reports tbody tr:first-child a.open")))
	if err != nil || first != r.ID {
		t.Fatalf("first report listed %q, %v; want %s", first, err, r.ID)
	}
	run("click the report", chromedp.Click(chromedp.CSS("table.reports tbody tr:first-child a.open")))
	run("wait for the report", chromedp.WaitVisible(chromedp.ID("verdict-text")))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if loc != srv.URL+"/admin/reports/"+r.ID {
		t.Errorf("the report opened at %s", loc)
	}

	// Title and verdict, in red.
	if title, _ := chromedp.Run(ctx, chromedp.Title()); title != "Stripe → Sage 500 reconciliation · 2026-12-01 to 2026-12-08 (8 days)" {
		t.Errorf("title %q", title)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("verdict-text"))); v != "12 discrepancies need attention" {
		t.Errorf("verdict %q", v)
	}
	if c, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.getElementById("verdict-text")).color`)); c != "rgb(180, 35, 24)" {
		t.Errorf("verdict color %s, want red rgb(180, 35, 24)", c)
	}
	if d, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("verdict-detail"))); !strings.HasPrefix(d, "2 duplicate · 3 mismatch · 1 orphan · 2 missing · 2 parked · 2 in flight of 136 provider objects") {
		t.Errorf("verdict detail %q", d)
	}
	if p, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("period"))); p != "2026-12-01 to 2026-12-08 (8 days)" {
		t.Errorf("period %q", p)
	}

	// The totals table, cell by cell, and its highlighted differences.
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](
		`[...document.querySelectorAll("#totals tbody tr")].map(r => [...r.cells].map(c => c.innerText.trim()))`))
	if err != nil {
		t.Fatal(err)
	}
	wantCells := [][]string{
		{"JPY", "15", "1,250,000", "1,203,200", "-46,800", "differs"},
		{"USD", "121", "48,210.55", "47,020.30", "-1,190.25", "differs"},
	}
	if !equalTable(cells, wantCells) {
		t.Errorf("totals table\n got %q\nwant %q", cells, wantCells)
	}
	if bg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#totals td.difference")).backgroundColor`)); bg != "rgb(254, 243, 242)" {
		t.Errorf("difference cell background %s, want the highlight rgb(254, 243, 242)", bg)
	}

	// The class cards.
	cards, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](
		`Object.fromEntries([...document.querySelectorAll("#classes .card")].map(c => [c.dataset.class, c.querySelector(".n").innerText]))`))
	if err != nil {
		t.Fatal(err)
	}
	for class, n := range map[string]string{ClassPosted: "118", ClassHealed: "2", ClassMissing: "2", ClassMismatch: "3",
		ClassDuplicate: "2", ClassOrphan: "1", ClassParked: "2", ClassInFlight: "2", ClassNotPosting: "5"} {
		if cards[class] != n {
			t.Errorf("card %s shows %q, want %s", class, cards[class], n)
		}
	}

	// The three charts: rendered SVGs with a size, a title, a legend, axis titles and their marks.
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]chartSeen](seeCharts))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]struct {
		title                        string
		marks, visible, legend, axes int
	}{
		"chart-daily-0": {"Posted vs provider per day (JPY)", 16, 16, 3, 3}, // 8 days × 2 bars
		"chart-daily-1": {"Posted vs provider per day (USD)", 16, 16, 3, 3},
		"chart-history": {"Discrepancies over time", 5, 5, 2, 2}, // 5 runs
		"chart-payouts": {"Payout tie-out", 3, 2, 4, 1},          // the missing payout's bar is empty
	} {
		c, ok := charts[id]
		switch {
		case !ok:
			t.Errorf("%s is not on the page", id)
		case !strings.EqualFold(c.Tag, "svg") || c.Width < 300 || c.Height < 100:
			t.Errorf("%s is a %s of %.0f×%.0f px", id, c.Tag, c.Width, c.Height)
		case c.Title != want.title || c.Label != want.title:
			t.Errorf("%s: title %q, aria-label %q, want %q", id, c.Title, c.Label, want.title)
		case c.Marks != want.marks || c.Visible != want.visible:
			t.Errorf("%s: %d marks (%d visible), want %d (%d)", id, c.Marks, c.Visible, want.marks, want.visible)
		case c.Legend != want.legend || c.AxisTitles != want.axes:
			t.Errorf("%s: %d legend entries, %d axis titles; want %d, %d", id, c.Legend, c.AxisTitles, want.legend, want.axes)
		}
	}
	// Bars are drawn to scale: 2026-12-03 in USD, provider 4,980.75 and posted 3,730.75.
	if usd := charts["chart-daily-1"]; len(usd.MarkHeights) == 16 {
		if ratio := usd.MarkHeights[4] / usd.MarkHeights[5]; math.Abs(ratio-4980.75/3730.75) > 0.03 {
			t.Errorf("USD 12-03 bars %.1f and %.1f px: ratio %.3f, want %.3f", usd.MarkHeights[4], usd.MarkHeights[5], ratio, 4980.75/3730.75)
		}
	}
	// The tied payout's bar fills its track; the mismatched one is short of it.
	if po := charts["chart-payouts"]; len(po.MarkWidths) == 3 {
		widths := append([]float64(nil), po.MarkWidths...)
		sort.Float64s(widths)
		if widths[0] != 0 || math.Abs(widths[1]/widths[2]-9350.25/9850.25) > 0.01 {
			t.Errorf("payout bar widths %v", po.MarkWidths)
		}
	}

	// Every discrepancy is listed with its object and reason.
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#discrepancies tr.item")].map(r => r.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(r.Items) {
		t.Errorf("%d discrepancy rows, want %d", len(rows), len(r.Items))
	}
	all := strings.Join(rows, "\n")
	for _, it := range r.Items {
		if !strings.Contains(all, it.Object) || !strings.Contains(all, it.Reason) {
			t.Errorf("the table does not show %s with its reason", it.Object)
		}
	}
	if a, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#anomalies tr.anomaly"))); !strings.Contains(a, "same_amount_repeated") {
		t.Errorf("anomaly row %q", a)
	}

	// The page as a person sees it.
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() < 1500 {
		t.Errorf("screenshot is %v, want the full page 1280 px wide", b)
	}
	small, err := palettedPNG(img)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report.png")
	if *updateScreenshot {
		out = screenshotPath
	}
	if err := os.WriteFile(out, small, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %v: %d KB (%d KB from Chromium) written to %s", img.Bounds().Size(), len(small)>>10, len(shot)>>10, out)
	if len(small) > 300<<10 {
		t.Errorf("screenshot is %d KB, want at most 300 KB", len(small)>>10)
	}

	// A discrepancy's "run" link leads to its workflow in Web UI, the ID escaped.
	runLink := chromedp.CSS(`#discrepancies tr.item[data-object="ch_3QmissingA1"] a.run`)
	want := ui.URL + "/namespaces/default/workflows/order-to-cash%2Fstripe%2Fch_3QmissingA1"
	if href, err := chromedp.Run(ctx, chromedp.JavascriptAttribute[string](runLink, "href")); err != nil || href != want {
		t.Errorf("run link href %q, %v; want %s", href, err, want)
	}
	run("click the run link", chromedp.Click(runLink))
	run("wait for Web UI", chromedp.WaitVisible(chromedp.CSS("p")))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != want {
		t.Errorf("the run link opened %s, want %s", loc, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(uiRequests) == 0 || uiRequests[0] != "/namespaces/default/workflows/order-to-cash%2Fstripe%2Fch_3QmissingA1" {
		t.Errorf("Web UI got %q", uiRequests)
	}
}

// equalTable compares two tables of strings.
func equalTable(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

// palettedPNG re-encodes a screenshot with a palette of its 256 most used colours (5 bits per
// channel, averaged), which keeps flat UI colours and text exact enough at a fraction of the
// size of Chromium's RGBA PNG.
func palettedPNG(img image.Image) ([]byte, error) {
	b := img.Bounds()
	type acc struct{ r, g, b, n int }
	buckets := map[uint16]*acc{}
	key := func(r, g, bl uint32) uint16 { return uint16(r>>11)<<10 | uint16(g>>11)<<5 | uint16(bl>>11) }
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			k := key(r, g, bl)
			a := buckets[k]
			if a == nil {
				a = &acc{}
				buckets[k] = a
			}
			a.r, a.g, a.b, a.n = a.r+int(r>>8), a.g+int(g>>8), a.b+int(bl>>8), a.n+1
		}
	}
	keys := make([]uint16, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return buckets[keys[i]].n > buckets[keys[j]].n })
	keys = keys[:min(256, len(keys))]
	pal := make(color.Palette, len(keys))
	for i, k := range keys {
		a := buckets[k]
		pal[i] = color.RGBA{uint8(a.r / a.n), uint8(a.g / a.n), uint8(a.b / a.n), 255}
	}
	out := image.NewPaletted(b, pal)
	cache := map[uint32]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			k := uint32(c.R)<<16 | uint32(c.G)<<8 | uint32(c.B)
			i, ok := cache[k]
			if !ok {
				i = uint8(pal.Index(c))
				cache[k] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
