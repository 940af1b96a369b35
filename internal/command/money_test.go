package command

import (
	"math"
	"testing"
)

func TestDecimal(t *testing.T) {
	for _, tc := range []struct {
		m    Money
		want string
	}{
		{Money{1234, "USD"}, "12.34"},
		{Money{5, "USD"}, "0.05"},
		{Money{0, "USD"}, "0.00"},
		{Money{-5, "USD"}, "-0.05"},
		{Money{-1234, "eur"}, "-12.34"},
		{Money{100, "EUR"}, "1.00"},
		{Money{1234, "JPY"}, "1234"},
		{Money{-1234, "JPY"}, "-1234"},
		{Money{0, "JPY"}, "0"},
		{Money{5000, "KRW"}, "5000"},
		{Money{500000, "ISK"}, "5000"}, // Stripe's API carries ISK and UGX with two decimals, always 00
		{Money{500000, "UGX"}, "5000"},
		{Money{-500000, "isk"}, "-5000"},
		{Money{5050, "ISK"}, "50.50"}, // not 00: kept exact, the ERP refuses it
		{Money{0, "ISK"}, "0"},
		{Money{7, "XOF"}, "7"},
		{Money{1234, "KWD"}, "1.234"},
		{Money{5, "KWD"}, "0.005"},
		{Money{-5, "BHD"}, "-0.005"},
		{Money{1000, "TND"}, "1.000"},
		{Money{123456789, "OMR"}, "123456.789"},
		{Money{10, "JOD"}, "0.010"},
		{Money{math.MaxInt64, "USD"}, "92233720368547758.07"},
		{Money{math.MinInt64, "USD"}, "-92233720368547758.08"},
	} {
		if got := Decimal(tc.m); got != tc.want {
			t.Errorf("Decimal(%+v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestExponent(t *testing.T) {
	zero := []string{"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF", "ISK"}
	for _, c := range zero {
		if Exponent(c) != 0 {
			t.Errorf("Exponent(%s) = %d, want 0", c, Exponent(c))
		}
	}
	for _, c := range []string{"BHD", "JOD", "KWD", "OMR", "TND", "kwd"} {
		if Exponent(c) != 3 {
			t.Errorf("Exponent(%s) = %d, want 3", c, Exponent(c))
		}
	}
	for _, c := range []string{"USD", "EUR", "GBP", "SEK", "usd"} {
		if Exponent(c) != 2 {
			t.Errorf("Exponent(%s) = %d, want 2", c, Exponent(c))
		}
	}
}

func TestMoneyString(t *testing.T) {
	if s := (Money{1234, "KWD"}).String(); s != "1.234 KWD" {
		t.Fatal(s)
	}
}
