package transform

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

func TestCustomerEvents(t *testing.T) {
	tr := New(mapping.Default())
	res := runFile(t, tr, "customer_updated_xref.json")
	c := one[command.UpsertCustomer](t, res)
	if c.CommandID != "customer:cus_PxrefCustomer1" || c.ERPCustomerID != "100457" || c.Version != 1795608000 ||
		c.Email != "accounts@harrington-fabrication.example.co.uk" || c.Phone != "+441908000000" {
		t.Errorf("customer %+v", c)
	}
	// Fitted into M3's lengths by the mapping: the long name is cut and
	// flagged, the long street spills onto the second line, the country is
	// upper-cased.
	if len([]rune(c.Name)) != 36 || !strings.HasPrefix(c.Name, "Harrington Precision") || c.Address.Country != "GB" ||
		c.Address.Line2 == "" || c.Address.City != "Milton Keynes" {
		t.Errorf("normalized %+v", c)
	}
	if !hasFlagCode(c.Meta.Flags, "truncated", "name") {
		t.Errorf("flags %v", flagCodes(c.Meta.Flags))
	}
	if e := enrichedOf(res); e.CustomerID != "cus_PxrefCustomer1" || e.ObjectType != "customer" || e.Metadata["erp_customer_id"] != "100457" {
		t.Errorf("enriched %+v", e)
	}

	created := run(t, tr, stripefixture.MustEvent("customer.created", stripefixture.Options{Seq: 5, Livemode: true}))
	if c := one[command.UpsertCustomer](t, created); c.ERPCustomerID != "" || c.Name == "" || c.Address.Line1 == "" {
		t.Errorf("created %+v", c)
	}
	deleted := patch(t, stripefixture.MustEvent("customer.created", stripefixture.Options{Seq: 5, Livemode: true}), func(ev map[string]any) {
		ev["type"] = "customer.deleted"
	})
	if res := run(t, tr, deleted); res.Outcome != OutcomeNoCommands {
		t.Errorf("customer.deleted: %s %v", res.Outcome, commandIDs(res))
	}
	// A subscription's money is its invoices'.
	if res := runFile(t, tr, "customer_subscription_updated.json"); res.Outcome != OutcomeNoCommands || enrichedOf(res).SubscriptionID != "sub_1QAnnualSub001" {
		t.Errorf("subscription: %s", res.Outcome)
	}
}

func TestPayouts(t *testing.T) {
	tr := New(mapping.Default())
	paid := one[command.ReconcilePayout](t, runFile(t, tr, "payout_paid_huf.json"))
	if paid.CommandID != "payout:po_1QHufPayout0001" || paid.Status != "paid" || paid.ArrivalDate != "2026-11-25" ||
		paid.Amount != (command.Money{Minor: 12500000, Currency: "HUF"}) || command.Decimal(paid.Amount) != "125000.00" {
		t.Errorf("paid %+v", paid)
	}
	// The payout's journal posts to the mapping's accounts; the sink has no
	// mapping, so the command carries them.
	if want := (command.PayoutAccounts{Bank: "1930", Clearing: "1580", Fees: "6570", FX: "7960"}); paid.Accounts != want {
		t.Errorf("accounts %+v, want %+v", paid.Accounts, want)
	}
	res := runFile(t, tr, "payout_failed_usd.json")
	failed := one[command.ReconcilePayout](t, res)
	if failed.CommandID != "payout:po_1QUsdPayout0001:failed" || failed.Status != "failed" || failed.Amount.Minor != 250075 || failed.Accounts.Bank != "1930" {
		t.Errorf("failed %+v", failed)
	}
	if e := enrichedOf(res); e.FailureCode != "account_closed" || e.FailureMessage == "" {
		t.Errorf("enriched failure %q", e.FailureCode)
	}
	e := transformErr(t, tr, readTestdata(t, "payout_paid_twd_fraction.json"))
	if e.Class != ClassValidation || e.Code != mapping.RulePayoutWholeUnits || e.Field != "data.object.amount" {
		t.Errorf("TWD payout with a fraction: %+v", e)
	}
}

// Test mode: sandbox makes the commands with livemode false; drop makes
// none, and the enriched event is still written.
func TestTestMode(t *testing.T) {
	raw := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 11})
	res := run(t, New(mapping.Default()), raw) // sandbox
	if res.Outcome != OutcomeMapped || len(commandIDs(res)) != 3 {
		t.Fatalf("sandbox: %s %v", res.Outcome, commandIDs(res))
	}
	for _, c := range commandsOf[command.Command](res) {
		if c.Metadata().Livemode {
			t.Errorf("%s: livemode true for a test event", c.ID())
		}
	}
	strict := New(loadMapping(t, "mapping_strict.yaml")) // drop
	res = run(t, strict, raw)
	if res.Outcome != OutcomeTestModeDropped || len(res.Outputs) != 1 || enrichedOf(res).Livemode {
		t.Errorf("drop: %s, %d outputs", res.Outcome, len(res.Outputs))
	}
	// A test event of a type the mapping would dead-letter is dropped
	// before that: test mode comes first.
	unknownTest := patch(t, readTestdata(t, "issuing_card_created.json"), func(ev map[string]any) { ev["livemode"] = false })
	if res := run(t, strict, unknownTest); res.Outcome != OutcomeTestModeDropped {
		t.Errorf("unknown test-mode event under drop: %s", res.Outcome)
	}
	// Live events are not affected by test_mode.
	if res := run(t, strict, stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 11, Livemode: true})); res.Outcome != OutcomeMapped {
		t.Errorf("live event under drop: %s", res.Outcome)
	}
}

func TestUnknownTypes(t *testing.T) {
	raw := readTestdata(t, "issuing_card_created.json")
	res := run(t, New(mapping.Default()), raw) // skip
	if res.Outcome != OutcomeUnknownType || enrichedOf(res).ObjectID != "ic_1QIssuingCard01" {
		t.Errorf("skip: %s", res.Outcome)
	}
	cfg, err := mapping.Parse([]byte(strings.Replace(string(mapping.DefaultYAML), "unknown_events: skip", "unknown_events: dlq", 1)), "dlq.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e := transformErr(t, New(cfg), raw)
	if e.Class != ClassValidation || e.Code != "unknown_event_type" || e.Field != "type" {
		t.Errorf("dlq: %+v", e)
	}
	// Known types that make no commands are not unknown.
	for _, typ := range []string{"balance.available", "customer.subscription.updated", "invoice.voided", "payment_intent.canceled", "payout.created"} {
		raw := patch(t, stripefixture.MustEvent("balance.available", stripefixture.Options{Seq: 1, Livemode: true}), func(ev map[string]any) { ev["type"] = typ })
		if res := run(t, New(cfg), raw); res.Outcome != OutcomeNoCommands {
			t.Errorf("%s: %s", typ, res.Outcome)
		}
	}
}

// Records that are not Stripe events are decode errors; a field of an
// impossible type in an event that makes commands is one too, while an
// event that makes none keeps its enriched event with the field left out.
func TestDecodeErrors(t *testing.T) {
	tr := New(mapping.Default())
	for _, tc := range []struct {
		name, body, code, field string
	}{
		{"not JSON", string(readTestdata(t, "not_json.txt")), "invalid_json", ""},
		{"empty", "", "invalid_json", ""},
		{"truncated", `{"id":"evt_1","type":"charge.succeeded","data":{"object":{"id":"ch_1"`, "invalid_json", ""},
		{"array", `[1,2]`, "not_an_event", "id"},
		{"no id", `{"type":"charge.succeeded","data":{"object":{}}}`, "not_an_event", "id"},
		{"no type", `{"id":"evt_1","data":{"object":{}}}`, "not_an_event", "type"},
		{"no data.object", `{"id":"evt_1","type":"charge.succeeded","data":{}}`, "not_an_event", "data.object"},
		{"data.object a string", `{"id":"evt_1","type":"charge.succeeded","data":{"object":"ch_1"}}`, "not_an_event", "data.object"},
		{"not an event object", `{"id":"ch_1","object":"charge","type":"x","data":{"object":{}}}`, "not_an_event", "object"},
		{"id a number", `{"id":5,"type":"charge.succeeded","data":{"object":{}}}`, "not_an_event", "id"},
		{"livemode a string", `{"id":"evt_1","type":"charge.succeeded","livemode":"yes","data":{"object":{"id":"ch_1"}}}`, "invalid_field_type", "livemode"},
		{"metadata a list", strings.Replace(string(readTestdata(t, "charge_succeeded_guest_jpy.json")), `"metadata": {`, `"metadata": [], "x": {`, 1),
			"invalid_field_type", "data.object.metadata"},
		{"lines a string", strings.Replace(string(readTestdata(t, "invoice_paid_annual.json")), `"lines": {`, `"lines": "in_lines", "x": {`, 1),
			"invalid_field_type", "data.object.lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := transformErr(t, tr, []byte(tc.body))
			if e.Class != ClassDecode || e.Code != tc.code || e.Field != tc.field || e.Message == "" {
				t.Errorf("error %+v, want decode %s at %q", e, tc.code, tc.field)
			}
		})
	}
	// An irrelevant event's odd field is left out of its enriched event.
	raw := strings.Replace(string(readTestdata(t, "customer_subscription_updated.json")), `"metadata": {`, `"metadata": 7, "x": {`, 1)
	res := run(t, tr, []byte(raw))
	if !hasFlagCode(res.Flags, "ignored_field", "data.object.metadata") || len(enrichedOf(res).Metadata) != 0 {
		t.Errorf("flags %v", flagCodes(res.Flags))
	}
}

// Expanded references (customer, balance transaction, invoice, payment
// intent) are read as well as plain ids.
func TestExpandedReferences(t *testing.T) {
	raw := patch(t, readTestdata(t, "charge_succeeded_guest_jpy.json"), func(ev map[string]any) {
		o := obj(ev)
		o["balance_transaction"] = map[string]any{"id": "txn_expanded01", "object": "balance_transaction", "amount": 1500, "fee": 45, "currency": "jpy"}
		o["payment_intent"] = map[string]any{"id": "pi_expanded01", "object": "payment_intent", "amount": 1500}
		o["invoice"] = map[string]any{"id": "in_expanded01", "object": "invoice", "subscription": "sub_x"}
		o["customer"] = map[string]any{"id": "cus_expanded01", "object": "customer", "name": "Sato Haruto", "metadata": map[string]any{"erp_customer_id": "JP-9"}}
	})
	res := run(t, New(mapping.Default()), raw)
	pay := one[command.ApplyPayment](t, res)
	if pay.BalanceTransactionID != "txn_expanded01" || pay.OrderRef.StripeObjectID != "in_expanded01" ||
		!slices.Equal(pay.Meta.StripeObjectIDs, []string{"ch_3QGuestJPY0001aBcDeFgHiJ", "pi_expanded01", "in_expanded01", "cus_expanded01"}) {
		t.Errorf("payment %+v", pay)
	}
	if c := one[command.UpsertCustomer](t, res); c.ERPCustomerID != "JP-9" || c.Name != "Haruto Sato" {
		t.Errorf("customer %+v (billing name wins, the ERP id comes from the customer)", c)
	}
}

// Every fixture event type, in several currencies, modes and API versions,
// transforms without error into a result that holds the contract.
func TestFixtureEvents(t *testing.T) {
	tr := New(mapping.Default())
	for i, typ := range stripefixture.Types() {
		for j, o := range []stripefixture.Options{
			{Seq: int64(i), Livemode: true},
			{Seq: int64(50 + i), Currency: "jpy", Guest: true, Account: "acct_1NfixtureAcct01"},
			{Seq: int64(90 + i), Currency: "eur", APIVersion: "2019-12-03", Livemode: true},
			{Seq: int64(130 + i), Currency: "gbp"},
		} {
			t.Run(fmt.Sprintf("%s/%d", typ, j), func(t *testing.T) {
				res := run(t, tr, stripefixture.MustEvent(typ, o))
				if res.Outcome == OutcomeUnknownType {
					t.Errorf("%s is a known type", typ)
				}
			})
		}
	}
}

// Transform is pure: the same record gives the same result, from any
// number of goroutines at once.
func TestConcurrentAndDeterministic(t *testing.T) {
	tr := New(mapping.Default())
	var inputs [][]byte
	for _, f := range []string{"charge_succeeded_kwd_connect.json", "invoice_paid_annual.json", "dispute_funds_reinstated.json",
		"charge_refunded_2018_source.json", "invoice_payment_failed_dunning.json", "customer_updated_xref.json"} {
		inputs = append(inputs, readTestdata(t, f))
	}
	want := make([]Result, len(inputs))
	for i, raw := range inputs {
		want[i] = run(t, tr, raw)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 50; n++ {
				i := (g + n) % len(inputs)
				got, err := tr.Transform(inputs[i], receivedAt)
				if err != nil || !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Errorf("input %d differs on a concurrent run (err %v)", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The received-at header is optional.
func TestReceivedAtOptional(t *testing.T) {
	res, err := New(nil).Transform(readTestdata(t, "payout_paid_huf.json"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if e := enrichedOf(res); !e.ReceivedAt.IsZero() {
		t.Errorf("received at %v", e.ReceivedAt)
	}
	var te *Error
	if _, err := New(nil).Transform(nil, time.Time{}); !errors.As(err, &te) || te.Code != "invalid_json" {
		t.Errorf("nil body: %v", err)
	}
}
