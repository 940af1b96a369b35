package emulator

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
)

// OIS100MI is M3's customer order API, in its batch-entry form: an order is
// built under a temporary number and becomes a real order only at Confirm,
// which gives it its final number. A client interrupted before Confirm
// leaves a batch order behind that is not an order (LstHead does not list
// it); one interrupted after Confirm finds the order by CUOR with LstHead.
//
//	AddBatchHead  in: CUNO!, ORTP, CUOR, CUCD, ORDT, RLDT, WHLO, FACI, TEPY, PYCD, YREF
//	              (ORTP, CUCD, TEPY, PYCD default from the customer)   out: ORNO (temporary)
//	AddBatchLine  in: ORNO! (temporary), ITNO!, ORQT!, SAPR (default: the item's price), WHLO
//	              out: ORNO, PONR
//	Confirm       in: ORNO! (temporary)   out: ORNO (final); a prepaid order type is invoiced
//	GetHead       in: ORNO! (final)   out: the head with NTAM, the order total
//	LstHead       in: CUNO, CUOR (filters)   out: confirmed orders, by ORNO
//	LstBatchHead  in: CUNO, CUOR (filters)   out: batch orders not yet confirmed, by temporary ORNO,
//	              with NOLN (number of lines) and NTAM
//	LstBatchLine  in: ORNO! (temporary)   out: ORNO, PONR, ITNO, ORQT, SAPR, LNAM
//
//	ChgOrderStatus in: ORNO! (final), OBLC! (order stop code, "0" = not stopped), TX40 (reason)
//	              out: ORNO, OBLC
//
// LstBatchHead and LstBatchLine are the emulator's: M3 keeps batch orders
// in its own batch tables (OXHEAD/OXLINE) and the way a client lists them
// differs by version, so the name and shape here are the emulator's choice.
// They let a client that was interrupted between AddBatchHead and Confirm
// find its temporary order again by CUOR and finish it. ChgOrderStatus is
// the emulator's too: M3 stops an order through the order's stop code
// (OBLC) in OIS100 rather than one MI transaction; here it sets OBLC and
// a reason on a confirmed order, and GetHead/LstHead return both.
func ois100mi() program {
	return program{
		"AddBatchHead": {inputs: inputs("CUNO!", "ORTP", "CUOR", "CUCD", "ORDT", "RLDT", "WHLO", "FACI", "TEPY", "PYCD", "YREF"),
			mutates: true, run: orderAddHead},
		"AddBatchLine":   {inputs: inputs("ORNO!", "ITNO!", "ORQT!", "SAPR", "WHLO"), mutates: true, run: orderAddLine},
		"Confirm":        {inputs: inputs("ORNO!"), mutates: true, run: orderConfirm},
		"GetHead":        {inputs: inputs("ORNO!"), run: orderGetHead},
		"LstHead":        {inputs: inputs("CUNO", "CUOR"), list: true, run: orderList},
		"LstBatchHead":   {inputs: inputs("CUNO", "CUOR"), list: true, run: orderBatchList},
		"LstBatchLine":   {inputs: inputs("ORNO!"), list: true, run: orderBatchLines},
		"ChgOrderStatus": {inputs: inputs("ORNO!", "OBLC!", "TX40"), mutates: true, run: orderChangeStatus},
	}
}

func orderAddHead(x *exec) ([]record, *nok) {
	c, err := findCustomer(x, x.get("CUNO"))
	if err != nil {
		return nil, err
	}
	pick := func(field, fallback string) string {
		if v := x.get(field); v != "" {
			return v
		}
		return fallback
	}
	o := &Order{
		STAT: orderBatch, CUNO: c.CUNO, CUOR: x.get("CUOR"),
		ORTP: pick("ORTP", c.ORTP), CUCD: pick("CUCD", c.CUCD), TEPY: pick("TEPY", c.TEPY), PYCD: pick("PYCD", c.PYCD),
		ORDT: pick("ORDT", x.today()), RLDT: x.get("RLDT"), WHLO: x.get("WHLO"), FACI: x.get("FACI"), YREF: x.get("YREF"),
		Lines: []*OrderLine{},
	}
	if o.ORTP == "" {
		return nil, &nok{Code: codeFor("ORTP", codeMandatory), Field: "ORTP",
			Message: fmt.Sprintf("Customer order type (ORTP) must be entered: customer %s has no default order type", c.CUNO)}
	}
	if _, ok := x.md.orderType(o.ORTP); !ok {
		return nil, notFound("ORTP", o.ORTP, keysOf(x.md.seed.OrderTypes, func(t OrderType) string { return t.ORTP }))
	}
	if o.CUCD == "" {
		return nil, &nok{Code: codeFor("CUCD", codeMandatory), Field: "CUCD",
			Message: fmt.Sprintf("Currency (CUCD) must be entered: customer %s has no default currency", c.CUNO)}
	}
	cur, err := x.md.checkCurrency("CUCD", o.CUCD)
	if err != nil {
		return nil, err
	}
	if o.TEPY != "" && !x.md.hasPaymentTerm(o.TEPY) {
		return nil, notFound("TEPY", o.TEPY, keysOf(x.md.seed.PaymentTerms, func(p PaymentTerm) string { return p.TEPY }))
	}
	if o.PYCD != "" && !x.md.hasPaymentMethod(o.PYCD) {
		return nil, notFound("PYCD", o.PYCD, keysOf(x.md.seed.PaymentMethods, func(p PaymentMethod) string { return p.PYCD }))
	}
	temp, err := x.st.next("TEMP", func(n string) bool { return x.st.orders[n] != nil || x.st.byTemp[n] != nil })
	if err != nil {
		return nil, err
	}
	o.ORNO, o.TempORNO = temp, temp
	o.NTAM = formatDecimal(new(big.Rat), cur.DCCD)
	x.st.addOrder(o)
	return []record{{"ORNO": temp}}, nil
}

// findBatchOrder finds an order still in batch entry by its temporary
// number, and explains what happened otherwise: a client that retries after
// a lost answer learns the order was already confirmed, and as what.
func findBatchOrder(x *exec, orno string) (*Order, *nok) {
	if o := x.st.byTemp[orno]; o != nil {
		if o.STAT == orderBatch {
			return o, nil
		}
		return nil, wrongState("ORNO", fmt.Sprintf("Order %s has already been confirmed as customer order %s", orno, o.ORNO))
	}
	if o := x.st.orders[orno]; o != nil {
		return nil, wrongState("ORNO", fmt.Sprintf("Customer order %s is already confirmed; batch transactions take the temporary order number from AddBatchHead", orno))
	}
	return nil, notFound("ORNO", orno, nil)
}

func orderAddLine(x *exec) ([]record, *nok) {
	o, err := findBatchOrder(x, x.get("ORNO"))
	if err != nil {
		return nil, err
	}
	it, err := findItem(x, x.get("ITNO"))
	if err != nil {
		return nil, err
	}
	qty, _ := parseDecimal(x.get("ORQT"))
	if qty.Sign() <= 0 {
		return nil, invalid("ORQT", fmt.Sprintf("Ordered quantity (ORQT) %s must be greater than zero", x.get("ORQT")))
	}
	sapr := x.get("SAPR")
	if sapr == "" {
		sapr = it.SAPR
	}
	if sapr == "" {
		return nil, &nok{Code: codeFor("SAPR", codeMandatory), Field: "SAPR",
			Message: fmt.Sprintf("Sales price (SAPR) must be entered: item %s has no price", it.ITNO)}
	}
	price, ok := parseDecimal(sapr)
	if !ok || price.Sign() < 0 {
		return nil, invalid("SAPR", fmt.Sprintf("Sales price (SAPR) %s must not be negative", sapr))
	}
	cur, _ := x.md.currency(o.CUCD)
	l := &OrderLine{
		PONR: strconv.Itoa(len(o.Lines) + 1), ITNO: it.ITNO, ITDS: it.ITDS,
		ORQT: x.get("ORQT"), SAPR: sapr, WHLO: x.get("WHLO"),
		LNAM: formatDecimal(new(big.Rat).Mul(qty, price), cur.DCCD),
	}
	x.st.touchOrder(o)
	o.Lines = append(o.Lines, l)
	total := new(big.Rat)
	for _, l := range o.Lines {
		total.Add(total, mustDecimal(l.LNAM))
	}
	o.NTAM = formatDecimal(total, cur.DCCD)
	return []record{{"ORNO": o.ORNO, "PONR": l.PONR}}, nil
}

// orderConfirm turns the batch order into a real one under its final
// number. For a prepaid order type it also creates the invoice for the order
// total, open for its full amount, which a bank statement detail then pays.
func orderConfirm(x *exec) ([]record, *nok) {
	o, err := findBatchOrder(x, x.get("ORNO"))
	if err != nil {
		return nil, err
	}
	if len(o.Lines) == 0 {
		return nil, wrongState("ORNO", fmt.Sprintf("Order %s has no lines; add them with AddBatchLine before Confirm", o.ORNO))
	}
	final, err := x.st.next("ORNO", func(n string) bool { return x.st.orders[n] != nil || x.st.byTemp[n] != nil })
	if err != nil {
		return nil, err
	}
	x.st.renumberOrder(o, final)
	o.STAT = orderConfirmed
	if ot, _ := x.md.orderType(o.ORTP); ot.Prepaid {
		cino, err := x.st.next("CINO", func(n string) bool { return x.st.invoices[n] != nil })
		if err != nil {
			return nil, err
		}
		inv := &Invoice{CINO: cino, CUNO: o.CUNO, ORNO: o.ORNO, CUOR: o.CUOR, CUCD: o.CUCD,
			IVDT: x.today(), IVAM: o.NTAM, OPAM: o.NTAM, STAT: invoiceOpen}
		if mustDecimal(o.NTAM).Sign() == 0 {
			inv.STAT = invoicePaid
		}
		x.st.addInvoice(inv)
		if nk := voucherInvoice(x, inv, o.ORTP); nk != nil {
			return nil, nk
		}
		o.CINO, o.STAT = cino, orderInvoiced
	}
	return []record{{"ORNO": final}}, nil
}

func orderGetHead(x *exec) ([]record, *nok) {
	orno := x.get("ORNO")
	o := x.st.orders[orno]
	if o == nil || o.STAT == orderBatch {
		n := notFound("ORNO", orno, nil)
		if o != nil {
			n.Message += "; it is a batch order not yet confirmed (run Confirm)"
		} else if t := x.st.byTemp[orno]; t != nil {
			n.Message += fmt.Sprintf("; temporary order %s was confirmed as %s", orno, t.ORNO)
		}
		return nil, n
	}
	return []record{orderRecord(o)}, nil
}

// orderList is LstHead: confirmed orders, by CUNO and CUOR when given.
func orderList(x *exec) ([]record, *nok) {
	return ordersMatching(x, false, orderRecord), nil
}

// ordersMatching lists the orders in or out of batch (temporary) state that
// match the CUNO and CUOR filters, by order number.
func ordersMatching(x *exec, batch bool, render func(*Order) record) []record {
	var list []*Order
	candidates := narrowest(x.st.Orders, by(x.st.refs.ordersByCUOR, x.get("CUOR")), by(x.st.refs.ordersByCUNO, x.get("CUNO")))
	for _, o := range candidates {
		if (o.STAT == orderBatch) != batch ||
			(x.get("CUNO") != "" && o.CUNO != x.get("CUNO")) ||
			(x.get("CUOR") != "" && o.CUOR != x.get("CUOR")) {
			continue
		}
		list = append(list, o)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ORNO < list[j].ORNO })
	out := make([]record, len(list))
	for i, o := range list {
		out[i] = render(o)
	}
	return out
}

func orderRecord(o *Order) record {
	return record{
		"ORNO": o.ORNO, "CUNO": o.CUNO, "ORTP": o.ORTP, "CUOR": o.CUOR, "CUCD": o.CUCD,
		"ORDT": o.ORDT, "RLDT": o.RLDT, "WHLO": o.WHLO, "FACI": o.FACI, "TEPY": o.TEPY,
		"PYCD": o.PYCD, "YREF": o.YREF, "NTAM": o.NTAM, "OBLC": o.OBLC, "OBTX": o.OBTX,
	}
}

// orderBatchList is LstBatchHead: temporary orders with their line count
// NOLN, which the adapter resumes an interrupted order from.
func orderBatchList(x *exec) ([]record, *nok) {
	return ordersMatching(x, true, func(o *Order) record {
		r := orderRecord(o)
		r["NOLN"] = strconv.Itoa(len(o.Lines))
		return r
	}), nil
}

func orderBatchLines(x *exec) ([]record, *nok) {
	o, err := findBatchOrder(x, x.get("ORNO"))
	if err != nil {
		return nil, err
	}
	out := make([]record, len(o.Lines))
	for i, l := range o.Lines {
		out[i] = record{"ORNO": o.ORNO, "PONR": l.PONR, "ITNO": l.ITNO, "ORQT": l.ORQT, "SAPR": l.SAPR, "LNAM": l.LNAM}
	}
	return out, nil
}

func orderChangeStatus(x *exec) ([]record, *nok) {
	orno := x.get("ORNO")
	o := x.st.orders[orno]
	if o == nil || o.STAT == orderBatch {
		n := notFound("ORNO", orno, nil)
		if o != nil {
			n.Message += "; it is a batch order not yet confirmed (run Confirm)"
		}
		return nil, n
	}
	x.st.touchOrder(o)
	o.OBLC, o.OBTX = x.get("OBLC"), x.get("TX40")
	return []record{{"ORNO": o.ORNO, "OBLC": o.OBLC}}, nil
}
