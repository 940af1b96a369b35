package schemas

import (
	"context"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

func TestRoundTripEveryRecord(t *testing.T) {
	_, cl := newRegistry(t)
	s := mustRegister(t, cl)
	ctx := context.Background()
	for name, values := range map[string][]any{"all fields set": fullValues(), "zero values": zeroValues()} {
		for _, v := range values {
			t.Run(fmt.Sprintf("%s/%T", name, v), func(t *testing.T) {
				topic, err := TopicOf(v)
				if err != nil {
					t.Fatal(err)
				}
				b, err := s.Encode(topic, v)
				if err != nil {
					t.Fatalf("Encode: %v", err)
				}
				got, err := s.Decode(ctx, b)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if !reflect.DeepEqual(got, v) {
					t.Fatalf("round trip changed the value:\n got %#v\nwant %#v", got, v)
				}
			})
		}
	}
}

// The full values must really set every field, or the round trip above
// would prove less than it claims.
func TestFullValuesSetEveryField(t *testing.T) {
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if v.IsZero() {
			t.Errorf("fixture field %s is zero", path)
			return
		}
		switch v.Kind() {
		case reflect.Struct:
			if v.Type() == timeType {
				return
			}
			for _, f := range goFields(v.Type()) {
				walk(path+"."+f.name, v.Field(f.index))
			}
		case reflect.Slice:
			walk(path+"[0]", v.Index(0))
		case reflect.Pointer:
			walk(path, v.Elem())
		}
	}
	for _, v := range fullValues() {
		walk(reflect.TypeOf(v).Name(), reflect.ValueOf(v))
	}
}

func TestWireFormat(t *testing.T) {
	_, cl := newRegistry(t)
	s := mustRegister(t, cl)
	ctx := context.Background()
	v := fullValues()[3].(command.ApplyPayment)
	b, err := s.Encode(kafka.PaymentCommands, v)
	if err != nil {
		t.Fatal(err)
	}
	id := s.SchemaID(kafka.PaymentCommands)
	if id <= 0 {
		t.Fatalf("SchemaID = %d", id)
	}
	if b[0] != 0 {
		t.Fatalf("magic byte %#x, want 0", b[0])
	}
	if got := binary.BigEndian.Uint32(b[1:5]); int(got) != id {
		t.Fatalf("header id %d, want %d", got, id)
	}
	// An independent reader: the registry's text for the id and a fresh
	// goavro codec, as any other consumer would do it.
	sch, err := cl.SchemaByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := goavro.NewCodec(sch.Schema)
	if err != nil {
		t.Fatal(err)
	}
	native, rest, err := codec.NativeFromBinary(b[5:])
	if err != nil || len(rest) != 0 {
		t.Fatalf("body: %v, %d bytes left", err, len(rest))
	}
	rec := native.(map[string]any)["stripeinfor.commands.ApplyPayment"].(map[string]any)
	amount := rec["amount"].(map[string]any)
	if amount["minor"] != int64(1234) || amount["currency"] != "KWD" || amount["exponent"] != int32(3) {
		t.Fatalf("amount on the wire = %v, want minor 1234 KWD exponent 3", amount)
	}
	meta := rec["meta"].(map[string]any)
	if got := meta["occurred_at"].(time.Time); !got.Equal(v.Meta.OccurredAt) {
		t.Fatalf("occurred_at = %v, want %v", got, v.Meta.OccurredAt)
	}

	// AppendEncode appends after what dst holds.
	prefix := []byte("keep")
	out, err := s.AppendEncode(prefix, kafka.PaymentCommands, v)
	if err != nil || string(out[:4]) != "keep" || string(out[4:]) != string(b) {
		t.Fatalf("AppendEncode: err %v, got %q", err, out)
	}
}

func TestMoneyExponentOnTheWire(t *testing.T) {
	_, cl := newRegistry(t)
	s := mustRegister(t, cl)
	sch, err := cl.SchemaByID(context.Background(), s.SchemaID(kafka.CustomerNotifications))
	if err != nil {
		t.Fatal(err)
	}
	codec, err := goavro.NewCodec(sch.Schema)
	if err != nil {
		t.Fatal(err)
	}
	for cur, want := range map[string]int32{"USD": 2, "JPY": 0, "KWD": 3, "ISK": 2, "UGX": 2, "usd": 2, "XOF": 0} {
		b, err := s.Encode(kafka.CustomerNotifications, CustomerNotification{Amount: command.Money{Minor: 100, Currency: cur}})
		if err != nil {
			t.Fatal(err)
		}
		native, _, err := codec.NativeFromBinary(b[5:])
		if err != nil {
			t.Fatal(err)
		}
		if got := native.(map[string]any)["amount"].(map[string]any)["exponent"]; got != want {
			t.Errorf("%s: exponent %v, want %d", cur, got, want)
		}
	}
}

func TestZeroTimeIsEpochOnTheWire(t *testing.T) {
	_, cl := newRegistry(t)
	s := mustRegister(t, cl)
	b, err := s.Encode(kafka.EnrichedEvents, EnrichedEvent{Created: at(1700000000, 5)})
	if err != nil {
		t.Fatal(err)
	}
	sch, _ := cl.SchemaByID(context.Background(), s.SchemaID(kafka.EnrichedEvents))
	codec, err := goavro.NewCodec(sch.Schema)
	if err != nil {
		t.Fatal(err)
	}
	native, _, err := codec.NativeFromBinary(b[5:])
	if err != nil {
		t.Fatal(err)
	}
	rec := native.(map[string]any)
	if got := rec["received_at"].(time.Time); got.UnixMilli() != 0 {
		t.Errorf("zero received_at written as %v, want the epoch", got)
	}
	if got := rec["created"].(time.Time); got.UnixMilli() != 1700000000005 {
		t.Errorf("created written as %d ms", got.UnixMilli())
	}
	if rec["amount"] != nil {
		t.Errorf("nil amount written as %v, want null", rec["amount"])
	}
}

func TestUnionTopicBranches(t *testing.T) {
	_, cl := newRegistry(t)
	s := mustRegister(t, cl)
	ctx := context.Background()
	cases := []struct {
		topic string
		v     any
	}{
		{kafka.SalesOrderCommands, command.CreateSalesOrder{CommandID: "order:ch_1"}},
		{kafka.SalesOrderCommands, command.ChangeOrderStatus{CommandID: "order-status:ch_1:canceled", Status: "canceled"}},
		{kafka.PaymentCommands, command.ApplyPayment{CommandID: "payment:ch_1"}},
		{kafka.PaymentCommands, command.CreateCreditMemo{CommandID: "refund:re_1"}},
	}
	for i, c := range cases {
		b, err := s.Encode(c.topic, c.v)
		if err != nil {
			t.Fatal(err)
		}
		// The branch index follows the header: 0 for the first record of
		// the union, 1 for the second (zig-zag varint 0 → 0x00, 1 → 0x02).
		if want := byte(2 * (i % 2)); b[5] != want {
			t.Errorf("%T: union index byte %#x, want %#x", c.v, b[5], want)
		}
		got, err := s.Decode(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if reflect.TypeOf(got) != reflect.TypeOf(c.v) || got.(command.Command).ID() != c.v.(command.Command).ID() {
			t.Errorf("decoded %#v, want %#v", got, c.v)
		}
	}
	// Pointers are accepted and decode as values.
	b, err := s.Encode(kafka.PaymentCommands, &command.ApplyPayment{CommandID: "payment:ch_2"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Decode(ctx, b); err != nil || got.(command.ApplyPayment).CommandID != "payment:ch_2" {
		t.Fatalf("pointer: got %#v, %v", got, err)
	}
}

func TestEncodeRefusesWrongTypes(t *testing.T) {
	_, cl := newRegistry(t)
	s := mustRegister(t, cl)
	for _, c := range []struct {
		topic string
		v     any
		want  string
	}{
		{kafka.PaymentCommands, command.UpsertCustomer{}, "does not belong to topic infor.payment.commands"},
		{kafka.SalesOrderCommands, command.ApplyPayment{}, "command.ChangeOrderStatus, command.CreateSalesOrder"},
		{kafka.EnrichedEvents, CustomerNotification{}, "does not belong"},
		{kafka.CustomerCommands, "a string", "does not belong"},
		{kafka.CustomerCommands, (*command.UpsertCustomer)(nil), "nil"},
		{kafka.CustomerCommands, nil, "nil"},
		{kafka.RawEvents, command.UpsertCustomer{}, "has no Avro values"},
		{"no.such.topic", command.UpsertCustomer{}, "has no Avro values"},
	} {
		_, err := s.Encode(c.topic, c.v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Encode(%s, %T) = %v, want an error containing %q", c.topic, c.v, err, c.want)
		}
	}
}

func TestRegisterIsIdempotent(t *testing.T) {
	_, cl := newRegistry(t)
	a := mustRegister(t, cl)
	b := mustRegister(t, cl)
	seen := map[int]string{}
	for _, topic := range Topics {
		if a.SchemaID(topic) != b.SchemaID(topic) {
			t.Errorf("%s: ids %d then %d", topic, a.SchemaID(topic), b.SchemaID(topic))
		}
		if other, dup := seen[a.SchemaID(topic)]; dup {
			t.Errorf("%s and %s share id %d", topic, other, a.SchemaID(topic))
		}
		seen[a.SchemaID(topic)] = topic
		versions, err := cl.SubjectVersions(context.Background(), Subject(topic))
		if err != nil || len(versions) != 1 {
			t.Errorf("%s: versions %v, %v; want exactly one", Subject(topic), versions, err)
		}
	}
	if a.SchemaID(kafka.RawEvents) != 0 {
		t.Errorf("SchemaID of a JSON topic = %d, want 0", a.SchemaID(kafka.RawEvents))
	}
}

// v0ApplyPayment is an older ApplyPayment: without balance_transaction_id
// and payment_date, and with a field this code no longer knows.
const v0ApplyPayment = `{"type":"record","name":"ApplyPayment","namespace":"stripeinfor.commands","fields":[
 {"name":"command_id","type":"string"},
 {"name":"meta","type":{"type":"record","name":"Meta","namespace":"stripeinfor.common","fields":[
   {"name":"stripe_event_id","type":"string"},
   {"name":"stripe_event_type","type":"string"},
   {"name":"stripe_object_ids","type":{"type":"array","items":"string"},"default":[]},
   {"name":"livemode","type":"boolean","default":false},
   {"name":"stripe_account","type":"string","default":""},
   {"name":"stripe_api_version","type":"string","default":""},
   {"name":"occurred_at","type":{"type":"long","logicalType":"timestamp-millis"}},
   {"name":"flags","type":{"type":"array","items":{"type":"record","name":"Flag","fields":[
     {"name":"code","type":"string"},{"name":"field","type":"string","default":""},{"name":"detail","type":"string","default":""}]}},"default":[]}]}},
 {"name":"order_ref","type":{"type":"record","name":"OrderRef","namespace":"stripeinfor.common","fields":[
   {"name":"stripe_object_id","type":"string","default":""},{"name":"erp_order_number","type":"string","default":""}]}},
 {"name":"amount","type":{"type":"record","name":"Money","namespace":"stripeinfor.common","fields":[
   {"name":"minor","type":"long"},{"name":"currency","type":"string"},{"name":"exponent","type":"int"}]}},
 {"name":"payment_method","type":"string","default":""},
 {"name":"stripe_charge_id","type":"string"},
 {"name":"legacy_note","type":"string","default":""}
]}`

func TestDecodeOlderWriter(t *testing.T) {
	reg, cl := newRegistry(t)
	const oldID = 41
	v0 := `[` + v0ApplyPayment + `]`
	// The subject's first version was written by an older release; our
	// schema must be registered on top of it (it is compatible).
	reg.SeedSchema(Subject(kafka.PaymentCommands), 1, oldID, sr.Schema{Schema: v0})
	s := mustRegister(t, cl)
	if s.SchemaID(kafka.PaymentCommands) == oldID {
		t.Fatal("the current schema got the old id")
	}

	codec, err := goavro.NewCodec(v0)
	if err != nil {
		t.Fatal(err)
	}
	occurred := at(1700000000, 0)
	b := []byte{0, 0, 0, 0, oldID}
	b, err = codec.BinaryFromNative(b, goavro.Union("stripeinfor.commands.ApplyPayment", map[string]any{
		"command_id": "payment:ch_old",
		"meta": map[string]any{
			"stripe_event_id": "evt_old", "stripe_event_type": "charge.succeeded",
			"stripe_object_ids": []any{"ch_old"}, "livemode": true, "stripe_account": "", "stripe_api_version": "2020-08-27",
			"occurred_at": occurred, "flags": []any{},
		},
		"order_ref":        map[string]any{"stripe_object_id": "ch_old", "erp_order_number": ""},
		"amount":           map[string]any{"minor": int64(1999), "currency": "EUR", "exponent": int32(2)},
		"payment_method":   "CRD",
		"stripe_charge_id": "ch_old",
		"legacy_note":      "not in the Go type",
	}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Decode(context.Background(), b)
	if err != nil {
		t.Fatalf("Decode of an older writer: %v", err)
	}
	want := command.ApplyPayment{
		CommandID: "payment:ch_old",
		Meta: command.Meta{StripeEventID: "evt_old", StripeEventType: "charge.succeeded", StripeObjectIDs: []string{"ch_old"},
			Livemode: true, StripeAPIVersion: "2020-08-27", OccurredAt: occurred},
		OrderRef:       command.OrderRef{StripeObjectID: "ch_old"},
		Amount:         command.Money{Minor: 1999, Currency: "EUR"},
		PaymentMethod:  "CRD",
		StripeChargeID: "ch_old",
		// BalanceTransactionID and PaymentDate: absent from the writer, zero.
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %#v\nwant %#v", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	_, cl := newRegistry(t)
	s := mustRegister(t, cl)
	ctx := context.Background()
	good, err := s.Encode(kafka.CustomerCommands, fullValues()[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty":           nil,
		"bad magic":       append([]byte{1}, good[1:]...),
		"unknown id":      append([]byte{0, 0, 0, 0x7f, 0x7f}, good[5:]...),
		"truncated body":  good[:len(good)-3],
		"trailing bytes":  append(append([]byte{}, good...), 0, 0),
		"header only":     good[:5],
		"short header":    good[:3],
		"json not avro":   []byte(`{"id":"evt_1"}`),
		"garbage body":    append(append([]byte{}, good[:5]...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
		"negative length": append(append([]byte{}, good[:5]...), 0x01),
	} {
		if v, err := s.Decode(ctx, b); err == nil {
			t.Errorf("%s: decoded %#v, want an error", name, v)
		}
	}
}

func TestRegisterRefusesIncompatibleRegisteredSchema(t *testing.T) {
	for name, registered := range map[string]string{
		// version was a string: our long cannot read it.
		"type change": `{"type":"record","name":"UpsertCustomer","namespace":"stripeinfor.commands","fields":[
			{"name":"command_id","type":"string"},{"name":"version","type":"string"}]}`,
		// our stripe_customer_id has no default, and this writer lacks it.
		"field without default": `{"type":"record","name":"UpsertCustomer","namespace":"stripeinfor.commands","fields":[
			{"name":"command_id","type":"string"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			reg, cl := newRegistry(t)
			reg.SeedSchema(Subject(kafka.CustomerCommands), 1, 7, sr.Schema{Schema: registered})
			_, err := Register(context.Background(), cl)
			if err == nil {
				t.Fatal("Register accepted a schema that cannot read the registered version")
			}
			if !strings.Contains(err.Error(), "infor.customer.commands-value") || !strings.Contains(err.Error(), "BACKWARD") {
				t.Fatalf("error does not name the subject and the rule: %v", err)
			}
			if versions, _ := cl.SubjectVersions(context.Background(), Subject(kafka.CustomerCommands)); len(versions) != 1 {
				t.Fatalf("versions after the refusal: %v, want only the seeded one", versions)
			}
		})
	}
}

func TestTopicOf(t *testing.T) {
	want := map[string]string{
		"UpsertCustomer": kafka.CustomerCommands, "CreateSalesOrder": kafka.SalesOrderCommands,
		"ChangeOrderStatus": kafka.SalesOrderCommands, "ApplyPayment": kafka.PaymentCommands,
		"CreateCreditMemo": kafka.PaymentCommands, "PostJournal": kafka.JournalCommands,
		"ReconcilePayout": kafka.BankCommands, "EnrichedEvent": kafka.EnrichedEvents,
		"CustomerNotification": kafka.CustomerNotifications,
	}
	for _, v := range zeroValues() {
		name := reflect.TypeOf(v).Name()
		if got, err := TopicOf(v); err != nil || got != want[name] {
			t.Errorf("TopicOf(%s) = %q, %v; want %q", name, got, err, want[name])
		}
		p := reflect.New(reflect.TypeOf(v))
		if got, _ := TopicOf(p.Interface()); got != want[name] {
			t.Errorf("TopicOf(*%s) = %q", name, got)
		}
		if c, ok := v.(command.Command); ok && c.Type() != name {
			t.Errorf("%s.Type() = %q: the command type header and the Avro record name differ", name, c.Type())
		}
	}
	for _, v := range []any{nil, "x", command.Money{}, command.Meta{}} {
		if _, err := TopicOf(v); err == nil {
			t.Errorf("TopicOf(%T) succeeded", v)
		}
	}
}

// Encoders reuse their native maps: a value encoded after a fuller one of
// the same type must not pick up anything of it, also under concurrency.
func TestEncodeReuseAndConcurrency(t *testing.T) {
	_, cl := newRegistry(t)
	s := mustRegister(t, cl)
	ctx := context.Background()
	full, zero := fullValues(), zeroValues()
	for i := range full {
		topic, _ := TopicOf(full[i])
		if _, err := s.Encode(topic, full[i]); err != nil {
			t.Fatal(err)
		}
		b, err := s.Encode(topic, zero[i])
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Decode(ctx, b); err != nil || !reflect.DeepEqual(got, zero[i]) {
			t.Fatalf("%T after a full value: got %#v, %v", zero[i], got, err)
		}
	}

	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			values := full
			if g%2 == 1 {
				values = zero
			}
			for range 50 {
				for _, v := range values {
					topic, _ := TopicOf(v)
					b, err := s.Encode(topic, v)
					if err != nil {
						errs <- err
						return
					}
					got, err := s.Decode(ctx, b)
					if err != nil {
						errs <- err
						return
					}
					if !reflect.DeepEqual(got, v) {
						errs <- fmt.Errorf("concurrent round trip of %T changed it: %#v", v, got)
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// A newer writer may add a branch at the end of a union topic: this code
// still reads the branches it knows, and refuses only the new one.
func TestDecodeNewerWriterWithNewBranch(t *testing.T) {
	reg, cl := newRegistry(t)
	s := mustRegister(t, cl)
	current, err := Schema(kafka.SalesOrderCommands)
	if err != nil {
		t.Fatal(err)
	}
	const newBranch = `{"type":"record","name":"SplitOrder","namespace":"stripeinfor.commands","fields":[{"name":"command_id","type":"string"}]}`
	newer := strings.TrimSuffix(current, "]") + "," + newBranch + "]"
	if err := BackwardCompatible(newer, current); err != nil {
		t.Fatalf("adding a branch at the end should be compatible: %v", err)
	}
	id, _, err := reg.RegisterSchema(Subject(kafka.SalesOrderCommands), sr.Schema{Schema: newer})
	if err != nil {
		t.Fatal(err)
	}
	codec, err := goavro.NewCodec(newer)
	if err != nil {
		t.Fatal(err)
	}
	header := []byte{0, byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}
	known, err := codec.BinaryFromNative(append([]byte{}, header...), goavro.Union("stripeinfor.commands.ChangeOrderStatus", map[string]any{
		"command_id": "order-status:ch_1:canceled",
		"meta": map[string]any{"stripe_event_id": "evt_1", "stripe_event_type": "charge.refunded",
			"occurred_at": at(1700000000, 0)},
		"order_ref": map[string]any{},
		"status":    "canceled",
	}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Decode(context.Background(), known)
	if err != nil {
		t.Fatalf("a known branch of a newer writer: %v", err)
	}
	if c, ok := got.(command.ChangeOrderStatus); !ok || c.Status != "canceled" || c.Meta.StripeEventID != "evt_1" {
		t.Fatalf("decoded %#v", got)
	}
	unknown, err := codec.BinaryFromNative(append([]byte{}, header...), goavro.Union("stripeinfor.commands.SplitOrder", map[string]any{"command_id": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decode(context.Background(), unknown); err == nil || !strings.Contains(err.Error(), "SplitOrder") {
		t.Fatalf("the new branch: err = %v, want one naming SplitOrder", err)
	}
}
