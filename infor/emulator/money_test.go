package emulator

import (
	"testing"
)

func TestParseDecimal(t *testing.T) {
	for _, s := range []string{"0", "12", "-0.50", "+3.125", "1000000000000.01"} {
		if _, ok := parseDecimal(s); !ok {
			t.Errorf("%q refused", s)
		}
	}
	for _, s := range []string{"", "-", ".5", "5.", "1/3", "1e3", "12,50", "0x10", " 1", "1 ", "--1", "NaN", "Inf"} {
		if _, ok := parseDecimal(s); ok {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestDecimalsAndRounding(t *testing.T) {
	r, _ := parseDecimal("10.500")
	if !fitsDecimals(r, 2) || fitsDecimals(mustDecimal("10.505"), 2) || !fitsDecimals(mustDecimal("100"), 0) || fitsDecimals(mustDecimal("0.5"), 0) {
		t.Fatal("fitsDecimals")
	}
	cases := []struct {
		in   string
		dec  int
		want string
	}{
		{"0.1", 2, "0.10"}, {"0.005", 2, "0.01"}, {"-0.005", 2, "-0.01"}, {"2.5", 0, "3"},
		{"-0.001", 2, "0.00"}, {"1.2345", 3, "1.235"}, {"1500", 0, "1500"},
	}
	for _, c := range cases {
		if got := formatDecimal(mustDecimal(c.in), c.dec); got != c.want {
			t.Errorf("formatDecimal(%s, %d) = %s, want %s", c.in, c.dec, got, c.want)
		}
	}
	// Exact: 0.1 + 0.2 is 0.3, which float64 gets wrong.
	sum := mustDecimal("0.1")
	sum.Add(sum, mustDecimal("0.2"))
	if sum.Cmp(mustDecimal("0.3")) != 0 {
		t.Fatal("0.1 + 0.2 != 0.3")
	}
}
