package m3

import (
	"errors"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/internal/command"
)

func invoiceOf(st emulator.State, cino string) *emulator.Invoice {
	for _, inv := range st.Invoices {
		if inv.CINO == cino {
			return inv
		}
	}
	return nil
}

func statementsWith(st emulator.State, refe string) []*emulator.BankStatement {
	var out []*emulator.BankStatement
	for _, bs := range st.BankStatements {
		if bs.REFE == refe {
			out = append(out, bs)
		}
	}
	return out
}

func TestPaymentBeforeOrderIsADependencyThenPays(t *testing.T) {
	v := newEnv(t)
	pay := command.ApplyPayment{CommandID: "payment:ch_pay1", OrderRef: command.OrderRef{StripeObjectID: "ch_pay1"},
		Amount: usd(4200), PaymentMethod: "CC", StripeChargeID: "ch_pay1", BalanceTransactionID: "txn_pay1", PaymentDate: "2025-03-02"}

	_, err := v.a.ApplyPayment(ctx(t), pay)
	var de *DependencyError
	if !errors.Is(err, ErrDependency) || !errors.As(err, &de) || de.Missing != "order" || de.Command != "payment:ch_pay1" {
		t.Fatalf("payment before order: %v", err)
	}
	if len(v.state().BankStatements) != 0 {
		t.Fatal("a statement was created for a payment without its order")
	}

	o, err := v.a.CreateSalesOrder(ctx(t), order("ch_pay1", command.CustomerRef{}, usd(4200)))
	if err != nil {
		t.Fatal(err)
	}
	if inv := invoiceOf(v.state(), o.InvoiceNumber); inv == nil || inv.STAT != "open" || inv.OPAM != "42.00" {
		t.Fatalf("invoice before payment: %+v", inv)
	}
	// The first allocation's answer is lost; the retry must not allocate again.
	v.rt.loseAnswer("ABS100MI", "AddStatmtDetail", 1)
	if _, err := v.a.ApplyPayment(ctx(t), pay); err == nil {
		t.Fatal("lost answer: want an error")
	}
	for i := range 2 {
		r, err := v.a.ApplyPayment(ctx(t), pay)
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if r.Applied || r.InvoiceNumber != o.InvoiceNumber || r.OrderNumber != o.OrderNumber {
			t.Fatalf("attempt %d: %+v", i, r)
		}
	}
	st := v.state()
	if inv := invoiceOf(st, o.InvoiceNumber); inv.STAT != "paid" || inv.OPAM != "0.00" {
		t.Fatalf("invoice after payment: %+v", inv)
	}
	bss := statementsWith(st, PaymentReference("ch_pay1"))
	if len(bss) != 1 || bss[0].BKID != "STRIPE" || bss[0].STDT != "20250302" || len(bss[0].Lines) != 1 ||
		len(bss[0].Lines[0].Details) != 1 || bss[0].Lines[0].ACAM != "42.00" || bss[0].Lines[0].REFE != "ch_pay1" {
		t.Fatalf("statements: %+v", bss)
	}
}

func TestPaymentApplyTwiceAndNoInvoice(t *testing.T) {
	v := newEnv(t)
	if _, err := v.a.CreateSalesOrder(ctx(t), order("ch_twice", command.CustomerRef{}, usd(999))); err != nil {
		t.Fatal(err)
	}
	pay := command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: "ch_twice"}, Amount: usd(999), StripeChargeID: "ch_twice"}
	r1, err := v.a.ApplyPayment(ctx(t), pay)
	if err != nil || !r1.Applied {
		t.Fatalf("%+v %v", r1, err)
	}
	r2, err := v.a.ApplyPayment(ctx(t), pay)
	if err != nil || r2.Applied || r2.StatementNumber != r1.StatementNumber {
		t.Fatalf("%+v %v", r2, err)
	}
	if n := len(statementsWith(v.state(), PaymentReference("ch_twice"))); n != 1 {
		t.Fatalf("%d statements", n)
	}
	// An order type that does not invoice at Confirm: the invoice is the
	// missing prerequisite.
	std := order("ch_std", command.CustomerRef{}, usd(500))
	std.OrderType = "STD"
	if _, err := v.a.CreateSalesOrder(ctx(t), std); err != nil {
		t.Fatal(err)
	}
	_, err = v.a.ApplyPayment(ctx(t), command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: "ch_std"}, Amount: usd(500), StripeChargeID: "ch_std"})
	var de *DependencyError
	if !errors.As(err, &de) || de.Missing != "invoice" {
		t.Fatalf("no invoice: %v", err)
	}
	// The wrong currency is a command error, not a dependency.
	_, err = v.a.ApplyPayment(ctx(t), command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: "ch_twice"}, Amount: command.Money{Minor: 999, Currency: "EUR"}, StripeChargeID: "ch_eur"})
	if !errors.Is(err, ErrInvalidCommand) || errors.Is(err, ErrDependency) {
		t.Fatalf("currency mismatch: %v", err)
	}
}

func batchesWith(st emulator.State, refe string) []*emulator.GLBatch {
	var out []*emulator.GLBatch
	for _, b := range st.GLBatches {
		if b.REFE == refe {
			out = append(out, b)
		}
	}
	return out
}

func TestPostJournalBalancedAndIdempotent(t *testing.T) {
	v := newEnv(t)
	j := command.PostJournal{CommandID: "journal:ch_j1:fee", AccountingDate: "2025-03-03", Text: "Stripe fee ch_j1",
		Lines: []command.JournalLine{
			{Account: "6570", Amount: usd(160), Text: "Stripe fee"},
			{Account: "1580", Amount: usd(-160), Text: "Stripe clearing"},
		}, SourceIDs: []string{"ch_j1", "txn_j1"}}
	// The first try loses UpdBatch's answer after posting.
	v.rt.loseAnswer("GLS840MI", "UpdBatch", 1)
	if _, err := v.a.PostJournal(ctx(t), j); err == nil {
		t.Fatal("lost answer: want an error")
	}
	for range 2 {
		r, err := v.a.PostJournal(ctx(t), j)
		if err != nil || r.Posted {
			t.Fatalf("%+v %v", r, err)
		}
	}
	st := v.state()
	bs := batchesWith(st, JournalReference(j.CommandID))
	if len(bs) != 1 || bs[0].STAT != "posted" || len(bs[0].Lines) != 2 || bs[0].ACDT != "20250303" ||
		bs[0].Lines[0].ACAM != "1.60" || bs[0].Lines[1].ACAM != "-1.60" || bs[0].Lines[0].VTXT != "Stripe fee" {
		t.Fatalf("batches %+v", bs)
	}
	if st.GLBalances["6570"]["USD"] != "1.60" || st.GLBalances["1580"]["USD"] != "-1.60" {
		t.Fatalf("balances %v", st.GLBalances)
	}

	// Interrupted after the first line: the retry adds only the rest.
	j2 := j
	j2.CommandID = "journal:ch_j2:fee"
	v.rt.loseAnswer("GLS840MI", "AddBatchLine", 1)
	if _, err := v.a.PostJournal(ctx(t), j2); err == nil {
		t.Fatal("want an error")
	}
	if r, err := v.a.PostJournal(ctx(t), j2); err != nil || !r.Posted {
		t.Fatalf("%+v %v", r, err)
	}
	if bs := batchesWith(v.state(), JournalReference(j2.CommandID)); len(bs) != 1 || len(bs[0].Lines) != 2 || bs[0].STAT != "posted" {
		t.Fatalf("batches %+v", bs)
	}

	// Unbalanced: refused before anything reaches M3.
	bad := command.PostJournal{CommandID: "journal:bad", AccountingDate: "2025-03-03", Lines: []command.JournalLine{
		{Account: "6570", Amount: usd(100)}, {Account: "1580", Amount: usd(-99)},
	}}
	before := len(v.state().GLBatches)
	if _, err := v.a.PostJournal(ctx(t), bad); !errors.Is(err, ErrInvalidCommand) || !strings.Contains(err.Error(), "0.01 USD") {
		t.Fatalf("unbalanced: %v", err)
	}
	if len(v.state().GLBatches) != before {
		t.Fatal("an unbalanced journal reached M3")
	}
}

func TestReconcilePayoutIdempotent(t *testing.T) {
	v := newEnv(t)
	p := command.ReconcilePayout{CommandID: "payout:po_1", StripePayoutID: "po_1", Amount: usd(9402), ArrivalDate: "2025-03-05",
		Transactions: []command.BalanceTransaction{
			{ID: "txn_a", Type: "charge", Source: "ch_a", Amount: usd(5000), Fee: usd(175), Net: usd(4825)},
			{ID: "txn_b", Type: "charge", Source: "ch_b", Amount: usd(5000), Fee: usd(175), Net: usd(4825)},
			{ID: "txn_z", Type: "adjustment", Source: "adj", Amount: usd(0), Fee: usd(0), Net: usd(0)},
			{ID: "txn_c", Type: "refund", Source: "re_c", Amount: usd(-248), Fee: usd(0), Net: usd(-248)},
		}}
	v.rt.loseAnswer("ABS100MI", "AddStatmtLine", 1) // interrupted after the first line
	if _, err := v.a.ReconcilePayout(ctx(t), p); err == nil {
		t.Fatal("want an error")
	}
	r1, err := v.a.ReconcilePayout(ctx(t), p)
	if err != nil || !r1.Created || r1.Lines != 3 {
		t.Fatalf("%+v %v", r1, err)
	}
	r2, err := v.a.ReconcilePayout(ctx(t), p)
	if err != nil || r2.Created || r2.StatementNumber != r1.StatementNumber {
		t.Fatalf("%+v %v", r2, err)
	}
	bss := statementsWith(v.state(), PayoutReference("po_1"))
	if len(bss) != 1 || bss[0].BKID != "BANK1" || bss[0].STDT != "20250305" || len(bss[0].Lines) != 3 {
		t.Fatalf("%+v", bss)
	}
	var got []string
	for _, l := range bss[0].Lines {
		got = append(got, l.REFE+"="+l.ACAM)
	}
	if strings.Join(got, " ") != "txn_a=48.25 txn_b=48.25 txn_c=-2.48" {
		t.Fatalf("lines %v", got)
	}
	bad := p
	bad.Amount = usd(9400)
	if _, err := v.a.ReconcilePayout(ctx(t), bad); !errors.Is(err, ErrInvalidCommand) {
		t.Fatalf("sum mismatch: %v", err)
	}
}

// Amounts in a zero-decimal (JPY), a three-decimal (KWD) and a two-decimal
// (USD) currency reach M3 with the right number of decimals, through
// orders, payments, journals and payouts.
func TestCurrencyDecimals(t *testing.T) {
	v := newEnv(t)
	for _, tc := range []struct {
		cur              string
		price            int64 // minor units
		sapr, ntam, jfee string
		feeMinor         int64
	}{
		{"JPY", 1500, "1500", "3000", "45", 45},
		{"KWD", 1234, "1.234", "2.468", "0.037", 37},
		{"USD", 1999, "19.99", "39.98", "0.58", 58},
	} {
		m := command.Money{Minor: tc.price, Currency: tc.cur}
		obj := "ch_" + strings.ToLower(tc.cur)
		cmd := order(obj, command.CustomerRef{}, m)
		cmd.Lines[0].Quantity = 2
		o, err := v.a.CreateSalesOrder(ctx(t), cmd)
		if err != nil {
			t.Fatalf("%s order: %v", tc.cur, err)
		}
		orders, invs := ordersFor(v.state(), OrderReference(obj))
		if len(orders) != 1 || orders[0].CUCD != tc.cur || orders[0].Lines[0].SAPR != tc.sapr || orders[0].NTAM != tc.ntam || invs[0].IVAM != tc.ntam {
			t.Fatalf("%s order %+v line %+v", tc.cur, orders[0], orders[0].Lines[0])
		}
		total := command.Money{Minor: 2 * tc.price, Currency: tc.cur}
		if _, err := v.a.ApplyPayment(ctx(t), command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: obj}, Amount: total, StripeChargeID: obj}); err != nil {
			t.Fatalf("%s payment: %v", tc.cur, err)
		}
		if inv := invoiceOf(v.state(), o.InvoiceNumber); inv.STAT != "paid" {
			t.Fatalf("%s invoice %+v", tc.cur, inv)
		}
		fee := command.Money{Minor: tc.feeMinor, Currency: tc.cur}
		neg := command.Money{Minor: -tc.feeMinor, Currency: tc.cur}
		if _, err := v.a.PostJournal(ctx(t), command.PostJournal{CommandID: "journal:" + obj + ":fee", AccountingDate: "2025-03-01",
			Lines: []command.JournalLine{{Account: "6570", Amount: fee}, {Account: "1580", Amount: neg}}}); err != nil {
			t.Fatalf("%s journal: %v", tc.cur, err)
		}
		bs := batchesWith(v.state(), JournalReference("journal:"+obj+":fee"))
		if len(bs) != 1 || bs[0].Lines[0].ACAM != tc.jfee || bs[0].Lines[1].ACAM != "-"+tc.jfee || bs[0].Lines[0].CUCD != tc.cur {
			t.Fatalf("%s batch %+v", tc.cur, bs[0].Lines)
		}
		net := command.Money{Minor: 2*tc.price - tc.feeMinor, Currency: tc.cur}
		if _, err := v.a.ReconcilePayout(ctx(t), command.ReconcilePayout{StripePayoutID: "po_" + obj, Amount: net, ArrivalDate: "2025-03-04",
			Transactions: []command.BalanceTransaction{{ID: "txn_" + obj, Type: "charge", Source: obj, Amount: total, Fee: fee, Net: net}}}); err != nil {
			t.Fatalf("%s payout: %v", tc.cur, err)
		}
		st := statementsWith(v.state(), PayoutReference("po_"+obj))
		if want := command.Decimal(net); len(st) != 1 || st[0].Lines[0].ACAM != want || st[0].CUCD != tc.cur {
			t.Fatalf("%s payout statement %+v, want %s", tc.cur, st, want)
		}
	}
}
