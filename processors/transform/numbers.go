package transform

import "strconv"

// numState says what an integer field held.
type numState uint8

const (
	// numAbsent: missing or null.
	numAbsent numState = iota
	// numOK: a JSON integer within int64.
	numOK
	// numCoerced: a string holding an integer within int64 ("2000"); the
	// value is exact, and the transform flags it ("coerced").
	numCoerced
	// numInvalid: a value that is no whole number within int64 ("20.5",
	// "abc", 1.5, 1e3, 2^63): an event that needs it is a validation error.
	numInvalid
)

// num is an integer field of a Stripe object (an amount, a timestamp, a
// quantity). Whether a bad value matters depends on how the transform uses
// the field, so the reader keeps what it saw and the transform judges it,
// with Off giving the JSON path for the flag or the error.
type num struct {
	V  int64
	St numState
	// Off is the offset of the value in the event text.
	Off int32
	// Raw is the text as sent, for coerced and invalid values.
	Raw string
}

// has reports whether the field held a usable integer.
func (n num) has() bool { return n.St == numOK || n.St == numCoerced }

// parseNum judges the text of an integer field: quoted is true for a JSON
// string (which is coerced only when it is exactly an optional minus and
// digits that fit int64), false for a JSON number already known to have
// integer syntax.
func parseNum(text string, quoted bool) num {
	if quoted && !isIntText(text) {
		return num{St: numInvalid, Raw: text}
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return num{St: numInvalid, Raw: text}
	}
	if quoted {
		return num{V: v, St: numCoerced, Raw: text}
	}
	return num{V: v, St: numOK}
}

func isIntText(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
