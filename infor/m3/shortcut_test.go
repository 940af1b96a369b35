package m3

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// The adapter skips lookups whose answer it knows (see calls_test.go).
// These tests hold each shortcut to the same end state as the lookup it
// replaces, when M3 holds something the shortcut did not expect and when
// a step's answer is lost.

// withoutRecordFields rewrites an MI answer: every record loses the fields
// named (another tenant's shape), or all of its records when none are.
func withoutRecordFields(t *testing.T, fields ...string) func([]byte) []byte {
	return func(body []byte) []byte {
		var ans map[string]any
		if err := json.Unmarshal(body, &ans); err != nil {
			t.Errorf("rewrite: %v", err)
			return body
		}
		for _, r := range ans["results"].([]any) {
			res := r.(map[string]any)
			if len(fields) == 0 {
				res["records"] = []any{}
				continue
			}
			for _, rec := range res["records"].([]any) {
				for _, f := range fields {
					delete(rec.(map[string]any), f)
				}
			}
		}
		out, err := json.Marshal(ans)
		if err != nil {
			t.Errorf("rewrite: %v", err)
		}
		return out
	}
}

// A customer the command has just created gets its billing address
// without a lookup. Should M3 have one already (here added right after
// Add, as a template copy or a person might), the AddAddress NOK hands
// over to the general upsert, which changes it to the command's.
func TestNewCustomersAddressWhenM3AlreadyHasOne(t *testing.T) {
	v := newEnv(t)
	v.rt.onAfter("CRS610MI", "Add", func(r *http.Request) {
		if _, err := v.c.Execute(ctx(t), "CRS610MI", "AddAddress", map[string]string{
			"CUNO": r.URL.Query().Get("CUNO"), "ADRT": billingADRT, "ADID": billingADID,
			"CUNM": "Template copy", "CUA1": "Old Street 1", "TOWN": "Oldtown", "CSCD": "SE",
		}); err != nil {
			t.Errorf("address added behind the adapter's back: %v", err)
		}
	})
	cmd := command.UpsertCustomer{CommandID: "customer:cus_Tmpl1", StripeCustomerID: "cus_Tmpl1", Name: "Ada Lovelace", Version: 1700000000,
		Address: command.Address{Line1: "1 Analytical Way", City: "London", PostalCode: "N1 9GU", Country: "GB"}}
	r, err := v.a.UpsertCustomer(ctx(t), cmd)
	if err != nil || !r.Created || !r.AddressChanged {
		t.Fatalf("%+v %v", r, err)
	}
	addrs := billingAddresses(t, v, "cus_Tmpl1")
	if len(addrs) != 1 {
		t.Fatalf("%d addresses: %+v", len(addrs), addrs)
	}
	if a := addrs[0]; a.ADID != billingADID || a.CUA1 != "1 Analytical Way" || a.TOWN != "London" || a.CSCD != "GB" || a.PONO != "N1 9GU" {
		t.Fatalf("billing address %+v", a)
	}
	if add, lst, chg := v.rt.calls("CRS610MI", "AddAddress"), v.rt.calls("CRS610MI", "LstAddress"), v.rt.calls("CRS610MI", "ChgAddress"); add != 2 || lst != 1 || chg != 1 {
		t.Fatalf("AddAddress %d (one behind the adapter's back), LstAddress %d, ChgAddress %d", add, lst, chg)
	}
}

// Confirm answers the final order number, so the order is not looked up
// again; a tenant whose Confirm answers nothing still gets the order found
// by its reference.
func TestOrderNumberFromConfirm(t *testing.T) {
	for _, blank := range []bool{false, true} {
		v := newEnv(t)
		if blank {
			v.rt.rewriteAnswers("OIS100MI", "Confirm", withoutRecordFields(t))
		}
		cmd := order("ch_Confirm1", command.CustomerRef{}, usd(1999), command.OrderLine{Item: "SHIPPING", Quantity: 1, UnitPrice: usd(500)})
		r, err := v.a.CreateSalesOrder(ctx(t), cmd)
		if err != nil {
			t.Fatalf("blank answer %v: %v", blank, err)
		}
		orders, invs := ordersFor(v.state(), OrderReference(cmd.StripeObjectID))
		if len(orders) != 1 || len(invs) != 1 || !r.Created || r.OrderNumber != orders[0].ORNO || r.OrderNumber == orders[0].TempORNO ||
			r.InvoiceNumber != invs[0].CINO || r.CUOR != orders[0].CUOR {
			t.Fatalf("blank answer %v: result %+v, orders %+v, invoices %+v", blank, r, orders, invs)
		}
		wantLookups := 1 // the first: is it done already?
		if blank {
			wantLookups = 2
		}
		if n := v.rt.calls("OIS100MI", "LstHead"); n != wantLookups {
			t.Fatalf("blank answer %v: LstHead %d times, want %d", blank, n, wantLookups)
		}
		// Replayed, the command finds the same order and invoice.
		again, err := v.a.CreateSalesOrder(ctx(t), cmd)
		if err != nil || again.Created || again.OrderNumber != r.OrderNumber || again.InvoiceNumber != r.InvoiceNumber {
			t.Fatalf("blank answer %v: replay %+v %v", blank, again, err)
		}
	}
}

// ChangeOrderStatus reads the stop code from the lookup that finds the
// order; a tenant whose LstHead leaves it out costs a GetHead, with the
// same outcome, and an order given by its ERP number is read once.
func TestChangeOrderStatusReadsTheHeadOnce(t *testing.T) {
	for _, strip := range []bool{false, true} {
		v := newEnv(t)
		if strip {
			v.rt.rewriteAnswers("OIS100MI", "LstHead", withoutRecordFields(t, "OBLC", "OBTX"))
		}
		o, err := v.a.CreateSalesOrder(ctx(t), order("in_Status1", command.CustomerRef{}, usd(3000)))
		if err != nil {
			t.Fatal(err)
		}
		byStripe := command.OrderRef{StripeObjectID: "in_Status1"}
		byERP := command.OrderRef{ERPOrderNumber: o.OrderNumber}
		steps := []struct {
			ref     command.OrderRef
			status  string
			changed bool
			code    string
		}{
			{byStripe, "payment_failed", true, "1"},
			{byStripe, "payment_failed", false, "1"}, // a replay
			{byERP, "dunning", true, "2"},
			{byStripe, "payment_failed", false, "2"}, // late: dunning is further along
			{byERP, "paid", true, "0"},
			{byERP, "paid", false, "0"},
		}
		for i, s := range steps {
			gets, lists := v.rt.calls("OIS100MI", "GetHead"), v.rt.calls("OIS100MI", "LstHead")
			r, err := v.a.ChangeOrderStatus(ctx(t), command.ChangeOrderStatus{OrderRef: s.ref, Status: s.status, Reason: "invoice " + s.status})
			if err != nil || r.Changed != s.changed || r.StopCode != s.code || r.OrderNumber != o.OrderNumber {
				t.Fatalf("strip %v step %d %s: %+v %v", strip, i, s.status, r, err)
			}
			gets, lists = v.rt.calls("OIS100MI", "GetHead")-gets, v.rt.calls("OIS100MI", "LstHead")-lists
			wantGets, wantLists := 0, 1
			switch {
			case s.ref.ERPOrderNumber != "":
				wantGets, wantLists = 1, 0
			case strip:
				wantGets = 1
			}
			if gets != wantGets || lists != wantLists {
				t.Fatalf("strip %v step %d: GetHead %d LstHead %d, want %d and %d", strip, i, gets, lists, wantGets, wantLists)
			}
		}
		orders, _ := ordersFor(v.state(), OrderReference("in_Status1"))
		if len(orders) != 1 || orders[0].OBLC != "0" || orders[0].OBTX != "paid: invoice paid" {
			t.Fatalf("strip %v: order %+v", strip, orders)
		}
	}
}

// A credit note this call made is settled without looking for its
// settlement first; interrupted at every step of it (and at the credit
// note itself), the retries leave one credit note, settled once.
func TestCreditMemoInterruptedAtEveryStep(t *testing.T) {
	v := newEnv(t)
	if _, err := v.a.CreateSalesOrder(ctx(t), order("ch_Steps1", command.CustomerRef{}, usd(5000))); err != nil {
		t.Fatal(err)
	}
	if _, err := v.a.ApplyPayment(ctx(t), command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: "ch_Steps1"}, Amount: usd(5000), StripeChargeID: "ch_Steps1"}); err != nil {
		t.Fatal(err)
	}
	cm := command.CreateCreditMemo{CommandID: "refund:re_Steps1", StripeRefundID: "re_Steps1",
		OrderRef: command.OrderRef{StripeObjectID: "ch_Steps1"}, Amount: usd(1250), Reason: "requested_by_customer"}
	for _, step := range [][2]string{{"ARS200MI", "AddCrdtNote"}, {"ABS100MI", "AddStatmtHead"}, {"ABS100MI", "AddStatmtLine"}, {"ABS100MI", "AddStatmtDetail"}} {
		v.rt.loseAnswer(step[0], step[1], 1)
		if _, err := v.a.CreateCreditMemo(ctx(t), cm); err == nil {
			t.Fatalf("lost %s answer: want an error", step[1])
		}
	}
	r, err := v.a.CreateCreditMemo(ctx(t), cm)
	if err != nil || r.Created {
		t.Fatalf("after the interruptions: %+v %v", r, err)
	}
	var notes []string
	for _, inv := range v.state().Invoices {
		if inv.YREF == RefundReference("re_Steps1") {
			notes = append(notes, inv.CINO+" "+inv.IVAM+" open "+inv.OPAM)
		}
	}
	if len(notes) != 1 || notes[0] != r.CreditNoteNumber+" -12.50 open 0.00" {
		t.Fatalf("credit notes %q, result %+v", notes, r)
	}
	bss := statementsWith(v.state(), RefundSettlementReference("re_Steps1"))
	if len(bss) != 1 || len(bss[0].Lines) != 1 || len(bss[0].Lines[0].Details) != 1 || bss[0].Lines[0].ACAM != "-12.50" {
		t.Fatalf("settlement statements %+v", bss)
	}
}

// A payment reads the invoice its order produced through the adapter's
// hint, but never trusts it: after M3 lost the order (an emulator reset, a
// refreshed sandbox) the hinted number is either gone or another order's
// invoice, and the payment neither fails for good nor pays that invoice.
func TestPaymentNeverTrustsAStaleInvoiceHint(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		v := newEnv(t)
		x, err := v.a.CreateSalesOrder(ctx(t), order("ch_HintX", command.CustomerRef{}, usd(1000)))
		if err != nil {
			t.Fatal(err)
		}
		if err := v.e.Reset(); err != nil {
			t.Fatal(err)
		}
		if _, err := v.c.Execute(ctx(t), "CRS610MI", "Add", map[string]string{"CUNO": "WALKIN", "CUNM": "Walk-in customer"}); err != nil {
			t.Fatal(err)
		}
		var y OrderResult
		if reuse {
			// Another sink makes another order, which gets the number the
			// hint remembers (the number series restarted).
			if y, err = New(v.c, v.a.cfg).CreateSalesOrder(ctx(t), order("ch_HintY", command.CustomerRef{}, usd(2500))); err != nil {
				t.Fatal(err)
			}
			if y.InvoiceNumber != x.InvoiceNumber {
				t.Fatalf("precondition: order Y's invoice %s, the hint's %s", y.InvoiceNumber, x.InvoiceNumber)
			}
		}
		payX := command.ApplyPayment{OrderRef: command.OrderRef{StripeObjectID: "ch_HintX"}, Amount: usd(1000), StripeChargeID: "ch_HintX"}
		gets, lists := v.rt.calls("ARS200MI", "GetInvoice"), v.rt.calls("OIS100MI", "LstHead")
		_, err = v.a.ApplyPayment(ctx(t), payX)
		var de *DependencyError
		if !errors.As(err, &de) || de.Missing != "order" {
			t.Fatalf("reuse %v: paying the lost order: %v", reuse, err)
		}
		if g, l := v.rt.calls("ARS200MI", "GetInvoice")-gets, v.rt.calls("OIS100MI", "LstHead")-lists; g != 1 || l != 1 {
			t.Fatalf("reuse %v: GetInvoice %d, LstHead %d: want the hint read once, then the lookup", reuse, g, l)
		}
		for _, inv := range v.state().Invoices {
			if inv.OPAM != inv.IVAM {
				t.Fatalf("reuse %v: invoice %+v was paid", reuse, inv)
			}
		}
		// The order made again: the payment finds and pays its invoice.
		x2, err := v.a.CreateSalesOrder(ctx(t), order("ch_HintX", command.CustomerRef{}, usd(1000)))
		if err != nil {
			t.Fatal(err)
		}
		r, err := v.a.ApplyPayment(ctx(t), payX)
		if err != nil || !r.Applied || r.InvoiceNumber != x2.InvoiceNumber || r.OrderNumber != x2.OrderNumber {
			t.Fatalf("reuse %v: payment %+v %v, order %+v", reuse, r, err, x2)
		}
		if inv := invoiceOf(v.state(), x2.InvoiceNumber); inv == nil || inv.OPAM != "0.00" || inv.CUOR != OrderReference("ch_HintX") {
			t.Fatalf("reuse %v: invoice after payment %+v", reuse, inv)
		}
	}
}
