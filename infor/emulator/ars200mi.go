package emulator

import "fmt"

// ARS200MI is M3's accounts-receivable invoice API. It is how a client finds
// the invoice an order produced (LstInvoices by ORNO) and whether it is
// still open.
//
//	GetInvoice   in: CINO!, CUNO (must match if given), DIVI   out: the invoice
//	LstInvoices  in: CUNO, ORNO (filters), DIVI   out: invoices, by CINO
//
// Output: CINO, CUNO, ORNO, CUOR, CUCD, IVDT, IVAM (invoice amount), OPAM
// (open amount), STAT ("open" or "paid").
func ars200mi() program {
	return program{
		"GetInvoice":  {inputs: inputs("CINO!", "CUNO", "DIVI"), run: invoiceGet},
		"LstInvoices": {inputs: inputs("CUNO", "ORNO", "DIVI"), list: true, run: invoiceList},
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
	for _, inv := range x.st.Invoices { // created in CINO order
		if (x.get("CUNO") != "" && inv.CUNO != x.get("CUNO")) || (x.get("ORNO") != "" && inv.ORNO != x.get("ORNO")) {
			continue
		}
		out = append(out, invoiceRecord(inv))
	}
	return out, nil
}

func invoiceRecord(inv *Invoice) record {
	return record{
		"CINO": inv.CINO, "CUNO": inv.CUNO, "ORNO": inv.ORNO, "CUOR": inv.CUOR, "CUCD": inv.CUCD,
		"IVDT": inv.IVDT, "IVAM": inv.IVAM, "OPAM": inv.OPAM, "STAT": inv.STAT,
	}
}
