package emulator

import (
	"strconv"
)

// realistic is a state built through every mutating transaction, as the
// sink builds it, with handles on records in each status.
type realistic struct {
	cuno, cunoNoOrders string // customers; the first has orders and a billing address
	batchTemp          string // batch order with one line, not confirmed
	emptyTemp          string // batch order without lines
	confirmedTemp      string // temporary number of orno
	orno, cino         string // confirmed, invoiced order and its open invoice
	paidCINO           string // an invoice paid in full
	creditNote         string // credit note of cino
	stnb, lino         string // statement with a line that paid paidCINO
	openBCHN           string // GL batch with balanced lines, open
	unbalancedBCHN     string // GL batch whose lines do not balance
	emptyBCHN          string // GL batch without lines
	postedBCHN         string // posted GL batch
}

// buildRealistic runs every mutating transaction successfully, orders
// times over for orders, so the tests after it work on a state like a
// running sink's.
func buildRealistic(te *testEnv, orders int) realistic {
	te.t.Helper()
	var r realistic
	r.cuno = te.ok("CRS610MI", "Add", map[string]string{"CUNM": "Ada Lovelace", "MAIL": "ada@example.com", "YREF": "cus_ada"})[0]["CUNO"]
	r.cunoNoOrders = te.ok("CRS610MI", "Add", map[string]string{"CUNO": "EXPLICIT", "CUNM": "Bob", "CUTM": "STRIPEEU"})[0]["CUNO"]
	te.ok("CRS610MI", "ChgBasicData", map[string]string{"CUNO": r.cuno, "PHNO": "+4420123456", "TOWN": "London"})
	te.ok("CRS610MI", "AddAddress", map[string]string{"CUNO": r.cuno, "ADRT": "01", "ADID": "STRIPE", "CUA1": "1 Main St", "TOWN": "London"})
	te.ok("CRS610MI", "ChgAddress", map[string]string{"CUNO": r.cuno, "ADRT": "01", "ADID": "STRIPE", "PONO": "NW1 2DB"})

	for i := range orders {
		orno := te.placeOrder(r.cuno, "ch_"+strconv.Itoa(i), map[string]string{"ITNO": "WIDGET", "ORQT": "2"},
			map[string]string{"ITNO": "SHIPPING", "ORQT": "1", "SAPR": "4.99"})
		inv := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno})[0]
		r.orno, r.cino, r.confirmedTemp = orno, inv["CINO"], te.e.State().Orders[len(te.e.State().Orders)-1].TempORNO
		if r.paidCINO == "" {
			r.paidCINO = inv["CINO"]
		}
	}
	te.ok("OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": r.orno, "OBLC": "3", "TX40": "payment failed"})
	r.creditNote = te.ok("ARS200MI", "AddCrdtNote", map[string]string{"CINO": r.cino, "IVAM": "5.00", "YREF": "re_1"})[0]["CINO"]
	r.batchTemp = te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": r.cuno, "CUOR": "ch_batch"})[0]["ORNO"]
	te.ok("OIS100MI", "AddBatchLine", map[string]string{"ORNO": r.batchTemp, "ITNO": "WIDGET", "ORQT": "1"})
	r.emptyTemp = te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": r.cuno, "CUOR": "ch_empty"})[0]["ORNO"]

	r.stnb = te.ok("ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "STDT": "20250301", "CUCD": "USD", "REFE": "po_1"})[0]["STNB"]
	r.lino = te.ok("ABS100MI", "AddStatmtLine", map[string]string{"STNB": r.stnb, "ACAM": "29.99", "REFE": "txn_1"})[0]["LINO"]
	te.ok("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": r.stnb, "LINO": r.lino, "CINO": r.paidCINO, "ACAM": "20.00"})
	te.ok("ABS100MI", "AddStatmtDetail", map[string]string{"STNB": r.stnb, "LINO": r.lino, "CINO": r.paidCINO, "ACAM": "9.99"})

	gl := func(refe string, lines ...[2]string) string {
		bchn := te.ok("GLS840MI", "AddBatchHead", map[string]string{"ACDT": "20250301", "REFE": refe})[0]["BCHN"]
		for _, l := range lines {
			te.ok("GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": l[0], "ACAM": l[1], "CUCD": "USD"})
		}
		return bchn
	}
	r.postedBCHN = gl("journal:posted", [2]string{"1580", "29.99"}, [2]string{"1510", "-29.99"})
	te.ok("GLS840MI", "CtrlBatch", map[string]string{"BCHN": r.postedBCHN})
	te.ok("GLS840MI", "UpdBatch", map[string]string{"BCHN": r.postedBCHN})
	r.openBCHN = gl("journal:open", [2]string{"6570", "0.90"}, [2]string{"1580", "-0.90"})
	r.unbalancedBCHN = gl("journal:unbalanced", [2]string{"6570", "1.00"}, [2]string{"1580", "-0.90"})
	r.emptyBCHN = gl("journal:empty")
	return r
}
