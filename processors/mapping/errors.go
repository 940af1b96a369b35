package mapping

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error is one problem found in a mapping file. Load and Parse collect every
// problem of a file (errors.Join of *Error values, in line order) so that
// whoever edits the file sees all of them at once rather than one per run.
type Error struct {
	// File is the name the mapping was loaded under (the path for Load).
	File string
	// Line is the 1-based line of the offending entry.
	Line int
	// Entry names the entry at fault, e.g. `gl_rules[3] "premium-eu"` or
	// `items.by_price "price_123"`; empty for file-level problems.
	Entry string
	// Msg says what is wrong and, where it helps, what is allowed.
	Msg string
}

func (e *Error) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Entry, e.Msg)
}

// Errors returns the *Error values inside err (as returned by Load or
// Parse), in line order; nil when err holds none.
func Errors(err error) []*Error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, x := range j.Unwrap() {
			out = append(out, Errors(x)...)
		}
		return out
	}
	var e *Error
	if errors.As(err, &e) {
		return []*Error{e}
	}
	return nil
}

// problems collects the errors of one file while it is loaded.
type problems struct {
	file string
	errs []*Error
}

func (p *problems) add(line int, entry, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Entry: entry, Msg: fmt.Sprintf(format, args...)})
}

// err joins the collected problems in line order (stable, so problems on
// one line keep the order they were found in), or nil.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// suggest returns ` (did you mean "x"?)`-style help for a misspelt word:
// the closest known word within two edits, and the list of known words.
func suggest(word string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(word), k); d < bestD {
			best, bestD = k, d
		}
	}
	list := strings.Join(known, ", ")
	if best != "" {
		return fmt.Sprintf(", did you mean %q? (known: %s)", best, list)
	}
	return fmt.Sprintf(" (known: %s)", list)
}

// editDistance is the Levenshtein distance between a and b, by runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
