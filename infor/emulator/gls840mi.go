package emulator

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// GLS840MI is M3's GL journal import. Lines go into a batch, CtrlBatch
// checks the batch and UpdBatch posts it. The rule that keeps the books
// straight is enforced at the check: a batch whose lines do not sum to
// zero in every currency is refused and never posted.
//
//	AddBatchHead  in: ACDT (default today), DIVI, TX40, REFE   out: BCHN
//	AddBatchLine  in: BCHN!, AIT1! (seed GL account), ACAM! (signed, debit positive), CUCD!,
//	              AIT2-AIT7, ACDT (default: the batch's), VTXT, TX40   out: BCHN, LINO
//	CtrlBatch     in: BCHN!   NOK if empty or unbalanced; the batch becomes "checked"
//	UpdBatch      in: BCHN!   posts a checked batch ("posted", final)
//	LstBatch      in: REFE (filter)   out: BCHN, ACDT, DIVI, TX40, REFE, STAT, NOLN (lines), by BCHN
//
// REFE on the batch head and LstBatch are the emulator's: M3's journal
// import identifies a batch by its number and the interface's own keys, so
// the name and shape of the lookup by an external reference are the
// emulator's choice. They let a client find the batch it created for a
// journal and finish or skip it after an interruption.
func gls840mi() program {
	return program{
		"AddBatchHead": {inputs: inputs("ACDT", "DIVI", "TX40", "REFE"), mutates: true, run: glAddHead},
		"AddBatchLine": {inputs: inputs("BCHN!", "AIT1!", "ACAM!", "CUCD!", "AIT2", "AIT3", "AIT4", "AIT5", "AIT6", "AIT7",
			"ACDT", "VTXT", "TX40"), mutates: true, run: glAddLine},
		"CtrlBatch": {inputs: inputs("BCHN!"), mutates: true, run: glControl},
		"UpdBatch":  {inputs: inputs("BCHN!"), mutates: true, run: glPost},
		"LstBatch":  {inputs: inputs("REFE"), list: true, run: glList},
	}
}

func glAddHead(x *exec) ([]record, *nok) {
	bchn, err := x.st.next("BCHN", func(n string) bool { return x.st.batches[n] != nil })
	if err != nil {
		return nil, err
	}
	acdt := x.get("ACDT")
	if acdt == "" {
		acdt = x.today()
	}
	b := &GLBatch{BCHN: bchn, DIVI: x.get("DIVI"), ACDT: acdt, TX40: x.get("TX40"), REFE: x.get("REFE"), STAT: batchOpen, Lines: []*GLLine{}}
	x.st.addBatch(b)
	return []record{{"BCHN": bchn}}, nil
}

// findBatch returns a batch that can still change; a posted batch is final.
func findOpenBatch(x *exec) (*GLBatch, *nok) {
	b := x.st.batches[x.get("BCHN")]
	if b == nil {
		return nil, notFound("BCHN", x.get("BCHN"), nil)
	}
	if b.STAT == batchPosted {
		return nil, wrongState("BCHN", fmt.Sprintf("Batch %s is already posted and cannot change; start a new batch", b.BCHN))
	}
	return b, nil
}

func glAddLine(x *exec) ([]record, *nok) {
	b, err := findOpenBatch(x)
	if err != nil {
		return nil, err
	}
	if !x.md.hasAccount(x.get("AIT1")) {
		return nil, notFound("AIT1", x.get("AIT1"), keysOf(x.md.seed.GLAccounts, func(a GLAccount) string { return a.AIT1 }))
	}
	if _, err := x.md.checkCurrency("CUCD", x.get("CUCD")); err != nil {
		return nil, err
	}
	amt, err := amountIn(x, "ACAM", x.get("CUCD"))
	if err != nil {
		return nil, err
	}
	cur, _ := x.md.currency(x.get("CUCD"))
	acdt := x.get("ACDT")
	if acdt == "" {
		acdt = b.ACDT
	}
	l := &GLLine{LINO: strconv.Itoa(len(b.Lines) + 1), AIT1: x.get("AIT1"),
		AIT2: x.get("AIT2"), AIT3: x.get("AIT3"), AIT4: x.get("AIT4"), AIT5: x.get("AIT5"), AIT6: x.get("AIT6"), AIT7: x.get("AIT7"),
		ACAM: formatDecimal(amt, cur.DCCD), CUCD: cur.CUCD, ACDT: acdt, VTXT: x.get("VTXT"), TX40: x.get("TX40")}
	x.st.touchBatch(b)
	b.Lines = append(b.Lines, l)
	b.STAT = batchOpen // a new line voids an earlier check
	return []record{{"BCHN": b.BCHN, "LINO": l.LINO}}, nil
}

// balanceProblem describes why batch b may not be posted, or returns nil:
// it must have lines, and they must sum to zero in each currency.
func balanceProblem(x *exec, b *GLBatch) *nok {
	if len(b.Lines) == 0 {
		return wrongState("BCHN", fmt.Sprintf("Batch %s has no lines; add them with AddBatchLine", b.BCHN))
	}
	sums := map[string]*big.Rat{}
	for _, l := range b.Lines {
		if sums[l.CUCD] == nil {
			sums[l.CUCD] = new(big.Rat)
		}
		sums[l.CUCD].Add(sums[l.CUCD], mustDecimal(l.ACAM))
	}
	var off []string
	for cucd, s := range sums {
		if s.Sign() != 0 {
			cur, _ := x.md.currency(cucd)
			off = append(off, fmt.Sprintf("%s lines sum to %s", cucd, formatDecimal(s, cur.DCCD)))
		}
	}
	if len(off) == 0 {
		return nil
	}
	slices.Sort(off)
	return &nok{Code: codeFor("ACAM", codeUnbalanced), Field: "ACAM",
		Message: fmt.Sprintf("Batch %s does not balance: %s; debits (positive) and credits (negative) must sum to zero in each currency", b.BCHN, strings.Join(off, ", "))}
}

func glControl(x *exec) ([]record, *nok) {
	b, err := findOpenBatch(x)
	if err != nil {
		return nil, err
	}
	if err := balanceProblem(x, b); err != nil {
		return nil, err
	}
	x.st.touchBatch(b)
	b.STAT = batchChecked
	return nil, nil
}

func glPost(x *exec) ([]record, *nok) {
	b, err := findOpenBatch(x)
	if err != nil {
		return nil, err
	}
	if b.STAT != batchChecked {
		return nil, wrongState("BCHN", fmt.Sprintf("Batch %s has not passed CtrlBatch since its last change; run CtrlBatch before UpdBatch", b.BCHN))
	}
	if err := balanceProblem(x, b); err != nil { // cannot fail after a check; kept as the last guard
		return nil, err
	}
	x.st.touchBatch(b)
	b.STAT = batchPosted
	return nil, nil
}

func glList(x *exec) ([]record, *nok) {
	var out []record
	for _, b := range narrowest(x.st.GLBatches, by(x.st.refs.batchesByREFE, x.get("REFE"))) { // created in BCHN order
		if x.get("REFE") != "" && b.REFE != x.get("REFE") {
			continue
		}
		out = append(out, record{"BCHN": b.BCHN, "ACDT": b.ACDT, "DIVI": b.DIVI, "TX40": b.TX40, "REFE": b.REFE,
			"STAT": b.STAT, "NOLN": strconv.Itoa(len(b.Lines))})
	}
	return out, nil
}
