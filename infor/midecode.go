package infor

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file decodes M3's MI answers without encoding/json. Every MI call
// ends here, and the reflective decoder into maps of a custom string type
// (one UnmarshalJSON per field value) was about a third of the client's CPU
// per call. This decoder reads the one shape MI answers have straight into
// the records: the body is copied into a string once, and every key and
// value without escapes is a slice of it, already trimmed, so a record
// costs one map and no string allocations.
//
// It accepts and refuses what encoding/json did for the types it replaces
// (miResponseReference in the tests is that decoder, and a fuzz test holds
// the two to the same answers): the whole body must be valid JSON; object
// keys match the field names case-insensitively, later ones winning;
// unknown keys are skipped; a field of the wrong type is an error, except
// record values and the four error fields, which take any JSON value (a
// string as its text, null as "", anything else as its JSON text). Invalid
// UTF-8 and lone surrogates in strings become U+FFFD, as encoding/json
// decodes them.

// maxDepth bounds nesting, as encoding/json's 10000.
const maxDepth = 10000

// miDecoder reads one MI answer.
type miDecoder struct {
	s     string // the body
	i     int    // read position in s
	depth int
	pairs []recordPair // scratch: one record's fields before its map is made
	buf   [24]recordPair
}

type recordPair struct{ k, v string }

// decodeMI reads an MI answer.
func decodeMI(body []byte) (*miResponse, error) {
	d := &miDecoder{s: string(body)}
	d.pairs = d.buf[:0]
	r := &miResponse{}
	if err := d.top(r); err != nil {
		return nil, err
	}
	return r, nil
}

func (d *miDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid MI answer at offset %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *miDecoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next non-blank byte, 0 at the end (a NUL byte in the
// body is no JSON token either: every caller refuses it).
func (d *miDecoder) peek() byte {
	d.ws()
	if d.i >= len(d.s) {
		return 0
	}
	return d.s[d.i]
}

func (d *miDecoder) expect(c byte) error {
	if d.peek() != c {
		return d.unexpected(fmt.Sprintf("%q", c))
	}
	d.i++
	return nil
}

func (d *miDecoder) unexpected(want string) error {
	if d.i >= len(d.s) {
		return d.errorf("unexpected end, want %s", want)
	}
	return d.errorf("unexpected %q, want %s", d.s[d.i], want)
}

// null consumes a null literal if one is next.
func (d *miDecoder) null() (bool, error) {
	if d.peek() != 'n' {
		return false, nil
	}
	return true, d.literal("null")
}

func (d *miDecoder) literal(lit string) error {
	if !strings.HasPrefix(d.s[d.i:], lit) {
		return d.errorf("invalid literal, want %s", lit)
	}
	d.i += len(lit)
	return nil
}

func (d *miDecoder) push() error {
	d.depth++
	if d.depth > maxDepth {
		return d.errorf("nested deeper than %d", maxDepth)
	}
	return nil
}

// object reads {"key": value, …}, calling member with each key after its
// colon; member reads the value.
func (d *miDecoder) object(member func(key string) error) error {
	if err := d.expect('{'); err != nil {
		return err
	}
	if err := d.push(); err != nil {
		return err
	}
	if d.peek() == '}' {
		d.i++
		d.depth--
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.unexpected("an object key")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			d.depth--
			return nil
		default:
			return d.unexpected(`"," or "}"`)
		}
	}
}

// array reads [value, …], calling elem for each value.
func (d *miDecoder) array(elem func() error) error {
	if err := d.expect('['); err != nil {
		return err
	}
	if err := d.push(); err != nil {
		return err
	}
	if d.peek() == ']' {
		d.i++
		d.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			d.depth--
			return nil
		default:
			return d.unexpected(`"," or "]"`)
		}
	}
}

func (d *miDecoder) top(r *miResponse) error {
	if isNull, err := d.null(); err != nil || isNull {
		if err == nil {
			err = d.end()
		}
		return err
	}
	err := d.object(func(key string) error {
		switch {
		case strings.EqualFold(key, "results"):
			return d.results(r)
		case strings.EqualFold(key, "wasTerminated"):
			return d.boolean(&r.WasTerminated)
		case strings.EqualFold(key, "nrOfSuccessfullTransactions"):
			return d.integer(&r.NrOfSuccessfull)
		case strings.EqualFold(key, "nrOfFailedTransactions"):
			return d.integer(&r.NrOfFailed)
		}
		_, _, err := d.skip()
		return err
	})
	if err != nil {
		return err
	}
	return d.end()
}

// end refuses anything but blanks after the answer.
func (d *miDecoder) end() error {
	if d.ws(); d.i < len(d.s) {
		return d.errorf("data after the answer")
	}
	return nil
}

func (d *miDecoder) results(r *miResponse) error {
	if isNull, err := d.null(); err != nil || isNull {
		if isNull {
			r.Results = nil
		}
		return err
	}
	if d.peek() != '[' {
		return d.typeError("results", "an array")
	}
	r.Results = []miResult{}
	return d.array(func() error {
		var res miResult
		if isNull, err := d.null(); err != nil || isNull {
			r.Results = append(r.Results, res)
			return err
		}
		if d.peek() != '{' {
			return d.typeError("results[]", "an object")
		}
		err := d.object(func(key string) error {
			switch {
			case strings.EqualFold(key, "transaction"):
				return d.plainString(&res.Transaction)
			case strings.EqualFold(key, "records"):
				return d.records(&res)
			case strings.EqualFold(key, "errorMessage"):
				return d.flex(&res.ErrorMessage)
			case strings.EqualFold(key, "errorCode"):
				return d.flex(&res.ErrorCode)
			case strings.EqualFold(key, "errorField"):
				return d.flex(&res.ErrorField)
			case strings.EqualFold(key, "errorType"):
				return d.flex(&res.ErrorType)
			}
			_, _, err := d.skip()
			return err
		})
		r.Results = append(r.Results, res)
		return err
	})
}

func (d *miDecoder) records(res *miResult) error {
	if isNull, err := d.null(); err != nil || isNull {
		if isNull {
			res.Records = nil
		}
		return err
	}
	if d.peek() != '[' {
		return d.typeError("records", "an array")
	}
	res.Records = []map[string]string{}
	return d.array(func() error {
		if isNull, err := d.null(); err != nil || isNull {
			res.Records = append(res.Records, map[string]string{})
			return err
		}
		if d.peek() != '{' {
			return d.typeError("records[]", "an object")
		}
		d.pairs = d.pairs[:0]
		err := d.object(func(key string) error {
			var v string
			if err := d.flex(&v); err != nil {
				return err
			}
			// M3 pads fixed-length fields with blanks: "ACME      " is "ACME".
			d.pairs = append(d.pairs, recordPair{strings.TrimSpace(key), strings.TrimRight(v, " ")})
			return nil
		})
		if err != nil {
			return err
		}
		rec := make(map[string]string, len(d.pairs))
		for _, p := range d.pairs {
			rec[p.k] = p.v
		}
		res.Records = append(res.Records, rec)
		return nil
	})
}

// typeError is a value of the wrong JSON type for a field. The value is
// checked first, so that malformed JSON is reported as such.
func (d *miDecoder) typeError(field, want string) error {
	at := d.i
	if _, _, err := d.skip(); err != nil {
		return err
	}
	return fmt.Errorf("invalid MI answer at offset %d: %s must be %s", at, field, want)
}

// plainString reads a string or null (which leaves *dst as it is).
func (d *miDecoder) plainString(dst *string) error {
	switch d.peek() {
	case '"':
		v, err := d.str()
		if err == nil {
			*dst = v
		}
		return err
	case 'n':
		return d.literal("null")
	}
	return d.typeError("transaction", "a string")
}

// flex reads any value as text: a string as itself, null as "", anything
// else as its JSON text.
func (d *miDecoder) flex(dst *string) error {
	switch d.peek() {
	case '"':
		v, err := d.str()
		if err == nil {
			*dst = v
		}
		return err
	case 'n':
		*dst = ""
		return d.literal("null")
	}
	start, end, err := d.skip()
	if err == nil {
		*dst = d.s[start:end]
	}
	return err
}

func (d *miDecoder) boolean(dst *bool) error {
	switch d.peek() {
	case 't':
		*dst = true
		return d.literal("true")
	case 'f':
		*dst = false
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return d.typeError("wasTerminated", "a boolean")
}

// integer reads a JSON integer that fits an int; null leaves *dst as it is.
func (d *miDecoder) integer(dst *int) error {
	switch c := d.peek(); {
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		start := d.i
		if err := d.number(); err != nil {
			return err
		}
		n, err := strconv.ParseInt(d.s[start:d.i], 10, strconv.IntSize)
		if err != nil {
			return fmt.Errorf("invalid MI answer at offset %d: count %s is not a whole number", start, d.s[start:d.i])
		}
		*dst = int(n)
		return nil
	}
	return d.typeError("a transaction count", "a number")
}

// skip reads any value and returns where it starts and ends.
func (d *miDecoder) skip() (start, end int, err error) {
	c := d.peek()
	start = d.i
	switch {
	case c == '"':
		_, err = d.str()
	case c == '{':
		err = d.object(func(string) error { _, _, err := d.skip(); return err })
	case c == '[':
		err = d.array(func() error { _, _, err := d.skip(); return err })
	case c == 't':
		err = d.literal("true")
	case c == 'f':
		err = d.literal("false")
	case c == 'n':
		err = d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		err = d.number()
	default:
		err = d.unexpected("a value")
	}
	return start, d.i, err
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (d *miDecoder) number() error {
	s, i := d.s, d.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		d.i = i
		return d.unexpected("a digit")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.i = i
			return d.unexpected("a digit after the decimal point")
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.i = i
			return d.unexpected("a digit in the exponent")
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	d.i = i
	return nil
}

// str reads a string at d.i (which is '"'). Without escapes and with valid
// UTF-8 it is a slice of the body; otherwise it is decoded into a new one.
func (d *miDecoder) str() (string, error) {
	s := d.s
	start := d.i + 1
	clean := true
	i := start
	for {
		if i >= len(s) {
			d.i = i
			return "", d.errorf("unterminated string")
		}
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			if clean {
				return s[start:i], nil
			}
			return d.unquote(start, i)
		case c == '\\':
			clean = false
			i++
			if i >= len(s) {
				d.i = i
				return "", d.errorf("unterminated string")
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 > len(s) || !isHex4(s[i+1:i+5]) {
					d.i = i
					return "", d.errorf("invalid \\u escape")
				}
				i += 5
			default:
				d.i = i
				return "", d.errorf("invalid escape \\%c", s[i])
			}
		case c < 0x20:
			d.i = i
			return "", d.errorf("control character in string")
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				clean = false
			}
			i += size
		}
	}
}

// unquote decodes the validated string body s[start:end] with escapes or
// invalid UTF-8, as encoding/json does.
func (d *miDecoder) unquote(start, end int) (string, error) {
	s := d.s[start:end]
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			i++
			switch s[i] {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r := hex4(s[i+1 : i+5])
				i += 5
				if utf16.IsSurrogate(r) {
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if dec := utf16.DecodeRune(r, hex4(s[i+2:i+6])); dec != utf8.RuneError {
							b.WriteRune(dec)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
				continue
			default: // '"', '\\', '/'
				b.WriteByte(s[i])
			}
			i++
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r) // RuneError for an invalid byte: U+FFFD
			i += size
		}
	}
	return b.String(), nil
}

func isHex4(s string) bool {
	for i := range 4 {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func hex4(s string) rune {
	var r rune
	for i := range 4 {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
