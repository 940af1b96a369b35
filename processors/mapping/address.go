package mapping

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// Address flag codes.
const (
	// FlagTruncated: a value was cut to fit its ERP field; Field names it
	// ("address.line1", "name", …) and Detail says what was dropped.
	FlagTruncated = "truncated"
	// FlagMoved: a state too long for the state field was moved to a spare
	// address line instead of being cut.
	FlagMoved = "moved"
	// FlagInvalidCountry: the country is not an ISO 3166-1 alpha-2 code; it
	// was left out (the ERP would refuse the whole address).
	FlagInvalidCountry = "invalid_country"
)

// CarriedAddressLines is how many address lines command.Address carries
// (Line1..Line4). NormalizeAddress fits the street into at most this many
// lines even when the ERP has more (address.lines); AddressLines uses all
// of the ERP's lines.
const CarriedAddressLines = 4

// addressLimits are the ERP's field lengths, in characters (runes).
type addressLimits struct {
	lineLength int // CUA1..CUAn
	lines      int
	town       int // TOWN
	postalCode int // PONO
	state      int // ECAR
	name       int // CUNM
}

// defaultAddressLimits are M3's.
var defaultAddressLimits = addressLimits{lineLength: 36, lines: 4, town: 20, postalCode: 10, state: 3, name: 36}

func (c *config) normalizeAddress(a command.Address) (command.Address, []command.Flag) {
	lim := c.address
	var flags []command.Flag
	slots := min(lim.lines, CarriedAddressLines)
	var lineBuf [CarriedAddressLines + 1]string
	lines := fitLines(lineBuf[:0], &flags, slots, lim.lineLength, a.Line1, a.Line2)

	out := command.Address{}
	if st := clean(a.State); utf8.RuneCountInString(st) <= lim.state {
		out.State = strings.ToUpper(st)
	} else if len(lines) < slots && utf8.RuneCountInString(st) <= lim.lineLength {
		// A region name ("Bavaria", "County Dublin") does not fit a state
		// code field; cutting it would make a wrong code, so it goes to a
		// spare address line where a person reading the address sees it.
		lines = append(lines, st)
		flags = append(flags, command.Flag{Code: FlagMoved, Field: "address.state",
			Detail: fmt.Sprintf("state %q is longer than %d characters; moved to address line %d", st, lim.state, len(lines))})
	} else {
		out.State = cutFlag(&flags, st, lim.state, "address.state")
	}
	if len(lines) > 0 {
		out.Line1 = lines[0]
	}
	if len(lines) > 1 {
		out.Line2 = lines[1]
	}
	if len(lines) > 2 {
		out.Line3 = lines[2]
	}
	if len(lines) > 3 {
		out.Line4 = lines[3]
	}
	out.City = cutFlag(&flags, clean(a.City), lim.town, "address.city")
	out.PostalCode = cutFlag(&flags, clean(a.PostalCode), lim.postalCode, "address.postal_code")
	if co := strings.ToUpper(clean(a.Country)); co != "" {
		if KnownCountry(co) {
			out.Country = co
		} else {
			flags = append(flags, command.Flag{Code: FlagInvalidCountry, Field: "address.country",
				Detail: fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country code; left out", a.Country)})
		}
	}
	return out, flags
}

// AddressLines fits the street lines into all of the ERP's address lines
// (address.lines of address.line_length; M3's CUA1..CUA4): for an adapter
// that has more lines than command.Address carries. Overflow moves to the
// spare lines at a word boundary; what still does not fit is cut and
// flagged.
func (c *Config) AddressLines(line1, line2 string) ([]string, []command.Flag) {
	var flags []command.Flag
	lines := fitLines(nil, &flags, c.impl.address.lines, c.impl.address.lineLength, line1, line2)
	return lines, flags
}

func (c *config) normalizeName(name string) (string, *command.Flag) {
	var flags []command.Flag
	s := cutFlag(&flags, clean(name), c.address.name, "name")
	if len(flags) > 0 {
		return s, &flags[0]
	}
	return s, nil
}

// lineFields are the flag fields of the street lines.
var lineFields = [...]string{"address.line1", "address.line2"}

// fitLines lays the cleaned street lines (line1, line2) into at most slots
// lines of width runes, appended to out. Every given line keeps a line of
// its own while there are lines for it; the lines left over go, in order,
// to the given lines that overflow, wrapped at word boundaries. Whatever
// still does not fit is cut and flagged with the field it came from. It does
// not allocate for an address that fits as it is (the usual case).
func fitLines(out []string, flags *[]command.Flag, slots, width int, line1, line2 string) []string {
	type input struct {
		text  string
		field string
		need  int // lines the text takes when wrapped
		alloc int // lines it gets
	}
	var buf [2]input
	ins := buf[:0]
	for i, t := range [2]string{line1, line2} {
		if t = clean(t); t != "" {
			ins = append(ins, input{text: t, field: lineFields[i], need: countLines(t, width)})
		}
	}
	spare := slots
	for i := range ins {
		if spare > 0 {
			ins[i].alloc, spare = 1, spare-1
		}
	}
	for i := range ins {
		if extra := min(ins[i].need-ins[i].alloc, spare); ins[i].alloc > 0 && extra > 0 {
			ins[i].alloc += extra
			spare -= extra
		}
	}
	for _, in := range ins {
		if in.alloc == 0 {
			*flags = append(*flags, command.Flag{Code: FlagTruncated, Field: in.field,
				Detail: fmt.Sprintf("no address line left (the ERP has %d); dropped %q", slots, in.text)})
			continue
		}
		whole := in.alloc // lines laid out as wrapped
		if in.alloc < in.need {
			whole-- // the last one takes a cut instead
		}
		pos := 0
		for range whole {
			end, next := nextLine(in.text, pos, width)
			out = append(out, in.text[pos:end])
			pos = next
		}
		if in.alloc == in.need {
			continue
		}
		// The last line it gets takes as much of the rest as fits.
		rest := in.text[pos:]
		kept := strings.TrimRight(cutRunes(rest, width), " ")
		out = append(out, kept)
		*flags = append(*flags, command.Flag{Code: FlagTruncated, Field: in.field,
			Detail: fmt.Sprintf("did not fit %d line(s) of %d characters; dropped %q", in.alloc, width, strings.TrimSpace(rest[len(kept):]))})
	}
	return out
}

// nextLine breaks a cleaned text (single spaces between words) into lines
// of at most width runes: the line starting at byte pos ends at end, and
// the next starts at next. It breaks at the last space that fits; a word
// longer than a whole line is split inside the word rather than lost.
func nextLine(s string, pos, width int) (end, next int) {
	rest := s[pos:]
	limit := runeOffset(rest, width)
	switch {
	case limit == len(rest):
		return len(s), len(s)
	case rest[limit] == ' ':
		return pos + limit, pos + limit + 1
	}
	if sp := strings.LastIndexByte(rest[:limit], ' '); sp > 0 {
		return pos + sp, pos + sp + 1
	}
	return pos + limit, pos + limit
}

// countLines is how many lines nextLine breaks s into.
func countLines(s string, width int) int {
	n := 0
	for pos := 0; pos < len(s); n++ {
		_, pos = nextLine(s, pos, width)
	}
	return n
}

// runeOffset is the byte offset just after the first n runes of s (len(s)
// when s has n runes or fewer).
func runeOffset(s string, n int) int {
	if len(s) <= n {
		return len(s) // no more bytes than n, so no more runes
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// cutRunes returns the first n runes of s: cut on a rune boundary, never
// inside a multi-byte character.
func cutRunes(s string, n int) string { return s[:runeOffset(s, n)] }

// cutFlag fits s into n runes, flagging a cut with field.
func cutFlag(flags *[]command.Flag, s string, n int, field string) string {
	kept := cutRunes(s, n)
	if len(kept) == len(s) {
		return s
	}
	kept = strings.TrimRight(kept, " ")
	*flags = append(*flags, command.Flag{Code: FlagTruncated, Field: field,
		Detail: fmt.Sprintf("longer than %d characters; dropped %q", n, strings.TrimSpace(s[len(kept):]))})
	return kept
}

// clean trims s, turns every run of white space or control characters into
// one space, and drops invalid UTF-8. Clean input (the usual case) is
// returned as is, without allocating.
func clean(s string) string {
	if isClean(s) {
		return s
	}
	return strings.Join(strings.FieldsFunc(strings.ToValidUTF8(s, ""), isBlank), " ")
}

func isBlank(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

func isClean(s string) bool {
	prevSpace := true // a leading space is not clean
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			switch {
			case b == ' ':
				if prevSpace {
					return false
				}
				prevSpace = true
			case b < ' ' || b == 0x7f:
				return false
			default:
				prevSpace = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || isBlank(r) {
			return false
		}
		prevSpace = false
		i += size
	}
	return !prevSpace || s == ""
}
