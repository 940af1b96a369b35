package transform

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ymd is the UTC date of a unix time, YYYY-MM-DD (time.Format, without its
// generality, costs a tenth).
func ymd(unix int64) string { return dateString(time.Unix(unix, 0).UTC()) }

// dateString is t's date, YYYY-MM-DD; monthString its month, YYYY-MM.
func dateString(t time.Time) string {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format(time.DateOnly)
	}
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10)}
	return string(b[:])
}

func monthString(t time.Time) string { return dateString(t)[:7] }

// firstOf returns the first non-empty string.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// clip shortens s to at most n bytes for a message, at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// common lists the currencies upper-cased without an allocation.
var common = func() map[string]string {
	m := map[string]string{}
	for _, cur := range strings.Fields("usd eur gbp jpy cad aud chf sek nok dkk nzd sgd hkd mxn brl inr pln czk huf isk kwd bhd jod omr tnd krw twd thb myr php idr zar aed sar ils try ron bgn") {
		m[cur] = strings.ToUpper(cur)
	}
	return m
}()

// upperCurrency upper-cases a currency code ("usd" → "USD").
func upperCurrency(s string) string {
	if u, ok := common[s]; ok {
		return u
	}
	return strings.ToUpper(s)
}
