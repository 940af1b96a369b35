package stripefixture

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// family is the data.object.object each event type must carry.
var family = map[string]string{
	"balance.available":             "balance",
	"charge.captured":               "charge",
	"charge.dispute.closed":         "dispute",
	"charge.dispute.created":        "dispute",
	"charge.failed":                 "charge",
	"charge.refunded":               "charge",
	"charge.succeeded":              "charge",
	"customer.created":              "customer",
	"customer.updated":              "customer",
	"invoice.paid":                  "invoice",
	"invoice.payment_failed":        "invoice",
	"invoice.payment_succeeded":     "invoice",
	"payment_intent.payment_failed": "payment_intent",
	"payment_intent.succeeded":      "payment_intent",
	"payout.failed":                 "payout",
	"payout.paid":                   "payout",
	"refund.created":                "refund",
}

var required = []string{
	"charge.succeeded", "charge.failed", "charge.refunded", "refund.created",
	"charge.dispute.created", "customer.created", "customer.updated",
	"payment_intent.succeeded", "invoice.paid", "payout.paid", "balance.available",
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	if !json.Valid(b) {
		t.Fatalf("invalid JSON:\n%s", b)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func dataObject(t *testing.T, ev map[string]any) map[string]any {
	t.Helper()
	data, ok := ev["data"].(map[string]any)
	if !ok {
		t.Fatalf("no data object")
	}
	o, ok := data["object"].(map[string]any)
	if !ok {
		t.Fatalf("no data.object")
	}
	return o
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("not a number: %#v", v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return i
}

var (
	longID  = regexp.MustCompile(`^[a-z]+_[0-9A-Za-z]{24}$`)
	shortID = regexp.MustCompile(`^[a-z]+_[0-9A-Za-z]{14}$`)
)

func TestTypes(t *testing.T) {
	types := Types()
	if !sort.StringsAreSorted(types) {
		t.Errorf("Types() not sorted: %v", types)
	}
	have := map[string]bool{}
	for _, ty := range types {
		have[ty] = true
		if _, ok := family[ty]; !ok {
			t.Errorf("type %s has no family in the test table", ty)
		}
	}
	for _, ty := range required {
		if !have[ty] {
			t.Errorf("required type %s missing", ty)
		}
	}
	if _, err := Event("charge.teleported", Options{}); err == nil {
		t.Error("unsupported type: want error")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustEvent: want panic for unsupported type")
		}
	}()
	MustEvent("nope", Options{})
}

func TestEnvelope(t *testing.T) {
	for _, ty := range Types() {
		for _, o := range []Options{{}, {Seq: 7, Livemode: true}, {Seq: 123456789, Currency: "EUR", Amount: 99}} {
			b, err := Event(ty, o)
			if err != nil {
				t.Fatalf("%s: %v", ty, err)
			}
			ev := decode(t, b)
			if ev["object"] != "event" {
				t.Errorf("%s: object = %v", ty, ev["object"])
			}
			id, _ := ev["id"].(string)
			if !strings.HasPrefix(id, "evt_") || !longID.MatchString(id) {
				t.Errorf("%s: id = %q", ty, id)
			}
			if ev["type"] != ty {
				t.Errorf("%s: type = %v", ty, ev["type"])
			}
			if ev["api_version"] != "2023-10-16" {
				t.Errorf("%s: api_version = %v", ty, ev["api_version"])
			}
			if ev["livemode"] != o.Livemode {
				t.Errorf("%s: livemode = %v", ty, ev["livemode"])
			}
			if num(t, ev["pending_webhooks"]) != 1 {
				t.Errorf("%s: pending_webhooks = %v", ty, ev["pending_webhooks"])
			}
			if _, ok := ev["created"].(json.Number); !ok {
				t.Errorf("%s: created = %v", ty, ev["created"])
			}
			req, ok := ev["request"].(map[string]any)
			if !ok {
				t.Fatalf("%s: request = %v", ty, ev["request"])
			}
			if _, ok := req["id"]; !ok {
				t.Errorf("%s: request.id missing", ty)
			}
			if _, ok := req["idempotency_key"]; !ok {
				t.Errorf("%s: request.idempotency_key missing", ty)
			}
			if rid, ok := req["id"].(string); ok && (!strings.HasPrefix(rid, "req_") || !shortID.MatchString(rid)) {
				t.Errorf("%s: request.id = %q", ty, rid)
			}
			if _, ok := ev["account"]; ok {
				t.Errorf("%s: account present without Options.Account", ty)
			}
			obj := dataObject(t, ev)
			if obj["object"] != family[ty] {
				t.Errorf("%s: data.object.object = %v, want %s", ty, obj["object"], family[ty])
			}
			// Stripe's refund object has no livemode field.
			if lm, ok := obj["livemode"]; (ok || family[ty] != "refund") && lm != o.Livemode {
				t.Errorf("%s: data.object.livemode = %v", ty, obj["livemode"])
			}
			if family[ty] == "balance" {
				if _, ok := obj["id"]; ok {
					t.Errorf("%s: balance object must not have an id", ty)
				}
			} else if oid, _ := obj["id"].(string); !longID.MatchString(oid) && !shortID.MatchString(oid) {
				t.Errorf("%s: data.object.id = %q", ty, oid)
			}
			// Key order as Stripe writes it: id, object, then the rest.
			if !bytes.HasPrefix(b, []byte("{\n  \"id\": \"evt_")) {
				t.Errorf("%s: body does not start with the id: %.40q", ty, b)
			}
		}
	}
}

func TestDeterministicAndDistinct(t *testing.T) {
	for _, ty := range Types() {
		seen := map[string]int64{}
		objIDs := map[string]int64{}
		for seq := int64(0); seq < 300; seq++ {
			o := Options{Seq: seq}
			a, b := MustEvent(ty, o), MustEvent(ty, o)
			if !bytes.Equal(a, b) {
				t.Fatalf("%s seq %d: output differs between calls", ty, seq)
			}
			ev := decode(t, a)
			id := ev["id"].(string)
			if prev, dup := seen[id]; dup {
				t.Fatalf("%s: seq %d and %d share event id %s", ty, prev, seq, id)
			}
			seen[id] = seq
			if oid, ok := dataObject(t, ev)["id"].(string); ok {
				if prev, dup := objIDs[oid]; dup {
					t.Fatalf("%s: seq %d and %d share object id %s", ty, prev, seq, oid)
				}
				objIDs[oid] = seq
			}
		}
		// Same Seq with a fixed Created still gives distinct ids.
		fixed := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
		x := decode(t, MustEvent(ty, Options{Seq: 1, Created: fixed}))["id"]
		y := decode(t, MustEvent(ty, Options{Seq: 2, Created: fixed}))["id"]
		if x == y {
			t.Errorf("%s: same event id for Seq 1 and 2 with fixed Created", ty)
		}
	}
	// Different types with the same Seq must not share event ids.
	ids := map[string]string{}
	for _, ty := range Types() {
		id := decode(t, MustEvent(ty, Options{Seq: 5}))["id"].(string)
		if other, dup := ids[id]; dup {
			t.Errorf("%s and %s share event id %s", ty, other, id)
		}
		ids[id] = ty
	}
}

func TestIDsAllPrefixesVary(t *testing.T) {
	re := regexp.MustCompile(`"((?:evt|ch|cus|pi|pm|txn|re|po|in|dp|req|il|sub|price)_[0-9A-Za-z]+)"`)
	collect := func(seq int64) map[string]bool {
		m := map[string]bool{}
		for _, ty := range Types() {
			for _, s := range re.FindAllSubmatch(MustEvent(ty, Options{Seq: seq}), -1) {
				m[string(s[1])] = true
			}
		}
		return m
	}
	a, b := collect(10), collect(11)
	prefixes := map[string]bool{}
	for id := range a {
		prefixes[id[:strings.IndexByte(id, '_')]] = true
		if b[id] {
			t.Errorf("id %s appears for both Seq 10 and 11", id)
		}
		if !longID.MatchString(id) && !shortID.MatchString(id) {
			t.Errorf("id %s does not look like a Stripe id", id)
		}
	}
	for _, p := range []string{"evt", "ch", "cus", "pi", "pm", "txn", "re", "po", "in", "dp", "req"} {
		if !prefixes[p] {
			t.Errorf("no %s_ id generated", p)
		}
	}
}

func TestChargeSucceeded(t *testing.T) {
	b := MustEvent("charge.succeeded", Options{Seq: 42})
	if n := len(b); n < 3000 || n > 4500 {
		t.Errorf("charge.succeeded is %d bytes, want 3000..4500", n)
	}
	ch := dataObject(t, decode(t, b))
	for _, k := range []string{
		"amount", "amount_captured", "amount_refunded", "application_fee_amount", "balance_transaction",
		"billing_details", "calculated_statement_descriptor", "captured", "currency", "customer",
		"description", "metadata", "outcome", "paid", "payment_intent", "payment_method",
		"payment_method_details", "receipt_email", "receipt_url", "refunded", "refunds", "status",
	} {
		if _, ok := ch[k]; !ok {
			t.Errorf("charge lacks %s", k)
		}
	}
	addr := ch["billing_details"].(map[string]any)["address"].(map[string]any)
	for _, k := range []string{"city", "country", "line1", "line2", "postal_code", "state"} {
		if _, ok := addr[k]; !ok {
			t.Errorf("billing_details.address lacks %s", k)
		}
	}
	outcome := ch["outcome"].(map[string]any)
	for _, k := range []string{"network_status", "reason", "risk_level", "risk_score", "seller_message", "type"} {
		if _, ok := outcome[k]; !ok {
			t.Errorf("outcome lacks %s", k)
		}
	}
	card := ch["payment_method_details"].(map[string]any)["card"].(map[string]any)
	for _, k := range []string{"brand", "checks", "country", "exp_month", "exp_year", "fingerprint", "funding", "last4", "network", "three_d_secure", "wallet"} {
		if _, ok := card[k]; !ok {
			t.Errorf("payment_method_details.card lacks %s", k)
		}
	}
	refunds := ch["refunds"].(map[string]any)
	if refunds["object"] != "list" {
		t.Errorf("refunds.object = %v", refunds["object"])
	}
	if ch["status"] != "succeeded" || ch["paid"] != true || ch["captured"] != true {
		t.Errorf("status/paid/captured = %v/%v/%v", ch["status"], ch["paid"], ch["captured"])
	}
	if num(t, ch["amount_captured"]) != num(t, ch["amount"]) {
		t.Error("amount_captured != amount")
	}
	if !strings.HasPrefix(ch["receipt_url"].(string), "https://pay.stripe.com/receipts/payment/") {
		t.Errorf("receipt_url = %v", ch["receipt_url"])
	}
}

func TestChargeFailed(t *testing.T) {
	ch := dataObject(t, decode(t, MustEvent("charge.failed", Options{Seq: 3})))
	if ch["status"] != "failed" || ch["paid"] != false || ch["captured"] != false {
		t.Errorf("status/paid/captured = %v/%v/%v", ch["status"], ch["paid"], ch["captured"])
	}
	if ch["failure_code"] != "card_declined" || ch["balance_transaction"] != nil || num(t, ch["amount_captured"]) != 0 {
		t.Errorf("failure_code=%v balance_transaction=%v amount_captured=%v",
			ch["failure_code"], ch["balance_transaction"], ch["amount_captured"])
	}
}

func TestRefundConsistency(t *testing.T) {
	o := Options{Seq: 9, Amount: 12345, Currency: "gbp"}
	ev := decode(t, MustEvent("charge.refunded", o))
	ch := dataObject(t, ev)
	if num(t, ch["amount_refunded"]) != 12345 || ch["refunded"] != true {
		t.Errorf("amount_refunded=%v refunded=%v", ch["amount_refunded"], ch["refunded"])
	}
	refunds := ch["refunds"].(map[string]any)
	data := refunds["data"].([]any)
	if len(data) != 1 || num(t, refunds["total_count"]) != 1 {
		t.Fatalf("refunds = %v", refunds)
	}
	re := data[0].(map[string]any)
	if num(t, re["amount"]) != 12345 || re["charge"] != ch["id"] || re["currency"] != "gbp" {
		t.Errorf("refund = %v", re)
	}
	prev := ev["data"].(map[string]any)["previous_attributes"].(map[string]any)
	if num(t, prev["amount_refunded"]) != 0 || prev["refunded"] != false {
		t.Errorf("previous_attributes = %v", prev)
	}

	// The same Seq's events describe the same objects.
	created := dataObject(t, decode(t, MustEvent("refund.created", o)))
	if created["id"] != re["id"] || created["charge"] != ch["id"] {
		t.Errorf("refund.created refund %v/%v != charge.refunded's %v/%v", created["id"], created["charge"], re["id"], ch["id"])
	}
	succ := dataObject(t, decode(t, MustEvent("charge.succeeded", o)))
	dp := dataObject(t, decode(t, MustEvent("charge.dispute.created", o)))
	pi := dataObject(t, decode(t, MustEvent("payment_intent.succeeded", o)))
	if succ["id"] != ch["id"] || dp["charge"] != ch["id"] || pi["latest_charge"] != ch["id"] || succ["payment_intent"] != pi["id"] {
		t.Errorf("ids not related across types: %v %v %v %v", succ["id"], dp["charge"], pi["latest_charge"], ch["id"])
	}
}

func TestPreviousAttributes(t *testing.T) {
	for _, ty := range Types() {
		ev := decode(t, MustEvent(ty, Options{Seq: 1}))
		_, has := ev["data"].(map[string]any)["previous_attributes"]
		want := ty == "customer.updated" || ty == "charge.refunded"
		if has != want {
			t.Errorf("%s: previous_attributes present = %v, want %v", ty, has, want)
		}
	}
}

func TestBalanceHasNoID(t *testing.T) {
	b := MustEvent("balance.available", Options{Seq: 1, Amount: 777, Currency: "eur"})
	obj := dataObject(t, decode(t, b))
	if _, ok := obj["id"]; ok {
		t.Fatalf("balance object has an id: %v", obj["id"])
	}
	if obj["object"] != "balance" {
		t.Fatalf("object = %v", obj["object"])
	}
	avail := obj["available"].([]any)[0].(map[string]any)
	if num(t, avail["amount"]) != 777 || avail["currency"] != "eur" {
		t.Errorf("available = %v", avail)
	}
	if !bytes.Contains(b, []byte("\"object\": {\n      \"object\": \"balance\",")) {
		t.Errorf("balance object should start with \"object\"")
	}
}

func TestGuest(t *testing.T) {
	for _, ty := range []string{"charge.succeeded", "charge.failed", "charge.refunded", "payment_intent.succeeded", "payment_intent.payment_failed"} {
		b := MustEvent(ty, Options{Seq: 4, Guest: true})
		obj := dataObject(t, decode(t, b))
		v, ok := obj["customer"]
		if !ok || v != nil {
			t.Errorf("%s: guest customer = %v (present %v), want null", ty, v, ok)
		}
		if !bytes.Contains(b, []byte(`"customer": null`)) {
			t.Errorf("%s: body lacks \"customer\": null", ty)
		}
		with := dataObject(t, decode(t, MustEvent(ty, Options{Seq: 4})))
		if c, _ := with["customer"].(string); !strings.HasPrefix(c, "cus_") || !shortID.MatchString(c) {
			t.Errorf("%s: customer = %v", ty, with["customer"])
		}
		set := dataObject(t, decode(t, MustEvent(ty, Options{Seq: 4, CustomerID: "cus_PresetCustomer1"})))
		if set["customer"] != "cus_PresetCustomer1" {
			t.Errorf("%s: CustomerID not carried: %v", ty, set["customer"])
		}
	}
	cus := dataObject(t, decode(t, MustEvent("customer.created", Options{Seq: 4, CustomerID: "cus_PresetCustomer1"})))
	if cus["id"] != "cus_PresetCustomer1" {
		t.Errorf("customer.created id = %v", cus["id"])
	}
}

func TestAccount(t *testing.T) {
	const acct = "acct_1Q2w3E4r5T6y7U8i"
	for _, ty := range Types() {
		ev := decode(t, MustEvent(ty, Options{Seq: 2, Account: acct}))
		if ev["account"] != acct {
			t.Errorf("%s: account = %v", ty, ev["account"])
		}
		if id := ev["id"].(string); !strings.HasSuffix(id[:20], acct[11:]) {
			t.Errorf("%s: event id %s does not carry the account's id part", ty, id)
		}
		if _, ok := decode(t, MustEvent(ty, Options{Seq: 2}))["account"]; ok {
			t.Errorf("%s: account present without Account", ty)
		}
	}
}

func TestCurrencyAndAmount(t *testing.T) {
	amountField := map[string]string{
		"charge": "amount", "refund": "amount", "dispute": "amount", "payment_intent": "amount",
		"invoice": "total", "payout": "amount",
	}
	for _, ty := range Types() {
		o := Options{Seq: 17, Currency: "EUR", Amount: 4321}
		obj := dataObject(t, decode(t, MustEvent(ty, o)))
		fam := family[ty]
		switch fam {
		case "balance":
			avail := obj["available"].([]any)[0].(map[string]any)
			if avail["currency"] != "eur" || num(t, avail["amount"]) != 4321 {
				t.Errorf("%s: available = %v", ty, avail)
			}
		case "customer":
			if ty == "customer.updated" && obj["currency"] != "eur" {
				t.Errorf("%s: currency = %v", ty, obj["currency"])
			}
		default:
			if obj["currency"] != "eur" {
				t.Errorf("%s: currency = %v", ty, obj["currency"])
			}
			if got := num(t, obj[amountField[fam]]); got != 4321 {
				t.Errorf("%s: %s = %d", ty, amountField[fam], got)
			}
		}
	}
	// Default amount: 2000 + Seq%5000.
	ch := dataObject(t, decode(t, MustEvent("charge.succeeded", Options{Seq: 5003})))
	if num(t, ch["amount"]) != 2003 || ch["currency"] != "usd" {
		t.Errorf("default amount/currency = %v %v", ch["amount"], ch["currency"])
	}
	inv := dataObject(t, decode(t, MustEvent("invoice.paid", Options{Seq: 1, Amount: 2500})))
	if num(t, inv["amount_paid"]) != 2500 || num(t, inv["amount_remaining"]) != 0 || inv["status"] != "paid" {
		t.Errorf("invoice amounts = %v %v %v", inv["amount_paid"], inv["amount_remaining"], inv["status"])
	}
	line := inv["lines"].(map[string]any)["data"].([]any)[0].(map[string]any)
	if num(t, line["amount"]) != 2500 {
		t.Errorf("invoice line amount = %v", line["amount"])
	}
}

func TestCreatedAndAPIVersion(t *testing.T) {
	ev := decode(t, MustEvent("charge.succeeded", Options{Seq: 10}))
	want := time.Date(2026, 11, 25, 12, 0, 10, 0, time.UTC).Unix()
	if num(t, ev["created"]) != want || num(t, dataObject(t, ev)["created"]) != want {
		t.Errorf("created = %v, want %d", ev["created"], want)
	}
	at := time.Date(2025, 3, 1, 8, 30, 0, 0, time.UTC)
	ev = decode(t, MustEvent("payout.paid", Options{Seq: 10, Created: at}))
	if num(t, ev["created"]) != at.Unix() {
		t.Errorf("created = %v, want %d", ev["created"], at.Unix())
	}
	for _, v := range []string{"2024-06-20", "2020-08-27", `weird "version"`} {
		ev = decode(t, MustEvent("charge.succeeded", Options{APIVersion: v}))
		if ev["api_version"] != v || ev["object"] != "event" {
			t.Errorf("api_version = %v, want %q", ev["api_version"], v)
		}
	}
}

func TestZeroDecimalAndNegativeSeq(t *testing.T) {
	inv := dataObject(t, decode(t, MustEvent("invoice.paid", Options{Seq: 1, Currency: "jpy", Amount: 1500})))
	line := inv["lines"].(map[string]any)["data"].([]any)[0].(map[string]any)
	if d := line["description"].(string); !strings.Contains(d, "¥1500") {
		t.Errorf("description = %q", d)
	}
	ch := dataObject(t, decode(t, MustEvent("charge.succeeded", Options{Seq: -7})))
	if num(t, ch["amount"]) != 2007 {
		t.Errorf("amount for Seq -7 = %v", ch["amount"])
	}
}

// TestFormatting: bodies are formatted exactly as json.Indent(…, "", "  ")
// formats them (Stripe's two-space pretty print), with no trailing newline.
func TestFormatting(t *testing.T) {
	for _, ty := range Types() {
		b := MustEvent(ty, Options{Seq: 3, Account: "acct_1Q2w3E4r5T6y7U8i", Guest: true})
		var compact, pretty bytes.Buffer
		if err := json.Compact(&compact, b); err != nil {
			t.Fatalf("%s: %v", ty, err)
		}
		if err := json.Indent(&pretty, compact.Bytes(), "", "  "); err != nil {
			t.Fatalf("%s: %v", ty, err)
		}
		if !bytes.Equal(pretty.Bytes(), b) {
			t.Errorf("%s: output is not in json.Indent form", ty)
		}
	}
	if b := MustEvent("invoice.paid", Options{}); !bytes.Contains(b, []byte("1 × ")) {
		t.Error("non-ASCII must be written as UTF-8, not escaped")
	}
	if got := string(appendString(nil, "a\"b\\c\n\x01<&>\u2028\xff")); got != `"a\"b\\c\n\u0001<&>\u2028\ufffd"` {
		t.Errorf("appendString = %s", got)
	}
}

func TestTailMultiplierIsCoprime(t *testing.T) {
	if tailMul%2 == 0 || tailMul%31 == 0 {
		t.Fatal("tailMul must be coprime to 62^8")
	}
}

// TestSizes logs the size of every event type; with STRIPEFIXTURE_DUMP=dir it
// also writes each body there for inspection.
func TestSizes(t *testing.T) {
	dir := os.Getenv("STRIPEFIXTURE_DUMP")
	for _, ty := range Types() {
		b := MustEvent(ty, Options{Seq: 1})
		t.Logf("%-30s %5d bytes", ty, len(b))
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, ty+".json"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func BenchmarkChargeSucceeded(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = MustEvent("charge.succeeded", Options{Seq: int64(i)})
	}
}
