package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/scenario"
)

// index is a tenant's state by the references the integration writes.
type index struct {
	st         *scenario.InforState
	orders     map[string][]scenario.InforOrder     // by CUOR
	invoices   map[string][]scenario.InforInvoice   // non-credit invoices by ORNO
	credits    map[string][]scenario.InforInvoice   // credit notes by YREF
	statements map[string][]scenario.InforStatement // by BKID/REFE
	batches    map[string][]scenario.InforBatch     // by REFE
	byCINO     map[string]scenario.InforInvoice
}

func indexOf(st *scenario.InforState) *index {
	x := &index{st: st, orders: map[string][]scenario.InforOrder{}, invoices: map[string][]scenario.InforInvoice{},
		credits: map[string][]scenario.InforInvoice{}, statements: map[string][]scenario.InforStatement{},
		batches: map[string][]scenario.InforBatch{}, byCINO: map[string]scenario.InforInvoice{}}
	for _, o := range st.Orders {
		x.orders[o.CUOR] = append(x.orders[o.CUOR], o)
	}
	for _, inv := range st.Invoices {
		x.byCINO[inv.CINO] = inv
		if inv.CRIN != "" {
			x.credits[inv.YREF] = append(x.credits[inv.YREF], inv)
		} else {
			x.invoices[inv.ORNO] = append(x.invoices[inv.ORNO], inv)
		}
	}
	for _, bs := range st.BankStatements {
		x.statements[bs.BKID+"/"+bs.REFE] = append(x.statements[bs.BKID+"/"+bs.REFE], bs)
	}
	for _, b := range st.GLBatches {
		x.batches[b.REFE] = append(x.batches[b.REFE], b)
	}
	return x
}

// report collects every broken invariant of a tenant, so one run shows
// them all.
type report struct {
	tenant   string
	problems []string
}

func (r *report) bad(format string, args ...any) {
	r.problems = append(r.problems, r.tenant+": "+fmt.Sprintf(format, args...))
}

func (r *report) fail(t *testing.T) {
	t.Helper()
	const most = 40
	for i, p := range r.problems {
		if i == most {
			t.Errorf("… and %d more", len(r.problems)-most)
			break
		}
		t.Error(p)
	}
}

// amount parses an Infor amount of currency, reporting what it cannot read.
func (r *report) amount(what, s, currency string) int64 {
	v, err := scenario.ParseAmount(s, currency)
	if err != nil {
		r.bad("%s: %v", what, err)
	}
	return v
}

func dec(minor int64, cur string) string {
	return command.Decimal(command.Money{Minor: minor, Currency: strings.ToUpper(cur)})
}

// checkInvariants holds both tenants to the invariants for w: the
// live tenant to w's live-mode part, the sandbox to its test-mode part.
func (s *stack) checkInvariants(t *testing.T, w *scenario.World) {
	t.Helper()
	for _, tn := range []*tenant{s.live, s.sandbox} {
		live := tn == s.live
		r := &report{tenant: tn.name}
		checkTenant(r, indexOf(tn.state(t)), w.Mode(live), w.Mode(!live), live)
		r.fail(t)
	}
}

// checkTenant checks one tenant x against the world of its mode (mine)
// and that nothing of the other mode reached it.
func checkTenant(r *report, x *index, mine, other *scenario.World, live bool) {
	checkCharges(r, x, mine)
	checkRefunds(r, x, mine)
	checkDisputes(r, x, mine)
	checkPayouts(r, x, mine)
	checkDeferrals(r, x, mine)
	checkBatchesBalance(r, x)
	checkOpenAmounts(r, x, mine)

	got, err := scenario.InforBooks(x.st, live, scenario.DefaultAccounts)
	if err != nil {
		r.bad("books: %v", err)
	}
	for _, m := range scenario.Compare(mine.Expected(live), got) {
		r.bad("books: %s", m)
	}
	for _, ch := range other.Charges {
		if len(x.orders[m3.OrderReference(ch.ID)]) > 0 || len(x.statements["STRIPE/"+m3.PaymentReference(ch.ID)]) > 0 {
			r.bad("charge %s of the other mode is here", ch.ID)
		}
	}
	for _, p := range other.Payouts {
		if len(x.statements["BANK1/"+m3.PayoutReference(p.ID)]) > 0 {
			r.bad("payout %s of the other mode is here", p.ID)
		}
	}
	for _, c := range other.Customers {
		for _, cu := range x.st.Customers {
			if cu.YREF == c.ID {
				r.bad("customer %s of the other mode is here (CUNO %s)", c.ID, cu.CUNO)
			}
		}
	}
}

// checkCharges: every succeeded charge once, as an invoiced order (its own,
// or its invoice's) and one payment of its amount in its currency; a
// failed one-off charge leaves no order and no payment.
func checkCharges(r *report, x *index, w *scenario.World) {
	for _, ch := range w.Charges {
		cur := strings.ToUpper(ch.Currency)
		pay := x.statements["STRIPE/"+m3.PaymentReference(ch.ID)]
		if !ch.Succeeded {
			if ch.Invoice == "" && len(x.orders[m3.OrderReference(ch.ID)]) > 0 {
				r.bad("failed charge %s has an order", ch.ID)
			}
			if len(pay) > 0 {
				r.bad("failed charge %s has a payment", ch.ID)
			}
			continue
		}
		orderObj := ch.ID
		if ch.Invoice != "" {
			orderObj = ch.Invoice
		}
		o, ok := oneOrder(r, x, orderObj, ch.Amount, cur)
		if !ok {
			continue
		}
		if len(pay) != 1 {
			r.bad("charge %s: %d payment statements, want 1", ch.ID, len(pay))
			continue
		}
		var lines, allocated int64
		for _, l := range pay[0].Lines {
			lines += r.amount("payment line", l.ACAM, cur)
			for _, d := range l.Details {
				allocated += r.amount("payment detail", d.ACAM, cur)
				if inv := x.byCINO[d.CINO]; inv.ORNO != o.ORNO {
					r.bad("charge %s: payment allocated to invoice %s of order %s, not order %s", ch.ID, d.CINO, inv.ORNO, o.ORNO)
				}
			}
		}
		if pay[0].CUCD != cur || lines != ch.Amount || allocated != ch.Amount {
			r.bad("charge %s: payment of %s %s allocated %s, want %s %s", ch.ID, dec(lines, cur), pay[0].CUCD, dec(allocated, cur), dec(ch.Amount, cur), cur)
		}
	}
	for _, in := range w.Invoices {
		if o, ok := oneOrder(r, x, in.ID, in.Amount, strings.ToUpper(in.Currency)); ok && o.ORTP != "SUB" {
			r.bad("invoice %s: order type %s, want SUB", in.ID, o.ORTP)
		}
	}
}

// oneOrder checks that object has exactly one order, invoiced once for
// amount in cur, and returns it.
func oneOrder(r *report, x *index, object string, amount int64, cur string) (scenario.InforOrder, bool) {
	os := x.orders[m3.OrderReference(object)]
	if len(os) != 1 {
		r.bad("%s: %d orders, want 1", object, len(os))
		return scenario.InforOrder{}, false
	}
	o := os[0]
	if o.CUCD != cur || o.NTAM != dec(amount, cur) || o.YREF != object {
		r.bad("%s: order %s is %s %s (YREF %s), want %s %s", object, o.ORNO, o.NTAM, o.CUCD, o.YREF, dec(amount, cur), cur)
	}
	invs := x.invoices[o.ORNO]
	if len(invs) != 1 {
		r.bad("%s: order %s has %d invoices, want 1", object, o.ORNO, len(invs))
		return o, false
	}
	if invs[0].IVAM != dec(amount, cur) || invs[0].CUCD != cur {
		r.bad("%s: invoice %s is %s %s, want %s %s", object, invs[0].CINO, invs[0].IVAM, invs[0].CUCD, dec(amount, cur), cur)
	}
	return o, true
}

// checkRefunds: every refund once, as a credit note of its amount against
// its charge's invoice, settled (open amount zero).
func checkRefunds(r *report, x *index, w *scenario.World) {
	charges := map[string]*scenario.Charge{}
	for _, ch := range w.Charges {
		charges[ch.ID] = ch
	}
	for _, re := range w.Refunds {
		cur := strings.ToUpper(re.Currency)
		cns := x.credits[m3.RefundReference(re.ID)]
		if len(cns) != 1 {
			r.bad("refund %s: %d credit notes, want 1", re.ID, len(cns))
			continue
		}
		cn := cns[0]
		if cn.IVAM != dec(-re.Amount, cur) || cn.CUCD != cur {
			r.bad("refund %s: credit note %s is %s %s, want %s %s", re.ID, cn.CINO, cn.IVAM, cn.CUCD, dec(-re.Amount, cur), cur)
		}
		if r.amount("credit note open", cn.OPAM, cur) != 0 {
			r.bad("refund %s: credit note %s is open for %s (not settled from the Stripe balance)", re.ID, cn.CINO, cn.OPAM)
		}
		ch := charges[re.Charge]
		obj := ch.ID
		if ch.Invoice != "" {
			obj = ch.Invoice
		}
		if os := x.orders[m3.OrderReference(obj)]; len(os) == 1 && x.byCINO[cn.CRIN].ORNO != os[0].ORNO {
			r.bad("refund %s: credit note %s credits invoice %s, not the charge's order %s", re.ID, cn.CINO, cn.CRIN, os[0].ORNO)
		}
	}
}

// checkDisputes: every dispute balance transaction once, as a journal with
// Stripe's signs in its currency.
func checkDisputes(r *report, x *index, w *scenario.World) {
	acc := scenario.DefaultAccounts
	for _, d := range w.Disputes {
		for _, id := range d.Txns {
			bt := w.Txn(id)
			bs := x.batches[m3.JournalReference("journal:"+id+":dispute")]
			if len(bs) != 1 {
				r.bad("dispute %s transaction %s: %d journals, want 1", d.ID, id, len(bs))
				continue
			}
			got := map[string]int64{}
			cur := strings.ToUpper(bt.Currency)
			for _, l := range bs[0].Lines {
				if l.CUCD != cur {
					r.bad("dispute journal of %s: a line in %s, want %s", id, l.CUCD, cur)
				}
				got[l.AIT1] += r.amount("dispute journal", l.ACAM, cur)
			}
			want := map[string]int64{acc.Disputes: -bt.Amount, acc.Clearing: bt.Net}
			if bt.Fee != 0 {
				want[acc.Fees] = bt.Fee
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				r.bad("dispute journal of %s: %v, want %v", id, got, want)
			}
		}
	}
}

// checkPayouts: every payout once, a bank statement of its amount on the
// payout bank account; a failed one also its reversal.
func checkPayouts(r *report, x *index, w *scenario.World) {
	for _, p := range w.Payouts {
		cur := strings.ToUpper(p.Currency)
		sum := func(bs scenario.InforStatement) int64 {
			var n int64
			for _, l := range bs.Lines {
				n += r.amount("payout line", l.ACAM, cur)
			}
			return n
		}
		st := x.statements["BANK1/"+m3.PayoutReference(p.ID)]
		if len(st) != 1 || st[0].CUCD != cur || sum(st[0]) != p.Amount {
			r.bad("payout %s of %s %s: %d statements %+v", p.ID, dec(p.Amount, cur), cur, len(st), st)
		}
		// The transfer to the bank is booked once; a failed payout's is
		// reversed once, or was never booked when the failure came first.
		transfer := len(x.batches[m3.JournalReference("journal:"+p.ID+":payout")])
		reversal := len(x.batches[m3.JournalReference("journal:"+p.ID+":payout-failed")])
		switch {
		case !p.Failed && (transfer != 1 || reversal != 0):
			r.bad("payout %s: %d transfer journals, %d reversals, want 1 and 0", p.ID, transfer, reversal)
		case p.Failed && (transfer > 1 || reversal != transfer):
			r.bad("failed payout %s: %d transfer journals, %d reversals, want as many of each, at most 1", p.ID, transfer, reversal)
		}
		if n := len(x.batches[m3.JournalReference("journal:"+p.ID+":settlement")]); n > 1 {
			r.bad("payout %s: %d settlement journals", p.ID, n)
		}
		rev := x.statements["BANK1/"+m3.PayoutReversalReference(p.ID)]
		switch {
		case !p.Failed && len(rev) != 0:
			r.bad("payout %s did not fail, yet has a reversal", p.ID)
		case p.Failed && (len(rev) != 1 || sum(rev[0]) != -p.Amount):
			r.bad("failed payout %s: %d reversals %+v, want one of %s", p.ID, len(rev), rev, dec(-p.Amount, cur))
		}
	}
}

// checkDeferrals: a paid invoice for more than a month is deferred once
// and its monthly recognition journals sum to exactly the deferred amount.
func checkDeferrals(r *report, x *index, w *scenario.World) {
	deferred := scenario.DefaultAccounts.Deferred
	for _, in := range w.Invoices {
		if !in.Paid || in.PeriodEnd-in.PeriodStart < 32*86400 {
			continue
		}
		cur := strings.ToUpper(in.Currency)
		sumOf := func(refe string) (int64, int) {
			bs := x.batches[refe]
			var n int64
			for _, b := range bs {
				for _, l := range b.Lines {
					if l.AIT1 == deferred {
						n += r.amount("deferral", l.ACAM, cur)
					}
				}
			}
			return n, len(bs)
		}
		if n, k := sumOf(m3.JournalReference("journal:" + in.ID + ":deferral")); k != 1 || n != -in.Amount {
			r.bad("invoice %s: %d deferral journals deferring %s, want one of %s", in.ID, k, dec(-n, cur), dec(in.Amount, cur))
		}
		var recognised int64
		months := serviceMonths(in.PeriodStart, in.PeriodEnd)
		for _, m := range months {
			n, k := sumOf(m3.JournalReference("journal:" + in.ID + ":recognition:" + m))
			if k != 1 {
				r.bad("invoice %s: %d recognition journals for %s, want 1", in.ID, k, m)
			}
			recognised += n
		}
		if recognised != in.Amount {
			r.bad("invoice %s: %d monthly journals recognise %s, deferred %s", in.ID, len(months), dec(recognised, cur), dec(in.Amount, cur))
		}
	}
}

// serviceMonths are the calendar months (YYYY-MM) a service period
// [start, end) has days in.
func serviceMonths(start, end int64) []string {
	from := time.Unix(start, 0).UTC()
	to := time.Unix(end, 0).UTC()
	to = time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	var out []string
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// checkBatchesBalance: every GL batch posted and balanced per currency.
func checkBatchesBalance(r *report, x *index) {
	for _, b := range x.st.GLBatches {
		if b.STAT != "posted" {
			r.bad("GL batch %s (REFE %s) is %s, not posted", b.BCHN, b.REFE, b.STAT)
		}
		sums := map[string]int64{}
		for _, l := range b.Lines {
			sums[l.CUCD] += r.amount("GL line", l.ACAM, l.CUCD)
		}
		for cur, n := range sums {
			if n != 0 {
				r.bad("GL batch %s (REFE %s, %s) is off by %s %s", b.BCHN, b.REFE, b.TX40, dec(n, cur), cur)
			}
		}
	}
}

// checkOpenAmounts: no open amount negative; the receivable account equals
// the open amounts; invoices paid and not wholly credited are the charges
// that succeeded less those refunded in full.
func checkOpenAmounts(r *report, x *index, w *scenario.World) {
	open := map[string]int64{}
	credited := map[string]int64{}
	for _, inv := range x.st.Invoices {
		v := r.amount("open amount", inv.OPAM, inv.CUCD)
		if v < 0 {
			r.bad("invoice %s (credit of %q) has a negative open amount %s", inv.CINO, inv.CRIN, inv.OPAM)
		}
		open[inv.CUCD] += v
		if inv.CRIN != "" {
			credited[inv.CRIN] -= r.amount("credit note", inv.IVAM, inv.CUCD)
		}
	}
	var curs []string
	for c := range open {
		curs = append(curs, c)
	}
	sort.Strings(curs)
	for _, c := range curs {
		var gl int64
		if s, ok := x.st.GLBalances[scenario.DefaultAccounts.Receivable][c]; ok {
			gl = r.amount("receivable", s, c)
		}
		if gl != open[c] {
			r.bad("receivable account %s %s, open invoices %s", dec(gl, c), c, dec(open[c], c))
		}
	}
	paid := 0
	for _, inv := range x.st.Invoices {
		if inv.CRIN == "" && inv.STAT == "paid" && credited[inv.CINO] < r.amount("invoice", inv.IVAM, inv.CUCD) {
			paid++
		}
	}
	want := 0
	for _, ch := range w.Charges {
		if ch.Succeeded && !ch.FullyRefunded() {
			want++
		}
	}
	if paid != want {
		r.bad("%d invoices paid and not wholly credited, want %d (charges succeeded less those refunded in full)", paid, want)
	}
}
