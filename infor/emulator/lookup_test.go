package emulator

import "testing"

// The emulator's lookup transactions: a client interrupted half way finds
// what it created by its external reference.

func TestLstBatchHeadAndLine(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	cuno := te.addCustomer("Batch Customer")
	temp := te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "CUOR": "REF-A"})[0]["ORNO"]
	te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "CUOR": "REF-B"})
	te.ok("OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "WIDGET", "ORQT": "2"})

	heads := te.ok("OIS100MI", "LstBatchHead", map[string]string{"CUOR": "REF-A"})
	if len(heads) != 1 || heads[0]["ORNO"] != temp || heads[0]["NOLN"] != "1" || heads[0]["NTAM"] != "25.00" {
		t.Fatalf("LstBatchHead REF-A: %v", heads)
	}
	if all := te.ok("OIS100MI", "LstBatchHead", map[string]string{"CUNO": cuno}); len(all) != 2 {
		t.Fatalf("LstBatchHead by CUNO: %v", all)
	}
	lines := te.ok("OIS100MI", "LstBatchLine", map[string]string{"ORNO": temp})
	if len(lines) != 1 || lines[0]["ITNO"] != "WIDGET" || lines[0]["ORQT"] != "2" || lines[0]["PONR"] != "1" || lines[0]["LNAM"] != "25.00" {
		t.Fatalf("LstBatchLine: %v", lines)
	}
	orno := te.ok("OIS100MI", "Confirm", map[string]string{"ORNO": temp})[0]["ORNO"]
	if heads := te.ok("OIS100MI", "LstBatchHead", map[string]string{"CUOR": "REF-A"}); len(heads) != 0 {
		t.Fatalf("a confirmed order is still listed as a batch order: %v", heads)
	}
	if res := te.fail("OIS100MI", "LstBatchLine", map[string]string{"ORNO": temp}); res.ErrorCode != "WOR0106" || res.ErrorField != "ORNO" {
		t.Fatalf("LstBatchLine of a confirmed order: %+v", res)
	}
	_ = orno
	if res := te.fail("OIS100MI", "LstBatchLine", map[string]string{"ORNO": "T999"}); res.ErrorCode != "WOR0103" {
		t.Fatalf("LstBatchLine of an unknown order: %+v", res)
	}
}

func TestLstStatmtAndLines(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	cuno := te.addCustomer("Statement Customer")
	orno := te.placeOrder(cuno, "PAY-1", map[string]string{"ITNO": "WIDGET", "ORQT": "1"})
	cino := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno})[0]["CINO"]

	stnb := te.ok("ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "STDT": "20250301", "CUCD": "USD", "REFE": "P-REF-1"})[0]["STNB"]
	te.ok("ABS100MI", "AddStatmtHead", map[string]string{"BKID": "BANK1", "STDT": "20250301", "CUCD": "USD", "REFE": "P-REF-2"})
	lino := te.ok("ABS100MI", "AddStatmtLine", map[string]string{"STNB": stnb, "ACAM": "12.50", "REFE": "ch_1"})[0]["LINO"]
	te.ok("ABS100MI", "AddStatmtLine", map[string]string{"STNB": stnb, "ACAM": "-1.00"})
	te.ok("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": stnb, "LINO": lino, "CINO": cino, "ACAM": "12.50"})

	sts := te.ok("ABS100MI", "LstStatmt", map[string]string{"REFE": "P-REF-1"})
	if len(sts) != 1 || sts[0]["STNB"] != stnb || sts[0]["NOLN"] != "2" || sts[0]["BKID"] != "STRIPE" {
		t.Fatalf("LstStatmt by REFE: %v", sts)
	}
	if sts := te.ok("ABS100MI", "LstStatmt", map[string]string{"BKID": "BANK1"}); len(sts) != 1 || sts[0]["REFE"] != "P-REF-2" {
		t.Fatalf("LstStatmt by BKID: %v", sts)
	}
	if sts := te.ok("ABS100MI", "LstStatmt", map[string]string{"REFE": "nope"}); len(sts) != 0 {
		t.Fatalf("LstStatmt of an unknown reference: %v", sts)
	}
	lines := te.ok("ABS100MI", "LstStatmtLine", map[string]string{"STNB": stnb})
	if len(lines) != 2 || lines[0]["NODT"] != "1" || lines[0]["DTAM"] != "12.50" || lines[0]["REFE"] != "ch_1" ||
		lines[1]["NODT"] != "0" || lines[1]["ACAM"] != "-1.00" || lines[1]["DTAM"] != "0.00" {
		t.Fatalf("LstStatmtLine: %v", lines)
	}
	if res := te.fail("ABS100MI", "LstStatmtLine", map[string]string{"STNB": "999"}); res.ErrorCode != "WST0103" {
		t.Fatalf("LstStatmtLine of an unknown statement: %+v", res)
	}
}

func TestLstBatchByReference(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	bchn := te.ok("GLS840MI", "AddBatchHead", map[string]string{"ACDT": "20250301", "TX40": "journal", "REFE": "J-REF-1"})[0]["BCHN"]
	te.ok("GLS840MI", "AddBatchHead", map[string]string{"REFE": "J-REF-2"})
	te.ok("GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": "1580", "ACAM": "10.00", "CUCD": "USD"})
	te.ok("GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": "1510", "ACAM": "-10.00", "CUCD": "USD"})

	got := te.ok("GLS840MI", "LstBatch", map[string]string{"REFE": "J-REF-1"})
	if len(got) != 1 || got[0]["BCHN"] != bchn || got[0]["STAT"] != "open" || got[0]["NOLN"] != "2" || got[0]["TX40"] != "journal" {
		t.Fatalf("LstBatch: %v", got)
	}
	te.ok("GLS840MI", "CtrlBatch", map[string]string{"BCHN": bchn})
	te.ok("GLS840MI", "UpdBatch", map[string]string{"BCHN": bchn})
	if got := te.ok("GLS840MI", "LstBatch", map[string]string{"REFE": "J-REF-1"}); len(got) != 1 || got[0]["STAT"] != "posted" {
		t.Fatalf("LstBatch of posted batches: %v", got)
	}
	if got := te.ok("GLS840MI", "LstBatch", nil); len(got) != 2 {
		t.Fatalf("LstBatch without filters: %v", got)
	}
	if st := te.state(); st.GLBatches[0].REFE != "J-REF-1" {
		t.Fatalf("state does not keep REFE: %+v", st.GLBatches[0])
	}
}

func TestChgOrderStatus(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	cuno := te.addCustomer("Status Customer")
	orno := te.placeOrder(cuno, "STAT-1", map[string]string{"ITNO": "WIDGET", "ORQT": "1"})
	got := te.ok("OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": orno, "OBLC": "2", "TX40": "dunning"})
	if len(got) != 1 || got[0]["OBLC"] != "2" {
		t.Fatalf("ChgOrderStatus: %v", got)
	}
	head := te.ok("OIS100MI", "GetHead", map[string]string{"ORNO": orno})[0]
	if head["OBLC"] != "2" || head["OBTX"] != "dunning" {
		t.Fatalf("head %v", head)
	}
	if res := te.fail("OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": orno, "OBLC": "12"}); res.ErrorCode != "WOB0105" {
		t.Fatalf("too long: %+v", res)
	}
	if res := te.fail("OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": orno}); res.ErrorField != "OBLC" {
		t.Fatalf("mandatory: %+v", res)
	}
	temp := te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno})[0]["ORNO"]
	if res := te.fail("OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": temp, "OBLC": "1"}); res.ErrorCode != "WOR0103" {
		t.Fatalf("batch order: %+v", res)
	}
	if st := te.state(); st.Orders[0].OBLC != "2" {
		t.Fatalf("state %+v", st.Orders[0])
	}
}

func TestAddCrdtNote(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	cuno := te.addCustomer("Refund Customer")
	orno := te.placeOrder(cuno, "RF-1", map[string]string{"ITNO": "WIDGET", "ORQT": "2"}) // 25.00
	cino := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno})[0]["CINO"]

	cn := te.ok("ARS200MI", "AddCrdtNote", map[string]string{"CINO": cino, "IVAM": "10.00", "YREF": "R-1", "TX40": "refund"})[0]
	if cn["IVAM"] != "-10.00" || cn["CINO"] == cino {
		t.Fatalf("credit note %v", cn)
	}
	got := te.ok("ARS200MI", "LstInvoices", map[string]string{"YREF": "R-1"})
	if len(got) != 1 || got[0]["CRIN"] != cino || got[0]["OPAM"] != "-10.00" || got[0]["ORNO"] != orno || got[0]["CUNO"] != cuno {
		t.Fatalf("LstInvoices by YREF: %v", got)
	}
	if all := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno}); len(all) != 2 {
		t.Fatalf("invoices of the order: %v", all)
	}
	if res := te.fail("ARS200MI", "AddCrdtNote", map[string]string{"CINO": cino, "IVAM": "15.01"}); res.ErrorCode != "WIV0107" {
		t.Fatalf("over-credit: %+v", res)
	}
	te.ok("ARS200MI", "AddCrdtNote", map[string]string{"CINO": cino, "IVAM": "15.00"})
	if res := te.fail("ARS200MI", "AddCrdtNote", map[string]string{"CINO": cn["CINO"], "IVAM": "1.00"}); res.ErrorField != "CINO" {
		t.Fatalf("credit of a credit note: %+v", res)
	}
	if res := te.fail("ARS200MI", "AddCrdtNote", map[string]string{"CINO": cino, "IVAM": "1.005"}); res.ErrorField != "IVAM" {
		t.Fatalf("too many decimals: %+v", res)
	}
	if res := te.fail("ARS200MI", "AddCrdtNote", map[string]string{"CINO": "99", "IVAM": "1"}); res.ErrorCode != "WCI0103" {
		t.Fatalf("unknown invoice: %+v", res)
	}
}
