package mapping

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

func flagFields(fs []command.Flag) map[string]string {
	out := map[string]string{}
	for _, f := range fs {
		out[f.Field] = f.Code
	}
	return out
}

// longStreet needs more than three of M3's 36-character lines.
const longStreet = "Kungsgatan 12, c/o Andersson Consulting AB, Department of Accounts Payable, Attention Invoice Processing Team North"

func TestNormalizeAddress(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		name  string
		in    command.Address
		want  command.Address
		flags map[string]string // field -> code
	}{
		{"clean address unchanged",
			command.Address{Line1: "1 Navy Yard", Line2: "Building 7", City: "Arlington", PostalCode: "22202", State: "VA", Country: "US"},
			command.Address{Line1: "1 Navy Yard", Line2: "Building 7", City: "Arlington", PostalCode: "22202", State: "VA", Country: "US"},
			map[string]string{}},
		{"trimmed, spaces collapsed, codes upper-cased",
			command.Address{Line1: "  1   Navy\tYard ", Line2: "\n", City: " San  Francisco", PostalCode: " 94107 ", State: "ca", Country: " us"},
			command.Address{Line1: "1 Navy Yard", City: "San Francisco", PostalCode: "94107", State: "CA", Country: "US"},
			map[string]string{}},
		{"overflow of line 1 moves to the unused line 2 at a word boundary",
			command.Address{Line1: "Kungsgatan 12, c/o Andersson Consulting AB", City: "Stockholm", Country: "SE"},
			command.Address{Line1: "Kungsgatan 12, c/o Andersson", Line2: "Consulting AB", City: "Stockholm", Country: "SE"},
			map[string]string{}},
		{"overflow of line 1 takes line 2, line 2 moves down: the order is kept",
			command.Address{Line1: "Kungsgatan 12, c/o Andersson Consulting AB", Line2: "Box 123", Country: "SE"},
			command.Address{Line1: "Kungsgatan 12, c/o Andersson", Line2: "Consulting AB", Line3: "Box 123", Country: "SE"},
			map[string]string{}},
		{"no spare line: cut and flagged",
			command.Address{Line1: longStreet, Line2: "Box 123", Country: "SE"},
			command.Address{Line1: "Kungsgatan 12, c/o Andersson", Line2: "Consulting AB, Department of", Line3: "Accounts Payable, Attention Invoice", Line4: "Box 123", Country: "SE"},
			map[string]string{"address.line1": FlagTruncated}},
		{"long town and postal code cut and flagged",
			command.Address{Line1: "Main Street 1", City: "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch", PostalCode: "12345-6789-00", Country: "GB"},
			command.Address{Line1: "Main Street 1", City: "Llanfairpwllgwyngyll", PostalCode: "12345-6789", Country: "GB"},
			map[string]string{"address.city": FlagTruncated, "address.postal_code": FlagTruncated}},
		{"long state moves to a spare line",
			command.Address{Line1: "Marienplatz 1", City: "München", PostalCode: "80331", State: "Bayern", Country: "de"},
			command.Address{Line1: "Marienplatz 1", Line2: "Bayern", City: "München", PostalCode: "80331", Country: "DE"},
			map[string]string{"address.state": FlagMoved}},
		{"long state moves below both street lines",
			command.Address{Line1: "Marienplatz 1", Line2: "Rathaus", State: "Bayern", Country: "DE"},
			command.Address{Line1: "Marienplatz 1", Line2: "Rathaus", Line3: "Bayern", Country: "DE"},
			map[string]string{"address.state": FlagMoved}},
		{"long state without a spare line is cut and flagged",
			command.Address{Line1: longStreet, Line2: "Box 123", State: "Bayern", Country: "DE"},
			command.Address{Line1: "Kungsgatan 12, c/o Andersson", Line2: "Consulting AB, Department of", Line3: "Accounts Payable, Attention Invoice", Line4: "Box 123", State: "Bay", Country: "DE"},
			map[string]string{"address.line1": FlagTruncated, "address.state": FlagTruncated}},
		{"invalid country left out and flagged",
			command.Address{Line1: "1 High St", Country: "UK"},
			command.Address{Line1: "1 High St"},
			map[string]string{"address.country": FlagInvalidCountry}},
		{"three-letter country is not alpha-2",
			command.Address{Country: "USA"},
			command.Address{},
			map[string]string{"address.country": FlagInvalidCountry}},
		{"Kosovo accepted", command.Address{Country: "xk"}, command.Address{Country: "XK"}, map[string]string{}},
		{"empty address", command.Address{}, command.Address{}, map[string]string{}},
		{"unicode cut on rune boundaries",
			command.Address{Line1: "東京都千代田区丸の内一丁目一番一号東京駅前ビルディング二十三階東京都千代田区", Line2: "x", City: "千代田区丸の内一丁目一番一号東京駅前ビルディング", Country: "JP"},
			command.Address{Line1: "東京都千代田区丸の内一丁目一番一号東京駅前ビルディング二十三階東京都千代", Line2: "田区", Line3: "x", City: "千代田区丸の内一丁目一番一号東京駅前ビル", Country: "JP"},
			map[string]string{"address.city": FlagTruncated}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, flags := c.NormalizeAddress(tc.in)
			if got != tc.want {
				t.Fatalf("NormalizeAddress(%+v)\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
			gotFlags := flagFields(flags)
			if len(gotFlags) != len(tc.flags) || len(flags) != len(tc.flags) {
				t.Fatalf("flags %+v, want %v", flags, tc.flags)
			}
			for f, code := range tc.flags {
				if gotFlags[f] != code {
					t.Fatalf("flags %+v, want %v", flags, tc.flags)
				}
			}
			for _, f := range flags {
				if f.Detail == "" {
					t.Fatalf("flag without detail: %+v", f)
				}
			}
			for _, s := range []string{got.Line1, got.Line2, got.Line3, got.Line4, got.City, got.PostalCode, got.State, got.Country} {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 in %q", s)
				}
			}
		})
	}
}

// TestTruncationNeverSilent: for random-ish inputs, whenever a field's
// text (cleaned) is not wholly kept in the output, a flag names it.
func TestTruncationNeverSilent(t *testing.T) {
	c := mustParse(t, doc("address: { line_length: 10, lines: 2, town_length: 5, postal_code_length: 4, state_length: 2 }\n"))
	words := []string{"a", "Straße", "東京", "Boulevard", "12", "Åkervägen", "x y", "Appartement-Nummer"}
	seen := map[string]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		pick := func(int) string {
			var b []string
			for j := rng.IntN(4); j > 0; j-- {
				b = append(b, words[rng.IntN(len(words))])
			}
			return strings.Join(b, strings.Repeat(" ", 1+rng.IntN(2)))
		}
		in := command.Address{Line1: pick(1), Line2: pick(2), City: pick(3), PostalCode: pick(4), State: pick(5)}
		got, flags := c.NormalizeAddress(in)
		ff := flagFields(flags)
		for f, code := range ff {
			seen[f+" "+code]++
		}
		for _, s := range []string{got.Line1, got.Line2} {
			if utf8.RuneCountInString(s) > 10 {
				t.Fatalf("line %q longer than 10", s)
			}
		}
		if utf8.RuneCountInString(got.City) > 5 || utf8.RuneCountInString(got.PostalCode) > 4 || utf8.RuneCountInString(got.State) > 2 {
			t.Fatalf("field too long: %+v", got)
		}
		// The street text is kept whole (spaces aside: a long word may be
		// split over two lines) exactly when no street line is flagged.
		var lines []string
		for _, l := range []string{got.Line1, got.Line2} {
			if l != "" {
				lines = append(lines, l)
			}
		}
		if ff["address.state"] == FlagMoved {
			// The moved state is the last line; it is not street text.
			if len(lines) == 0 || lines[len(lines)-1] != clean(in.State) || got.State != "" {
				t.Fatalf("state flagged moved but not on the last line: %+v -> %+v", in, got)
			}
			lines = lines[:len(lines)-1]
		}
		noSpace := func(s string) string { return strings.Join(strings.Fields(s), "") }
		kept := noSpace(strings.Join(lines, ""))
		whole := noSpace(in.Line1 + in.Line2)
		streetFlagged := ff["address.line1"] != "" || ff["address.line2"] != ""
		if (kept == whole) == streetFlagged {
			t.Fatalf("street flagged=%v but kept %q of %q: %+v -> %+v %v", streetFlagged, kept, whole, in, got, flags)
		}
		if clean(in.City) != got.City && ff["address.city"] != FlagTruncated {
			t.Fatalf("city cut without a flag: %q -> %q", in.City, got.City)
		}
		if clean(in.PostalCode) != got.PostalCode && ff["address.postal_code"] != FlagTruncated {
			t.Fatalf("postal code cut without a flag: %q -> %q", in.PostalCode, got.PostalCode)
		}
	}
	// The inputs must have exercised every kind of cut and move.
	for _, k := range []string{"address.line1 truncated", "address.line2 truncated", "address.state moved",
		"address.state truncated", "address.city truncated", "address.postal_code truncated"} {
		if seen[k] == 0 {
			t.Errorf("no input produced %q: %v", k, seen)
		}
	}
}

// TestAddressLines: with all four of M3's lines, overflow of both street
// lines goes to the spare lines; what does not fit even then is flagged.
func TestAddressLines(t *testing.T) {
	c := Default()
	lines, flags := c.AddressLines("Kungsgatan 12, c/o Andersson Consulting AB", "Building 7, entrance from the courtyard, fourth floor")
	want := []string{"Kungsgatan 12, c/o Andersson", "Consulting AB", "Building 7, entrance from the", "courtyard, fourth floor"}
	if strings.Join(lines, "|") != strings.Join(want, "|") || len(flags) != 0 {
		t.Fatalf("lines %q flags %v, want %q", lines, flags, want)
	}
	// Line 2 keeps a line of its own even when line 1 could use every line.
	long := strings.Repeat("word ", 40)
	lines, flags = c.AddressLines(long, "Box 1")
	if len(lines) != 4 || lines[3] != "Box 1" || len(flags) != 1 || flags[0].Field != "address.line1" || flags[0].Code != FlagTruncated {
		t.Fatalf("lines %q flags %+v", lines, flags)
	}
	// One line only: line 2 has no line left and is flagged.
	c1 := mustParse(t, doc("address: { lines: 1 }\n"))
	lines, flags = c1.AddressLines("Main St 1", "Apt 4")
	if len(lines) != 1 || lines[0] != "Main St 1" || len(flags) != 1 || flags[0].Field != "address.line2" {
		t.Fatalf("one line: %q %+v", lines, flags)
	}
	// A word longer than a whole line is split, not lost.
	lines, flags = mustParse(t, doc("address: { line_length: 5 }\n")).AddressLines("Donaudampfschiff", "")
	if strings.Join(lines, "") != "Donaudampfschiff" || len(flags) != 0 {
		t.Fatalf("long word: %q %+v", lines, flags)
	}
}

func TestNormalizeName(t *testing.T) {
	c := Default()
	if n, f := c.NormalizeName("  Grace   Hopper "); n != "Grace Hopper" || f != nil {
		t.Fatalf("%q %+v", n, f)
	}
	long := "Aktiebolaget Svenska Kullagerfabriken Göteborg Filial"
	n, f := c.NormalizeName(long)
	if n != "Aktiebolaget Svenska Kullagerfabrike" || f == nil || f.Code != FlagTruncated || f.Field != "name" || !strings.Contains(f.Detail, "Göteborg") {
		t.Fatalf("%q %+v", n, f)
	}
	// 36 runes of 3 bytes each fit; one more is cut at a rune boundary.
	s := strings.Repeat("ä", 37)
	n, f = c.NormalizeName(s)
	if utf8.RuneCountInString(n) != 36 || !utf8.ValidString(n) || f == nil {
		t.Fatalf("%q %+v", n, f)
	}
	if n, f := c.NormalizeName(strings.Repeat("ä", 36)); f != nil || n != strings.Repeat("ä", 36) {
		t.Fatalf("36 runes flagged: %+v", f)
	}
}

func TestNextLine(t *testing.T) {
	for _, tc := range []struct {
		s     string
		width int
		want  string
	}{
		{"a b c", 3, "a b|c"},
		{"abc def", 3, "abc|def"},
		{"abcdefg", 3, "abc|def|g"},
		{"ab cdefgh", 4, "ab|cdef|gh"},
		{"åäö åäö", 3, "åäö|åäö"},
		{"", 3, ""},
	} {
		var parts []string
		for pos := 0; pos < len(tc.s); {
			end, next := nextLine(tc.s, pos, tc.width)
			parts = append(parts, tc.s[pos:end])
			pos = next
		}
		if n := countLines(tc.s, tc.width); n != len(parts) {
			t.Errorf("countLines(%q, %d) = %d, want %d", tc.s, tc.width, n, len(parts))
		}
		if got := strings.Join(parts, "|"); got != tc.want {
			t.Errorf("lines of (%q, %d) = %q, want %q", tc.s, tc.width, got, tc.want)
		}
	}
}
