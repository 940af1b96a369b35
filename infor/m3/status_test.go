package m3

import (
	"errors"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

func TestChangeOrderStatus(t *testing.T) {
	v := newEnv(t)
	cmd := command.ChangeOrderStatus{CommandID: "order-status:ch_s1:dunning", OrderRef: command.OrderRef{StripeObjectID: "ch_s1"},
		Status: "dunning", Reason: "invoice payment failed, retry 2"}
	if _, err := v.a.ChangeOrderStatus(ctx(t), cmd); !errors.Is(err, ErrDependency) {
		t.Fatalf("before the order: %v", err)
	}
	o, err := v.a.CreateSalesOrder(ctx(t), order("ch_s1", command.CustomerRef{}, usd(100)))
	if err != nil {
		t.Fatal(err)
	}
	r1, err := v.a.ChangeOrderStatus(ctx(t), cmd)
	if err != nil || !r1.Changed || r1.StopCode != "2" || r1.OrderNumber != o.OrderNumber {
		t.Fatalf("%+v %v", r1, err)
	}
	r2, err := v.a.ChangeOrderStatus(ctx(t), cmd)
	if err != nil || r2.Changed {
		t.Fatalf("twice: %+v %v", r2, err)
	}
	for _, ord := range v.state().Orders {
		if ord.ORNO == o.OrderNumber && (ord.OBLC != "2" || ord.OBTX != "dunning: invoice payment failed, retry 2") {
			t.Fatalf("order %+v", ord)
		}
	}
	// By ERP number, back to released.
	rel := command.ChangeOrderStatus{OrderRef: command.OrderRef{ERPOrderNumber: o.OrderNumber}, Status: "paid"}
	if r, err := v.a.ChangeOrderStatus(ctx(t), rel); err != nil || !r.Changed || r.StopCode != "0" {
		t.Fatalf("release: %+v %v", r, err)
	}
	if _, err := v.a.ChangeOrderStatus(ctx(t), command.ChangeOrderStatus{OrderRef: rel.OrderRef, Status: "teleported"}); !errors.Is(err, ErrInvalidCommand) {
		t.Fatalf("unknown status: %v", err)
	}
	if _, err := v.a.ChangeOrderStatus(ctx(t), command.ChangeOrderStatus{OrderRef: command.OrderRef{ERPOrderNumber: "999"}, Status: "paid"}); !errors.Is(err, ErrDependency) {
		t.Fatalf("unknown ERP order: %v", err)
	}
}

func TestCreateCreditMemo(t *testing.T) {
	v := newEnv(t)
	cm := command.CreateCreditMemo{CommandID: "refund:re_1", StripeRefundID: "re_1", OrderRef: command.OrderRef{StripeObjectID: "ch_r1"},
		Amount: command.Money{Minor: 1500, Currency: "JPY"}, Reason: "requested_by_customer"}
	if _, err := v.a.CreateCreditMemo(ctx(t), cm); !errors.Is(err, ErrDependency) {
		t.Fatalf("before the order: %v", err)
	}
	o, err := v.a.CreateSalesOrder(ctx(t), order("ch_r1", command.CustomerRef{}, command.Money{Minor: 5000, Currency: "JPY"}))
	if err != nil {
		t.Fatal(err)
	}
	v.rt.loseAnswer("ARS200MI", "AddCrdtNote", 1)
	if _, err := v.a.CreateCreditMemo(ctx(t), cm); err == nil {
		t.Fatal("lost answer: want an error")
	}
	r1, err := v.a.CreateCreditMemo(ctx(t), cm)
	if err != nil || r1.Created || r1.InvoiceNumber != o.InvoiceNumber || r1.CreditNoteNumber == "" {
		t.Fatalf("%+v %v", r1, err)
	}
	r2, err := v.a.CreateCreditMemo(ctx(t), cm)
	if err != nil || r2 != r1 {
		t.Fatalf("twice: %+v %v", r2, err)
	}
	var notes int
	for _, inv := range v.state().Invoices {
		if inv.CRIN == o.InvoiceNumber {
			notes++
			if inv.IVAM != "-1500" || inv.YREF != RefundReference("re_1") || inv.CUCD != "JPY" {
				t.Fatalf("credit note %+v", inv)
			}
		}
	}
	if notes != 1 {
		t.Fatalf("%d credit notes", notes)
	}
	// A second, partial refund is its own credit note; the payment still
	// finds the original invoice.
	cm2 := cm
	cm2.CommandID, cm2.StripeRefundID = "refund:re_2", "re_2"
	if r, err := v.a.CreateCreditMemo(ctx(t), cm2); err != nil || !r.Created {
		t.Fatalf("second refund: %+v %v", r, err)
	}
	p, err := v.a.ApplyPayment(ctx(t), command.ApplyPayment{OrderRef: cm.OrderRef, Amount: command.Money{Minor: 5000, Currency: "JPY"}, StripeChargeID: "ch_r1"})
	if err != nil || p.InvoiceNumber != o.InvoiceNumber {
		t.Fatalf("payment after refunds: %+v %v", p, err)
	}
}

// Whatever order the events of one invoice arrive in, its order ends in
// the latest stage of the lifecycle: payment failed < dunning < paid.
func TestOrderStatusFollowsTheLifecycleNotTheArrivalOrder(t *testing.T) {
	statuses := []string{"payment_failed", "dunning", "paid"}
	for _, perm := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 0, 2}, {0, 2, 1}, {2, 0, 1}, {1, 2, 0}} {
		v := newEnv(t)
		obj := "in_perm"
		if _, err := v.a.CreateSalesOrder(ctx(t), order(obj, command.CustomerRef{}, usd(100))); err != nil {
			t.Fatal(err)
		}
		for _, i := range perm[:2] { // without the payment: dunning wins
			cmd := command.ChangeOrderStatus{OrderRef: command.OrderRef{StripeObjectID: obj}, Status: statuses[i], Reason: "card declined"}
			if _, err := v.a.ChangeOrderStatus(ctx(t), cmd); err != nil {
				t.Fatal(err)
			}
		}
		want := "2"
		if perm[0] == 2 || perm[1] == 2 {
			want = "0"
		}
		if got := v.state().Orders[0].OBLC; got != want {
			t.Errorf("order %v (first two): stop code %q, want %q", perm, got, want)
		}
		cmd := command.ChangeOrderStatus{OrderRef: command.OrderRef{StripeObjectID: obj}, Status: statuses[perm[2]], Reason: "card declined"}
		if _, err := v.a.ChangeOrderStatus(ctx(t), cmd); err != nil {
			t.Fatal(err)
		}
		if o := v.state().Orders[0]; o.OBLC != "0" || !strings.HasPrefix(o.OBTX, "paid") {
			t.Errorf("order %v: stop code %q %q, want released as paid", perm, o.OBLC, o.OBTX)
		}
	}
}
