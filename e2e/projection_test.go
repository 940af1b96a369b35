package e2e

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/scenario"
)

// projection is a tenant's state by business references only: what must
// be equal whatever order and however often the events arrived. M3's own
// numbers (CUNO, ORNO, CINO, STNB, BCHN) and the dates M3 stamps are left
// out; documents are named by the references the integration wrote
// (YREF, CUOR, REFE) and an automatic voucher by the document it posts.
func projection(st *scenario.InforState) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	ordersByORNO := map[string]scenario.InforOrder{}
	for _, o := range st.Orders {
		ordersByORNO[o.ORNO] = o
		var lines []string
		for _, l := range o.Lines {
			lines = append(lines, l.ITNO+" "+l.ORQT+"×"+l.SAPR+"="+l.LNAM)
		}
		add("order %s %s %s %s type %s stop %q %q lines %v", o.CUOR, o.YREF, o.NTAM, o.CUCD, o.ORTP, o.OBLC, o.OBTX, lines)
	}
	invRef := map[string]string{} // CINO → business reference
	for _, inv := range st.Invoices {
		if inv.CRIN == "" {
			invRef[inv.CINO] = "invoice of " + ordersByORNO[inv.ORNO].CUOR
		} else {
			invRef[inv.CINO] = "credit note " + inv.YREF
		}
	}
	for _, inv := range st.Invoices {
		credits := ""
		if inv.CRIN != "" {
			credits = " credits " + invRef[inv.CRIN]
		}
		add("%s %s %s open %s %s%s", invRef[inv.CINO], inv.IVAM, inv.CUCD, inv.OPAM, inv.STAT, credits)
	}
	for _, c := range st.Customers {
		add("customer %s %s %s %s", c.YREF, c.CUNM, c.TOWN, c.CSCD)
	}
	stmtRef := map[string]string{}
	for _, bs := range st.BankStatements {
		stmtRef[bs.STNB] = bs.BKID + "/" + bs.REFE
		var lines []string
		for _, l := range bs.Lines {
			var det []string
			for _, d := range l.Details {
				det = append(det, d.ACAM+"→"+invRef[d.CINO])
			}
			sort.Strings(det)
			lines = append(lines, fmt.Sprintf("%s %s %v", l.REFE, l.ACAM, det))
		}
		sort.Strings(lines)
		add("statement %s/%s %s lines %v", bs.BKID, bs.REFE, bs.CUCD, lines)
	}
	for _, b := range st.GLBatches {
		refe := b.REFE
		if strings.HasPrefix(refe, "AUTO ") {
			refe = "AUTO " + voucherOf(refe, invRef, stmtRef)
		}
		var lines []string
		for _, l := range b.Lines {
			lines = append(lines, l.AIT1+" "+l.ACAM+" "+l.CUCD)
		}
		sort.Strings(lines)
		add("GL batch %s %s lines %v", refe, b.STAT, lines)
	}
	var accs []string
	for acc := range st.GLBalances {
		accs = append(accs, acc)
	}
	sort.Strings(accs)
	for _, acc := range accs {
		var cs []string
		for c, v := range st.GLBalances[acc] {
			cs = append(cs, c+" "+v)
		}
		sort.Strings(cs)
		add("GL balance %s %v", acc, cs)
	}
	sort.Strings(out)
	return out
}

// voucherOf names an automatic voucher ("INV <CINO>", "CRN <CINO>",
// "STM <STNB>/<LINO> <CINO>") by the business references of its documents.
func voucherOf(refe string, invRef, stmtRef map[string]string) string {
	f := strings.Fields(strings.TrimPrefix(refe, "AUTO "))
	switch {
	case len(f) == 2 && (f[0] == "INV" || f[0] == "CRN"):
		return f[0] + " " + invRef[f[1]]
	case len(f) == 3 && f[0] == "STM":
		stnb, _, _ := strings.Cut(f[1], "/")
		return "STM " + stmtRef[stnb] + " " + invRef[f[2]]
	}
	return refe
}

// diff lists what only a has and what only b has.
func diff(a, b []string) (onlyA, onlyB []string) {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for s, n := range count {
		for ; n > 0; n-- {
			onlyA = append(onlyA, s)
		}
		for ; n < 0; n++ {
			onlyB = append(onlyB, s)
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return onlyA, onlyB
}
