package transform

import (
	"encoding/json"
	"unicode/utf8"
)

// Why a hand-written reader: on this project's 2-core VM encoding/json needs
// 18 µs just to validate a 3.7 KB charge.succeeded (json.Valid) and 49 µs to
// decode the ~40 fields the transform uses into typed structs, while the
// budget for transform and Avro encoding together is 50 µs per event. This
// reader decodes the same typed structs (stripe.go, with the json tags
// encoding/json would use) in one pass over a string, so every string value
// is a substring of the body with no copy. It accepts exactly the grammar
// encoding/json.Valid accepts (the fuzz test holds it to that, and a test
// decodes every test payload with both and compares the structs). Strings
// with escapes or invalid UTF-8 (rare in Stripe payloads) are handed to
// encoding/json, so they decode exactly as it would.
//
// Differences from encoding/json by design: keys match exactly (Stripe's are
// lower case; encoding/json would also accept "ID" for "id"), and a value of
// the wrong kind for a field is skipped and its offset recorded (r.bad) instead
// of failing the whole record, so that event types that make no commands are
// never dead-lettered over a field only the enriched event reads.

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// reader is a pull parser over one JSON text. Errors are sticky: after the
// first syntax error every method returns zero values and the loops of the
// decode functions end, so callers check r.err once at the end.
type reader struct {
	s     string
	i     int
	depth int
	// err is the first syntax error (the text is not JSON).
	err *Error
	// bad is the offset of the first value of the wrong kind for the field
	// it was read into (a string where an object belongs), -1 when none.
	bad int
}

func newReader(s string) *reader { return &reader{s: s, bad: -1} }

// syntax records that the text is not valid JSON at the current offset.
func (r *reader) syntax(what string) {
	if r.err == nil {
		r.err = &Error{Class: ClassDecode, Code: "invalid_json", Message: "not valid JSON: " + what + " at offset " + itoa(int64(r.i))}
	}
	r.i = len(r.s)
}

// mismatch records a value of the wrong kind at off and skips it.
func (r *reader) mismatch(off int) {
	if r.bad < 0 {
		r.bad = off
	}
	r.skip()
}

func (r *reader) ws() {
	i := r.i
	for i < len(r.s) {
		// Pretty-printed bodies (Stripe's) indent with runs of spaces:
		// eight at a time in one comparison.
		if i+8 <= len(r.s) && r.s[i:i+8] == "        " {
			i += 8
			continue
		}
		if !space[r.s[i]] {
			break
		}
		i++
	}
	r.i = i
}

var space = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// peek returns the first byte of the next value (0 at the end or after an
// error) without consuming it.
func (r *reader) peek() byte {
	if r.err != nil {
		return 0
	}
	r.ws()
	if r.i >= len(r.s) {
		r.syntax("unexpected end")
		return 0
	}
	return r.s[r.i]
}

// literal consumes true, false or null.
func (r *reader) literal(word string) {
	if len(r.s)-r.i >= len(word) && r.s[r.i:r.i+len(word)] == word {
		r.i += len(word)
		return
	}
	r.syntax("invalid literal")
}

// open consumes c ('{' or '[') when the next value starts with it and
// reports true. A null is consumed and reports false; any other value is a
// kind mismatch: recorded, skipped, false.
func (r *reader) open(c byte) bool {
	switch b := r.peek(); b {
	case c:
		r.i++
		r.depth++
		if r.depth > maxDepth {
			r.syntax("nesting too deep")
			return false
		}
		return true
	case 'n':
		r.literal("null")
	case 0:
	default:
		r.mismatch(r.i)
	}
	return false
}

// more advances to the next member of an object (close '}') or element of
// an array (close ']') that open entered. first is true before the first
// one. It consumes the closing byte and reports false at the end.
func (r *reader) more(first bool, close byte) bool {
	if r.err != nil {
		return false
	}
	r.ws()
	if r.i >= len(r.s) {
		r.syntax("unexpected end")
		return false
	}
	if r.s[r.i] == close {
		// A closing byte right after a comma is refused below, where the
		// comma is consumed.
		r.i++
		r.depth--
		return false
	}
	if !first {
		if r.s[r.i] != ',' {
			r.syntax("expected , or " + string(close))
			return false
		}
		r.i++
		r.ws()
		if r.i < len(r.s) && r.s[r.i] == close {
			r.syntax("trailing comma")
			return false
		}
	}
	return true
}

// key reads an object member's name and the colon after it.
func (r *reader) key() string {
	if r.peek() != '"' {
		r.syntax("expected a member name")
		return ""
	}
	k := r.str()
	r.ws()
	if r.i >= len(r.s) || r.s[r.i] != ':' {
		r.syntax("expected :")
		return ""
	}
	r.i++
	return k
}

// scanString validates the string starting at r.i (an opening quote) and
// moves past it. It returns the content between the quotes and whether it
// needs decoding (escapes or bytes that are not plain ASCII).
func (r *reader) scanString() (raw string, slow bool) {
	start := r.i + 1
	nonASCII, escaped := false, false
	for j := start; j < len(r.s); j++ {
		// Plain bytes, the bulk of any string, in a tight loop.
		for j < len(r.s) && plain[r.s[j]] {
			j++
		}
		if j >= len(r.s) {
			break
		}
		c := r.s[j]
		switch {
		case c == '"':
			r.i = j + 1
			raw = r.s[start:j]
			return raw, escaped || (nonASCII && !utf8.ValidString(raw))
		case c == '\\':
			escaped = true
			j++
			if j >= len(r.s) {
				r.i = j
				r.syntax("unterminated string")
				return "", false
			}
			switch r.s[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(r.s) || !isHex(r.s[j+1]) || !isHex(r.s[j+2]) || !isHex(r.s[j+3]) || !isHex(r.s[j+4]) {
					r.i = j
					r.syntax("invalid \\u escape")
					return "", false
				}
				j += 4
			default:
				r.i = j
				r.syntax("invalid escape")
				return "", false
			}
		case c < 0x20:
			r.i = j
			r.syntax("control character in string")
			return "", false
		default: // c >= 0x80
			nonASCII = true
		}
	}
	r.i = len(r.s)
	r.syntax("unterminated string")
	return "", false
}

// plain marks the bytes a string may hold that need no attention: printable
// ASCII other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// str reads a string value (the reader is at its opening quote).
func (r *reader) str() string {
	start := r.i
	raw, slow := r.scanString()
	if !slow || r.err != nil {
		return raw
	}
	// Escapes and invalid UTF-8 decode exactly as encoding/json decodes them.
	var out string
	if err := json.Unmarshal([]byte(r.s[start:r.i]), &out); err != nil {
		r.i = start
		r.syntax("invalid string")
		return ""
	}
	return out
}

// number scans a JSON number and returns its text and whether it is a
// plain integer (no fraction, no exponent).
func (r *reader) number() (text string, integer bool) {
	start := r.i
	j := r.i
	if j < len(r.s) && r.s[j] == '-' {
		j++
	}
	switch {
	case j < len(r.s) && r.s[j] == '0':
		j++
	case j < len(r.s) && r.s[j] >= '1' && r.s[j] <= '9':
		for j < len(r.s) && r.s[j] >= '0' && r.s[j] <= '9' {
			j++
		}
	default:
		r.i = j
		r.syntax("invalid number")
		return "", false
	}
	integer = true
	if j < len(r.s) && r.s[j] == '.' {
		integer = false
		j++
		d := j
		for j < len(r.s) && r.s[j] >= '0' && r.s[j] <= '9' {
			j++
		}
		if j == d {
			r.i = j
			r.syntax("invalid number")
			return "", false
		}
	}
	if j < len(r.s) && (r.s[j] == 'e' || r.s[j] == 'E') {
		integer = false
		j++
		if j < len(r.s) && (r.s[j] == '+' || r.s[j] == '-') {
			j++
		}
		d := j
		for j < len(r.s) && r.s[j] >= '0' && r.s[j] <= '9' {
			j++
		}
		if j == d {
			r.i = j
			r.syntax("invalid number")
			return "", false
		}
	}
	r.i = j
	return r.s[start:j], integer
}

// skip validates and consumes one value of any kind.
func (r *reader) skip() {
	switch c := r.peek(); {
	case c == 0:
	case c == '{':
		r.open('{')
		for first := true; r.more(first, '}'); first = false {
			r.key()
			r.skip()
		}
	case c == '[':
		r.open('[')
		for first := true; r.more(first, ']'); first = false {
			r.skip()
		}
	case c == '"':
		r.scanString()
	case c == 't':
		r.literal("true")
	case c == 'f':
		r.literal("false")
	case c == 'n':
		r.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		r.number()
	default:
		r.syntax("unexpected character")
	}
}

// Typed values. Each leaves its destination unchanged on null (as
// encoding/json does for non-pointer fields) and records a mismatch for a
// value of another kind.

func (r *reader) strInto(dst *string) {
	switch c := r.peek(); c {
	case '"':
		*dst = r.str()
	case 'n':
		r.literal("null")
	case 0:
	default:
		r.mismatch(r.i)
	}
}

func (r *reader) boolInto(dst *bool) {
	switch c := r.peek(); c {
	case 't':
		r.literal("true")
		*dst = true
	case 'f':
		r.literal("false")
		*dst = false
	case 'n':
		r.literal("null")
	case 0:
	default:
		r.mismatch(r.i)
	}
}

// boolPtrInto reads a boolean whose absence matters (null sets nil).
func (r *reader) boolPtrInto(dst **bool) {
	switch c := r.peek(); c {
	case 't', 'f':
		v := c == 't'
		if v {
			r.literal("true")
		} else {
			r.literal("false")
		}
		*dst = &v
	case 'n':
		r.literal("null")
		*dst = nil
	case 0:
	default:
		r.mismatch(r.i)
	}
}

// numInto reads an integer field: a JSON number, or a string holding one
// (coerced); anything else is kept as invalid for the transform to judge
// (see num). Only a value that is no scalar at all (object, array, bool) is
// a mismatch.
func (r *reader) numInto(dst *num) {
	c := r.peek()
	off := r.i
	switch {
	case c == 0:
	case c == 'n':
		r.literal("null")
	case c == '"':
		s := r.str()
		if r.err == nil {
			*dst = parseNum(s, true)
			dst.Off = int32(off)
		}
	case c == '-' || c >= '0' && c <= '9':
		text, integer := r.number()
		if r.err == nil {
			if integer {
				*dst = parseNum(text, false)
			} else {
				*dst = num{St: numInvalid, Raw: text}
			}
			dst.Off = int32(off)
		}
	default:
		r.mismatch(off)
	}
}

// strMapInto reads a metadata object: string values; null values become ""
// (as encoding/json stores them), other kinds are mismatches.
func (r *reader) strMapInto(dst *map[string]string) {
	if r.peek() == 'n' {
		r.literal("null")
		*dst = nil
		return
	}
	if !r.open('{') {
		return
	}
	if *dst == nil {
		*dst = make(map[string]string)
	}
	for first := true; r.more(first, '}'); first = false {
		k := r.key()
		switch c := r.peek(); c {
		case '"':
			(*dst)[k] = r.str()
		case 'n':
			r.literal("null")
			(*dst)[k] = ""
		case 0:
		default:
			r.mismatch(r.i)
		}
	}
}

// itoa formats n without fmt (used on error paths that must stay cheap).
func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
