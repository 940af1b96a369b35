package m3

import (
	"errors"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

func creditNotesOf(v *env, cino string) []string {
	var out []string
	for _, inv := range v.state().Invoices {
		if inv.CRIN == cino {
			out = append(out, inv.CINO+"="+inv.IVAM+"/"+inv.YREF)
		}
	}
	return out
}

// A refund of an invoice's charge names the charge (ch_…), while the order
// and the payment were booked against the invoice (in_…): the credit memo
// finds the invoice through the charge's payment.
func TestCreditMemoForAnInvoicedChargeFindsTheInvoiceThroughThePayment(t *testing.T) {
	v := newEnv(t)
	cm := command.CreateCreditMemo{CommandID: "refund:re_inv1", StripeRefundID: "re_inv1",
		OrderRef: command.OrderRef{StripeObjectID: "ch_inv1"}, Amount: usd(1200), Reason: "requested_by_customer"}

	// Neither an order ch_inv1 nor a payment of ch_inv1: a dependency.
	_, err := v.a.CreateCreditMemo(ctx(t), cm)
	var de *DependencyError
	if !errors.As(err, &de) || de.Missing != "order or payment" || !strings.Contains(de.Ref, PaymentReference("ch_inv1")) {
		t.Fatalf("before order and payment: %v", err)
	}

	o, err := v.a.CreateSalesOrder(ctx(t), order("in_inv1", command.CustomerRef{}, usd(5000)))
	if err != nil {
		t.Fatal(err)
	}
	// The invoice's order exists, the charge's payment not yet: still a
	// dependency, nothing credited.
	if _, err := v.a.CreateCreditMemo(ctx(t), cm); !errors.Is(err, ErrDependency) {
		t.Fatalf("before the payment: %v", err)
	}
	if n := creditNotesOf(v, o.InvoiceNumber); len(n) != 0 {
		t.Fatalf("credit notes before the payment: %v", n)
	}
	pay := command.ApplyPayment{CommandID: "payment:ch_inv1", OrderRef: command.OrderRef{StripeObjectID: "in_inv1"},
		Amount: usd(5000), StripeChargeID: "ch_inv1", BalanceTransactionID: "txn_3PqRsTuVwXyZaBcDeFgHiJkL"}
	if _, err := v.a.ApplyPayment(ctx(t), pay); err != nil {
		t.Fatal(err)
	}
	bss := statementsWith(v.state(), PaymentReference("ch_inv1"))
	if len(bss) != 1 || len(bss[0].Lines) != 1 || bss[0].Lines[0].REFE != "ch_inv1" ||
		bss[0].Lines[0].TX40 != "inv "+o.InvoiceNumber+" ch_inv1" { // a 28-character txn_ id does not fit whole
		t.Fatalf("payment statement %+v", bss)
	}

	// The first credit note's answer is lost; the retries find it by YREF.
	v.rt.loseAnswer("ARS200MI", "AddCrdtNote", 1)
	if _, err := v.a.CreateCreditMemo(ctx(t), cm); err == nil {
		t.Fatal("lost answer: want an error")
	}
	r1, err := v.a.CreateCreditMemo(ctx(t), cm)
	if err != nil || r1.Created || r1.InvoiceNumber != o.InvoiceNumber || r1.CreditNoteNumber == "" {
		t.Fatalf("after the lost answer: %+v %v", r1, err)
	}
	r2, err := v.a.CreateCreditMemo(ctx(t), cm)
	if err != nil || r2 != r1 {
		t.Fatalf("again: %+v %v", r2, err)
	}
	if n := creditNotesOf(v, o.InvoiceNumber); len(n) != 1 || n[0] != r1.CreditNoteNumber+"=-12.00/"+RefundReference("re_inv1") {
		t.Fatalf("credit notes %v", n)
	}

	// A second refund of the same charge, applied once and created.
	cm2 := cm
	cm2.CommandID, cm2.StripeRefundID, cm2.Amount = "refund:re_inv2", "re_inv2", usd(300)
	r3, err := v.a.CreateCreditMemo(ctx(t), cm2)
	if err != nil || !r3.Created || r3.InvoiceNumber != o.InvoiceNumber {
		t.Fatalf("second refund: %+v %v", r3, err)
	}
	if n := creditNotesOf(v, o.InvoiceNumber); len(n) != 2 {
		t.Fatalf("credit notes %v", n)
	}
	// The refund's currency must still be the invoice's.
	eur := cm
	eur.CommandID, eur.StripeRefundID, eur.Amount = "refund:re_inv3", "re_inv3", command.Money{Minor: 100, Currency: "EUR"}
	if _, err := v.a.CreateCreditMemo(ctx(t), eur); !errors.Is(err, ErrInvalidCommand) {
		t.Fatalf("currency mismatch: %v", err)
	}
}

// When the order of the charge itself exists (a one-off charge), it is the
// one credited, even if the charge's payment exists too.
func TestCreditMemoPrefersTheChargesOwnOrder(t *testing.T) {
	v := newEnv(t)
	o, err := v.a.CreateSalesOrder(ctx(t), order("ch_own", command.CustomerRef{}, usd(800)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.a.ApplyPayment(ctx(t), command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: "ch_own"}, Amount: usd(800), StripeChargeID: "ch_own"}); err != nil {
		t.Fatal(err)
	}
	before := v.rt.calls("ABS100MI", "LstStatmt")
	r, err := v.a.CreateCreditMemo(ctx(t), command.CreateCreditMemo{StripeRefundID: "re_own", OrderRef: command.OrderRef{StripeObjectID: "ch_own"}, Amount: usd(800)})
	if err != nil || !r.Created || r.InvoiceNumber != o.InvoiceNumber {
		t.Fatalf("%+v %v", r, err)
	}
	// No statement lookup at all: not the payment's, and not the refund's
	// own settlement, which cannot exist before the credit note this call
	// made.
	if v.rt.calls("ABS100MI", "LstStatmt") != before {
		t.Fatal("the payment was looked up although the charge's order exists")
	}
}

// A payment statement that is there without its line yet is a dependency
// (the payment's retry completes it); one written without the invoice
// number in its text cannot be traced and is an invalid command.
func TestCreditMemoThroughAnIncompleteOrUntraceablePayment(t *testing.T) {
	v := newEnv(t)
	head := func(charge string) string {
		t.Helper()
		res, err := v.c.Execute(ctx(t), "ABS100MI", "AddStatmtHead", map[string]string{
			"BKID": "STRIPE", "STDT": "20250301", "CUCD": "USD", "REFE": PaymentReference(charge), "TX40": charge})
		if err != nil {
			t.Fatal(err)
		}
		return res.Records[0]["STNB"]
	}
	head("ch_half")
	_, err := v.a.CreateCreditMemo(ctx(t), command.CreateCreditMemo{StripeRefundID: "re_half", OrderRef: command.OrderRef{StripeObjectID: "ch_half"}, Amount: usd(100)})
	var de *DependencyError
	if !errors.As(err, &de) || de.Missing != "payment" {
		t.Fatalf("statement without a line: %v", err)
	}

	stnb := head("ch_old")
	if _, err := v.c.Execute(ctx(t), "ABS100MI", "AddStatmtLine", map[string]string{
		"STNB": stnb, "ACAM": "1.00", "REFE": "ch_old", "TX40": "Stripe payment txn_old"}); err != nil {
		t.Fatal(err)
	}
	_, err = v.a.CreateCreditMemo(ctx(t), command.CreateCreditMemo{StripeRefundID: "re_old", OrderRef: command.OrderRef{StripeObjectID: "ch_old"}, Amount: usd(100)})
	if !errors.Is(err, ErrInvalidCommand) || errors.Is(err, ErrDependency) || !strings.Contains(err.Error(), "does not name its invoice") {
		t.Fatalf("untraceable payment: %v", err)
	}
}

func TestPaymentLineText(t *testing.T) {
	for _, tc := range []struct{ cino, txn, charge, want string }{
		{"40000001", "txn_1", "ch_1", "inv 40000001 txn_1"},
		{"40000001", "", "ch_1", "inv 40000001 ch_1"},
		// A balance transaction id that would be cut gives way to the
		// charge, and then to a plain text: ids are never cut.
		{"4000000001", "txn_3PqRsTuVwXyZaBcDeFgHiJkLmN", "ch_1", "inv 4000000001 ch_1"},
		{"4000000001", "txn_3PqRsTuVwXyZaBcDeFgHiJkLmN", "ch_3PqRsTuVwXyZaBcDeFgHiJkLmN", "inv 4000000001 Stripe payment"},
	} {
		got := paymentLineText(tc.cino, tc.txn, tc.charge)
		if got != tc.want || len(got) > 40 {
			t.Errorf("paymentLineText(%q, %q, %q) = %q, want %q", tc.cino, tc.txn, tc.charge, got, tc.want)
		}
		if back := invoiceInLineText(got); back != tc.cino {
			t.Errorf("invoiceInLineText(%q) = %q, want %q", got, back, tc.cino)
		}
	}
	for _, s := range []string{"", "Stripe payment txn_1", "invoice 4", "inv"} {
		if got := invoiceInLineText(s); got != "" {
			t.Errorf("invoiceInLineText(%q) = %q, want none", s, got)
		}
	}
}
