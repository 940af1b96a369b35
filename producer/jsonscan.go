package producer

import (
	"encoding/json"
	"errors"
)

// Why a hand-written scanner: this runs on every webhook, and the libraries
// tried cost more than everything else in the handler together. gjson
// validates strictly but re-scans the body for each field (31 µs for a
// 3.7 KB event); fastjson parses in one pass but accepts malformed numbers
// such as "." and raw control characters in strings, which encoding/json
// rejects. This scanner does both jobs in one pass, validating exactly the
// grammar encoding/json.Valid accepts (the fuzz test holds it to that), and
// captures only the fields routing needs.

var errSyntax = errors.New("invalid JSON")

// maxDepth matches encoding/json's nesting limit.
const maxDepth = 10000

// kind is what a captured value turned out to be.
type kind uint8

const (
	kindNone kind = iota // absent
	kindString
	kindTrue
	kindFalse
	kindObject
	kindOther // number, null, array
)

// span is a captured value: its kind and, for strings, the raw bytes
// between the quotes and whether they contain escapes.
type span struct {
	kind    kind
	raw     []byte
	escaped bool
}

// str returns a captured string's value, decoding escapes when present.
func (s span) str() (string, bool) {
	if s.kind != kindString {
		return "", false
	}
	if !s.escaped {
		return string(s.raw), true
	}
	var out string
	quoted := make([]byte, 0, len(s.raw)+2)
	quoted = append(append(append(quoted, '"'), s.raw...), '"')
	if json.Unmarshal(quoted, &out) != nil {
		return "", false
	}
	return out, true
}

// Capture slots.
const (
	slotID = iota
	slotObject
	slotType
	slotLivemode
	slotAccount
	slotAPIVersion
	slotData
	slotDataObject
	slotObjID
	slotObjType
	slotObjCustomer
	slotCustomerID
	numSlots
)

// Where the scanner is, for deciding which members to capture.
type where uint8

const (
	inNothing where = iota
	inRoot
	inData
	inDataObject
	inCustomer
)

type scanner struct {
	b     []byte
	i     int
	depth int
	slots [numSlots]span
}

// scanEvent validates body and captures the routing fields.
func scanEvent(body []byte, sc *scanner) error {
	sc.b, sc.i, sc.depth = body, 0, 0
	sc.skipWS()
	if _, err := sc.value(inRoot); err != nil {
		return err
	}
	sc.skipWS()
	if sc.i != len(sc.b) {
		return errSyntax
	}
	return nil
}

func (sc *scanner) skipWS() {
	b, i := sc.b, sc.i
	for i < len(b) && isWS[b[i]] {
		i++
	}
	sc.i = i
}

// Byte classes, as tables so the hot loops are one load and one branch.
var isWS, strSpecial [256]bool

func init() {
	for _, c := range []byte{' ', '\t', '\n', '\r'} {
		isWS[c] = true
	}
	for c := 0; c < 0x20; c++ {
		strSpecial[c] = true
	}
	strSpecial['"'], strSpecial['\\'] = true, true
}

// value scans one value. ctx says where an object found here sits (only
// objects use it); the returned span describes the value.
func (sc *scanner) value(ctx where) (span, error) {
	if sc.i >= len(sc.b) {
		return span{}, errSyntax
	}
	switch c := sc.b[sc.i]; {
	case c == '{':
		return span{kind: kindObject}, sc.object(ctx)
	case c == '[':
		return span{kind: kindOther}, sc.array()
	case c == '"':
		start := sc.i + 1
		esc, err := sc.str()
		if err != nil {
			return span{}, err
		}
		return span{kind: kindString, raw: sc.b[start : sc.i-1], escaped: esc}, nil
	case c == 't':
		return span{kind: kindTrue}, sc.literal("true")
	case c == 'f':
		return span{kind: kindFalse}, sc.literal("false")
	case c == 'n':
		return span{kind: kindOther}, sc.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return span{kind: kindOther}, sc.number()
	default:
		return span{}, errSyntax
	}
}

func (sc *scanner) literal(lit string) error {
	if len(sc.b)-sc.i < len(lit) || string(sc.b[sc.i:sc.i+len(lit)]) != lit {
		return errSyntax
	}
	sc.i += len(lit)
	return nil
}

// str scans a string starting at its opening quote; it reports whether the
// string holds escapes.
func (sc *scanner) str() (escaped bool, err error) {
	sc.i++ // opening quote
	for sc.i < len(sc.b) {
		b, i := sc.b, sc.i
		for i < len(b) && !strSpecial[b[i]] {
			i++
		}
		sc.i = i
		if i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			sc.i++
			return escaped, nil
		case c < 0x20:
			return escaped, errSyntax
		case c == '\\':
			escaped = true
			sc.i++
			if sc.i >= len(sc.b) {
				return escaped, errSyntax
			}
			switch sc.b[sc.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				sc.i++
			case 'u':
				if len(sc.b)-sc.i < 5 {
					return escaped, errSyntax
				}
				for _, h := range sc.b[sc.i+1 : sc.i+5] {
					if _, ok := fromHex(h); !ok {
						return escaped, errSyntax
					}
				}
				sc.i += 5
			default:
				return escaped, errSyntax
			}
		default:
			sc.i++
		}
	}
	return escaped, errSyntax
}

func (sc *scanner) digits() int {
	n := 0
	for sc.i < len(sc.b) && sc.b[sc.i] >= '0' && sc.b[sc.i] <= '9' {
		sc.i++
		n++
	}
	return n
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (sc *scanner) number() error {
	if sc.b[sc.i] == '-' {
		sc.i++
	}
	if sc.i >= len(sc.b) {
		return errSyntax
	}
	if sc.b[sc.i] == '0' {
		sc.i++
	} else if sc.digits() == 0 {
		return errSyntax
	}
	if sc.i < len(sc.b) && sc.b[sc.i] == '.' {
		sc.i++
		if sc.digits() == 0 {
			return errSyntax
		}
	}
	if sc.i < len(sc.b) && (sc.b[sc.i] == 'e' || sc.b[sc.i] == 'E') {
		sc.i++
		if sc.i < len(sc.b) && (sc.b[sc.i] == '+' || sc.b[sc.i] == '-') {
			sc.i++
		}
		if sc.digits() == 0 {
			return errSyntax
		}
	}
	return nil
}

func (sc *scanner) array() error {
	if sc.depth++; sc.depth > maxDepth {
		return errSyntax
	}
	sc.i++ // '['
	sc.skipWS()
	if sc.i < len(sc.b) && sc.b[sc.i] == ']' {
		sc.i++
		sc.depth--
		return nil
	}
	for {
		sc.skipWS()
		if _, err := sc.value(inNothing); err != nil {
			return err
		}
		sc.skipWS()
		if sc.i >= len(sc.b) {
			return errSyntax
		}
		switch sc.b[sc.i] {
		case ',':
			sc.i++
		case ']':
			sc.i++
			sc.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// object scans an object; members of interest in ctx are captured, and the
// object values that lead to further captures are scanned in their context.
func (sc *scanner) object(ctx where) error {
	if sc.depth++; sc.depth > maxDepth {
		return errSyntax
	}
	sc.i++ // '{'
	sc.resetBelow(ctx)
	sc.skipWS()
	if sc.i < len(sc.b) && sc.b[sc.i] == '}' {
		sc.i++
		sc.depth--
		return nil
	}
	for {
		sc.skipWS()
		if sc.i >= len(sc.b) || sc.b[sc.i] != '"' {
			return errSyntax
		}
		kstart := sc.i + 1
		kesc, err := sc.str()
		if err != nil {
			return err
		}
		key := span{kind: kindString, raw: sc.b[kstart : sc.i-1], escaped: kesc}
		sc.skipWS()
		if sc.i >= len(sc.b) || sc.b[sc.i] != ':' {
			return errSyntax
		}
		sc.i++
		sc.skipWS()
		slot, child := memberOf(ctx, key)
		v, err := sc.value(child)
		if err != nil {
			return err
		}
		if slot >= 0 {
			sc.slots[slot] = v
		}
		sc.skipWS()
		if sc.i >= len(sc.b) {
			return errSyntax
		}
		switch sc.b[sc.i] {
		case ',':
			sc.i++
		case '}':
			sc.i++
			sc.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// resetBelow forgets what an earlier object in the same place captured, so a
// duplicate key resolves like encoding/json: the last one wins, whole.
func (sc *scanner) resetBelow(ctx where) {
	var from int
	switch ctx {
	case inData:
		from = slotDataObject
	case inDataObject:
		from = slotObjID
	case inCustomer:
		from = slotCustomerID
	default:
		return
	}
	for i := from; i < numSlots; i++ {
		sc.slots[i] = span{}
	}
}

// memberOf says which slot a member fills (-1: none) and in which context
// its value, if an object, is scanned. Names match exactly, as Stripe writes
// them; encoding/json would also map "Customer" onto a customer field, but
// only a body signed with our secret gets this far, and Stripe never sends
// such a twin.
func memberOf(ctx where, key span) (slot int, child where) {
	if ctx == inNothing {
		return -1, inNothing
	}
	name := key.raw
	if key.escaped { // keys are never escaped by Stripe; decode to be exact
		s, _ := key.str()
		name = []byte(s)
	}
	switch ctx {
	case inRoot:
		switch string(name) {
		case "id":
			return slotID, inNothing
		case "object":
			return slotObject, inNothing
		case "type":
			return slotType, inNothing
		case "livemode":
			return slotLivemode, inNothing
		case "account":
			return slotAccount, inNothing
		case "api_version":
			return slotAPIVersion, inNothing
		case "data":
			return slotData, inData
		}
	case inData:
		if string(name) == "object" {
			return slotDataObject, inDataObject
		}
	case inDataObject:
		switch string(name) {
		case "id":
			return slotObjID, inNothing
		case "object":
			return slotObjType, inNothing
		case "customer":
			return slotObjCustomer, inCustomer
		}
	case inCustomer:
		if string(name) == "id" {
			return slotCustomerID, inNothing
		}
	}
	return -1, inNothing
}
