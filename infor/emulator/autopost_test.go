package emulator

import (
	"strings"
	"testing"
)

// TestAutomaticVouchers follows one order through invoice, payment on the
// Stripe balance, credit note and its settlement, and checks the vouchers
// M3 would post and the balances they leave.
func TestAutomaticVouchers(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	cuno := te.addCustomer("Voucher Test")
	orno := te.placeOrder(cuno, "AUTO1", map[string]string{"ITNO": "STRIPE-CHARGE", "ORQT": "1", "SAPR": "100.00"})
	cino := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno})[0]["CINO"]

	stnb := te.ok("ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "STDT": "20260301", "CUCD": "USD", "REFE": "P1"})[0]["STNB"]
	te.ok("ABS100MI", "AddStatmtLine", map[string]string{"STNB": stnb, "ACAM": "100.00"})
	te.ok("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": stnb, "LINO": "1", "CINO": cino, "ACAM": "100.00"})

	cn := te.ok("ARS200MI", "AddCrdtNote", map[string]string{"CINO": cino, "IVAM": "30.00", "YREF": "R1"})[0]["CINO"]
	// A credit note is settled with a negative amount, never a positive one.
	rs := te.ok("ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "STDT": "20260302", "CUCD": "USD", "REFE": "R1"})[0]["STNB"]
	te.ok("ABS100MI", "AddStatmtLine", map[string]string{"STNB": rs, "ACAM": "-30.00"})
	if res := te.fail("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": rs, "LINO": "1", "CINO": cn, "ACAM": "30.00"}); !strings.Contains(res.ErrorMessage, "credit note") {
		t.Fatalf("positive amount on a credit note: %+v", res)
	}
	if res := te.fail("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": rs, "LINO": "1", "CINO": cn, "ACAM": "-30.01"}); res.ErrorField != "ACAM" {
		t.Fatalf("more than the credit note: %+v", res)
	}
	te.ok("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": rs, "LINO": "1", "CINO": cn, "ACAM": "-30.00"})

	st := te.state()
	var auto []string
	for _, b := range st.GLBatches {
		if !strings.HasPrefix(b.REFE, "AUTO ") {
			continue
		}
		auto = append(auto, b.REFE)
		if b.STAT != batchPosted || len(b.Lines) != 2 || mustDecimal(b.Lines[0].ACAM).Cmp(mustDecimal(b.Lines[1].ACAM).Neg(mustDecimal(b.Lines[1].ACAM))) != 0 {
			t.Errorf("voucher %s: %+v", b.REFE, b)
		}
	}
	if len(auto) != 4 {
		t.Fatalf("automatic vouchers %v, want invoice, payment, credit note, settlement", auto)
	}
	// A cash voucher is dated as its statement: the day the money moved.
	dated := map[string]string{stnb: "20260301", rs: "20260302"}
	for _, b := range st.GLBatches {
		ref, ok := strings.CutPrefix(b.REFE, "AUTO STM ") // "<STNB>/<LINO> <CINO>"
		if !ok {
			continue
		}
		statement, _, _ := strings.Cut(ref, "/")
		if b.ACDT != dated[statement] {
			t.Errorf("voucher %s dated %s, want %s", b.REFE, b.ACDT, dated[statement])
		}
	}
	want := map[string]string{"1510": "0.00", "3010": "-100.00", "3740": "30.00", "1580": "70.00"}
	for acct, v := range want {
		if got := st.GLBalances[acct]["USD"]; got != v {
			t.Errorf("balance %s = %q, want %s (all %v)", acct, got, v, st.GLBalances)
		}
	}
	for _, inv := range st.Invoices {
		if mustDecimal(inv.OPAM).Sign() != 0 {
			t.Errorf("invoice %s open %s", inv.CINO, inv.OPAM)
		}
	}
}

// TestAutomaticVouchersOff: an empty receivable account turns them off.
func TestAutomaticVouchersOff(t *testing.T) {
	seed := DefaultSeed()
	seed.Accounting = Accounting{}
	if err := seed.validate(); err != nil {
		t.Fatal(err)
	}
	seed.Accounting = Accounting{Receivable: "1510", Sales: "9999", CreditNotes: "3740"}
	if err := seed.validate(); err == nil || !strings.Contains(err.Error(), "9999") {
		t.Fatalf("unknown sales account: %v", err)
	}
}
