package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestAddAddress(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	a := te.addCustomer("Ada")

	full := map[string]string{"CUNO": a, "ADRT": "01", "ADID": "STRIPE", "CUNM": "Ada Lovelace",
		"CUA1": "1 Main St", "CUA2": "Floor 2", "CUA3": "c/o Babbage", "CUA4": "Wing B", "TOWN": "London",
		"PONO": "NW1 2DB", "CSCD": "GB", "ECAR": "LND", "PHNO": "+4420123456"}
	te.ok("CRS610MI", "AddAddress", full)
	// The same id under another address type is another address.
	te.ok("CRS610MI", "AddAddress", map[string]string{"CUNO": a, "ADRT": "02", "ADID": "STRIPE", "CUA1": "Dock 4"})

	for _, tc := range []struct {
		name  string
		in    map[string]string
		field string
		code  string
	}{
		{"unknown customer", map[string]string{"CUNO": "NOPE", "ADRT": "01", "ADID": "X"}, "CUNO", "WCU0103"},
		{"duplicate", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "STRIPE"}, "ADID", "WAD0104"},
		{"ADRT mandatory", map[string]string{"CUNO": a, "ADID": "X"}, "ADRT", "WAD0102"},
		{"ADID mandatory", map[string]string{"CUNO": a, "ADRT": "01"}, "ADID", "WAD0102"},
		{"ADRT not a number", map[string]string{"CUNO": a, "ADRT": "AB", "ADID": "X"}, "ADRT", "WAD0101"},
		{"ADRT too long", map[string]string{"CUNO": a, "ADRT": "001", "ADID": "X"}, "ADRT", "WAD0105"},
		{"ADID too long", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "1234567"}, "ADID", "WAD0105"},
		{"CUNM too long", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "X", "CUNM": strings.Repeat("n", 37)}, "CUNM", "WCU0105"},
		{"CUA1 too long", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "X", "CUA1": strings.Repeat("a", 37)}, "CUA1", "WCU0105"},
		{"CUA4 too long", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "X", "CUA4": strings.Repeat("a", 37)}, "CUA4", "WCU0105"},
		{"TOWN too long", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "X", "TOWN": strings.Repeat("t", 21)}, "TOWN", "WTO0105"},
		{"PONO too long", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "X", "PONO": "12345678901"}, "PONO", "WPO0105"},
		{"CSCD too long", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "X", "CSCD": "GBRX"}, "CSCD", "WCS0105"},
		{"ECAR too long", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "X", "ECAR": "LOND"}, "ECAR", "WEC0105"},
		{"PHNO too long", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "X", "PHNO": strings.Repeat("1", 17)}, "PHNO", "WPH0105"},
		{"not an input field", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "X", "MAIL": "a@b.c"}, "MAIL", "WMA0109"},
	} {
		res := te.fail("CRS610MI", "AddAddress", tc.in)
		if res.ErrorField != tc.field || res.ErrorCode != tc.code {
			t.Errorf("%s: got %s %s (%s), want %s %s", tc.name, res.ErrorField, res.ErrorCode, res.ErrorMessage, tc.field, tc.code)
		}
	}

	// The state shows the addresses under the customer, refused ones not.
	st := te.state()
	var c *Customer
	for _, cu := range st.Customers {
		if cu.CUNO == a {
			c = cu
		}
	}
	if c == nil || len(c.Addresses) != 2 {
		t.Fatalf("customer %s in state: %+v", a, c)
	}
	want := Address{ADRT: "01", ADID: "STRIPE", CUNM: "Ada Lovelace", CUA1: "1 Main St", CUA2: "Floor 2",
		CUA3: "c/o Babbage", CUA4: "Wing B", TOWN: "London", PONO: "NW1 2DB", CSCD: "GB", ECAR: "LND", PHNO: "+4420123456"}
	if *c.Addresses[0] != want {
		t.Fatalf("stored address %+v, want %+v", *c.Addresses[0], want)
	}

	// The raw JSON names the list "addresses".
	resp, err := http.Get(te.url("/_emulator/state"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw struct {
		Customers []struct {
			CUNO      string           `json:"CUNO"`
			Addresses []map[string]any `json:"addresses"`
		} `json:"customers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, cu := range raw.Customers {
		if cu.CUNO == a {
			found = len(cu.Addresses) == 2 && cu.Addresses[0]["ADID"] == "STRIPE" && cu.Addresses[0]["ADRT"] == "01"
		}
	}
	if !found {
		t.Fatalf("state JSON has no addresses for %s: %+v", a, raw.Customers)
	}
}

func TestLstAddress(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	a := te.addCustomer("Ada")
	b := te.addCustomer("Bob")

	if got := te.ok("CRS610MI", "LstAddress", map[string]string{"CUNO": a}); len(got) != 0 {
		t.Fatalf("no addresses yet: %v", got)
	}
	te.ok("CRS610MI", "AddAddress", map[string]string{"CUNO": a, "ADRT": "02", "ADID": "B", "CUA1": "Dock"})
	te.ok("CRS610MI", "AddAddress", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "Z", "CUA1": "Z St"})
	te.ok("CRS610MI", "AddAddress", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "A", "CUA1": "A St", "TOWN": "Oslo"})
	te.ok("CRS610MI", "AddAddress", map[string]string{"CUNO": b, "ADRT": "01", "ADID": "A", "CUA1": "Bob St"})

	all := te.ok("CRS610MI", "LstAddress", map[string]string{"CUNO": a})
	var keys []string
	for _, r := range all {
		keys = append(keys, r["ADRT"]+"/"+r["ADID"])
		if r["CUNO"] != a {
			t.Fatalf("record of another customer: %v", r)
		}
	}
	if strings.Join(keys, " ") != "01/A 01/Z 02/B" {
		t.Fatalf("LstAddress order %v", keys)
	}
	if all[0]["CUA1"] != "A St" || all[0]["TOWN"] != "Oslo" {
		t.Fatalf("LstAddress fields %v", all[0])
	}
	if _, ok := all[0]["PHNO"]; !ok {
		t.Fatalf("LstAddress leaves out blank fields: %v", all[0])
	}
	inv := te.ok("CRS610MI", "LstAddress", map[string]string{"CUNO": a, "ADRT": "01"})
	if len(inv) != 2 || inv[0]["ADID"] != "A" || inv[1]["ADID"] != "Z" {
		t.Fatalf("LstAddress ADRT 01: %v", inv)
	}
	if got := te.ok("CRS610MI", "LstAddress", map[string]string{"CUNO": a, "ADRT": "03"}); len(got) != 0 {
		t.Fatalf("LstAddress ADRT 03: %v", got)
	}
	if got := te.ok("CRS610MI", "LstAddress", map[string]string{"CUNO": a, "maxrecs": "1"}); len(got) != 1 {
		t.Fatalf("maxrecs: %v", got)
	}
	if res := te.fail("CRS610MI", "LstAddress", map[string]string{"CUNO": "NOPE"}); res.ErrorField != "CUNO" || res.ErrorCode != "WCU0103" {
		t.Fatalf("unknown customer: %+v", res)
	}
	if res := te.fail("CRS610MI", "LstAddress", nil); res.ErrorField != "CUNO" || res.ErrorCode != "WCU0102" {
		t.Fatalf("no customer: %+v", res)
	}
}

func TestChgAddress(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	a := te.addCustomer("Ada")
	te.ok("CRS610MI", "AddAddress", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "STRIPE",
		"CUA1": "1 Main St", "CUA2": "Floor 2", "TOWN": "London", "CSCD": "GB"})

	// Given fields change, blank ones stay.
	te.ok("CRS610MI", "ChgAddress", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "STRIPE",
		"CUA1": "2 High St", "PONO": "E1 6AN"})
	got := te.ok("CRS610MI", "LstAddress", map[string]string{"CUNO": a})
	if len(got) != 1 {
		t.Fatalf("ChgAddress added an address: %v", got)
	}
	if r := got[0]; r["CUA1"] != "2 High St" || r["PONO"] != "E1 6AN" || r["CUA2"] != "Floor 2" || r["TOWN"] != "London" || r["CSCD"] != "GB" {
		t.Fatalf("after ChgAddress %v", r)
	}

	for _, tc := range []struct {
		name  string
		in    map[string]string
		field string
		code  string
	}{
		{"unknown customer", map[string]string{"CUNO": "NOPE", "ADRT": "01", "ADID": "STRIPE"}, "CUNO", "WCU0103"},
		{"missing address", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "OTHER", "CUA1": "x"}, "ADID", "WAD0103"},
		{"missing address type", map[string]string{"CUNO": a, "ADRT": "02", "ADID": "STRIPE", "CUA1": "x"}, "ADID", "WAD0103"},
		{"ADID mandatory", map[string]string{"CUNO": a, "ADRT": "01"}, "ADID", "WAD0102"},
		{"TOWN too long", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "STRIPE", "TOWN": strings.Repeat("t", 21)}, "TOWN", "WTO0105"},
	} {
		res := te.fail("CRS610MI", "ChgAddress", tc.in)
		if res.ErrorField != tc.field || res.ErrorCode != tc.code {
			t.Errorf("%s: got %s %s (%s), want %s %s", tc.name, res.ErrorField, res.ErrorCode, res.ErrorMessage, tc.field, tc.code)
		}
	}
	st := te.state()
	for _, c := range st.Customers {
		if c.CUNO == a {
			if len(c.Addresses) != 1 || c.Addresses[0].CUA1 != "2 High St" || c.Addresses[0].TOWN != "London" {
				t.Fatalf("state addresses %+v", c.Addresses)
			}
			return
		}
	}
	t.Fatalf("customer %s not in state", a)
}

// Addresses survive a restart: they are part of state.json.
func TestAddressPersisted(t *testing.T) {
	dir := t.TempDir()
	te := newEnv(t, Config{DataDir: dir})
	te.login()
	a := te.addCustomer("Ada")
	te.ok("CRS610MI", "AddAddress", map[string]string{"CUNO": a, "ADRT": "01", "ADID": "STRIPE", "CUA1": "1 Main St"})
	_ = te.e.Close()

	te2 := newEnv(t, Config{DataDir: dir})
	te2.login()
	got := te2.ok("CRS610MI", "LstAddress", map[string]string{"CUNO": a})
	if len(got) != 1 || got[0]["CUA1"] != "1 Main St" {
		t.Fatalf("after restart %v", got)
	}
}
