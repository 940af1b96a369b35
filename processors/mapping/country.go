package mapping

import _ "embed"

// iso3166 is the list of ISO 3166-1 alpha-2 country codes addresses may
// carry (see the file's header for its source).
//
//go:embed iso3166.txt
var iso3166 string

// countries holds every known code as a bit indexed by its two letters.
var countries = func() (set [26 * 26]bool) {
	for _, code := range listCodes(iso3166) {
		if i, ok := countryIndex(code); ok {
			set[i] = true
		}
	}
	return set
}()

func countryIndex(code string) (int, bool) {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return 0, false
	}
	return int(code[0]-'A')*26 + int(code[1]-'A'), true
}

// KnownCountry reports whether code is an upper-case ISO 3166-1 alpha-2
// country code (XK, Kosovo, included as Stripe uses it).
func KnownCountry(code string) bool {
	i, ok := countryIndex(code)
	return ok && countries[i]
}
