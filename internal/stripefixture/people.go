package stripefixture

import (
	"strings"
	"time"
)

type address struct {
	city, country, line1, line2, postalCode, state string // "" = null
}

func (a address) obj() obj {
	return obj{
		"city":        nullable(a.city),
		"country":     nullable(a.country),
		"line1":       nullable(a.line1),
		"line2":       nullable(a.line2),
		"postal_code": nullable(a.postalCode),
		"state":       nullable(a.state),
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var addresses = map[string][]address{
	"US": {
		{"San Francisco", "US", "510 Townsend Street", "", "94103", "CA"},
		{"Austin", "US", "1100 Congress Avenue", "Suite 200", "78701", "TX"},
		{"Chicago", "US", "233 South Wacker Drive", "Floor 42", "60606", "IL"},
		{"New York", "US", "350 Fifth Avenue", "", "10118", "NY"},
		{"Seattle", "US", "400 Broad Street", "", "98109", "WA"},
		{"Denver", "US", "1701 Wynkoop Street", "Unit 3", "80202", "CO"},
	},
	"DE": {
		{"Berlin", "DE", "Friedrichstrasse 68", "", "10117", ""},
		{"Munich", "DE", "Leopoldstrasse 21", "3. OG", "80802", ""},
	},
	"GB": {
		{"London", "GB", "221B Baker Street", "", "NW1 6XE", ""},
		{"Manchester", "GB", "1 Piccadilly Gardens", "Flat 4", "M1 1RG", ""},
	},
	"CA": {{"Toronto", "CA", "100 King Street West", "Suite 5700", "M5X 1C7", "ON"}},
	"AU": {{"Sydney", "AU", "1 Martin Place", "", "2000", "NSW"}},
	"JP": {{"Tokyo", "JP", "1-1-2 Oshiage", "Sumida-ku", "131-0045", "Tokyo"}},
}

var (
	firstNames = []string{"Jenny", "Alex", "Priya", "Marco", "Sofia", "Liam", "Yuki", "Omar", "Hannah", "Lucas", "Amara", "Noah"}
	lastNames  = []string{"Rosen", "Nguyen", "Patel", "Rossi", "Garcia", "Murphy", "Tanaka", "Haddad", "Schmidt", "Silva", "Okafor", "Larsen"}
	phonePre   = map[string]string{"US": "+1415555", "CA": "+1416555", "DE": "+4930123", "GB": "+4420794", "AU": "+6129876", "JP": "+8135555"}
)

type person struct {
	name, email, phone string
	addr               address
}

func pickPerson(r *rng, country string) person {
	first := firstNames[r.intn(len(firstNames))]
	last := lastNames[r.intn(len(lastNames))]
	list := addresses[country]
	var addr address
	if len(list) == 0 {
		addr = address{"Springfield", country, "12 Main Street", "", "10001", ""}
	} else {
		addr = list[r.intn(len(list))]
	}
	pre := phonePre[country]
	if pre == "" {
		pre = "+1415555"
	}
	return person{
		name:  first + " " + last,
		email: strings.ToLower(first+"."+last) + r.digits(2) + "@example.com",
		phone: pre + r.digits(4),
		addr:  addr,
	}
}

func (p person) billingDetails() obj {
	return obj{
		"address": p.addr.obj(),
		"email":   p.email,
		"name":    p.name,
		"phone":   p.phone,
	}
}

type card struct {
	brand, last4, funding, country, fingerprint string
	expMonth, expYear                           int
}

// Stripe test cards: brand, last4, funding.
var cards = []struct{ brand, last4, funding string }{
	{"visa", "4242", "credit"}, {"visa", "4242", "credit"}, {"visa", "5556", "debit"},
	{"visa", "1881", "credit"}, {"mastercard", "4444", "credit"}, {"mastercard", "8210", "debit"},
	{"amex", "8431", "credit"}, {"discover", "1117", "credit"}, {"visa", "4242", "credit"},
	{"mastercard", "4444", "credit"},
}

func pickCard(r *rng, account, country string, created time.Time) card {
	c := cards[r.intn(len(cards))]
	return card{
		brand:    c.brand,
		last4:    c.last4,
		funding:  c.funding,
		country:  country,
		expMonth: 1 + r.intn(12),
		expYear:  created.Year() + 1 + r.intn(5),
		// Fingerprints identify a card number within an account.
		fingerprint: newRNG("fingerprint", account, c.brand, c.last4, country).b62(16),
	}
}

func (c card) checks() obj {
	return obj{
		"address_line1_check":       "pass",
		"address_postal_code_check": "pass",
		"cvc_check":                 "pass",
	}
}
