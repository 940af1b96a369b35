package transform

import (
	"slices"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// Amounts stay Stripe's minor units and their decimals are exact, for zero-,
// two- and three-decimal currencies and Stripe's ISK special case.
func TestChargeAmountsPerCurrency(t *testing.T) {
	tr := New(mapping.Default())
	for _, tc := range []struct {
		file     string
		minor    int64
		currency string
		decimal  string
	}{
		{"charge_succeeded_guest_jpy.json", 1500, "JPY", "1500"},
		{"charge_succeeded_kwd_connect.json", 12345, "KWD", "12.345"},
		{"charge_succeeded_isk.json", 500000, "ISK", "5000"},
		{"charge_captured_eur.json", 4999, "EUR", "49.99"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res := runFile(t, tr, tc.file)
			want := command.Money{Minor: tc.minor, Currency: tc.currency}
			pay := one[command.ApplyPayment](t, res)
			if pay.Amount != want || command.Decimal(pay.Amount) != tc.decimal {
				t.Errorf("payment %v = %q, want %v = %q", pay.Amount, command.Decimal(pay.Amount), want, tc.decimal)
			}
			order := one[command.CreateSalesOrder](t, res)
			if order.Currency != tc.currency || len(order.Lines) != 1 || order.Lines[0].UnitPrice != want || order.Lines[0].Quantity != 1 {
				t.Errorf("order %+v", order)
			}
			e := enrichedOf(res)
			if e.Amount == nil || *e.Amount != tc.minor || e.AmountDecimal != tc.decimal || e.Currency != tc.currency ||
				int(e.CurrencyExponent) != command.Exponent(tc.currency) {
				t.Errorf("enriched amount %v %q %s exp %d", e.Amount, e.AmountDecimal, e.Currency, e.CurrencyExponent)
			}
		})
	}
}

func TestChargeSucceededGuest(t *testing.T) {
	res := runFile(t, New(mapping.Default()), "charge_succeeded_guest_jpy.json")
	if got := commandIDs(res); !slices.Equal(got, []string{"order:ch_3QGuestJPY0001aBcDeFgHiJ", "payment:ch_3QGuestJPY0001aBcDeFgHiJ"}) {
		t.Fatalf("commands %v (a guest has no UpsertCustomer)", got)
	}
	order := one[command.CreateSalesOrder](t, res)
	if order.CustomerRef != (command.CustomerRef{}) {
		t.Errorf("guest order customer %+v, want the default (empty) ref", order.CustomerRef)
	}
	if !hasFlagCode(order.Meta.Flags, "customer_default", "") {
		t.Errorf("order flags %v lack customer_default", flagCodes(order.Meta.Flags))
	}
	if order.Lines[0].Item != "STRIPE-CHARGE" || order.Lines[0].Description != "Tea set, 1 pc" || order.PaymentMethod != "CC" ||
		order.OrderType != "WEB" || order.PaymentTerms != "0" || order.OrderDate != "2026-11-25" {
		t.Errorf("order %+v", order)
	}
	pay := one[command.ApplyPayment](t, res)
	if pay.OrderRef.StripeObjectID != "ch_3QGuestJPY0001aBcDeFgHiJ" || pay.BalanceTransactionID != "txn_3QGuestJPY0001aBcDeFgHiJ" ||
		pay.PaymentDate != "2026-11-25" || pay.PaymentMethod != "CC" {
		t.Errorf("payment %+v", pay)
	}
	if got := pay.Meta.StripeObjectIDs; !slices.Equal(got, []string{"ch_3QGuestJPY0001aBcDeFgHiJ", "pi_3QGuestJPY0001aBcDeFgHiJ"}) {
		t.Errorf("payment object ids %v", got)
	}
	if e := enrichedOf(res); e.CustomerID != "" || e.PaymentMethodType != "card" || e.CardBrand != "jcb" || e.PaymentMethodCode != "CC" ||
		e.ChargeID != "ch_3QGuestJPY0001aBcDeFgHiJ" || e.GLRule != "default" || e.Metadata["order_id"] != "WEB-88121" {
		t.Errorf("enriched %+v", e)
	}
}

// A Connect charge carries the account; the ERP customer number comes from
// the (expanded) customer's metadata.
func TestChargeSucceededConnectWithXref(t *testing.T) {
	res := runFile(t, New(mapping.Default()), "charge_succeeded_kwd_connect.json")
	cus := one[command.UpsertCustomer](t, res)
	if cus.CommandID != "customer:cus_PkwdCustomer01" || cus.ERPCustomerID != "C100234" || cus.Name != "Fatima Al-Sabah" ||
		cus.Phone != "+96522200000" || cus.Email != "f.alsabah@example.com.kw" || cus.Address.Country != "KW" {
		t.Errorf("customer %+v", cus)
	}
	if cus.Meta.StripeAccount != "acct_1NkwdMerchant01" {
		t.Errorf("account %q", cus.Meta.StripeAccount)
	}
	order := one[command.CreateSalesOrder](t, res)
	if order.CustomerRef != (command.CustomerRef{StripeCustomerID: "cus_PkwdCustomer01", ERPCustomerID: "C100234"}) {
		t.Errorf("order customer %+v", order.CustomerRef)
	}
	if hasFlagCode(res.Flags, "customer_default", "") {
		t.Error("customer_default on a charge with a customer")
	}
	if e := enrichedOf(res); e.Account != "acct_1NkwdMerchant01" || e.CustomerID != "cus_PkwdCustomer01" {
		t.Errorf("enriched account %q customer %q", e.Account, e.CustomerID)
	}
}

// An authorization makes its order but no payment; the capture books the
// payment under the command id the succeeded event would have used, and
// repeats the order (same id, applied once).
func TestUncapturedThenCaptured(t *testing.T) {
	tr := New(mapping.Default())
	auth := runFile(t, tr, "charge_succeeded_eur_uncaptured.json")
	if got := commandIDs(auth); !slices.Equal(got, []string{"customer:cus_PeurCustomer01", "order:ch_3QEurUncapt01aBcDeFgHiJ"}) {
		t.Fatalf("authorization made %v", got)
	}
	if !hasFlagCode(auth.Flags, "uncaptured", "data.object.captured") {
		t.Errorf("flags %v", flagCodes(auth.Flags))
	}
	capt := runFile(t, tr, "charge_captured_eur.json")
	if got := commandIDs(capt); !slices.Equal(got, []string{"customer:cus_PeurCustomer01", "order:ch_3QEurUncapt01aBcDeFgHiJ", "payment:ch_3QEurUncapt01aBcDeFgHiJ"}) {
		t.Fatalf("capture made %v", got)
	}
	if a, b := one[command.CreateSalesOrder](t, auth), one[command.CreateSalesOrder](t, capt); !slices.Equal(a.Lines, b.Lines) {
		t.Errorf("the two events describe the order differently: %+v vs %+v", a.Lines, b.Lines)
	}
	// The customer's address has a second line; it is kept.
	if c := one[command.UpsertCustomer](t, capt); c.Address.Line2 != "3. OG" || c.Address.Line1 != "Friedrichstraße 43" {
		t.Errorf("address %+v", c.Address)
	}
}

// A charge of an invoice pays the invoice's order and makes none itself.
func TestChargeOfInvoice(t *testing.T) {
	res := runFile(t, New(mapping.Default()), "charge_succeeded_invoice.json")
	if len(commandsOf[command.CreateSalesOrder](res)) != 0 {
		t.Error("a charge of an invoice made an order")
	}
	pay := one[command.ApplyPayment](t, res)
	if pay.OrderRef.StripeObjectID != "in_1QAnnual00001aBcDeFgHiJ" || pay.StripeChargeID != "ch_3QInvoiced01aBcDeFgHiJ" ||
		pay.PaymentMethod != "AMX" || pay.Amount != (command.Money{Minor: 119988, Currency: "USD"}) {
		t.Errorf("payment %+v", pay)
	}
	if !slices.Contains(pay.Meta.StripeObjectIDs, "in_1QAnnual00001aBcDeFgHiJ") {
		t.Errorf("object ids %v", pay.Meta.StripeObjectIDs)
	}
}

// One payment is booked once: the charge, its payment intent and the
// invoice it paid together make exactly one ApplyPayment.
func TestOnePaymentBookedOnce(t *testing.T) {
	tr := New(mapping.Default())
	var pays []command.ApplyPayment
	for _, f := range []string{"charge_succeeded_invoice.json", "payment_intent_succeeded_invoice.json", "invoice_paid_annual.json"} {
		pays = append(pays, commandsOf[command.ApplyPayment](runFile(t, tr, f))...)
	}
	if len(pays) != 1 {
		t.Fatalf("%d ApplyPayment commands for one payment", len(pays))
	}
	// And seen twice (Stripe retries a delivery) it keeps its id.
	again := one[command.ApplyPayment](t, runFile(t, tr, "charge_succeeded_invoice.json"))
	if again.CommandID != pays[0].CommandID {
		t.Errorf("ids %s vs %s", again.CommandID, pays[0].CommandID)
	}
}

func TestPaymentIntentMakesNoCommands(t *testing.T) {
	tr := New(mapping.Default())
	for _, typ := range []string{"payment_intent.succeeded", "payment_intent.payment_failed"} {
		res := run(t, tr, stripefixture.MustEvent(typ, stripefixture.Options{Seq: 7, Livemode: true}))
		if res.Outcome != OutcomeNoCommands || len(res.Outputs) != 1 {
			t.Errorf("%s: outcome %s, %d outputs", typ, res.Outcome, len(res.Outputs))
		}
		if e := enrichedOf(res); e.PaymentIntentID == "" || e.Amount == nil || e.ChargeID == "" {
			t.Errorf("%s: enriched %+v", typ, e)
		}
	}
}

func TestChargeFailed(t *testing.T) {
	tr := New(mapping.Default())
	res := runFile(t, tr, "charge_failed_invoice.json")
	st := one[command.ChangeOrderStatus](t, res)
	if st.CommandID != "order-status:in_1QDunning0001aBcDeFgHiJ:payment_failed" || st.Status != "payment_failed" ||
		st.Reason != "Your card has insufficient funds." {
		t.Errorf("status %+v", st)
	}
	notes := notificationsOf(res)
	if len(notes) != 1 {
		t.Fatalf("%d notifications", len(notes))
	}
	n := notes[0]
	if n.NotificationID != "notification:ch_3QDunningFail1aBcDeFgHiJ:payment_failed" || n.Kind != "payment_failed" ||
		n.Email != "jean.dupont@example.fr" || n.Name != "Jean Dupont" || n.StripeCustomerID != "cus_PdunningCust1" ||
		n.Amount != (command.Money{Minor: 4000, Currency: "EUR"}) || n.Reason != "Your card has insufficient funds." || n.NextAttemptAt != nil {
		t.Errorf("notification %+v", n)
	}
	if e := enrichedOf(res); e.FailureCode != "card_declined" || e.InvoiceID != "in_1QDunning0001aBcDeFgHiJ" {
		t.Errorf("enriched failure %q invoice %q", e.FailureCode, e.InvoiceID)
	}

	// A one-off guest charge that failed, with nobody to tell: nothing.
	res = runFile(t, tr, "charge_failed_guest_anonymous.json")
	if res.Outcome != OutcomeNoCommands || len(res.Outputs) != 1 {
		t.Errorf("anonymous failure: outcome %s, %d outputs", res.Outcome, len(res.Outputs))
	}
	// A one-off charge that failed has no order to hold, but a receipt
	// e-mail is someone to tell.
	res = run(t, tr, stripefixture.MustEvent("charge.failed", stripefixture.Options{Seq: 3, Guest: true, Livemode: true}))
	if len(commandIDs(res)) != 0 || len(notificationsOf(res)) != 1 || res.Outcome != OutcomeMapped {
		t.Errorf("guest failure with e-mail: commands %v, %d notifications", commandIDs(res), len(notificationsOf(res)))
	}
}

// An uncaptured authorization that expires cancels its one-off order.
func TestChargeExpired(t *testing.T) {
	raw := patch(t, readTestdata(t, "charge_succeeded_eur_uncaptured.json"), func(ev map[string]any) {
		ev["type"] = "charge.expired"
		obj(ev)["status"] = "failed"
	})
	res := run(t, New(mapping.Default()), raw)
	st := one[command.ChangeOrderStatus](t, res)
	if st.CommandID != "order-status:ch_3QEurUncapt01aBcDeFgHiJ:canceled" || st.Status != "canceled" {
		t.Errorf("status %+v", st)
	}
}

// A string amount that is a whole number is read and flagged on every
// command that used it; one that is not is a validation error naming the
// field, and so is a currency rule broken.
func TestAmountCoercion(t *testing.T) {
	tr := New(mapping.Default())
	res := runFile(t, tr, "charge_succeeded_amount_string.json")
	order, pay := one[command.CreateSalesOrder](t, res), one[command.ApplyPayment](t, res)
	if order.Lines[0].UnitPrice.Minor != 2000 || pay.Amount.Minor != 2000 {
		t.Errorf("amounts %v %v", order.Lines[0].UnitPrice, pay.Amount)
	}
	for _, m := range []command.Meta{order.Meta, pay.Meta} {
		if !hasFlagCode(m.Flags, "coerced", "data.object.amount") {
			t.Errorf("%s flags %v", m.StripeEventType, flagCodes(m.Flags))
		}
	}
	if !hasFlagCode(pay.Meta.Flags, "coerced", "data.object.amount_captured") {
		t.Errorf("payment flags %v", flagCodes(pay.Meta.Flags))
	}
	if hasFlagCode(one[command.UpsertCustomer](t, res).Meta.Flags, "coerced", "") {
		t.Error("the customer command used no amount but carries its flag")
	}
	if e := enrichedOf(res); e.Amount == nil || *e.Amount != 2000 || !hasFlagCode(e.Flags, "coerced", "data.object.amount") {
		t.Errorf("enriched %v %v", e.Amount, flagCodes(e.Flags))
	}

	for _, tc := range []struct {
		name string
		raw  []byte
		code string
		path string
	}{
		{"fraction string", readTestdata(t, "charge_succeeded_amount_fraction.json"), "amount_not_integer", "data.object.amount"},
		{"float", patch(t, readTestdata(t, "charge_succeeded_guest_jpy.json"), func(ev map[string]any) { obj(ev)["amount"] = 1.5 }),
			"amount_not_integer", "data.object.amount"},
		{"word", patch(t, readTestdata(t, "charge_succeeded_guest_jpy.json"), func(ev map[string]any) { obj(ev)["amount"] = "abc" }),
			"amount_not_integer", "data.object.amount"},
		{"beyond int64", []byte(replaceOnce(t, string(readTestdata(t, "charge_succeeded_guest_jpy.json")), `"amount": 1500,`, `"amount": 92233720368547758070,`)),
			"amount_not_integer", "data.object.amount"},
		{"beyond any amount", patch(t, readTestdata(t, "charge_succeeded_guest_jpy.json"), func(ev map[string]any) { obj(ev)["amount"] = 1e17 }),
			"amount_out_of_range", "data.object.amount"},
		{"unknown currency", patch(t, readTestdata(t, "charge_succeeded_guest_jpy.json"), func(ev map[string]any) { obj(ev)["currency"] = "xyz" }),
			mapping.RuleUnknownCurrency, "data.object.amount"},
		{"no currency", patch(t, readTestdata(t, "charge_succeeded_guest_jpy.json"), func(ev map[string]any) { obj(ev)["currency"] = nil }),
			"missing_currency", "data.object.currency"},
		{"ISK with cents", readTestdata(t, "charge_succeeded_isk_cents.json"), mapping.RuleZeroDecimalFraction, "data.object.amount"},
		{"no amount", patch(t, readTestdata(t, "charge_succeeded_guest_jpy.json"), func(ev map[string]any) { delete(obj(ev), "amount") }),
			"missing_field", "data.object.amount"},
		{"no id", patch(t, readTestdata(t, "charge_succeeded_guest_jpy.json"), func(ev map[string]any) { delete(obj(ev), "id") }),
			"missing_field", "data.object.id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := transformErr(t, tr, tc.raw)
			if e.Class != ClassValidation || e.Code != tc.code || e.Field != tc.path || e.Message == "" {
				t.Errorf("error %+v, want validation %s at %s", e, tc.code, tc.path)
			}
		})
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%q not in payload", old)
	}
	return strings.Replace(s, old, new, 1)
}
