package emulator

import (
	"fmt"
	"math/big"
	"strconv"
)

// Accounting names the accounts of the vouchers M3 posts by itself. In M3
// an invoice, a credit note and a cash allocation on a bank statement post
// to the general ledger from M3's own accounting rules (accounting
// strings, CRS395), not from anything the integration sends; the emulator
// does the same so that its GL shows the whole story a finance reader
// checks (the Stripe clearing account after payments and refunds, the
// receivable after invoices). An empty Receivable turns the automatic
// vouchers off.
//
//	invoice (OIS100MI Confirm of a prepaid order)   Receivable Dr / Sales (or SalesByOrderType) Cr, IVAM
//	credit note (ARS200MI AddCrdtNote)              CreditNotes Dr / Receivable Cr, the amount
//	cash allocation (ABS100MI AddStatmtDetail)      the bank account's AIT1 Dr / Receivable Cr, ACAM (signed:
//	                                                a negative allocation settles a credit note)
//
// Every voucher is a posted GL batch with REFE "AUTO <document>", in the
// document's currency, dated as the document: the invoice date, the
// statement's date for a cash allocation.
type Accounting struct {
	Receivable  string `json:"receivable"`
	Sales       string `json:"sales"`
	CreditNotes string `json:"credit_notes"`
	// SalesByOrderType overrides Sales for the invoices of an order type
	// (M3 derives the sales account from the order type among others).
	SalesByOrderType map[string]string `json:"sales_by_order_type,omitempty"`
}

// defaultAccounting is the dev tenant's: the accounts of the default
// mapping (processors/mapping/default.yaml) for the same roles, with
// subscription orders (SUB) invoiced to subscription revenue as the
// mapping's subscription-revenue rule books them.
func defaultAccounting() Accounting {
	return Accounting{Receivable: "1510", Sales: "3010", CreditNotes: "3740", SalesByOrderType: map[string]string{"SUB": "3020"}}
}

// sales is the sales account of an order type's invoices.
func (a Accounting) sales(ortp string) string {
	if acc := a.SalesByOrderType[ortp]; acc != "" {
		return acc
	}
	return a.Sales
}

// validate checks that every account named exists.
func (a Accounting) validate(m masterData) error {
	if a.Receivable == "" {
		return nil
	}
	accounts := []struct{ name, ait1 string }{{"receivable", a.Receivable}, {"sales", a.Sales}, {"credit_notes", a.CreditNotes}}
	for ortp, acc := range a.SalesByOrderType {
		if _, ok := m.orderType(ortp); !ok {
			return fmt.Errorf("accounting: sales_by_order_type: order type %s is not among order_types", ortp)
		}
		accounts = append(accounts, struct{ name, ait1 string }{"sales_by_order_type " + ortp, acc})
	}
	for _, acc := range accounts {
		if acc.ait1 == "" {
			return fmt.Errorf("accounting: %s is empty (leave receivable empty to turn automatic vouchers off)", acc.name)
		}
		if !m.hasAccount(acc.ait1) {
			return fmt.Errorf("accounting: %s account %s is not among gl_accounts (add it, name your own in the seed's \"accounting\" key, or set \"accounting\": {\"receivable\": \"\"} to turn automatic vouchers off)", acc.name, acc.ait1)
		}
	}
	return nil
}

// voucherLine is one line of an automatic voucher.
type voucherLine struct {
	ait1   string
	amount *big.Rat // debit positive
}

// postVoucher adds an automatic voucher dated acdt (YYYYMMDD; "" is
// today): a posted batch whose lines sum to zero (callers build them in
// pairs). It does nothing when automatic vouchers are off or the amount is
// zero.
func postVoucher(x *exec, document, tx40, acdt, cucd string, lines ...voucherLine) *nok {
	if x.md.seed.Accounting.Receivable == "" {
		return nil
	}
	cur, nk := x.md.checkCurrency("CUCD", cucd)
	if nk != nil {
		return nk
	}
	var kept []voucherLine
	for _, l := range lines {
		if l.ait1 != "" && l.amount.Sign() != 0 {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	bchn, nk := x.st.next("BCHN", func(n string) bool { return x.st.batches[n] != nil })
	if nk != nil {
		return nk
	}
	if acdt == "" {
		acdt = x.today()
	}
	b := &GLBatch{BCHN: bchn, ACDT: acdt, TX40: cut40(tx40), REFE: "AUTO " + document, STAT: batchPosted,
		Lines: make([]*GLLine, 0, len(kept))}
	for i, l := range kept {
		b.Lines = append(b.Lines, &GLLine{LINO: strconv.Itoa(i + 1), AIT1: l.ait1, ACAM: formatDecimal(l.amount, cur.DCCD),
			CUCD: cur.CUCD, ACDT: b.ACDT, TX40: cut40(tx40)})
	}
	x.st.addBatch(b)
	return nil
}

// voucherInvoice posts an invoice of an order of type ortp: receivable Dr
// / sales Cr.
func voucherInvoice(x *exec, inv *Invoice, ortp string) *nok {
	a := x.md.seed.Accounting
	amt := mustDecimal(inv.IVAM)
	return postVoucher(x, "INV "+inv.CINO, "Invoice "+inv.CINO+" order "+inv.ORNO, inv.IVDT, inv.CUCD,
		voucherLine{a.Receivable, amt}, voucherLine{a.sales(ortp), new(big.Rat).Neg(amt)})
}

// voucherCreditNote posts a credit note (IVAM negative): credit notes Dr /
// receivable Cr.
func voucherCreditNote(x *exec, cn *Invoice) *nok {
	a := x.md.seed.Accounting
	amt := new(big.Rat).Neg(mustDecimal(cn.IVAM))
	return postVoucher(x, "CRN "+cn.CINO, "Credit note "+cn.CINO+" of invoice "+cn.CRIN, cn.IVDT, cn.CUCD,
		voucherLine{a.CreditNotes, amt}, voucherLine{a.Receivable, new(big.Rat).Neg(amt)})
}

// voucherAllocation posts a cash allocation of amt (signed) on statement bs
// to invoice inv: the bank account's ledger account Dr / receivable Cr, on
// the statement's date (the day the money moved). A bank account without a
// ledger account posts nothing.
func voucherAllocation(x *exec, bs *BankStatement, lino string, inv *Invoice, amt *big.Rat) *nok {
	bank := ""
	for _, b := range x.md.seed.BankAccounts {
		if b.BKID == bs.BKID {
			bank = b.AIT1
		}
	}
	if bank == "" {
		return nil
	}
	a := x.md.seed.Accounting
	return postVoucher(x, "STM "+bs.STNB+"/"+lino+" "+inv.CINO, "Bank "+bs.BKID+" statement "+bs.STNB+" to "+inv.CINO, bs.STDT, inv.CUCD,
		voucherLine{bank, amt}, voucherLine{a.Receivable, new(big.Rat).Neg(amt)})
}

// cut40 keeps the first 40 characters (TX40's length).
func cut40(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}
