package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeSeed(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSeedFileOverlay(t *testing.T) {
	path := writeSeed(t, `{
	  "items": [{"ITNO": "BOOK", "ITDS": "A book", "UNMS": "EA", "SAPR": "9.99"}],
	  "customers": [{"CUNO": "WALKIN", "CUNM": "Walk-in customer", "CUCD": "EUR"}],
	  "number_series": {"CUNO": {"prefix": "C", "next": 7, "width": 5}}
	}`)
	te := newEnv(t, Config{SeedFile: path})
	te.login()
	// Items replaced, currencies kept, seed customer present, series overridden.
	if r := te.fail("MMS200MI", "GetItmBasic", map[string]string{"ITNO": "WIDGET"}); r.ErrorField != "ITNO" {
		t.Fatalf("default item still there: %+v", r)
	}
	if it := te.ok("MMS200MI", "GetItmBasic", map[string]string{"ITNO": "BOOK"})[0]; it["ITDS"] != "A book" {
		t.Fatalf("item %v", it)
	}
	te.ok("CRS055MI", "Get", map[string]string{"CUCD": "KWD"})
	if c := te.ok("CRS610MI", "GetBasicData", map[string]string{"CUNO": "WALKIN"})[0]; c["CUCD"] != "EUR" {
		t.Fatalf("seed customer %v", c)
	}
	if c := te.addCustomer("New"); c != "C00007" {
		t.Fatalf("number from the seed's series: %s", c)
	}
	// Reset brings the seed customer back and drops the rest.
	if err := te.e.Reset(); err != nil {
		t.Fatal(err)
	}
	if st := te.state(); len(st.Customers) != 1 || st.Customers[0].CUNO != "WALKIN" {
		t.Fatalf("after reset %+v", st.Customers)
	}
}

func TestSeedFileRefused(t *testing.T) {
	for body, want := range map[string]string{
		`{"itemz": []}`: `unknown key "itemz"`,
		`{"currencies": [{"CUCD": "USD", "DCCD": 2}, {"CUCD": "USD", "DCCD": 2}]}`:                 "appears twice",
		`{"customer_templates": [{"CUTM": "T", "fields": {"CUCD": "XXX"}}]}`:                       "Currency XXX does not exist",
		`{"customer_templates": [{"CUTM": "T", "fields": {"FOO": "1"}}]}`:                          "FOO is not a customer field",
		`{"items": [{"ITNO": "A", "ITDS": "a", "SAPR": "1,5"}]}`:                                   "not a decimal",
		`{"number_series": {"ORNO": {"next": 123456789012}}}`:                                      "longer than ORNO allows",
		`{"currencies": [{"CUCD": "USD", "DCCD": 2, "decimals": 2}]}`:                              "unknown field",
		`{"customers": [{"CUNO": "A", "CUNM": "a"}, {"CUNO": "A", "CUNM": "b"}]}`:                  "appears twice",
		`{"customer_templates": [{"CUTM": "A", "default": true}, {"CUTM": "B", "default": true}]}`: "more than one default",
	} {
		_, err := New(Config{SeedFile: writeSeed(t, body)})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", body, err, want)
		}
	}
}
