package stripesandbox

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// params is a decoded Stripe form body or query string. Stripe nests values
// with brackets: "metadata[k]=v" becomes {"metadata": {"k": "v"}}, both
// "expand[]=a" and "expand[0]=a" become lists. Leaves are strings, hashes are
// params, "[]" arrays are []any; indexed arrays stay hashes with numeric keys
// until read with list, because "metadata[0]" is a legal metadata key.
type params map[string]any

// parseForm decodes url.Values into nested params, rejecting malformed names
// and conflicting shapes the way Stripe does (400 invalid_request_error).
func parseForm(values url.Values) (params, *apiError) {
	root := params{}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic conflict errors
	for _, key := range keys {
		path, ok := splitKey(key)
		if !ok {
			return nil, invalidParam(key, "Invalid parameter name: %s", key)
		}
		for _, v := range values[key] {
			if err := root.set(path, v, key); err != nil {
				return nil, err
			}
		}
	}
	return root, nil
}

// splitKey turns "a[b][]" into ["a","b",""].
func splitKey(key string) ([]string, bool) {
	i := strings.IndexByte(key, '[')
	if i < 0 {
		return []string{key}, key != ""
	}
	if i == 0 {
		return nil, false
	}
	parts := []string{key[:i]}
	rest := key[i:]
	for rest != "" {
		if rest[0] != '[' {
			return nil, false
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return nil, false
		}
		parts = append(parts, rest[1:j])
		rest = rest[j+1:]
	}
	return parts, true
}

func (p params) set(path []string, value, full string) *apiError {
	name := path[0]
	if len(path) == 1 {
		if _, isHash := p[name].(params); isHash {
			return invalidParam(full, "Invalid hash: %s was sent both as a value and as a hash", full)
		}
		p[name] = value
		return nil
	}
	if path[1] == "" { // name[] = value: append to an array
		if len(path) > 2 {
			return invalidParam(full, "Invalid array: nested values inside %s[] are only supported with indexes", name)
		}
		switch cur := p[name].(type) {
		case nil:
			p[name] = []any{value}
		case []any:
			p[name] = append(cur, value)
		default:
			return invalidParam(full, "Invalid array: %s", full)
		}
		return nil
	}
	child, ok := p[name].(params)
	if !ok {
		if p[name] != nil {
			return invalidParam(full, "Invalid hash: %s", full)
		}
		child = params{}
		p[name] = child
	}
	return child.set(path[1:], value, full)
}

// has reports whether a parameter was sent at all (even empty).
func (p params) has(name string) bool { _, ok := p[name]; return ok }

// str returns a scalar parameter. A hash or array where a string is expected
// is an error.
func (p params) str(name string) (string, bool, *apiError) {
	v, ok := p[name]
	if !ok {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, invalidParam(name, "Invalid string: %s must be a string", name)
	}
	return s, true, nil
}

// integer parses an integer parameter.
func (p params) integer(name string) (int64, bool, *apiError) {
	s, ok, err := p.str(name)
	if err != nil || !ok {
		return 0, ok, err
	}
	n, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil {
		return 0, true, invalidParam(name, "Invalid integer: %s", s)
	}
	return n, true, nil
}

// boolean parses "true"/"false".
func (p params) boolean(name string) (bool, bool, *apiError) {
	s, ok, err := p.str(name)
	if err != nil || !ok {
		return false, ok, err
	}
	switch s {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, true, invalidParam(name, "Invalid boolean: %s", s)
}

// hash returns a nested hash. An empty string is accepted and reported as
// (nil, true, nil): Stripe uses it to unset a hash (e.g. "address=").
func (p params) hash(name string) (params, bool, *apiError) {
	v, ok := p[name]
	if !ok {
		return nil, false, nil
	}
	switch h := v.(type) {
	case params:
		return h, true, nil
	case string:
		if h == "" {
			return nil, true, nil
		}
	}
	return nil, true, invalidParam(name, "Invalid hash: %s must be a hash", name)
}

// list returns an array of strings sent as name[]=, name[0]= or (leniently)
// a single name= value.
func (p params) list(name string) ([]string, bool, *apiError) {
	v, ok := p[name]
	if !ok {
		return nil, false, nil
	}
	switch l := v.(type) {
	case string:
		if l == "" {
			return []string{}, true, nil
		}
		return []string{l}, true, nil
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out, true, nil
	case params:
		type kv struct {
			i int
			v string
		}
		items := make([]kv, 0, len(l))
		for k, e := range l {
			i, err := strconv.Atoi(k)
			s, isStr := e.(string)
			if err != nil || i < 0 || !isStr {
				return nil, true, invalidParam(name, "Invalid array: %s", name)
			}
			items = append(items, kv{i, s})
		}
		sort.Slice(items, func(a, b int) bool { return items[a].i < items[b].i })
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it.v
		}
		return out, true, nil
	}
	return nil, true, invalidParam(name, "Invalid array: %s", name)
}

// allow rejects parameters not in the allowed set, like Stripe's
// "Received unknown parameter" (prefix is the enclosing hash, e.g. "address").
func (p params) allow(prefix string, allowed ...string) *apiError {
	set := make(map[string]bool, len(allowed))
	for _, a := range allowed {
		set[a] = true
	}
	names := make([]string, 0, len(p))
	for k := range p {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !set[k] {
			full := k
			if prefix != "" {
				full = prefix + "[" + k + "]"
			}
			return invalidParam(full, "Received unknown parameter: %s", full)
		}
	}
	return nil
}

// Metadata limits, as documented by Stripe.
const (
	maxMetadataKeys   = 50
	maxMetadataKeyLen = 40
	maxMetadataValLen = 500
)

// applyMetadata merges the "metadata" parameter into existing metadata with
// Stripe's update semantics: a key with an empty value is deleted, and
// "metadata=" (empty string) clears everything. It returns the new map and
// whether the parameter was sent.
func applyMetadata(p params, existing map[string]string) (map[string]string, bool, *apiError) {
	out := make(map[string]string, len(existing))
	for k, v := range existing {
		out[k] = v
	}
	raw, ok := p["metadata"]
	if !ok {
		return out, false, nil
	}
	switch m := raw.(type) {
	case string:
		if m != "" {
			return nil, true, invalidParam("metadata", "Invalid hash: metadata must be a hash")
		}
		return map[string]string{}, true, nil
	case params:
		for k, v := range m {
			s, isStr := v.(string)
			if !isStr {
				return nil, true, invalidParam("metadata["+k+"]", "Invalid metadata: values must be strings (metadata[%s])", k)
			}
			if len(k) > maxMetadataKeyLen {
				return nil, true, invalidParam("metadata["+k+"]", "Metadata keys can have a maximum length of %d characters.", maxMetadataKeyLen)
			}
			if len(s) > maxMetadataValLen {
				return nil, true, invalidParam("metadata["+k+"]", "Metadata values can have a maximum length of %d characters.", maxMetadataValLen)
			}
			if s == "" {
				delete(out, k)
			} else {
				out[k] = s
			}
		}
	default:
		return nil, true, invalidParam("metadata", "Invalid hash: metadata must be a hash")
	}
	if len(out) > maxMetadataKeys {
		return nil, true, invalidParam("metadata", "You can have a maximum of %d metadata keys.", maxMetadataKeys)
	}
	return out, true, nil
}
