// Package redact masks payment card data in free text before it leaves the edge of ledgerbridge
// (design principle 6: no card data in workflow histories, logs or ERP documents). Merchants and
// support agents paste things like "phone order, card 4242 4242 4242 4242 exp 12/29 cvc 123"
// into descriptions and metadata; Text turns that into "phone order, card ****4242 exp **/**
// cvc ***" and leaves every other byte alone.
//
// # What counts as a card number
//
// A run is a stretch of ASCII digits in which a single space or a single dash may separate digit
// groups ("4242 4242-4242 4242" is one run of four groups; two spaces, a dot, a slash or a letter
// end a run). Inside a run, Text masks:
//
//   - every stretch of whole groups holding 13 to 19 digits that passes the Luhn check: a PAN
//     written plainly ("4242424242424242"), grouped ("4242 4242 4242 4242") or followed by other
//     numbers after a single space ("4242424242424242 12/29" keeps " 12/29"). When several such
//     stretches overlap, their union is masked;
//   - a digit-only group longer than 19 digits when any 13 to 19 digit window inside it passes
//     Luhn. That is the safe side: a PAN glued to an expiry, a CVC or a second PAN cannot be told
//     apart from a long reference number, and leaking a card number is worse than hiding the
//     middle of a reference. In practice nearly every group of 20 or more digits is masked
//     (almost every such group has some Luhn-valid window); its last 4 digits stay for matching.
//
// A masked stretch becomes "****" followed by its last 4 digits. A 13 to 19 digit group that
// fails Luhn, and any shorter number (order numbers, amounts, dates, phone numbers), is kept.
//
// Labelled security codes and expiry dates are masked after card numbers, keeping the label:
// "cvc 123", "CVV: 1234", "cvv2=123", "security code 123" become "cvc ***" and so on; "exp
// 12/29", "exp. 12/2029", "expiry 12-29", "expires 1229", "valid thru 12/29" become "exp **/**"
// and so on. Labels match case-insensitively and must not be preceded by a letter ("card_cvc"
// counts, "xcvc" does not). A bare "12/29" or "123" with no label is kept: it cannot be told from
// a date or a quantity.
//
// Not covered: digits other than ASCII 0-9, other separators (dots, tabs, double spaces), numbers
// spelled out, and a PAN glued to other digits in a group of at most 19 digits (e.g. a 16 digit
// PAN and its CVC written as one 19 digit number that itself fails Luhn).
//
// Text is idempotent, allocates nothing when there is nothing to mask, runs in time linear in its
// input and accepts any bytes, valid UTF-8 or not.
package redact

import (
	"slices"
	"strings"
)

// The lengths of card numbers (ISO/IEC 7812).
const (
	minPAN = 13
	maxPAN = 19
)

// Text returns s with every card number, labelled security code and labelled expiry date masked
// as described in the package documentation. It returns s itself when there is nothing to mask.
func Text(s string) string {
	if !hasDigit(s) {
		return s
	}
	// Card numbers first: a mislabelled "cvc 4242 4242 4242 4242" must lose the whole PAN, not
	// just the first group the label would claim.
	s, _ = scanPANs(s, false)
	return maskLabels(s)
}

// ContainsPAN reports whether s holds a card number that Text would mask.
func ContainsPAN(s string) bool {
	_, found := scanPANs(s, true)
	return found
}

// Map returns a copy of m with every key and value passed through Text; nil stays nil. When two
// keys mask to the same text, a key that needed no masking wins, then the smallest original key,
// so the result does not depend on map order.
func Map(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	var masked []string
	for k, v := range m {
		if Text(k) != k {
			masked = append(masked, k)
			continue
		}
		out[k] = Text(v)
	}
	slices.Sort(masked)
	for _, k := range masked {
		if mk := Text(k); !hasKey(out, mk) {
			out[mk] = Text(m[k])
		}
	}
	return out
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

// Strings returns a copy of ss with every element passed through Text; nil stays nil.
func Strings(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Text(s)
	}
	return out
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isSep(c byte) bool { return c == ' ' || c == '-' }

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

// group is one digit-only stretch of a run, s[start:end].
type group struct{ start, end int }

// edit replaces s[start:end] with stars×"****" and last4. stars > 1 when the last 4 digits of
// one masked stretch, read with the groups after them, formed another card number.
type edit struct {
	start, end int
	stars      int
	last4      [4]byte
}

// scanPANs masks the card numbers of s (or, with detect, reports the first one and stops).
//
// Each run is swept left to right. When a masked stretch ends inside a run, its last 4 digits
// stay next to the rest of the run ("****4242 4242 …"), so they are checked again as the first
// group of what follows: that is what makes Text(Text(s)) == Text(s), because the output holds
// no stretch that was not already checked.
func scanPANs(s string, detect bool) (string, bool) {
	var (
		b      strings.Builder
		last   int
		edited bool
		gs     = make([]group, 0, 32)
	)
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		gs, i = run(s, i, gs[:0])
		if digits := gs[len(gs)-1].end - gs[0].start - (len(gs) - 1); digits < minPAN {
			continue // the common case: a short number
		}
		for k := 0; k < len(gs); {
			e, ok := longestFrom(s, nil, gs, k)
			if !ok {
				k++
				continue
			}
			if detect {
				return s, true
			}
			e = widen(s, gs, k+1, e)
			ed := edit{start: gs[k].start, end: gs[e].end, stars: 1, last4: last4(s, gs[e].end)}
			k = e + 1
			// The last 4 digits and the groups after them may form another card number.
			for {
				e2, ok := longestFrom(s, ed.last4[:], gs, k)
				if !ok {
					break
				}
				e2 = widen(s, gs, k, e2)
				ed.end, ed.stars, ed.last4 = gs[e2].end, ed.stars+1, last4(s, gs[e2].end)
				k = e2 + 1
			}
			if !edited {
				b.Grow(len(s))
				edited = true
			}
			b.WriteString(s[last:ed.start])
			for range ed.stars {
				b.WriteString("****")
			}
			b.Write(ed.last4[:])
			last = ed.end
		}
	}
	if !edited {
		return s, false
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// run appends to gs the groups of the run starting at the digit s[i] and returns them with the
// offset just past the run.
func run(s string, i int, gs []group) ([]group, int) {
	for {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		gs = append(gs, group{i, j})
		if j+1 < len(s) && isSep(s[j]) && isDigit(s[j+1]) {
			i = j + 1
			continue
		}
		return gs, j
	}
}

// longestFrom returns the last group of the longest Luhn-valid stretch of 13 to 19 digits that
// starts with prefix (the last 4 digits of a stretch just masked, or nil) followed by gs[k:]. A
// group of more than 19 digits right at gs[k] is checked window by window instead.
func longestFrom(s string, prefix []byte, gs []group, k int) (int, bool) {
	if k >= len(gs) {
		return 0, false
	}
	if g := gs[k]; prefix == nil && g.end-g.start > maxPAN {
		return k, anyWindow(s[g.start:g.end])
	}
	var buf [maxPAN]byte
	n := copy(buf[:], prefix)
	best, found := 0, false
	for m := k; m < len(gs); m++ {
		g := gs[m]
		if n+g.end-g.start > maxPAN {
			break
		}
		n += copy(buf[n:], s[g.start:g.end])
		if n >= minPAN && luhn(buf[:n]) {
			best, found = m, true
		}
	}
	return best, found
}

// widen extends a masked stretch ending at group e with every valid stretch that starts at one
// of its groups from k on, so overlapping card numbers are masked as one.
func widen(s string, gs []group, k, e int) int {
	for m := k; m <= e; m++ {
		if me, ok := longestFrom(s, nil, gs, m); ok && me > e {
			e = me
		}
	}
	return e
}

// last4 returns the last 4 digits before end (a masked stretch always holds at least 9).
func last4(s string, end int) [4]byte {
	var out [4]byte
	n := 4
	for p := end - 1; p >= 0 && n > 0; p-- {
		if isDigit(s[p]) {
			n--
			out[n] = s[p]
		}
	}
	return out
}

// luhn reports whether the digits pass the Luhn (mod 10) check.
func luhn(d []byte) bool {
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// anyWindow reports whether some 13 to 19 digit window of the digits d passes Luhn. For each
// window end it sums leftwards once, so it costs 19 steps per digit.
func anyWindow(d string) bool {
	for end := minPAN; end <= len(d); end++ {
		sum := 0
		for p := end - 1; p >= 0 && end-p <= maxPAN; p-- {
			v := int(d[p] - '0')
			if (end-1-p)%2 == 1 {
				if v *= 2; v > 9 {
					v -= 9
				}
			}
			sum += v
			if end-p >= minPAN && sum%10 == 0 {
				return true
			}
		}
	}
	return false
}

// Labels, as lower-case words; between two words the text may have one space, "_" or "-"
// ("security code", "security_code", "securitycode"). Longer labels come first, but every label
// is tried, so "exp" still gets its chance when "expiry" does not fit.
var (
	cvcLabels = [][]string{
		{"cvc2"}, {"cvv2"}, {"cvc"}, {"cvv"}, {"csc"}, {"cvn"},
		{"security", "code"}, {"sec", "code"},
		{"card", "verification", "code"}, {"card", "verification", "value"}, {"card", "verification", "number"},
		{"card", "security", "code"}, {"card", "code"},
	}
	expLabels = [][]string{
		{"expiration", "date"}, {"expiry", "date"}, {"exp", "date"},
		{"expiration"}, {"expires"}, {"expired"}, {"expiry"}, {"exp"},
		{"valid", "thru"}, {"valid", "through"}, {"valid", "until"}, {"valid", "till"}, {"valid", "to"},
		{"good", "thru"}, {"good", "through"}, {"good", "until"}, {"good", "till"},
	}
	// linkWords may stand between a label and its value: "cvv is 123", "expires on 12/29".
	linkWords = []string{"is", "was", "on"}
)

// maxSep bounds the blanks and punctuation between a label and its value, keeping the scan
// short on hostile input.
const maxSep = 6

// maskLabels replaces labelled security codes with *** and labelled expiry dates with **/**.
func maskLabels(s string) string {
	var (
		b      strings.Builder
		last   int
		edited bool
	)
	for pos := 0; pos < len(s); pos++ {
		// A label inside a word ("xcvc") is not one.
		if !labelStart(s[pos]) || (pos > 0 && isLetter(s[pos-1])) {
			continue
		}
		vs, ve, mask := labelled(s, pos)
		if mask == "" {
			continue
		}
		if !edited {
			b.Grow(len(s))
			edited = true
		}
		b.WriteString(s[last:vs])
		b.WriteString(mask)
		last, pos = ve, ve-1
	}
	if !edited {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// labelStart reports whether a label can start with c.
func labelStart(c byte) bool {
	switch c | 0x20 {
	case 'c', 's', 'e', 'v', 'g':
		return true
	}
	return false
}

// labelled returns the value s[vs:ve] of a label starting at pos and its mask, or mask "".
func labelled(s string, pos int) (vs, ve int, mask string) {
	for _, l := range cvcLabels {
		if p, ok := words(s, pos, l); ok {
			if vs, ok := valueStart(s, p); ok {
				if ve, ok := cvcValue(s, vs); ok {
					return vs, ve, "***"
				}
			}
		}
	}
	for _, l := range expLabels {
		if p, ok := words(s, pos, l); ok {
			if p < len(s) && s[p] == '.' {
				p++ // "exp. 12/29"
			}
			if vs, ok := valueStart(s, p); ok {
				if ve, ok := dateValue(s, vs); ok {
					return vs, ve, "**/**"
				}
			}
		}
	}
	return 0, 0, ""
}

// words matches the words of a label at pos, case-insensitively, and returns the offset after it.
func words(s string, pos int, ws []string) (int, bool) {
	p := pos
	for i, w := range ws {
		if i > 0 && p < len(s) && (s[p] == ' ' || s[p] == '_' || s[p] == '-') {
			p++
		}
		if !hasFold(s, p, w) {
			return 0, false
		}
		p += len(w)
	}
	return p, true
}

// hasFold reports whether s has w at p, ignoring ASCII case; w is lower case.
func hasFold(s string, p int, w string) bool {
	if len(s)-p < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := s[p+i]
		if 'A' <= c && c <= 'Z' {
			c |= 0x20
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// valueStart skips what may stand between a label ending at p and its value, which must start
// with a digit.
func valueStart(s string, p int) (int, bool) {
	p = skipSep(s, p)
	if p < len(s) && isDigit(s[p]) {
		return p, true
	}
	for _, w := range linkWords {
		if hasFold(s, p, w) {
			if q := skipSep(s, p+len(w)); q > p+len(w) && q < len(s) && isDigit(s[q]) {
				return q, true
			}
		}
	}
	return 0, false
}

func skipSep(s string, p int) int {
	for n := 0; n < maxSep && p < len(s) && strings.IndexByte(" \t:=#\"'-", s[p]) >= 0; n++ {
		p++
	}
	return p
}

// digitsAt returns how many digits s has from p on.
func digitsAt(s string, p int) int {
	n := 0
	for p+n < len(s) && isDigit(s[p+n]) {
		n++
	}
	return n
}

// cvcValue returns the end of a 3 or 4 digit code at p ("cvc 12345" is something else).
func cvcValue(s string, p int) (int, bool) {
	n := digitsAt(s, p)
	return p + n, n == 3 || n == 4
}

// dateValue returns the end of an expiry date at p: MM/YY, MM/YYYY, MM-YY, MMYY, MMYYYY or
// YYYY-MM (blanks allowed around the / or -), with a real month, and not running on into more
// digits or another "/…" or "-…", so that a labelled amount or a full date ("expires
// 2026-12-01", "exp 12/29/2026") is not taken for an expiry.
func dateValue(s string, p int) (int, bool) {
	end := func(e int) (int, bool) {
		return e, e >= len(s) || (!isDigit(s[e]) && s[e] != '/' && s[e] != '-')
	}
	n := digitsAt(s, p)
	switch {
	case (n == 1 || n == 2) && month(s[p:p+n]):
		if q, ok := dateSep(s, p+n); ok {
			if y := digitsAt(s, q); y == 2 || (y == 4 && s[q:q+2] == "20") {
				return end(q + y)
			}
		}
	case n == 4 && s[p:p+2] == "20":
		if q, ok := dateSep(s, p+n); ok {
			if m := digitsAt(s, q); (m == 1 || m == 2) && month(s[q:q+m]) {
				return end(q + m)
			}
		}
	case n == 4 || (n == 6 && s[p+2:p+4] == "20"): // MMYY, MMYYYY
		if month(s[p : p+2]) {
			return end(p + n)
		}
	}
	return 0, false
}

// dateSep skips the separator of a date at p: "/" or "-", with at most one blank either side.
func dateSep(s string, p int) (int, bool) {
	if p < len(s) && s[p] == ' ' {
		p++
	}
	if p >= len(s) || (s[p] != '/' && s[p] != '-') {
		return 0, false
	}
	p++
	if p < len(s) && s[p] == ' ' {
		p++
	}
	return p, true
}

// month reports whether m (1 or 2 digits) is a month: 1-9, 01-09 or 10-12.
func month(m string) bool {
	switch len(m) {
	case 1:
		return m != "0"
	case 2:
		return (m[0] == '0' && m[1] != '0') || (m[0] == '1' && m[1] <= '2')
	}
	return false
}
