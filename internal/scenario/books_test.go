package scenario

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// A small world whose books are worked out by hand from the accounting
// model.
func TestExpectedBooksByHand(t *testing.T) {
	b := New(1)
	us, eu := b.Customer(true, "usd"), b.Customer(true, "eur")
	b.Charge(us, 10000, "usd")                         // fee 320, net 9680
	b.Charge(eu, 5000, "eur", SettledIn("usd", "1.1")) // 5500 USD, fee 160+30 = 190, net 5310
	b.Advance(5 * 24 * time.Hour)
	p := b.Payout(true, "usd") // 9680 + 5310
	late := b.Charge(us, 2000, "usd")
	b.Refund(late, 500)
	b.FailedInvoice(us, 2900, "usd", 3)

	got := b.World().Expected(true)
	usd, eur := got.Get("usd"), got.Get("EUR")
	want := Figures{Charged: 12000, Refunded: 500, Fees: 510, PaidOut: 14990, Clearing: 2000 - 500, Receivable: 2900, FX: -5500}
	if p.Amount != 14990 || usd != want {
		t.Fatalf("USD: payout %d, books %+v, want %+v", p.Amount, usd, want)
	}
	if eur != (Figures{Charged: 5000, FX: 5000}) {
		t.Fatalf("EUR: %+v", eur)
	}

	// The payout fails after it was paid: the bank gives it back, Stripe
	// holds it again; fees and FX stand.
	b.FailPayout(p)
	got = b.World().Expected(true)
	want.PaidOut, want.Clearing = 0, 1500+14990
	if got.Get("usd") != want {
		t.Fatalf("after the failure: %+v, want %+v", got.Get("usd"), want)
	}
	// A later payout pays the returned money out again, with what became
	// available meanwhile (the late charge, its refund).
	b.Advance(5 * 24 * time.Hour)
	again := b.Payout(true, "usd")
	if again == nil || again.Amount != 14990+(2000-Fee(2000, "usd"))-500 {
		t.Fatalf("second payout %+v", again)
	}
	got = b.World().Expected(true)
	want = Figures{Charged: 12000, Refunded: 500, Fees: 510 + Fee(2000, "usd"), PaidOut: again.Amount, Receivable: 2900, FX: -5500}
	if got.Get("usd") != want {
		t.Fatalf("after the second payout: %+v, want %+v", got.Get("usd"), want)
	}
	if tm := b.World().Expected(false); len(tm.Currencies) != 0 {
		t.Fatalf("test-mode books of a live world: %+v", tm.Currencies)
	}
}

func TestDisputesAndOtherFeesInTheBooks(t *testing.T) {
	b := New(2)
	c := b.Customer(true, "usd")
	lost, won := b.Charge(c, 10000, "usd"), b.Charge(c, 4000, "usd")
	b.Dispute(lost, false) // -10000, fee 1500
	b.Dispute(won, true)   // -4000 fee 1500, then +4000
	b.StripeFee(true, "usd", 250, "Radar fee")
	usd := b.World().Expected(true).Get("usd")
	// Nothing paid out: charges gross, disputes net, the Radar fee not
	// booked yet.
	if usd.Disputed != 10000 || usd.Fees != 3000 || usd.Clearing != 14000-11500-5500+4000 {
		t.Fatalf("before the payout: %+v", usd)
	}
	b.Advance(5 * 24 * time.Hour)
	p := b.Payout(true, "usd")
	usd = b.World().Expected(true).Get("usd")
	feesCharges := Fee(10000, "usd") + Fee(4000, "usd")
	if p == nil || usd.Clearing != 0 || usd.Fees != 3000+feesCharges+250 || usd.PaidOut != p.Amount || usd.Disputed != 10000 {
		t.Fatalf("after the payout: %+v (payout %+v)", usd, p)
	}
}

// stateJSON is an Infor state with the books of TestExpectedBooksByHand
// before the failure, as the emulator writes it.
const stateJSON = `{
 "customers": [], "orders": [],
 "invoices": [
  {"CINO":"40000001","CUNO":"S1","ORNO":"1","CUCD":"USD","IVAM":"100.00","OPAM":"0.00","STAT":"paid"},
  {"CINO":"40000002","CUNO":"S1","ORNO":"2","CUCD":"USD","IVAM":"20.00","OPAM":"0.00","STAT":"paid"},
  {"CINO":"40000003","CUNO":"S2","ORNO":"3","CUCD":"EUR","IVAM":"50.00","OPAM":"0.00","STAT":"paid"},
  {"CINO":"40000004","CUNO":"S1","ORNO":"2","CUCD":"USD","IVAM":"-5.00","OPAM":"0.00","STAT":"paid","CRIN":"40000002","YREF":"R1"},
  {"CINO":"40000005","CUNO":"S1","ORNO":"4","CUCD":"USD","IVAM":"29.00","OPAM":"29.00","STAT":"open"}
 ],
 "bank_statements": [
  {"STNB":"1","BKID":"STRIPE","CUCD":"USD","REFE":"P1","lines":[{"LINO":"1","ACAM":"100.00","details":[{"CINO":"40000001","ACAM":"100.00"}]}]},
  {"STNB":"2","BKID":"STRIPE","CUCD":"EUR","REFE":"P2","lines":[{"LINO":"1","ACAM":"50.00","details":[{"CINO":"40000003","ACAM":"50.00"}]}]},
  {"STNB":"3","BKID":"STRIPE","CUCD":"USD","REFE":"P3","lines":[{"LINO":"1","ACAM":"20.00","details":[{"CINO":"40000002","ACAM":"20.00"}]}]},
  {"STNB":"4","BKID":"STRIPE","CUCD":"USD","REFE":"X","lines":[{"LINO":"1","ACAM":"-5.00","details":[{"CINO":"40000004","ACAM":"-5.00"}]}]},
  {"STNB":"5","BKID":"BANK1","CUCD":"USD","REFE":"Y","lines":[{"LINO":"1","ACAM":"149.90","details":[]}]}
 ],
 "gl_batches": [],
 "gl_balances": {
  "1580": {"USD": "15.00", "EUR": "0.00"},
  "1510": {"USD": "29.00"},
  "6570": {"USD": "5.10"},
  "1930": {"USD": "149.90"},
  "7960": {"USD": "-55.00", "EUR": "50.00"}
 }
}`

func TestInforBooksCompareAndSummary(t *testing.T) {
	st, err := ReadState(strings.NewReader(stateJSON))
	if err != nil {
		t.Fatal(err)
	}
	got, err := InforBooks(st, true, DefaultAccounts)
	if err != nil {
		t.Fatal(err)
	}
	want := NewBooks(true)
	*want.In("usd") = Figures{Charged: 12000, Refunded: 500, Fees: 510, PaidOut: 14990, Clearing: 1500, Receivable: 2900, FX: -5500}
	*want.In("eur") = Figures{Charged: 5000, FX: 5000}
	if m := Compare(want, got); len(m) != 0 {
		t.Fatalf("mismatches reading a state that agrees: %v", m)
	}
	var out bytes.Buffer
	if m, err := Summary(&out, "Reconciliation", want, got); err != nil || len(m) != 0 {
		t.Fatalf("summary: %v %v", m, err)
	}
	for _, s := range []string{"Reconciliation (live mode)", "USD", "Charged", "120.00", "Still in clearing", "15.00", "All figures agree"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("summary lacks %q:\n%s", s, out.String())
		}
	}
	if strings.Contains(out.String(), "MISMATCH") {
		t.Fatalf("a mismatch in an agreeing summary:\n%s", out.String())
	}

	// Fees 30 cents short in Infor and a JPY figure Infor does not have.
	want.In("usd").Fees = 540
	want.In("jpy").Charged = 5000
	out.Reset()
	m, err := Summary(&out, "Reconciliation", want, got)
	if err != nil || len(m) != 2 {
		t.Fatalf("mismatches %v, %v", m, err)
	}
	if m[0] != (Mismatch{Currency: "JPY", Figure: "Charged", Stripe: 5000, Infor: 0}) || m[1] != (Mismatch{Currency: "USD", Figure: "Fees", Stripe: 540, Infor: 510}) {
		t.Fatalf("mismatches %+v", m)
	}
	for _, s := range []string{"<< MISMATCH: Infor 0.30 less", "<< MISMATCH: Infor 5,000 less", "2 figure(s) DO NOT AGREE"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("summary lacks %q:\n%s", s, out.String())
		}
	}

	// Without gl_balances the batches are summed; an amount with more
	// decimals than its currency is refused.
	st.GLBalances = nil
	st.GLBatches = []InforBatch{{BCHN: "1", STAT: "posted", Lines: []InforGLLine{{AIT1: "6570", ACAM: "5.10", CUCD: "USD"}, {AIT1: "1580", ACAM: "-5.10", CUCD: "USD"}}},
		{BCHN: "2", STAT: "open", Lines: []InforGLLine{{AIT1: "6570", ACAM: "99.00", CUCD: "USD"}}}}
	got, err = InforBooks(st, true, DefaultAccounts)
	if err != nil || got.Get("usd").Fees != 510 || got.Get("usd").Clearing != -510 {
		t.Fatalf("from batches: %+v %v", got.Get("usd"), err)
	}
	st.GLBatches[0].Lines[0].ACAM = "5.105"
	if _, err := InforBooks(st, true, DefaultAccounts); err == nil {
		t.Fatal("a fraction of a cent was read")
	}
}

// StateOf reads any value that marshals to the state's JSON, such as the
// emulator's own State.
func TestStateOf(t *testing.T) {
	st, err := ReadState(strings.NewReader(stateJSON))
	if err != nil {
		t.Fatal(err)
	}
	again, err := StateOf(st)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := InforBooks(st, true, DefaultAccounts)
	b, _ := InforBooks(again, true, DefaultAccounts)
	if len(Compare(a, b)) != 0 || len(again.BankStatements) != 5 || again.Invoices[3].CRIN != "40000002" {
		t.Fatalf("StateOf lost data: %+v", again)
	}
	if _, err := StateOf(func() {}); err == nil {
		t.Fatal("a func read as a state")
	}
}
