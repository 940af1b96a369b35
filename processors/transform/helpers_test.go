package transform

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// readTestdata reads a file of testdata/.
func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// loadMapping parses a mapping file of testdata/ with the real engine.
func loadMapping(tb testing.TB, name string) *mapping.Config {
	tb.Helper()
	cfg, err := mapping.Load(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("mapping %s: %v", name, err)
	}
	return cfg
}

var receivedAt = time.Date(2026, 11, 25, 12, 0, 1, 500e6, time.UTC)

// run transforms raw, fails the test on an error, and checks every
// invariant a result must hold (checkResult).
func run(t *testing.T, tr *Transformer, raw []byte) Result {
	t.Helper()
	res, err := tr.Transform(raw, receivedAt)
	if err != nil {
		t.Fatalf("Transform: %v", err)
	}
	checkResult(t, raw, res)
	return res
}

// runFile is run on a file of testdata/.
func runFile(t *testing.T, tr *Transformer, name string) Result {
	t.Helper()
	return run(t, tr, readTestdata(t, name))
}

// transformErr transforms raw expecting a *Error.
func transformErr(t *testing.T, tr *Transformer, raw []byte) *Error {
	t.Helper()
	res, err := tr.Transform(raw, receivedAt)
	if err == nil {
		t.Fatalf("want an error, got outcome %s with %d outputs", res.Outcome, len(res.Outputs))
	}
	var te *Error
	if !errors.As(err, &te) {
		t.Fatalf("error %T is not a *transform.Error: %v", err, err)
	}
	return te
}

// envelope is the raw event as encoding/json reads it, to check the result
// against independently of the transform's own decoder.
type envelope struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Account    string `json:"account"`
	APIVersion string `json:"api_version"`
	Created    int64  `json:"created"`
	Livemode   bool   `json:"livemode"`
	Data       struct {
		Object map[string]any `json:"object"`
	} `json:"data"`
}

// expectedKey is the raw topic's key rule, computed from the generic JSON.
func (e envelope) expectedKey() string {
	o := e.Data.Object
	id, _ := o["id"].(string)
	if o["object"] == "customer" && id != "" {
		return id
	}
	switch c := o["customer"].(type) {
	case string:
		if c != "" {
			return c
		}
	case map[string]any:
		if cid, _ := c["id"].(string); cid != "" {
			return cid
		}
	}
	if id != "" {
		return id
	}
	return e.ID
}

// commandTopic is the topic each command type belongs on (DESIGN.md).
var commandTopic = map[string]string{
	"UpsertCustomer":    kafka.CustomerCommands,
	"CreateSalesOrder":  kafka.SalesOrderCommands,
	"ChangeOrderStatus": kafka.SalesOrderCommands,
	"ApplyPayment":      kafka.PaymentCommands,
	"CreateCreditMemo":  kafka.PaymentCommands,
	"PostJournal":       kafka.JournalCommands,
	"ReconcilePayout":   kafka.BankCommands,
}

var idPrefix = map[string]string{
	"UpsertCustomer":    "customer:",
	"CreateSalesOrder":  "order:",
	"ChangeOrderStatus": "order-status:",
	"ApplyPayment":      "payment:",
	"CreateCreditMemo":  "refund:",
	"PostJournal":       "journal:",
	"ReconcilePayout":   "payout:",
}

// checkResult holds a result to the contract: outputs in order (commands,
// notifications, the enriched event last), topics and keys by the design's
// rules, every command's Meta traced to the event, unique command ids, the
// enriched event listing them, and every journal balanced.
func checkResult(t *testing.T, raw []byte, res Result) {
	t.Helper()
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("test payload: %v", err)
	}
	if res.EventID != env.ID || res.EventType != env.Type || res.Livemode != env.Livemode {
		t.Errorf("result header %s/%s/%v, event %s/%s/%v", res.EventID, res.EventType, res.Livemode, env.ID, env.Type, env.Livemode)
	}
	if len(res.Outputs) == 0 {
		t.Fatal("no outputs: the enriched event is always written")
	}
	last := res.Outputs[len(res.Outputs)-1]
	enriched, ok := last.Value.(schemas.EnrichedEvent)
	if !ok || last.Topic != kafka.EnrichedEvents {
		t.Fatalf("last output is %T on %s, want the enriched event", last.Value, last.Topic)
	}
	if last.Key != env.expectedKey() {
		t.Errorf("enriched key %q, want %q", last.Key, env.expectedKey())
	}
	occurred := time.Unix(env.Created, 0).UTC()
	var ids []string
	seenNote := false
	for i, out := range res.Outputs[:len(res.Outputs)-1] {
		switch v := out.Value.(type) {
		case command.Command:
			if seenNote {
				t.Errorf("output %d: command %s after a notification", i, v.ID())
			}
			checkCommand(t, env, occurred, out, v)
			if slices.Contains(ids, v.ID()) {
				t.Errorf("command id %s twice in one result", v.ID())
			}
			ids = append(ids, v.ID())
			for _, f := range v.Metadata().Flags {
				if !hasFlag(res.Flags, f) {
					t.Errorf("%s: flag %+v missing from Result.Flags", v.ID(), f)
				}
			}
		case schemas.CustomerNotification:
			seenNote = true
			if out.Topic != kafka.CustomerNotifications || out.Key != env.expectedKey() {
				t.Errorf("notification on %s key %s, want %s key %s", out.Topic, out.Key, kafka.CustomerNotifications, env.expectedKey())
			}
			if !strings.HasPrefix(v.NotificationID, "notification:") || !strings.HasSuffix(v.NotificationID, ":"+v.Kind) {
				t.Errorf("notification id %q of kind %q", v.NotificationID, v.Kind)
			}
			checkMeta(t, env, occurred, v.NotificationID, v.Meta)
			checkMoney(t, v.NotificationID, v.Amount)
		default:
			t.Errorf("output %d: unexpected value %T (pointer?)", i, out.Value)
		}
	}
	if !slices.Equal(enriched.CommandIDs, ids) {
		t.Errorf("enriched command ids %v, commands %v", enriched.CommandIDs, ids)
	}
	if enriched.Outcome != res.Outcome || enriched.EventID != env.ID || enriched.EventType != env.Type {
		t.Errorf("enriched outcome/id/type %s/%s/%s, result %s/%s/%s", enriched.Outcome, enriched.EventID, enriched.EventType, res.Outcome, env.ID, env.Type)
	}
	if !enriched.Created.Equal(occurred) || !enriched.ReceivedAt.Equal(receivedAt) {
		t.Errorf("enriched created %v received %v", enriched.Created, enriched.ReceivedAt)
	}
	if mapped := len(res.Outputs) > 1; mapped != (res.Outcome == OutcomeMapped) {
		t.Errorf("outcome %s with %d outputs", res.Outcome, len(res.Outputs))
	}
	if res.Flags == nil || enriched.Flags == nil || enriched.CommandIDs == nil || enriched.Metadata == nil {
		t.Error("nil list or map in the result (Avro wants empty ones)")
	}
}

func checkCommand(t *testing.T, env envelope, occurred time.Time, out Output, c command.Command) {
	t.Helper()
	typ := c.Type()
	if out.Topic != commandTopic[typ] {
		t.Errorf("%s on %s, want %s", c.ID(), out.Topic, commandTopic[typ])
	}
	if !strings.HasPrefix(c.ID(), idPrefix[typ]) {
		t.Errorf("%s: id without the %q prefix", c.ID(), idPrefix[typ])
	}
	checkMeta(t, env, occurred, c.ID(), c.Metadata())
	var key string
	switch v := c.(type) {
	case command.UpsertCustomer:
		key = v.StripeCustomerID
		if v.Version != env.Created {
			t.Errorf("%s: version %d, event created %d", v.CommandID, v.Version, env.Created)
		}
	case command.CreateSalesOrder:
		key = v.StripeObjectID
		if v.CommandID != "order:"+v.StripeObjectID || len(v.Lines) == 0 {
			t.Errorf("%s: object %s, %d lines", v.CommandID, v.StripeObjectID, len(v.Lines))
		}
		for _, l := range v.Lines {
			checkMoney(t, v.CommandID, l.UnitPrice)
			if l.UnitPrice.Currency != v.Currency || l.Quantity < 1 || l.Item == "" {
				t.Errorf("%s: line %+v in an order in %s", v.CommandID, l, v.Currency)
			}
		}
	case command.ChangeOrderStatus:
		key = v.OrderRef.StripeObjectID
		if v.CommandID != "order-status:"+key+":"+v.Status {
			t.Errorf("%s: ref %s status %s", v.CommandID, key, v.Status)
		}
	case command.ApplyPayment:
		key = v.OrderRef.StripeObjectID
		checkMoney(t, v.CommandID, v.Amount)
		if v.CommandID != "payment:"+v.StripeChargeID || v.Amount.Minor <= 0 {
			t.Errorf("%s: charge %s amount %v", v.CommandID, v.StripeChargeID, v.Amount)
		}
	case command.CreateCreditMemo:
		key = v.OrderRef.StripeObjectID
		checkMoney(t, v.CommandID, v.Amount)
		if v.CommandID != "refund:"+v.StripeRefundID || v.Amount.Minor <= 0 {
			t.Errorf("%s: refund %s amount %v", v.CommandID, v.StripeRefundID, v.Amount)
		}
	case command.PostJournal:
		if len(v.SourceIDs) > 0 {
			key = v.SourceIDs[0]
		}
		assertBalanced(t, v)
		if !strings.HasPrefix(v.CommandID, "journal:"+key+":") {
			t.Errorf("%s: source ids %v", v.CommandID, v.SourceIDs)
		}
		if _, err := time.Parse(time.DateOnly, v.AccountingDate); err != nil {
			t.Errorf("%s: accounting date %q", v.CommandID, v.AccountingDate)
		}
	case command.ReconcilePayout:
		key = v.StripePayoutID
		checkMoney(t, v.CommandID, v.Amount)
		if v.Transactions == nil || len(v.Transactions) != 0 {
			t.Errorf("%s: transactions %v, want empty (the sink fetches them)", v.CommandID, v.Transactions)
		}
	default:
		t.Errorf("unknown command type %T", c)
	}
	if out.Key != key || key == "" {
		t.Errorf("%s: key %q, want %q", c.ID(), out.Key, key)
	}
}

func checkMeta(t *testing.T, env envelope, occurred time.Time, id string, m command.Meta) {
	t.Helper()
	if m.StripeEventID != env.ID || m.StripeEventType != env.Type || m.Livemode != env.Livemode ||
		m.StripeAccount != env.Account || m.StripeAPIVersion != env.APIVersion || !m.OccurredAt.Equal(occurred) {
		t.Errorf("%s: meta %+v does not trace event %s", id, m, env.ID)
	}
	if len(m.StripeObjectIDs) == 0 || slices.Contains(m.StripeObjectIDs, "") {
		t.Errorf("%s: stripe object ids %v", id, m.StripeObjectIDs)
	}
	if m.Flags == nil {
		t.Errorf("%s: nil flags", id)
	}
}

func checkMoney(t *testing.T, id string, m command.Money) {
	t.Helper()
	if !mapping.KnownCurrency(m.Currency) {
		t.Errorf("%s: money %+v has no upper-case ISO currency", id, m)
	}
}

// assertBalanced is the one balance check every journal of every test goes
// through: lines on named accounts, summing to zero in each currency.
func assertBalanced(t *testing.T, j command.PostJournal) {
	t.Helper()
	if len(j.Lines) < 2 {
		t.Errorf("%s: %d lines", j.CommandID, len(j.Lines))
	}
	sums := map[string]int64{}
	for _, l := range j.Lines {
		if l.Account == "" || l.Amount.Minor == 0 {
			t.Errorf("%s: line %+v", j.CommandID, l)
		}
		checkMoney(t, j.CommandID, l.Amount)
		sums[l.Amount.Currency] += l.Amount.Minor
	}
	for cur, s := range sums {
		if s != 0 {
			t.Errorf("%s does not balance in %s: off by %d", j.CommandID, cur, s)
		}
	}
}

// commandsOf returns the commands of type T in a result, in order.
func commandsOf[T command.Command](res Result) []T {
	var out []T
	for _, o := range res.Outputs {
		if v, ok := o.Value.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// one returns the only command of type T, failing otherwise.
func one[T command.Command](t *testing.T, res Result) T {
	t.Helper()
	cs := commandsOf[T](res)
	if len(cs) != 1 {
		var zero T
		t.Fatalf("%d %s commands, want 1 (ids %v)", len(cs), zero.Type(), commandIDs(res))
	}
	return cs[0]
}

func notificationsOf(res Result) []schemas.CustomerNotification {
	var out []schemas.CustomerNotification
	for _, o := range res.Outputs {
		if v, ok := o.Value.(schemas.CustomerNotification); ok {
			out = append(out, v)
		}
	}
	return out
}

func enrichedOf(res Result) schemas.EnrichedEvent {
	return res.Outputs[len(res.Outputs)-1].Value.(schemas.EnrichedEvent)
}

func commandIDs(res Result) []string {
	var ids []string
	for _, o := range res.Outputs {
		if c, ok := o.Value.(command.Command); ok {
			ids = append(ids, c.ID())
		}
	}
	return ids
}

func flagCodes(fs []command.Flag) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code+"@"+f.Field)
	}
	return out
}

func hasFlagCode(fs []command.Flag, code, field string) bool {
	for _, f := range fs {
		if f.Code == code && (field == "" || f.Field == field) {
			return true
		}
	}
	return false
}

// patch decodes raw with encoding/json, lets edit change it and encodes it
// again: variants of a payload without a file each.
func patch(t *testing.T, raw []byte, edit func(ev map[string]any)) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	edit(ev)
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// obj is data.object of a decoded event.
func obj(ev map[string]any) map[string]any {
	return ev["data"].(map[string]any)["object"].(map[string]any)
}
