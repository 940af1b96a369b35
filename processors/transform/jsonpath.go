package transform

import "strconv"

// pathAt returns the JSON path ("data.object.lines.data[0].amount") of the
// value that starts at offset off of the JSON text s. It re-reads s up to
// off, so it costs nothing until an error or a flag needs a path. It returns
// "" for the top-level value and when off is not the start of a value.
func pathAt(s string, off int) string {
	r := newReader(s)
	var segs []string
	if !findPath(r, off, &segs) {
		return ""
	}
	n := 0
	for _, seg := range segs {
		n += len(seg) + 1
	}
	b := make([]byte, 0, n)
	for _, seg := range segs {
		if len(b) > 0 && (seg == "" || seg[0] != '[') {
			b = append(b, '.')
		}
		b = append(b, seg...)
	}
	return string(b)
}

// findPath walks the value at r.i, appending member names and [index]
// segments to segs on the way down to the value at off.
func findPath(r *reader, off int, segs *[]string) bool {
	c := r.peek()
	if r.i == off {
		return true
	}
	if r.i > off || r.err != nil {
		return false
	}
	switch c {
	case '{':
		r.open('{')
		for first := true; r.more(first, '}'); first = false {
			k := r.key()
			*segs = append(*segs, k)
			if findPath(r, off, segs) {
				return true
			}
			*segs = (*segs)[:len(*segs)-1]
		}
	case '[':
		r.open('[')
		for i := 0; r.more(i == 0, ']'); i++ {
			*segs = append(*segs, "["+strconv.Itoa(i)+"]")
			if findPath(r, off, segs) {
				return true
			}
			*segs = (*segs)[:len(*segs)-1]
		}
	default:
		r.skip()
	}
	return false
}

// joinPath appends a member name to a path.
func joinPath(path, name string) string {
	if name == "" {
		return path
	}
	if path == "" {
		return name
	}
	return path + "." + name
}
