package processors_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
)

const python = "/usr/bin/python3"

// requirePython skips the test when Debian's python3-confluent-kafka is not
// installed, unless STRIPE_INFOR_REQUIRE_PYTHON=1 (CI), where it fails.
func requirePython(t *testing.T) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import confluent_kafka, avro, requests").CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s with confluent_kafka, avro and requests is needed (apt-get install python3-confluent-kafka python3-avro python3-requests): %v %s", python, err, bytes.TrimSpace(out))
	if os.Getenv("STRIPE_INFOR_REQUIRE_PYTHON") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// pyRecord is one line of testdata/read_topics.py.
type pyRecord struct {
	Topic     string            `json:"topic"`
	Partition int32             `json:"partition"`
	Offset    int64             `json:"offset"`
	Key       string            `json:"key"`
	Headers   map[string]string `json:"headers"`
	Value     json.RawMessage   `json:"value"`
}

func TestAPythonClientReadsTheAvroTopicsThroughTheRegistry(t *testing.T) {
	requirePython(t)
	e := newEnv(t)
	at := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	bodies := [][]byte{
		stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 401, Livemode: true}),
		stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 402, Currency: "jpy", Amount: 5000, Livemode: true}),
		stripefixture.MustEvent("invoice.paid", stripefixture.Options{Seq: 403, Livemode: true}),
		stripefixture.MustEvent("refund.created", stripefixture.Options{Seq: 401, Livemode: true}),
	}
	topics := []string{kafka.EnrichedEvents, kafka.SalesOrderCommands, kafka.PaymentCommands}
	want := 0
	var recs []*kgo.Record
	for _, b := range bodies {
		recs = append(recs, rawRecord(t, b, at))
		res, err := e.tr.Transform(b, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Outputs {
			if o.Topic == kafka.EnrichedEvents || o.Topic == kafka.SalesOrderCommands || o.Topic == kafka.PaymentCommands {
				want++
			}
		}
	}
	e.produce(recs...)
	r := e.start(e.config("tx-python"))
	e.waitCount(kafka.EnrichedEvents, len(bodies))
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(python, append([]string{"testdata/read_topics.py", e.addr, e.reg.URL(), fmt.Sprint(want)}, topics...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("read_topics.py: %v\n%s", err, stderr.String())
	}
	var py []pyRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var p pyRecord
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		py = append(py, p)
	}
	goRecs := readAll(t, e.addr, topics...)
	if len(py) != len(goRecs) || len(py) != want {
		t.Fatalf("python read %d records, Go %d, the transform made %d", len(py), len(goRecs), want)
	}
	type pos struct {
		topic string
		p     int32
		o     int64
	}
	byPos := map[pos]*kgo.Record{}
	for _, r := range goRecs {
		byPos[pos{r.Topic, r.Partition, r.Offset}] = r
	}
	var sawJPY, sawUSD, sawOrder, sawRefund bool
	for _, p := range py {
		g, ok := byPos[pos{p.Topic, p.Partition, p.Offset}]
		if !ok {
			t.Fatalf("python read %s[%d]@%d, which Go did not", p.Topic, p.Partition, p.Offset)
		}
		if p.Key != string(g.Key) {
			t.Fatalf("key %q vs %q", p.Key, g.Key)
		}
		for _, h := range g.Headers {
			if p.Headers[h.Key] != string(h.Value) {
				t.Fatalf("header %s: python %q, Go %q", h.Key, p.Headers[h.Key], h.Value)
			}
		}
		v, err := e.serde.Decode(context.Background(), g.Value)
		if err != nil {
			t.Fatal(err)
		}
		wantTree := generic(t, mustJSON(t, avroView(reflect.ValueOf(v))))
		gotTree := generic(t, p.Value)
		if path, diff := firstDiff("", wantTree, gotTree); path != "" || diff != "" {
			t.Fatalf("%s %T: python and Go differ at %s: %s\npython: %s", p.Topic, v, path, diff, p.Value)
		}
		// The three things the issue names, checked on the python side alone.
		pv := gotTree.(map[string]any)
		switch c := v.(type) {
		case command.ApplyPayment:
			exp := pv["amount"].(map[string]any)["exponent"].(json.Number).String()
			switch c.Amount.Currency {
			case "JPY":
				sawJPY = exp == "0"
			case "USD":
				sawUSD = exp == "2"
			}
			occurred := pv["meta"].(map[string]any)["occurred_at"].(json.Number).String()
			if occurred != fmt.Sprint(c.Meta.OccurredAt.UnixMilli()) || c.Meta.OccurredAt.IsZero() {
				t.Fatalf("meta.occurred_at: python %s, Go %v", occurred, c.Meta.OccurredAt)
			}
		case command.CreateSalesOrder:
			_, hasLines := pv["lines"]
			sawOrder = hasLines && p.Topic == kafka.SalesOrderCommands
		case command.CreateCreditMemo:
			sawRefund = p.Topic == kafka.PaymentCommands
		}
	}
	if !sawJPY || !sawUSD || !sawOrder || !sawRefund {
		t.Fatalf("python did not read: JPY payment with exponent 0 %v, USD payment with exponent 2 %v, CreateSalesOrder branch %v, CreateCreditMemo branch %v",
			sawJPY, sawUSD, sawOrder, sawRefund)
	}
}

// avroView is a Go value as an Avro reader shows it: records as maps by
// their json (= Avro field) names, times as timestamp-millis (0 for the
// zero time), nil lists as empty ones, and Money with the exponent field
// the schema adds for readers without a currency table.
func avroView(v reflect.Value) any {
	if v.Type() == reflect.TypeFor[time.Time]() {
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return int64(0)
		}
		return t.UnixMilli()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return avroView(v.Elem())
	case reflect.Struct:
		m := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, ok := f.Tag.Lookup("json"); ok {
				if tag == "-" {
					continue
				}
				if n, _, _ := strings.Cut(tag, ","); n != "" {
					name = n
				}
			}
			m[name] = avroView(v.Field(i))
		}
		if money, ok := v.Interface().(command.Money); ok {
			m["exponent"] = command.APIExponent(money.Currency)
		}
		return m
	case reflect.Slice:
		out := make([]any, 0, v.Len())
		for i := range v.Len() {
			out = append(out, avroView(v.Index(i)))
		}
		return out
	case reflect.Map:
		m := map[string]any{}
		for _, k := range v.MapKeys() {
			m[k.String()] = avroView(v.MapIndex(k))
		}
		return m
	default:
		return v.Interface()
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// generic decodes JSON keeping numbers exact.
func generic(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// firstDiff walks two generic JSON trees and names the first difference.
func firstDiff(path string, want, got any) (string, string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, fmt.Sprintf("want an object, got %v", got)
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, wok := w[k]
			gv, gok := g[k]
			if wok != gok {
				return path + "." + k, fmt.Sprintf("present in Go %v, in python %v", wok, gok)
			}
			if p, d := firstDiff(path+"."+k, wv, gv); p != "" {
				return p, d
			}
		}
		return "", ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path, fmt.Sprintf("want %v, got %v", want, got)
		}
		for i := range w {
			if p, d := firstDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); p != "" {
				return p, d
			}
		}
		return "", ""
	default:
		if !reflect.DeepEqual(want, got) {
			return path, fmt.Sprintf("want %v (%T), got %v (%T)", want, want, got, got)
		}
		return "", ""
	}
}
