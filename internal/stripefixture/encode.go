package stripefixture

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"
)

// obj is a JSON object. It is written the way Stripe's API writes its
// objects: "id" and "object" first (when present), then every other key in
// alphabetical order. The output is therefore deterministic.
type obj map[string]any

// list builds a Stripe list object ({"object":"list","data":[…],…}).
func list(url string, data ...any) obj {
	if data == nil {
		data = []any{}
	}
	return obj{
		"object":      "list",
		"data":        data,
		"has_more":    false,
		"total_count": len(data),
		"url":         url,
	}
}

// Encode renders v — a JSON value built of maps, slices, strings, bools,
// integers and json.Number, as a body decoded with UseNumber is — the way
// Stripe delivers webhook bodies (see appendJSON). Tools that edit a
// fixture's body (internal/scenario) encode it back with this, so their
// events have the same bytes a fixture would.
func Encode(v any) []byte { return appendJSON(make([]byte, 0, 8192), v, 0) }

// appendJSON appends the JSON encoding of v to b, pretty-printed the way
// Stripe delivers webhook bodies (and exactly as json.Indent with a two-space
// indent would format it: empty objects and arrays stay "{}" and "[]").
// depth is the nesting level of v. Only the value kinds used by the fixtures
// are supported; anything else is a programming error.
func appendJSON(b []byte, v any, depth int) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case obj:
		return appendObject(b, x, depth)
	case map[string]any:
		return appendObject(b, obj(x), depth)
	case json.Number:
		return append(b, x...)
	case []any:
		if len(x) == 0 {
			return append(b, "[]"...)
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = newline(b, depth+1)
			b = appendJSON(b, e, depth+1)
		}
		return append(newline(b, depth), ']')
	case []string:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = e
		}
		return appendJSON(b, a, depth)
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	default:
		panic(fmt.Sprintf("stripefixture: cannot encode %T", v))
	}
}

func newline(b []byte, depth int) []byte {
	b = append(b, '\n')
	for i := 0; i < depth; i++ {
		b = append(b, ' ', ' ')
	}
	return b
}

func appendObject(b []byte, o obj, depth int) []byte {
	if len(o) == 0 {
		return append(b, "{}"...)
	}
	keys := make([]string, 0, len(o))
	for k := range o {
		if k != "id" && k != "object" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var first []string
	for _, k := range [...]string{"id", "object"} {
		if _, ok := o[k]; ok {
			first = append(first, k)
		}
	}
	keys = append(first, keys...)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = newline(b, depth+1)
		b = appendString(b, k)
		b = append(b, ':', ' ')
		b = appendJSON(b, o[k], depth+1)
	}
	return append(newline(b, depth), '}')
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string. Unlike encoding/json it does not
// escape <, > and & (Stripe does not either); invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
