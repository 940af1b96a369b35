package infor

import (
	"slices"
	"strconv"
	"strings"
)

// encodeQuery is the query string of an MI call: the fields, then maxrecs
// and returncols from o (which win over a field of the same name), sorted
// by name and escaped as url.Values.Encode does, except that a blank is
// %20 rather than "+", which every server's query decoder reads the same.
// It is written out directly because it runs on every call, and building
// url.Values (a slice per field), encoding and then rewriting "+" cost more
// than the rest of the request's preparation.
func encodeQuery(fields map[string]string, o ExecuteOptions) string {
	maxrecs := ""
	switch {
	case o.MaxRecs == AllRecords:
		maxrecs = "0"
	case o.MaxRecs > 0:
		maxrecs = strconv.Itoa(o.MaxRecs)
	}
	returncols, hasCols := strings.Join(o.ReturnCols, ","), len(o.ReturnCols) > 0

	keys := make([]string, 0, len(fields)+2)
	size := 0
	for k, v := range fields {
		if (k == "maxrecs" && maxrecs != "") || (k == "returncols" && hasCols) {
			continue
		}
		keys = append(keys, k)
		size += len(k) + len(v) + 2
	}
	if maxrecs != "" {
		keys = append(keys, "maxrecs")
		size += len(maxrecs) + 9
	}
	if hasCols {
		keys = append(keys, "returncols")
		size += len(returncols) + 12
	}
	if len(keys) == 0 {
		return ""
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(size + size/4)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		v := fields[k]
		switch k {
		case "maxrecs":
			if maxrecs != "" {
				v = maxrecs
			}
		case "returncols":
			if hasCols {
				v = returncols
			}
		}
		escapeQuery(&b, k)
		b.WriteByte('=')
		escapeQuery(&b, v)
	}
	return b.String()
}

// escapeQuery writes s with every byte but A-Z a-z 0-9 - _ . ~ as %XX:
// url.QueryEscape, with a blank as %20.
func escapeQuery(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			continue
		}
		b.WriteString(s[start:i])
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
		start = i + 1
	}
	b.WriteString(s[start:])
}
