package m3

import (
	"errors"
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
		if ord.ORNO == o.OrderNumber && (ord.OBLC != "2" || ord.OBTX != "invoice payment failed, retry 2") {
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
