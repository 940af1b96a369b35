package schemas

import (
	"reflect"
	"strings"
	"testing"

	"github.com/linkedin/goavro/v2"
)

type planAB struct {
	A string `json:"a"`
	B int64  `json:"b,omitempty"`
}

type planA struct {
	A string `json:"a"`
}

func mustType(t *testing.T, schema string) *avroType {
	t.Helper()
	at, err := parseAvroType(schema)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// The encoder refuses to drop data or to invent it: a Go field the schema
// lacks, or a schema field without default that the Go type lacks, is an
// error when the plan is built.
func TestEncoderIsStrict(t *testing.T) {
	onlyA := mustType(t, `{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}`)
	if _, err := buildEncoder(onlyA, reflect.TypeFor[planAB](), "R", 0); err == nil || !strings.Contains(err.Error(), "has no field in Avro") {
		t.Errorf("Go field without Avro field: %v", err)
	}
	abRequired := mustType(t, `{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"long"}]}`)
	if _, err := buildEncoder(abRequired, reflect.TypeFor[planA](), "R", 0); err == nil || !strings.Contains(err.Error(), "no default") {
		t.Errorf("Avro field without default nor Go field: %v", err)
	}
	if _, err := buildEncoder(onlyA, reflect.TypeFor[struct {
		A int64 `json:"a"`
	}](), "R", 0); err == nil {
		t.Error("a string field encoded from an int64")
	}

	// A defaulted Avro field the Go type lacks is written as its default.
	const withDefault = `{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"long","default":7}]}`
	enc, err := buildEncoder(mustType(t, withDefault), reflect.TypeFor[planA](), "R", 0)
	if err != nil {
		t.Fatal(err)
	}
	v := reflect.New(reflect.TypeFor[planA]()).Elem()
	v.Field(0).SetString("x")
	native, err := enc.encode(v)
	if err != nil {
		t.Fatal(err)
	}
	codec, _ := goavro.NewCodec(withDefault)
	b, err := codec.BinaryFromNative(nil, native)
	if err != nil {
		t.Fatal(err)
	}
	back, _, _ := codec.NativeFromBinary(b)
	if got := back.(map[string]any); got["a"] != "x" || got["b"] != int64(7) {
		t.Errorf("decoded %v, want a=x b=7 (the default)", got)
	}
}

// The decoder resolves writer against reader in the Go conversion: an int
// widens into an int64, a nullable string into a string, and an unknown
// writer field is skipped; what cannot be converted fails when the plan is
// built.
func TestDecoderResolves(t *testing.T) {
	const writer = `{"type":"record","name":"R","fields":[
		{"name":"a","type":["null","string"]},
		{"name":"b","type":"int"},
		{"name":"zzz","type":{"type":"array","items":"string"}}]}`
	dec, err := buildDecoder(mustType(t, writer), reflect.TypeFor[planAB](), "R", 0)
	if err != nil {
		t.Fatal(err)
	}
	codec, _ := goavro.NewCodec(writer)
	for _, c := range []struct {
		a    any
		want planAB
	}{
		{goavro.Union("string", "hello"), planAB{A: "hello", B: 42}},
		{nil, planAB{B: 42}},
	} {
		b, err := codec.BinaryFromNative(nil, map[string]any{"a": c.a, "b": int32(42), "zzz": []any{"q"}})
		if err != nil {
			t.Fatal(err)
		}
		native, _, err := codec.NativeFromBinary(b)
		if err != nil {
			t.Fatal(err)
		}
		got := reflect.New(reflect.TypeFor[planAB]()).Elem()
		if err := dec(native, got); err != nil {
			t.Fatal(err)
		}
		if got.Interface() != c.want {
			t.Errorf("decoded %+v, want %+v", got.Interface(), c.want)
		}
	}

	const stringB = `{"type":"record","name":"R","fields":[{"name":"b","type":"string"}]}`
	if _, err := buildDecoder(mustType(t, stringB), reflect.TypeFor[planAB](), "R", 0); err == nil || !strings.Contains(err.Error(), "R.b") {
		t.Errorf("a string into an int64: %v", err)
	}
}
