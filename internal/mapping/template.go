package mapping

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Template is a parsed string template: literal text with {path} placeholders.
//
//	{charge.id}                      the value at a source path
//	{customer.name|customer.email}   the first non-empty of several paths
//	{customer.name:upper}            filters, applied left to right: upper, lower, trim, max=N
//	{{ and }}                        literal braces
//
// A missing path renders empty. The rendered result has every run of white space collapsed to
// one space and is trimmed, so "{a} {b}" renders "x" when b is empty.
type Template struct {
	src   string
	parts []part
}

// part is a literal (paths == nil) or a placeholder.
type part struct {
	lit     string
	paths   []string
	filters []filter
}

type filter struct {
	name string // upper, lower, trim, max
	n    int    // max=N
}

// filterNames lists the template filters, for error messages.
const filterNames = "upper, lower, trim, max=N"

// ParseTemplate parses a template and checks every path it references with ValidatePath.
func ParseTemplate(s string) (*Template, error) {
	t := &Template{src: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i += 2
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i += 2
		case c == '}':
			return nil, fmt.Errorf("unmatched } at offset %d; write }} for a literal brace", i)
		case c == '{':
			end := strings.IndexAny(s[i+1:], "{}")
			if end < 0 || s[i+1+end] == '{' {
				return nil, fmt.Errorf("unclosed { at offset %d; write {{ for a literal brace", i)
			}
			p, err := parsePlaceholder(s[i+1 : i+1+end])
			if err != nil {
				return nil, err
			}
			flush()
			t.parts = append(t.parts, p)
			i += end + 2
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return t, nil
}

// MustParseTemplate is ParseTemplate that panics on error, for templates fixed in code.
func MustParseTemplate(s string) *Template {
	t, err := ParseTemplate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func parsePlaceholder(body string) (part, error) {
	segs := strings.Split(body, ":")
	var p part
	for _, raw := range strings.Split(segs[0], "|") {
		path := strings.TrimSpace(raw)
		if path == "" {
			return p, fmt.Errorf("empty source path in {%s}; want e.g. {charge.id} or {customer.name|customer.email}", body)
		}
		if err := ValidatePath(path); err != nil {
			return p, err
		}
		p.paths = append(p.paths, path)
	}
	for _, raw := range segs[1:] {
		f := strings.TrimSpace(raw)
		name, arg, hasArg := strings.Cut(f, "=")
		switch {
		case !hasArg && (name == "upper" || name == "lower" || name == "trim"):
			p.filters = append(p.filters, filter{name: name})
		case hasArg && name == "max":
			n, err := strconv.Atoi(strings.TrimSpace(arg))
			if err != nil || n <= 0 {
				return p, fmt.Errorf("filter %q in {%s}: want max=N with N a positive whole number", f, body)
			}
			p.filters = append(p.filters, filter{name: "max", n: n})
		default:
			return p, fmt.Errorf("unknown filter %q in {%s}; want one of %s", f, body, filterNames)
		}
	}
	return p, nil
}

// String returns the template's source text.
func (t *Template) String() string {
	if t == nil {
		return ""
	}
	return t.src
}

// Paths lists the source paths the template reads, in order of appearance.
func (t *Template) Paths() []string {
	if t == nil {
		return nil
	}
	var out []string
	for _, p := range t.parts {
		out = append(out, p.paths...)
	}
	return out
}

// Render fills the template from src. A nil template renders empty.
func (t *Template) Render(src Source) string {
	if t == nil {
		return ""
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.paths == nil {
			b.WriteString(p.lit)
			continue
		}
		v := ""
		for _, path := range p.paths {
			if v = src[path]; strings.TrimSpace(v) != "" {
				break
			}
		}
		for _, f := range p.filters {
			v = f.apply(v)
		}
		b.WriteString(v)
	}
	return collapseSpace(b.String())
}

func (f filter) apply(v string) string {
	switch f.name {
	case "upper":
		return strings.ToUpper(v)
	case "lower":
		return strings.ToLower(v)
	case "trim":
		return strings.TrimSpace(v)
	case "max":
		return truncate(v, f.n)
	}
	return v
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// collapseSpace replaces every run of white space with one space and trims the ends.
func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
