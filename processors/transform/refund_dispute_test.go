package transform

import (
	"slices"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// A partial refund is its own credit memo against the charge's order, and
// nothing else: the ERP posts the credit note and the sink settles it out of
// the Stripe balance (docs/accounting.md), so a journal here would book the
// refund twice.
func TestPartialRefund(t *testing.T) {
	res := runFile(t, New(mapping.Default()), "refund_created_partial_eur.json")
	memo := one[command.CreateCreditMemo](t, res)
	if memo.CommandID != "refund:re_3QEurPartial1aBcDeFgHiJ" || memo.OrderRef.StripeObjectID != "ch_3QEurUncapt01aBcDeFgHiJ" ||
		memo.Amount != (command.Money{Minor: 1999, Currency: "EUR"}) || memo.Reason != "requested_by_customer" || memo.RefundDate != "2026-11-26" {
		t.Errorf("credit memo %+v", memo)
	}
	if got := commandIDs(res); !slices.Equal(got, []string{"refund:re_3QEurPartial1aBcDeFgHiJ"}) {
		t.Errorf("commands %v, want the credit memo only", got)
	}
	if e := enrichedOf(res); e.GLRule != "default" || e.ChargeID != "ch_3QEurUncapt01aBcDeFgHiJ" || *e.Amount != 1999 {
		t.Errorf("enriched rule %q charge %q", e.GLRule, e.ChargeID)
	}
}

// sameLines compares journal lines by account and amount.
func sameLines(got, want []command.JournalLine) bool {
	return slices.EqualFunc(got, want, func(a, b command.JournalLine) bool { return a.Account == b.Account && a.Amount == b.Amount })
}

// A pending refund books nothing until refund.updated says it succeeded,
// then it books under the same ids; a failed one never books.
func TestRefundStatuses(t *testing.T) {
	tr := New(mapping.Default())
	pending := runFile(t, tr, "refund_created_pending.json")
	if pending.Outcome != OutcomeNoCommands || !hasFlagCode(pending.Flags, "refund_not_booked", "data.object.status") {
		t.Errorf("pending: outcome %s flags %v", pending.Outcome, flagCodes(pending.Flags))
	}
	done := runFile(t, tr, "refund_updated_succeeded.json")
	if got := commandIDs(done); !slices.Equal(got, []string{"refund:re_3QEurPending1aBcDeFgHiJ"}) {
		t.Errorf("succeeded: %v", got)
	}
	// charge.refund.updated carries the refund too.
	viaCharge := patch(t, readTestdata(t, "refund_updated_succeeded.json"), func(ev map[string]any) { ev["type"] = "charge.refund.updated" })
	if got, want := commandIDs(run(t, tr, viaCharge)), commandIDs(done); !slices.Equal(got, want) {
		t.Errorf("charge.refund.updated: %v, want %v", got, want)
	}
	failed := runFile(t, tr, "refund_updated_failed.json")
	if failed.Outcome != OutcomeNoCommands || !hasFlagCode(failed.Flags, "refund_not_booked", "") {
		t.Errorf("failed: outcome %s flags %v", failed.Outcome, flagCodes(failed.Flags))
	}
}

// charge.refunded books the refunds it lists (older API versions list
// them) with the ids the refund events use; in 2023-10-16 payloads that
// list none it books nothing.
func TestChargeRefunded(t *testing.T) {
	tr := New(mapping.Default())
	res := runFile(t, tr, "charge_refunded_2018_source.json")
	if got := commandIDs(res); !slices.Equal(got, []string{"refund:re_1ColdRefund0001"}) {
		t.Fatalf("commands %v (only the succeeded refund books)", got)
	}
	if !hasFlagCode(res.Flags, "refund_not_booked", "data.object.refunds.data[0].status") {
		t.Errorf("flags %v", flagCodes(res.Flags))
	}
	memo := one[command.CreateCreditMemo](t, res)
	if memo.Amount != (command.Money{Minor: 2000, Currency: "GBP"}) || memo.OrderRef.StripeObjectID != "ch_1ColdCharge0001" {
		t.Errorf("memo %+v", memo)
	}
	// The old card source tells the payment method.
	if e := enrichedOf(res); e.PaymentMethodType != "card" || e.CardBrand != "amex" || e.PaymentMethodCode != "AMX" {
		t.Errorf("enriched payment method %q %q %q", e.PaymentMethodType, e.CardBrand, e.PaymentMethodCode)
	}

	// The same refund from refund.created (2023-10-16) has the same ids.
	fx := stripefixture.Options{Seq: 9, Livemode: true}
	fromCharge := run(t, tr, stripefixture.MustEvent("charge.refunded", fx))
	fromRefund := run(t, tr, stripefixture.MustEvent("refund.created", fx))
	if a, b := commandIDs(fromCharge), commandIDs(fromRefund); len(a) != 1 || !slices.Equal(a, b) {
		t.Errorf("charge.refunded %v vs refund.created %v", a, b)
	}

	// Without a refunds list nothing is booked from the charge.
	noList := patch(t, stripefixture.MustEvent("charge.refunded", fx), func(ev map[string]any) { delete(obj(ev), "refunds") })
	if res := run(t, tr, noList); res.Outcome != OutcomeNoCommands {
		t.Errorf("charge.refunded without refunds: %s %v", res.Outcome, commandIDs(res))
	}
}

// A refund whose charge is expanded credits the charge's invoice.
func TestRefundOfInvoicedCharge(t *testing.T) {
	raw := patch(t, readTestdata(t, "refund_created_partial_eur.json"), func(ev map[string]any) {
		obj(ev)["charge"] = map[string]any{"id": "ch_3QEurUncapt01aBcDeFgHiJ", "object": "charge", "invoice": "in_1QSomeInvoice01",
			"currency": "eur", "metadata": map[string]any{"revenue_stream": "services"}}
	})
	res := run(t, New(mapping.Default()), raw)
	memo := one[command.CreateCreditMemo](t, res)
	if memo.OrderRef.StripeObjectID != "in_1QSomeInvoice01" {
		t.Errorf("order ref %+v", memo.OrderRef)
	}
	// The charge's metadata reaches the GL rules.
	if rule := enrichedOf(res).GLRule; rule != "services-revenue" {
		t.Errorf("rule %q", rule)
	}
}

// Dispute lost: disputes Dr D, fees Dr F, clearing Cr D+F. Dispute won:
// the reinstatement reverses it, fee returned. Each balance transaction is
// booked once, whichever dispute events list it.
func TestDisputes(t *testing.T) {
	tr := New(mapping.Default())
	usd := func(m int64) command.Money { return command.Money{Minor: m, Currency: "USD"} }
	withdrawal := []command.JournalLine{{Account: "6580", Amount: usd(7500)}, {Account: "6570", Amount: usd(1500)}, {Account: "1580", Amount: usd(-9000)}}
	reinstatement := []command.JournalLine{{Account: "6580", Amount: usd(-7500)}, {Account: "6570", Amount: usd(-1500)}, {Account: "1580", Amount: usd(9000)}}

	for _, f := range []string{"dispute_funds_withdrawn.json", "dispute_closed_lost.json"} {
		res := runFile(t, tr, f)
		j := one[command.PostJournal](t, res)
		if j.CommandID != "journal:txn_1QDisputeWdraw01:dispute" || !sameLines(j.Lines, withdrawal) || j.AccountingDate != "2026-10-26" {
			t.Errorf("%s: journal %+v", f, j)
		}
		if !slices.Equal(j.SourceIDs, []string{"txn_1QDisputeWdraw01", "dp_1QDispute0001", "ch_3QDisputed01aBcDeFgHiJ", "pi_3QDisputed01aBcDeFgHiJ"}) {
			t.Errorf("%s: source ids %v", f, j.SourceIDs)
		}
	}
	won := runFile(t, tr, "dispute_funds_reinstated.json")
	js := commandsOf[command.PostJournal](won)
	if len(js) != 2 || js[0].CommandID != "journal:txn_1QDisputeWdraw01:dispute" || js[1].CommandID != "journal:txn_1QDisputeReins01:dispute" {
		t.Fatalf("won dispute: %v", commandIDs(won))
	}
	if !sameLines(js[1].Lines, reinstatement) || js[1].AccountingDate != "2026-11-25" {
		t.Errorf("reinstatement %+v", js[1])
	}

	// A reinstatement where Stripe keeps its fee: clearing gets the amount
	// only, fees untouched.
	kept := patch(t, readTestdata(t, "dispute_funds_reinstated.json"), func(ev map[string]any) {
		bts := obj(ev)["balance_transactions"].([]any)
		bts[1].(map[string]any)["fee"] = 0
	})
	js = commandsOf[command.PostJournal](run(t, tr, kept))
	if len(js) != 2 || !sameLines(js[1].Lines, []command.JournalLine{{Account: "6580", Amount: usd(-7500)}, {Account: "1580", Amount: usd(7500)}}) {
		t.Errorf("fee kept: %+v", js)
	}

	// A dispute listing no balance transaction yet books nothing.
	none := patch(t, readTestdata(t, "dispute_funds_withdrawn.json"), func(ev map[string]any) {
		obj(ev)["balance_transactions"] = []any{}
		ev["type"] = "charge.dispute.created"
	})
	if res := run(t, tr, none); res.Outcome != OutcomeNoCommands {
		t.Errorf("no transactions: %v", commandIDs(res))
	}
}

// Balance transactions in another currency than the dispute book in
// theirs, with the same rule for the sign of every line.
func TestDisputeInSettlementCurrency(t *testing.T) {
	raw := patch(t, readTestdata(t, "dispute_funds_withdrawn.json"), func(ev map[string]any) {
		bt := obj(ev)["balance_transactions"].([]any)[0].(map[string]any)
		bt["currency"], bt["amount"], bt["fee"] = "jpy", -1100, 2200
	})
	j := one[command.PostJournal](t, run(t, New(mapping.Default()), raw))
	jpy := func(m int64) command.Money { return command.Money{Minor: m, Currency: "JPY"} }
	if !sameLines(j.Lines, []command.JournalLine{{Account: "6580", Amount: jpy(1100)}, {Account: "6570", Amount: jpy(2200)}, {Account: "1580", Amount: jpy(-3300)}}) {
		t.Errorf("lines %+v", j.Lines)
	}
}
