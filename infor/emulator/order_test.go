package emulator

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The whole order-to-cash flow a Stripe charge takes: batch order, lines,
// Confirm into a final number with an invoice (prepaid order type), then a
// bank statement detail that pays it.
func TestOrderFlowInvoiceAndPayment(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	cuno := te.addCustomer("Ada Lovelace")

	temp := te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "CUOR": "ch-12345", "ORDT": "20250301"})[0]["ORNO"]
	if !strings.HasPrefix(temp, "T") {
		t.Fatalf("temporary ORNO %q", temp)
	}
	line := te.ok("OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "WIDGET", "ORQT": "3"})[0] // seed price 12.50
	if line["PONR"] != "1" || line["ORNO"] != temp {
		t.Fatalf("line %v", line)
	}
	te.ok("OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "SHIPPING", "ORQT": "1", "SAPR": "4.99"})
	te.ok("OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "STRIPE-CHARGE", "ORQT": "3", "SAPR": "0.333"}) // 0.999 → 1.00

	// A batch order is not an order yet.
	if res := te.fail("OIS100MI", "GetHead", map[string]string{"ORNO": temp}); !strings.Contains(res.ErrorMessage, "not yet confirmed") {
		t.Fatalf("GetHead of a batch order: %+v", res)
	}
	if l := te.ok("OIS100MI", "LstHead", map[string]string{"CUOR": "ch-12345"}); len(l) != 0 {
		t.Fatalf("LstHead lists a batch order: %v", l)
	}

	orno := te.ok("OIS100MI", "Confirm", map[string]string{"ORNO": temp})[0]["ORNO"]
	if orno == temp || orno != "1000000001" {
		t.Fatalf("final ORNO %q (temporary %q)", orno, temp)
	}
	head := te.ok("OIS100MI", "GetHead", map[string]string{"ORNO": orno})[0]
	if head["NTAM"] != "43.49" || head["CUCD"] != "USD" || head["CUOR"] != "ch-12345" || head["ORDT"] != "20250301" {
		t.Fatalf("head %v", head)
	}
	// Retrying Confirm after a lost answer tells what became of the order.
	if res := te.fail("OIS100MI", "Confirm", map[string]string{"ORNO": temp}); res.ErrorCode != "WOR0106" || !strings.Contains(res.ErrorMessage, orno) {
		t.Fatalf("second Confirm: %+v", res)
	}
	if res := te.fail("OIS100MI", "AddBatchLine", map[string]string{"ORNO": orno, "ITNO": "WIDGET", "ORQT": "1"}); res.ErrorCode != "WOR0106" {
		t.Fatalf("line on a confirmed order: %+v", res)
	}
	if l := te.ok("OIS100MI", "LstHead", map[string]string{"CUOR": "ch-12345"}); len(l) != 1 || l[0]["ORNO"] != orno {
		t.Fatalf("LstHead by CUOR: %v", l)
	}
	if l := te.ok("OIS100MI", "LstHead", map[string]string{"CUNO": cuno}); len(l) != 1 {
		t.Fatalf("LstHead by CUNO: %v", l)
	}

	// The prepaid order was invoiced for its total.
	invs := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno})
	if len(invs) != 1 {
		t.Fatalf("invoices of %s: %v", orno, invs)
	}
	inv := invs[0]
	if inv["IVAM"] != "43.49" || inv["OPAM"] != "43.49" || inv["STAT"] != "open" || inv["CUNO"] != cuno {
		t.Fatalf("invoice %v", inv)
	}
	cino := inv["CINO"]

	// Pay it through a bank statement, in two allocations.
	stnb := te.ok("ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "STDT": "20250301", "CUCD": "USD", "REFE": "po_123"})[0]["STNB"]
	lino := te.ok("ABS100MI", "AddStatmtLine", map[string]string{"STNB": stnb, "ACAM": "43.49", "TX40": "charge"})[0]["LINO"]
	after := te.ok("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": stnb, "LINO": lino, "CINO": cino, "ACAM": "40.00"})[0]
	if after["OPAM"] != "3.49" || after["STAT"] != "open" {
		t.Fatalf("after partial payment %v", after)
	}
	if res := te.fail("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": stnb, "LINO": lino, "CINO": cino, "ACAM": "3.50"}); res.ErrorCode != "WAC0107" || !strings.Contains(res.ErrorMessage, "exceeds the open amount 3.49 USD") {
		t.Fatalf("over-allocation: %+v", res)
	}
	te.ok("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": stnb, "LINO": lino, "CINO": cino, "ACAM": "3.49", "CUNO": cuno})
	got := te.ok("ARS200MI", "GetInvoice", map[string]string{"CINO": cino})[0]
	if got["OPAM"] != "0.00" || got["STAT"] != "paid" {
		t.Fatalf("invoice after payment %v", got)
	}
	if res := te.fail("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": stnb, "LINO": lino, "CINO": cino, "ACAM": "0.01"}); res.ErrorCode != "WCI0106" {
		t.Fatalf("allocation to a paid invoice: %+v", res)
	}
	if res := te.fail("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": stnb, "LINO": "9", "CINO": cino, "ACAM": "1"}); res.ErrorField != "LINO" {
		t.Fatalf("unknown line: %+v", res)
	}

	st := te.state()
	if len(st.Orders) != 1 || st.Orders[0].STAT != "invoiced" || st.Orders[0].CINO != cino || len(st.Orders[0].Lines) != 3 ||
		st.Orders[0].Lines[2].LNAM != "1.00" || st.Orders[0].TempORNO != temp {
		t.Fatalf("state order %+v", st.Orders[0])
	}
	if len(st.Invoices) != 1 || st.Invoices[0].STAT != "paid" || st.Invoices[0].OPAM != "0.00" {
		t.Fatalf("state invoice %+v", st.Invoices)
	}
	bs := st.BankStatements
	if len(bs) != 1 || len(bs[0].Lines) != 1 || len(bs[0].Lines[0].Details) != 2 || bs[0].Lines[0].Details[1].ACAM != "3.49" {
		t.Fatalf("state statements %+v", bs)
	}
}

// A non-prepaid order type is confirmed without an invoice; zero- and
// three-decimal currencies are computed exactly.
func TestOrderCurrenciesAndTypes(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	cuno := te.addCustomer("Yuki")

	temp := te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "CUCD": "JPY"})[0]["ORNO"]
	te.ok("OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "STRIPE-CHARGE", "ORQT": "1", "SAPR": "1500"})
	orno := te.ok("OIS100MI", "Confirm", map[string]string{"ORNO": temp})[0]["ORNO"]
	if inv := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno}); len(inv) != 1 || inv[0]["IVAM"] != "1500" {
		t.Fatalf("JPY invoice %v", inv)
	}

	temp = te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "CUCD": "KWD"})[0]["ORNO"]
	te.ok("OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "STRIPE-CHARGE", "ORQT": "2", "SAPR": "0.125"})
	orno = te.ok("OIS100MI", "Confirm", map[string]string{"ORNO": temp})[0]["ORNO"]
	inv := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno})
	if len(inv) != 1 || inv[0]["IVAM"] != "0.250" {
		t.Fatalf("KWD invoice %v", inv)
	}
	stnb := te.ok("ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "STDT": "20250301", "CUCD": "KWD"})[0]["STNB"]
	te.ok("ABS100MI", "AddStatmtLine", map[string]string{"STNB": stnb, "ACAM": "0.250"})
	if res := te.fail("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": stnb, "LINO": "1", "CINO": inv[0]["CINO"], "ACAM": "0.2501"}); res.ErrorField != "ACAM" {
		t.Fatalf("4 decimals on KWD: %+v", res)
	}

	temp = te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "ORTP": "STD"})[0]["ORNO"]
	te.ok("OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "WIDGET", "ORQT": "1"})
	orno = te.ok("OIS100MI", "Confirm", map[string]string{"ORNO": temp})[0]["ORNO"]
	if inv := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno}); len(inv) != 0 {
		t.Fatalf("STD order was invoiced: %v", inv)
	}
	if all := te.ok("ARS200MI", "LstInvoices", map[string]string{"CUNO": cuno}); len(all) != 2 {
		t.Fatalf("invoices of %s: %v", cuno, all)
	}
}

// A NOK leaves no partial change behind: Confirm takes the final order
// number before it finds the invoice series exhausted, and none of that may
// stay, neither in memory nor on disk.
func TestConfirmNOKIsAtomic(t *testing.T) {
	dir := t.TempDir()
	// One invoice number left: I999999999; the next does not fit CINO.
	seed := writeSeed(t, `{"number_series": {"CINO": {"prefix": "I", "next": 999999999}}}`)
	cfg := Config{DataDir: dir, SeedFile: seed, TokenTTL: time.Hour}
	te := newEnv(t, cfg)
	te.login()
	cuno := te.addCustomer("Ada")
	first := te.placeOrder(cuno, "ok-1", map[string]string{"ITNO": "WIDGET", "ORQT": "1"})
	if inv := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": first}); len(inv) != 1 || inv[0]["CINO"] != "I999999999" {
		t.Fatalf("last invoice number: %v", inv)
	}
	temp := te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "CUOR": "nok-1"})[0]["ORNO"]
	te.ok("OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "WIDGET", "ORQT": "2"})
	before := te.e.State()

	if r := te.fail("OIS100MI", "Confirm", map[string]string{"ORNO": temp}); r.ErrorCode != "WCI0110" || r.ErrorField != "CINO" {
		t.Fatalf("Confirm with the invoice series exhausted: %+v", r)
	}
	check := func(where string, te *testEnv) {
		t.Helper()
		st := te.e.State()
		if len(st.Orders) != 2 || len(st.Invoices) != 1 {
			t.Fatalf("%s: %d orders, %d invoices", where, len(st.Orders), len(st.Invoices))
		}
		o := st.Orders[1]
		if o.ORNO != temp || o.TempORNO != temp || o.STAT != orderBatch || o.CINO != "" {
			t.Fatalf("%s: the failed order is %+v, want batch order %s without invoice", where, o, temp)
		}
		if st.NumberSeries["ORNO"] != before.NumberSeries["ORNO"] || st.NumberSeries["CINO"] != before.NumberSeries["CINO"] {
			t.Fatalf("%s: number series moved: %v, before %v", where, st.NumberSeries, before.NumberSeries)
		}
		// Still a batch order to every transaction.
		if l := te.ok("OIS100MI", "LstBatchHead", map[string]string{"CUOR": "nok-1"}); len(l) != 1 || l[0]["ORNO"] != temp || l[0]["NOLN"] != "1" {
			t.Fatalf("%s: LstBatchHead %v", where, l)
		}
		if l := te.ok("OIS100MI", "LstHead", map[string]string{"CUOR": "nok-1"}); len(l) != 0 {
			t.Fatalf("%s: LstHead lists the failed order: %v", where, l)
		}
	}
	check("in memory", te)

	// A restart (without Close, as after a crash) reads the same.
	e2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv2 := httptest.NewServer(e2.Handler())
	t.Cleanup(func() { srv2.Close(); _ = e2.Close() })
	te2 := &testEnv{t: t, e: e2, srv: srv2, creds: e2.auth.creds}
	te2.login()
	check("after restart", te2)
}

// In a bulk request a NOK undoes only its own transaction.
func TestBulkNOKUndoesOnlyItsTransaction(t *testing.T) {
	seed := writeSeed(t, `{"number_series": {"CINO": {"prefix": "I", "next": 999999999}}}`)
	te := newEnv(t, Config{SeedFile: seed, TokenTTL: time.Hour})
	te.login()
	cuno := te.addCustomer("Ada")
	te.placeOrder(cuno, "ok-1", map[string]string{"ITNO": "WIDGET", "ORQT": "1"})
	temp := te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "CUOR": "nok-1"})[0]["ORNO"]
	code, r := te.bulk(`{"program":"OIS100MI","transactions":[
		{"transaction":"AddBatchLine","record":{"ORNO":"` + temp + `","ITNO":"WIDGET","ORQT":"2"}},
		{"transaction":"Confirm","record":{"ORNO":"` + temp + `"}}]}`)
	if code != 200 || r.NrOfSuccessfullTransactions != 1 || r.NrOfFailedTransactions != 1 || r.Results[1].ErrorCode != "WCI0110" {
		t.Fatalf("bulk: %d %+v", code, r)
	}
	st := te.e.State()
	if o := st.Orders[1]; o.STAT != orderBatch || len(o.Lines) != 1 || o.NTAM != "25.00" {
		t.Fatalf("the line stays, the confirmation does not: %+v", o)
	}
}
