package transform

import (
	"context"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// registerSchemas registers the real Avro schemas on an in-memory
// Confluent registry (srfake) and returns the Serde the processors use.
func registerSchemas(tb testing.TB) *schemas.Serde {
	tb.Helper()
	reg := srfake.New()
	tb.Cleanup(reg.Close)
	cl, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		tb.Fatal(err)
	}
	serde, err := schemas.Register(context.Background(), cl)
	if err != nil {
		tb.Fatalf("register schemas: %v", err)
	}
	return serde
}

// Every output of every test payload encodes with the topic's registered
// Avro schema and decodes back to the same value: the transform's values
// are what the schemas promise the data team.
func TestOutputsRoundTripThroughAvro(t *testing.T) {
	serde := registerSchemas(t)
	tr := New(mapping.Default())
	payloads := corpus(t)
	names := make([]string, 0, len(payloads))
	for name := range payloads {
		names = append(names, name)
	}
	sort.Strings(names)
	n := 0
	for _, name := range names {
		res, err := tr.Transform(payloads[name], receivedAt)
		if err != nil {
			continue // the refused ones are tested elsewhere
		}
		for _, o := range res.Outputs {
			b, err := serde.Encode(o.Topic, o.Value)
			if err != nil {
				t.Errorf("%s: encode %T on %s: %v", name, o.Value, o.Topic, err)
				continue
			}
			back, err := serde.Decode(context.Background(), b)
			if err != nil {
				t.Errorf("%s: decode %T: %v", name, o.Value, err)
				continue
			}
			if !reflect.DeepEqual(normalize(back), normalize(o.Value)) {
				t.Errorf("%s: %T changed through Avro\n got %+v\nwant %+v", name, o.Value, back, o.Value)
			}
			n++
		}
	}
	if n < 200 {
		t.Errorf("only %d outputs checked", n)
	}
}

// normalize makes empty and nil lists and maps equal, and times comparable
// by instant (Avro keeps UTC milliseconds).
func normalize(v any) any {
	return normalizeValue(reflect.ValueOf(v)).Interface()
}

func normalizeValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return reflect.ValueOf(t.UTC())
		}
		out := reflect.New(v.Type()).Elem()
		for i := 0; i < v.NumField(); i++ {
			if out.Field(i).CanSet() {
				out.Field(i).Set(normalizeValue(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(normalizeValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(normalizeValue(v.Elem()))
			return p
		}
	}
	return v
}

// BenchmarkTransformAndEncode is the processors' per-event work for a
// charge.succeeded: Transform, then every output Avro-encoded (the budget:
// 50 µs per event, 20,000 events/s per core).
func BenchmarkTransformAndEncode(b *testing.B) {
	serde := registerSchemas(b)
	tr := New(mapping.Default())
	raw := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 42, Livemode: true})
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	cpu := startCPU()
	defer cpu.report(b)
	for b.Loop() {
		res, err := tr.Transform(raw, receivedAt)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range res.Outputs {
			if buf, err = serde.AppendEncode(buf[:0], o.Topic, o.Value); err != nil {
				b.Fatal(err)
			}
		}
	}
}
