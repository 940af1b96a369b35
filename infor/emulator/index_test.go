package emulator

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The indexed look-ups answer what a scan of every record answers, for
// each filter alone and combined (the index serves one filter, the others
// are applied to what it found), including references shared by several
// records.
func TestIndexedLookupsMatchScans(t *testing.T) {
	te := newEnv(t, Config{TokenTTL: time.Hour})
	te.login()
	a, b := te.addCustomer("A"), te.addCustomer("B")
	for i, c := range []struct{ cuno, cuor string }{{a, "shared"}, {b, "shared"}, {a, "a-only"}, {b, "b-only"}, {a, "shared"}} {
		orno := te.placeOrder(c.cuno, c.cuor, map[string]string{"ITNO": "WIDGET", "ORQT": "1"})
		if i%2 == 0 {
			cino := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno})[0]["CINO"]
			te.ok("ARS200MI", "AddCrdtNote", map[string]string{"CINO": cino, "IVAM": "1.00", "YREF": "re-shared"})
		}
	}
	te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": b, "CUOR": "shared"}) // batch, not confirmed
	for _, refe := range []string{"po-1", "po-2", "po-1"} {
		te.ok("ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "STDT": "20250301", "CUCD": "USD", "REFE": refe})
		te.ok("GLS840MI", "AddBatchHead", map[string]string{"REFE": refe})
	}
	te.ok("ABS100MI", "AddStatmtHead", map[string]string{"BKID": "BANK1", "STDT": "20250301", "CUCD": "USD", "REFE": "po-1"})
	st := te.e.State()

	list := func(prog, trans, key string, in map[string]string) []string {
		t.Helper()
		in["maxrecs"] = "0"
		var out []string
		for _, r := range te.ok(prog, trans, in) {
			out = append(out, r[key])
		}
		return out
	}
	match := func(filter map[string]string, fields map[string]string) bool {
		for k, v := range filter {
			if v != "" && fields[k] != v {
				return false
			}
		}
		return true
	}
	for _, f := range []map[string]string{
		{}, {"CUNO": a}, {"CUOR": "shared"}, {"CUNO": a, "CUOR": "shared"}, {"CUNO": b, "CUOR": "a-only"}, {"CUOR": "nope"},
	} {
		for _, batch := range []bool{false, true} {
			var want []string
			for _, o := range st.Orders {
				if (o.STAT == orderBatch) == batch && match(f, map[string]string{"CUNO": o.CUNO, "CUOR": o.CUOR}) {
					want = append(want, o.ORNO)
				}
			}
			slices.Sort(want)
			trans := map[bool]string{false: "LstHead", true: "LstBatchHead"}[batch]
			if got := list("OIS100MI", trans, "ORNO", clone(f)); !slices.Equal(got, want) {
				t.Errorf("%s %v: %v, a scan finds %v", trans, f, got, want)
			}
		}
	}
	for _, f := range []map[string]string{
		{}, {"CUNO": a}, {"YREF": "re-shared"}, {"CUNO": b, "YREF": "re-shared"}, {"ORNO": st.Orders[0].ORNO},
		{"ORNO": st.Orders[0].ORNO, "YREF": "re-shared"}, {"ORNO": st.Orders[0].ORNO, "CUNO": b},
	} {
		var want []string
		for _, inv := range st.Invoices {
			if match(f, map[string]string{"CUNO": inv.CUNO, "ORNO": inv.ORNO, "YREF": inv.YREF}) {
				want = append(want, inv.CINO)
			}
		}
		if got := list("ARS200MI", "LstInvoices", "CINO", clone(f)); !slices.Equal(got, want) {
			t.Errorf("LstInvoices %v: %v, a scan finds %v", f, got, want)
		}
	}
	for _, f := range []map[string]string{{}, {"REFE": "po-1"}, {"REFE": "po-1", "BKID": "BANK1"}, {"BKID": "STRIPE"}} {
		var want []string
		for _, bs := range st.BankStatements {
			if match(f, map[string]string{"BKID": bs.BKID, "REFE": bs.REFE}) {
				want = append(want, bs.STNB)
			}
		}
		if got := list("ABS100MI", "LstStatmt", "STNB", clone(f)); !slices.Equal(got, want) {
			t.Errorf("LstStatmt %v: %v, a scan finds %v", f, got, want)
		}
	}
	for _, f := range []map[string]string{{}, {"REFE": "po-1"}, {"REFE": "po-2"}} {
		var want []string
		for _, g := range st.GLBatches {
			if match(f, map[string]string{"REFE": g.REFE}) {
				want = append(want, g.BCHN)
			}
		}
		if got := list("GLS840MI", "LstBatch", "BCHN", clone(f)); !slices.Equal(got, want) {
			t.Errorf("LstBatch %v: %v, a scan finds %v", f, got, want)
		}
	}
	// LstByNumber starts at CUNO, by number, and sees customers added later.
	te.ok("CRS610MI", "Add", map[string]string{"CUNO": "0AAA", "CUNM": "First by number"})
	if got := list("CRS610MI", "LstByNumber", "CUNO", map[string]string{"CUNO": "10002"}); strings.Join(got, ",") != "10002" {
		t.Errorf("LstByNumber from 10002: %v", got)
	}
	if got := list("CRS610MI", "LstByNumber", "CUNO", map[string]string{}); strings.Join(got, ",") != "0AAA,10001,10002" {
		t.Errorf("LstByNumber: %v", got)
	}
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
