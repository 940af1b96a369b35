package emulator

import (
	"fmt"
	"math/big"
	"strconv"
)

// ABS100MI is M3's bank statement API (automatic bank statement
// processing). A statement on a bank account holds lines, one per bank
// transaction; a line's details allocate money to customer invoices, which
// is how a payment closes an invoice.
//
//	AddStatmtHead    in: BKID! (seed bank account), STDT!, CUCD!, REFE, TX40   out: STNB
//	AddStatmtLine    in: STNB!, ACAM! (signed, money in positive, statement currency), VLDT, REFE, TX40
//	                 out: STNB, LINO
//	AddStatmtDetail  in: STNB!, LINO!, CINO!, ACAM! (invoice currency; > 0 pays an invoice, < 0 settles a
//	                 credit note), CUNO (must match), TX40
//	                 out: CINO, OPAM, STAT of the invoice after allocation
//	LstStatmt        in: BKID, REFE (filters)   out: STNB, BKID, STDT, CUCD, REFE, TX40, NOLN (lines), by STNB
//	LstStatmtLine    in: STNB!   out: STNB, LINO, ACAM, VLDT, REFE, TX40, NODT (details), DTAM (sum of details)
//
// LstStatmt and LstStatmtLine are the emulator's: M3 shows statements in
// ABS100 but the MI for listing them by reference differs by version, so
// the names and the counters NOLN/NODT/DTAM are the emulator's choice. They
// let a client find the statement it created for an external reference
// (REFE) and see how far it got before an interruption.
//
// Allocation lowers the invoice's open amount; at zero the invoice is paid.
// Allocating more than is open is refused, so a payment applied twice is a
// NOK rather than a negative balance. The allocated amount is in the
// invoice's currency, which may differ from the statement's (a EUR invoice
// settled in USD); the sum of a line's details is not checked against the
// line, because a payout line is net of fees while its details are gross.
// Each allocation posts M3's automatic cash voucher (see Accounting): the
// bank account's ledger account against the receivable.
func abs100mi() program {
	return program{
		"AddStatmtHead":   {inputs: inputs("BKID!", "STDT!", "CUCD!", "REFE", "TX40"), mutates: true, run: statementAddHead},
		"AddStatmtLine":   {inputs: inputs("STNB!", "ACAM!", "VLDT", "REFE", "TX40"), mutates: true, run: statementAddLine},
		"AddStatmtDetail": {inputs: inputs("STNB!", "LINO!", "CINO!", "ACAM!", "CUNO", "TX40"), mutates: true, run: statementAddDetail},
		"LstStatmt":       {inputs: inputs("BKID", "REFE"), list: true, run: statementList},
		"LstStatmtLine":   {inputs: inputs("STNB!"), list: true, run: statementLines},
	}
}

func statementAddHead(x *exec) ([]record, *nok) {
	if !x.md.hasBankAccount(x.get("BKID")) {
		return nil, notFound("BKID", x.get("BKID"), keysOf(x.md.seed.BankAccounts, func(b BankAccount) string { return b.BKID }))
	}
	if _, err := x.md.checkCurrency("CUCD", x.get("CUCD")); err != nil {
		return nil, err
	}
	stnb, err := x.st.next("STNB", func(n string) bool { return x.st.statements[n] != nil })
	if err != nil {
		return nil, err
	}
	bs := &BankStatement{STNB: stnb, BKID: x.get("BKID"), STDT: x.get("STDT"), CUCD: x.get("CUCD"),
		REFE: x.get("REFE"), TX40: x.get("TX40"), Lines: []*StatementLine{}}
	x.st.addStatement(bs)
	return []record{{"STNB": stnb}}, nil
}

func statementAddLine(x *exec) ([]record, *nok) {
	bs := x.st.statements[x.get("STNB")]
	if bs == nil {
		return nil, notFound("STNB", x.get("STNB"), nil)
	}
	amt, err := amountIn(x, "ACAM", bs.CUCD)
	if err != nil {
		return nil, err
	}
	if amt.Sign() == 0 {
		return nil, invalid("ACAM", "Amount (ACAM) must not be zero on a bank statement line")
	}
	cur, _ := x.md.currency(bs.CUCD)
	l := &StatementLine{LINO: strconv.Itoa(len(bs.Lines) + 1), ACAM: formatDecimal(amt, cur.DCCD),
		VLDT: x.get("VLDT"), REFE: x.get("REFE"), TX40: x.get("TX40"), Details: []*StatementDetail{}}
	x.st.touchStatement(bs)
	bs.Lines = append(bs.Lines, l)
	return []record{{"STNB": bs.STNB, "LINO": l.LINO}}, nil
}

func statementAddDetail(x *exec) ([]record, *nok) {
	bs := x.st.statements[x.get("STNB")]
	if bs == nil {
		return nil, notFound("STNB", x.get("STNB"), nil)
	}
	n, _ := strconv.Atoi(x.get("LINO"))
	if n < 1 || n > len(bs.Lines) {
		return nil, &nok{Code: codeFor("LINO", codeNotFound), Field: "LINO",
			Message: fmt.Sprintf("Line number %s does not exist on bank statement %s (it has %d lines)", x.get("LINO"), bs.STNB, len(bs.Lines))}
	}
	line := bs.Lines[n-1]
	inv := x.st.invoices[x.get("CINO")]
	if inv == nil {
		return nil, notFound("CINO", x.get("CINO"), nil)
	}
	if cuno := x.get("CUNO"); cuno != "" && cuno != inv.CUNO {
		return nil, &nok{Code: codeFor("CUNO", codeInvalid), Field: "CUNO",
			Message: fmt.Sprintf("Invoice %s belongs to customer %s, not %s", inv.CINO, inv.CUNO, cuno)}
	}
	amt, err := amountIn(x, "ACAM", inv.CUCD)
	if err != nil {
		return nil, err
	}
	open := mustDecimal(inv.OPAM)
	if inv.STAT == invoicePaid {
		return nil, wrongState("CINO", fmt.Sprintf("Invoice %s is already paid (amount %s %s); nothing is open to allocate", inv.CINO, inv.IVAM, inv.CUCD))
	}
	// An invoice is paid with a positive amount; a credit note (negative
	// open amount) is settled with a negative one: the money paid back.
	if amt.Sign() == 0 || amt.Sign() != open.Sign() {
		want := "greater than zero"
		if inv.CRIN != "" {
			want = "less than zero: " + inv.CINO + " is a credit note"
		}
		return nil, invalid("ACAM", fmt.Sprintf("Amount (ACAM) %s must be %s", x.get("ACAM"), want))
	}
	if new(big.Rat).Abs(amt).Cmp(new(big.Rat).Abs(open)) > 0 {
		return nil, &nok{Code: codeFor("ACAM", codeExceeds), Field: "ACAM",
			Message: fmt.Sprintf("Amount %s exceeds the open amount %s %s of invoice %s", x.get("ACAM"), inv.OPAM, inv.CUCD, inv.CINO)}
	}
	cur, _ := x.md.currency(inv.CUCD)
	x.st.touchInvoice(inv)
	x.st.touchStatementLine(bs, n-1)
	rest := new(big.Rat).Sub(open, amt)
	inv.OPAM = formatDecimal(rest, cur.DCCD)
	if rest.Sign() == 0 {
		inv.STAT = invoicePaid
	}
	line.Details = append(line.Details, &StatementDetail{CINO: inv.CINO, CUNO: inv.CUNO,
		ACAM: formatDecimal(amt, cur.DCCD), TX40: x.get("TX40")})
	if nk := voucherAllocation(x, bs, line.LINO, inv, amt); nk != nil {
		return nil, nk
	}
	return []record{{"CINO": inv.CINO, "OPAM": inv.OPAM, "STAT": inv.STAT}}, nil
}

// amountIn parses the decimal in field (already syntax-checked) and refuses
// more decimals than currency cucd has: 10.005 USD is not an amount, and
// silently rounding it would hide a unit mistake (minor vs major units).
func amountIn(x *exec, field, cucd string) (*big.Rat, *nok) {
	amt, _ := parseDecimal(x.get(field))
	cur, ok := x.md.currency(cucd)
	if !ok {
		return nil, notFound("CUCD", cucd, nil)
	}
	if !fitsDecimals(amt, cur.DCCD) {
		return nil, invalid(field, fmt.Sprintf("%s (%s) %s has more decimals than currency %s allows (%d)", describe(field), field, x.get(field), cucd, cur.DCCD))
	}
	return amt, nil
}

func statementList(x *exec) ([]record, *nok) {
	var out []record
	for _, bs := range narrowest(x.st.BankStatements, by(x.st.refs.statementsByREFE, x.get("REFE"))) { // created in STNB order
		if (x.get("BKID") != "" && bs.BKID != x.get("BKID")) || (x.get("REFE") != "" && bs.REFE != x.get("REFE")) {
			continue
		}
		out = append(out, record{"STNB": bs.STNB, "BKID": bs.BKID, "STDT": bs.STDT, "CUCD": bs.CUCD,
			"REFE": bs.REFE, "TX40": bs.TX40, "NOLN": strconv.Itoa(len(bs.Lines))})
	}
	return out, nil
}

func statementLines(x *exec) ([]record, *nok) {
	bs := x.st.statements[x.get("STNB")]
	if bs == nil {
		return nil, notFound("STNB", x.get("STNB"), nil)
	}
	out := make([]record, len(bs.Lines))
	for i, l := range bs.Lines {
		sum := new(big.Rat)
		dccd := 0
		for _, d := range l.Details {
			sum.Add(sum, mustDecimal(d.ACAM))
			if inv := x.st.invoices[d.CINO]; inv != nil {
				if c, ok := x.md.currency(inv.CUCD); ok {
					dccd = c.DCCD
				}
			}
		}
		if len(l.Details) == 0 {
			c, _ := x.md.currency(bs.CUCD)
			dccd = c.DCCD
		}
		out[i] = record{"STNB": bs.STNB, "LINO": l.LINO, "ACAM": l.ACAM, "VLDT": l.VLDT, "REFE": l.REFE, "TX40": l.TX40,
			"NODT": strconv.Itoa(len(l.Details)), "DTAM": formatDecimal(sum, dccd)}
	}
	return out, nil
}
