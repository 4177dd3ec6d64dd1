package report

import (
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/ledgerbridge/ledgerbridge/internal/money"
)

// Chart geometry is computed here in SVG user units (the templates only place what is computed),
// with float64 for pixels only: every amount shown as text comes from the decimals.

// The widths of the charts' viewBoxes: the daily charts span the page, the history and payout
// charts share a row. The SVGs scale to their box, so text keeps about its nominal size.
const (
	wideWidth = 1000
	halfWidth = 540
)

// tick is one labelled axis position.
type tick struct {
	Pos   string // x or y in user units
	Label string
}

// rect is one bar.
type rect struct {
	X, Y, W, H string
	Class      string
	Title      string // the tooltip and accessible text
}

// marker is a labelled point (a line chart's point, a difference marker).
type marker struct {
	X, Y  string
	Class string
	Title string
	Label string
}

// legendEntry is one swatch of a legend.
type legendEntry struct {
	X     string
	Class string
	Label string
}

// axes are the frame every chart shares.
type axes struct {
	Width, Height        int
	Left, Right          string // x of the plot area's edges
	Top, Bottom          string // y of the plot area's edges
	MidX, MidY           string // centres, for the axis titles
	XTitle, YTitle       string
	XTicks, YTicks       []tick
	Legend               []legendEntry
	LegendY, LegendTextY string
}

// barChart is one currency's posted vs provider per day (grouped bars).
type barChart struct {
	axes
	ID          string
	Currency    string
	Title, Desc string
	Bars        []rect
	Diffs       []marker // days whose posted total differs from the provider's
	Days        int
}

// lineChart is the discrepancies over time (one point per run, oldest first).
type lineChart struct {
	axes
	ID          string
	Title, Desc string
	Line        string // polyline points
	Points      []marker
}

// payoutRow is one payout of the tie-out chart: its label line above its bar.
type payoutRow struct {
	Status                string
	TextY, TrackY, TrackW string
	Bar                   rect
	Label, Detail         string
}

// payoutChart is the payout tie-out: per payout, posted as a share of its amount.
type payoutChart struct {
	axes
	ID          string
	Title, Desc string
	Rows        []payoutRow
	Target      string // x of 100 %
	More        int    // payouts left out (all tied)
	MoreY       string
}

// f formats a coordinate.
func f(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// niceStep is a 1, 2 or 5 × 10^k step that cuts span into about n intervals.
func niceStep(span float64, n int) float64 {
	if span <= 0 || n <= 0 {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// scale maps [lo, hi] (a nice domain containing zero) onto pixels.
type scale struct {
	lo, hi, p0, p1 float64
}

// at is v's pixel.
func (s scale) at(v float64) float64 {
	if s.hi == s.lo {
		return s.p0
	}
	return s.p0 + (v-s.lo)/(s.hi-s.lo)*(s.p1-s.p0)
}

// niceDomain widens [lo, hi] (with zero) to whole steps; it returns the domain and the step.
func niceDomain(lo, hi float64, n int) (float64, float64, float64) {
	lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	if lo == hi {
		hi = 1
	}
	step := niceStep(hi-lo, n)
	return math.Floor(lo/step) * step, math.Ceil(hi/step) * step, step
}

// axisLabel formats an axis value: whole units unless the step is below one unit.
func axisLabel(v, step float64, currency string) string {
	places := int32(0)
	if step < 1 {
		places = min(money.Exponent(currency), int32(math.Ceil(-math.Log10(step))))
	}
	d := decimal.NewFromFloat(v).Round(places)
	if places == 0 {
		return FormatAmount(d, "JPY") // JPY has no decimals: the thousands separators only
	}
	return FormatAmount(d, currency)
}

// frame sets up axes of the given size with the plot area inside the margins.
func frame(width, height int, left, right, top, bottom float64) axes {
	w := float64(width)
	return axes{Width: width, Height: height,
		Left: f(left), Right: f(w - right), Top: f(top), Bottom: f(float64(height) - bottom),
		MidX: f((left + w - right) / 2), MidY: f((top + float64(height) - bottom) / 2)}
}

// legend lays out entries from the plot's top right, right to left by a fixed width per entry.
func legend(a *axes, widths []float64, classes, labels []string) {
	x := float64(a.Width) - 8
	for i := len(labels) - 1; i >= 0; i-- {
		x -= widths[i]
		a.Legend = append([]legendEntry{{X: f(x), Class: classes[i], Label: labels[i]}}, a.Legend...)
	}
	a.LegendY, a.LegendTextY = "8", "18"
}

// dailyCharts makes one grouped-bar chart per currency of r.Daily, in currency order.
func dailyCharts(days []Day) []barChart {
	byCur := map[string][]Day{}
	var curs []string
	for _, d := range days {
		c := money.Currency(d.Currency)
		if _, ok := byCur[c]; !ok {
			curs = append(curs, c)
		}
		byCur[c] = append(byCur[c], d)
	}
	sort.Strings(curs)
	out := make([]barChart, 0, len(curs))
	for i, c := range curs {
		ds := byCur[c]
		sort.SliceStable(ds, func(a, b int) bool { return ds[a].Day < ds[b].Day })
		out = append(out, dailyChart("chart-daily-"+strconv.Itoa(i), c, ds))
	}
	return out
}

// dailyChart is the posted vs provider bars of one currency's days.
func dailyChart(id, cur string, days []Day) barChart {
	const height, left, right, top, bottom = 280, 92, 16, 34, 52
	ch := barChart{axes: frame(wideWidth, height, left, right, top, bottom), ID: id, Currency: cur, Days: len(days)}
	ch.Title = "Posted vs provider per day (" + cur + ")"
	lo, hi := 0.0, 0.0
	differ := 0
	for _, d := range days {
		p, _ := d.Provider.Float64()
		q, _ := d.Posted.Float64()
		lo, hi = math.Min(lo, math.Min(p, q)), math.Max(hi, math.Max(p, q))
		if !d.Provider.Equal(d.Posted) {
			differ++
		}
	}
	lo, hi, step := niceDomain(lo, hi, 4)
	y := scale{lo: lo, hi: hi, p0: height - bottom, p1: top}
	for v := lo; v <= hi+step/2; v += step {
		ch.YTicks = append(ch.YTicks, tick{Pos: f(y.at(v)), Label: axisLabel(v, step, cur)})
	}
	plotW := float64(wideWidth) - left - right
	gw := plotW / float64(max(len(days), 1))
	bw := math.Min(gw*0.36, 26)
	every := max(1, (len(days)+13)/14) // at most 14 day labels
	zero := y.at(0)
	for i, d := range days {
		cx := left + gw*(float64(i)+0.5)
		for j, b := range []struct {
			v     decimal.Decimal
			class string
			what  string
		}{{d.Provider, "bar provider", "provider"}, {d.Posted, "bar posted", "posted in the ERP"}} {
			fv, _ := b.v.Float64()
			top, bot := y.at(fv), zero
			if top > bot {
				top, bot = bot, top
			}
			x := cx - bw - 1 + float64(j)*(bw+2)
			ch.Bars = append(ch.Bars, rect{X: f(x), Y: f(top), W: f(bw), H: f(bot - top), Class: b.class,
				Title: d.Day + ": " + b.what + " " + FormatMoney(b.v, cur)})
		}
		if !d.Provider.Equal(d.Posted) {
			p, _ := d.Provider.Float64()
			q, _ := d.Posted.Float64()
			ch.Diffs = append(ch.Diffs, marker{X: f(cx), Y: f(y.at(math.Max(math.Max(p, q), 0)) - 8), Class: "diff-mark",
				Title: d.Day + ": posted differs from the provider by " + FormatMoney(d.Posted.Sub(d.Provider), cur)})
		}
		if i%every == 0 {
			label := d.Day
			if len(label) == len("2006-01-02") {
				label = label[5:]
			}
			ch.XTicks = append(ch.XTicks, tick{Pos: f(cx), Label: label})
		}
	}
	ch.XTitle, ch.YTitle = "Day (MM-DD)", "Amount ("+cur+")"
	legend(&ch.axes, []float64{110, 170, 190}, []string{"bar provider", "bar posted", "diff-mark"},
		[]string{"Provider", "Posted in the ERP", "Day with a difference"})
	var first, last string
	if len(days) > 0 {
		first, last = days[0].Day, days[len(days)-1].Day
	}
	ch.Desc = "Grouped bars for " + plural(len(days), "day", "days") + " from " + first + " to " + last +
		": the provider's total and the total posted in the ERP each day; " + plural(differ, "day differs", "days differ") + "."
	return ch
}

// historyChart is the discrepancy count of each run, oldest first, the last being this run.
func historyChart(points []HistoryPoint, loc *time.Location) *lineChart {
	if len(points) == 0 {
		return nil
	}
	const height, left, right, top, bottom = 250, 56, 16, 40, 56
	ch := &lineChart{axes: frame(halfWidth, height, left, right, top, bottom), ID: "chart-history",
		Title: "Discrepancies over time"}
	hi := 0
	for _, p := range points {
		hi = max(hi, p.Discrepancies)
	}
	_, top2, step := niceDomain(0, float64(hi), 4)
	step = math.Max(1, math.Round(step))
	top2 = math.Max(step, math.Ceil(top2/step)*step)
	y := scale{lo: 0, hi: top2, p0: height - bottom, p1: top}
	for v := 0.0; v <= top2+step/2; v += step {
		ch.YTicks = append(ch.YTicks, tick{Pos: f(y.at(v)), Label: strconv.Itoa(int(v))})
	}
	plotW := float64(halfWidth) - left - right
	x := func(i int) float64 {
		if len(points) == 1 {
			return left + plotW/2
		}
		return left + 20 + (plotW-40)*float64(i)/float64(len(points)-1)
	}
	every := max(1, (len(points)+5)/6)
	line := ""
	for i, p := range points {
		px, py := x(i), y.at(float64(p.Discrepancies))
		if line != "" {
			line += " "
		}
		line += f(px) + "," + f(py)
		class, title := "point", p.At.In(loc).Format("2006-01-02 15:04")+": "+plural(p.Discrepancies, "discrepancy", "discrepancies")
		if i == len(points)-1 {
			class, title = "point current", title+" (this run)"
		}
		ch.Points = append(ch.Points, marker{X: f(px), Y: f(py), Class: class, Title: title,
			Label: strconv.Itoa(p.Discrepancies)})
		if i%every == 0 || i == len(points)-1 {
			ch.XTicks = append(ch.XTicks, tick{Pos: f(px), Label: p.At.In(loc).Format("01-02")})
		}
	}
	ch.Line = line
	ch.XTitle, ch.YTitle = "Reconciliation run (day generated, MM-DD)", "Discrepancies"
	legend(&ch.axes, []float64{170, 80}, []string{"point", "point current"},
		[]string{"Discrepancies of a run", "This run"})
	last := points[len(points)-1]
	ch.Desc = "Line chart of " + plural(len(points), "run", "runs") + ", oldest first: " +
		plural(last.Discrepancies, "discrepancy", "discrepancies") + " in this run, at most " + strconv.Itoa(hi) + "."
	return ch
}

// maxPayoutRows bounds the tie-out chart; the payouts that do not tie out come first.
const maxPayoutRows = 30

// payoutStatusRank orders payouts: those that need a look first.
func payoutStatusRank(status string) int {
	switch status {
	case "missing":
		return 0
	case "mismatch":
		return 1
	case "pending":
		return 2
	case "tied":
		return 4
	}
	return 3
}

// payoutTieOut is the tie-out chart of payouts: a track per payout for its amount, filled by the
// share posted in the ERP and coloured by status, with the 100 % line.
func payoutTieOut(payouts []Payout) *payoutChart {
	if len(payouts) == 0 {
		return nil
	}
	ps := append([]Payout(nil), payouts...)
	sort.SliceStable(ps, func(i, j int) bool { return payoutStatusRank(ps[i].Status) < payoutStatusRank(ps[j].Status) })
	more := 0
	if len(ps) > maxPayoutRows {
		more, ps = len(ps)-maxPayoutRows, ps[:maxPayoutRows]
	}
	const rowH, top, left, right, bottom = 46.0, 40.0, 14.0, 22.0, 56.0
	height := int(top + rowH*float64(len(ps)) + bottom)
	if more > 0 {
		height += 20
	}
	ch := &payoutChart{ID: "chart-payouts", Title: "Payout tie-out", More: more}
	ch.axes = frame(halfWidth, height, left, right, top, float64(height)-top-rowH*float64(len(ps)))
	share := func(p Payout) float64 {
		if p.Amount.IsZero() {
			if p.Posted.IsZero() {
				return 1
			}
			return 1.5
		}
		r, _ := p.Posted.Div(p.Amount).Float64()
		return math.Max(0, math.Min(r, 1.5))
	}
	hi := 1.0
	for _, p := range ps {
		hi = math.Max(hi, share(p))
	}
	hi = math.Ceil(hi*4) / 4
	x := scale{lo: 0, hi: hi, p0: left, p1: float64(halfWidth) - right}
	for v := 0.0; v <= hi+0.01; v += 0.25 {
		ch.XTicks = append(ch.XTicks, tick{Pos: f(x.at(v)), Label: strconv.Itoa(int(math.Round(v*100))) + "%"})
	}
	ch.Target = f(x.at(1))
	tied := 0
	for i, p := range ps {
		if p.Status == "tied" {
			tied++
		}
		y := top + rowH*float64(i)
		status := p.Status
		if status == "" {
			status = "unknown"
		}
		ch.Rows = append(ch.Rows, payoutRow{Status: status, TextY: f(y + 14), TrackY: f(y + 20), TrackW: f(x.at(hi) - left),
			Bar: rect{X: f(left), Y: f(y + 20), W: f(x.at(share(p)) - left), H: "18", Class: "payout-bar status-" + status,
				Title: p.ID + ": payout " + FormatMoney(p.Amount, p.Currency) + ", posted " + FormatMoney(p.Posted, p.Currency) + " (" + status + ")"},
			Label:  p.ID + " · " + FormatMoney(p.Amount, p.Currency),
			Detail: "posted " + FormatAmount(p.Posted, p.Currency) + " · " + status})
	}
	ch.MoreY = f(float64(height) - 8)
	ch.XTitle = "Posted in the ERP as a share of the payout"
	legend(&ch.axes, []float64{56, 84, 72, 72}, []string{"status-tied", "status-mismatch", "status-missing", "status-pending"},
		[]string{"Tied", "Mismatch", "Missing", "Pending"})
	ch.Desc = "Horizontal bars for " + plural(len(ps), "payout", "payouts") + ": the share of each payout's amount posted in the ERP, 100% when it ties out; " +
		strconv.Itoa(tied) + " tied."
	return ch
}
