package scenario

import "testing"

func TestFee(t *testing.T) {
	for _, c := range []struct {
		amount int64
		cur    string
		want   int64
	}{
		{10000, "usd", 320},    // 290 + 30
		{1234, "usd", 66},      // 35.786 → 36, + 30
		{1000, "usd", 59},      // 29 + 30
		{1017, "eur", 59},      // 29.493 → 29, + 30
		{1018, "eur", 60},      // 29.522 → 30, + 30
		{5000, "jpy", 175},     // ¥145 + ¥30
		{12345, "kwd", 388},    // 358.005 fils → 358, + 30
		{500000, "isk", 17500}, // 145 kr + 30 kr, whole krónur (×100 in API units)
		{1234500, "isk", 38800},
		{0, "usd", 0},
	} {
		got := Fee(c.amount, c.cur)
		if got != c.want {
			t.Errorf("Fee(%d %s) = %d, want %d", c.amount, c.cur, got, c.want)
		}
		if c.cur == "isk" && got%100 != 0 {
			t.Errorf("ISK fee %d is not whole krónur", got)
		}
	}
}

func TestConvert(t *testing.T) {
	for _, c := range []struct {
		amount   int64
		from, to string
		rate     string
		want     int64
	}{
		{10000, "eur", "usd", "1.0876", 10876},
		{-2500, "eur", "usd", "1.0876", -2719},  // -2719.0 exactly
		{5000, "jpy", "usd", "0.0067", 3350},    // ¥5,000 = $33.50
		{123, "jpy", "usd", "0.0067", 82},       // 82.41 → 82
		{1050, "usd", "jpy", "149.5", 1570},     // 1569.75 → 1570 yen
		{10000, "usd", "isk", "137.2", 1372000}, // 13,720 kr
		{333, "usd", "isk", "137.2", 45700},     // 456.876 → 457 kr
		{1000, "eur", "usd", "1.08765432109876", 1088},
	} {
		got, err := Convert(c.amount, c.from, c.to, c.rate)
		if err != nil || got != c.want {
			t.Errorf("Convert(%d %s→%s @%s) = %d, %v; want %d", c.amount, c.from, c.to, c.rate, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "abc", "0", "-1.2", "1e400000"} {
		if _, err := Convert(100, "usd", "eur", bad); err == nil {
			t.Errorf("rate %q accepted", bad)
		}
	}
}

func TestParseAndFormatAmounts(t *testing.T) {
	for _, c := range []struct {
		s, cur string
		want   int64
	}{
		{"12.34", "USD", 1234}, {"-0.05", "usd", -5}, {"1234", "JPY", 1234}, {"1.234", "KWD", 1234},
		{"5000", "ISK", 500000}, {"5000.00", "ISK", 500000}, {"0", "EUR", 0}, {"7.5", "USD", 750}, {"-12", "GBP", -1200},
	} {
		got, err := ParseAmount(c.s, c.cur)
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d", c.s, c.cur, got, err, c.want)
		}
	}
	for _, c := range []struct{ s, cur string }{
		{"12.345", "USD"}, {"1.5", "JPY"}, {"50.5", "ISK"}, {"abc", "USD"}, {"", "USD"}, {"1.2.3", "USD"}, {"99999999999999999999", "USD"},
	} {
		if v, err := ParseAmount(c.s, c.cur); err == nil {
			t.Errorf("ParseAmount(%q, %s) = %d, want an error", c.s, c.cur, v)
		}
	}
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{
		{123456, "usd", "1,234.56"}, {500000, "isk", "5,000"}, {-1500, "kwd", "-1.500"}, {100, "jpy", "100"},
		{123456789, "jpy", "123,456,789"}, {5, "usd", "0.05"}, {-100000, "usd", "-1,000.00"},
	} {
		if got := FormatAmount(c.minor, c.cur); got != c.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", c.minor, c.cur, got, c.want)
		}
	}
}
