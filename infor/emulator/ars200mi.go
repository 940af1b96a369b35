package emulator

import (
	"fmt"
	"math/big"
)

// ARS200MI is M3's accounts-receivable invoice API. It is how a client finds
// the invoice an order produced (LstInvoices by ORNO) and whether it is
// still open.
//
//	GetInvoice   in: CINO!, CUNO (must match if given), DIVI   out: the invoice
//	LstInvoices  in: CUNO, ORNO, YREF (filters), DIVI   out: invoices, by CINO
//	AddCrdtNote  in: CINO! (invoice credited), IVAM! (> 0, its currency), YREF, TX40, DIVI
//	             out: CINO (of the credit note), IVAM (negative)
//
// Output: CINO, CUNO, ORNO, CUOR, CUCD, IVDT, IVAM (invoice amount), OPAM
// (open amount), STAT ("open" or "paid"), CRIN (for a credit note: the
// invoice it credits), YREF.
//
// AddCrdtNote is the emulator's: M3 makes credit notes through order
// returns or its AR programs depending on the setup, so the name and shape
// are the emulator's choice. A credit note is an invoice of its own with a
// negative amount, open until settled (a refund paid out), for the same
// customer, order and currency; the credit notes of an invoice may not
// exceed its amount, so a refund credited twice is a NOK.
func ars200mi() program {
	return program{
		"GetInvoice":  {inputs: inputs("CINO!", "CUNO", "DIVI"), run: invoiceGet},
		"LstInvoices": {inputs: inputs("CUNO", "ORNO", "YREF", "DIVI"), list: true, run: invoiceList},
		"AddCrdtNote": {inputs: inputs("CINO!", "IVAM!", "YREF", "TX40", "DIVI"), mutates: true, run: invoiceAddCreditNote},
	}
}

func invoiceGet(x *exec) ([]record, *nok) {
	inv := x.st.invoices[x.get("CINO")]
	if inv == nil {
		return nil, notFound("CINO", x.get("CINO"), nil)
	}
	if cuno := x.get("CUNO"); cuno != "" && cuno != inv.CUNO {
		return nil, &nok{Code: codeFor("CINO", codeNotFound), Field: "CINO",
			Message: fmt.Sprintf("Invoice number %s does not exist for customer %s (it belongs to %s)", inv.CINO, cuno, inv.CUNO)}
	}
	return []record{invoiceRecord(inv)}, nil
}

func invoiceList(x *exec) ([]record, *nok) {
	if cuno := x.get("CUNO"); cuno != "" {
		if _, err := findCustomer(x, cuno); err != nil {
			return nil, err
		}
	}
	var out []record
	candidates := narrowest(x.st.Invoices, by(x.st.refs.invoicesByCUNO, x.get("CUNO")),
		by(x.st.refs.invoicesByORNO, x.get("ORNO")), by(x.st.refs.invoicesByYREF, x.get("YREF")))
	for _, inv := range candidates { // created in CINO order
		if (x.get("CUNO") != "" && inv.CUNO != x.get("CUNO")) || (x.get("ORNO") != "" && inv.ORNO != x.get("ORNO")) ||
			(x.get("YREF") != "" && inv.YREF != x.get("YREF")) {
			continue
		}
		out = append(out, invoiceRecord(inv))
	}
	return out, nil
}

func invoiceRecord(inv *Invoice) record {
	return record{
		"CINO": inv.CINO, "CUNO": inv.CUNO, "ORNO": inv.ORNO, "CUOR": inv.CUOR, "CUCD": inv.CUCD,
		"IVDT": inv.IVDT, "IVAM": inv.IVAM, "OPAM": inv.OPAM, "STAT": inv.STAT, "CRIN": inv.CRIN, "YREF": inv.YREF,
	}
}

func invoiceAddCreditNote(x *exec) ([]record, *nok) {
	orig := x.st.invoices[x.get("CINO")]
	if orig == nil {
		return nil, notFound("CINO", x.get("CINO"), nil)
	}
	if orig.CRIN != "" {
		return nil, invalid("CINO", fmt.Sprintf("Invoice %s is itself a credit note (of %s); credit the invoice", orig.CINO, orig.CRIN))
	}
	amt, err := amountIn(x, "IVAM", orig.CUCD)
	if err != nil {
		return nil, err
	}
	if amt.Sign() <= 0 {
		return nil, invalid("IVAM", fmt.Sprintf("Invoice amount (IVAM) %s must be greater than zero; the credit note is made negative", x.get("IVAM")))
	}
	credited := new(big.Rat)
	for _, cn := range x.st.refs.creditNotes[orig.CINO] {
		credited.Sub(credited, mustDecimal(cn.IVAM)) // credit notes are negative
	}
	cur, _ := x.md.currency(orig.CUCD)
	if left := new(big.Rat).Sub(mustDecimal(orig.IVAM), credited); amt.Cmp(left) > 0 {
		return nil, &nok{Code: codeFor("IVAM", codeExceeds), Field: "IVAM",
			Message: fmt.Sprintf("Amount %s exceeds what is left to credit on invoice %s: %s %s of %s already credited", x.get("IVAM"), orig.CINO, formatDecimal(credited, cur.DCCD), orig.CUCD, orig.IVAM)}
	}
	cino, err := x.st.next("CINO", func(n string) bool { return x.st.invoices[n] != nil })
	if err != nil {
		return nil, err
	}
	neg := formatDecimal(new(big.Rat).Neg(amt), cur.DCCD)
	cn := &Invoice{CINO: cino, CUNO: orig.CUNO, ORNO: orig.ORNO, CUOR: orig.CUOR, CUCD: orig.CUCD, IVDT: x.today(),
		IVAM: neg, OPAM: neg, STAT: invoiceOpen, CRIN: orig.CINO, YREF: x.get("YREF"), TX40: x.get("TX40")}
	x.st.addInvoice(cn)
	if nk := voucherCreditNote(x, cn); nk != nil {
		return nil, nk
	}
	return []record{{"CINO": cino, "IVAM": neg}}, nil
}
