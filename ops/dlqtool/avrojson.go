package dlqtool

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/hamba/avro/v2"
)

// orderAvroJSON rewrites goavro's Avro JSON (whose record fields come out
// in map order, a different order every time) with each record's fields
// in the schema's order, so the same value always prints the same way and
// reads like the schema. Anything the schema walk does not recognise is
// written as it came; on any error the input is returned unchanged.
func orderAvroJSON(schema string, text []byte) []byte {
	s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
	if err != nil {
		return text
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber() // longs stay exact
	var v any
	if err := dec.Decode(&v); err != nil {
		return text
	}
	var buf bytes.Buffer
	writeOrdered(&buf, s, v)
	return buf.Bytes()
}

func writeOrdered(buf *bytes.Buffer, s avro.Schema, v any) {
	if ref, ok := s.(*avro.RefSchema); ok {
		s = ref.Schema()
	}
	switch s := s.(type) {
	case *avro.RecordSchema:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		buf.WriteByte('{')
		first := true
		for _, f := range s.Fields() {
			fv, ok := m[f.Name()]
			if !ok {
				continue
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			writeJSON(buf, f.Name())
			buf.WriteByte(':')
			writeOrdered(buf, f.Type(), fv)
		}
		buf.WriteByte('}')
		return
	case *avro.UnionSchema:
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			break
		}
		for branch, bv := range m {
			buf.WriteByte('{')
			writeJSON(buf, branch)
			buf.WriteByte(':')
			if bs := unionBranch(s, branch); bs != nil {
				writeOrdered(buf, bs, bv)
			} else {
				writeJSON(buf, bv)
			}
			buf.WriteByte('}')
		}
		return
	case *avro.ArraySchema:
		a, ok := v.([]any)
		if !ok {
			break
		}
		buf.WriteByte('[')
		for i, e := range a {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeOrdered(buf, s.Items(), e)
		}
		buf.WriteByte(']')
		return
	case *avro.MapSchema:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSON(buf, k)
			buf.WriteByte(':')
			writeOrdered(buf, s.Values(), m[k])
		}
		buf.WriteByte('}')
		return
	}
	writeJSON(buf, v)
}

// unionBranch finds the branch an Avro JSON union key names: a named
// type's full name, a primitive's or a container's type name, or
// "type.logicalType" as goavro writes logical types.
func unionBranch(u *avro.UnionSchema, key string) avro.Schema {
	for _, b := range u.Types() {
		if ref, ok := b.(*avro.RefSchema); ok {
			b = ref.Schema()
		}
		if n, ok := b.(avro.NamedSchema); ok && n.FullName() == key {
			return b
		}
		if string(b.Type()) == key {
			return b
		}
		if l, ok := b.(avro.LogicalTypeSchema); ok && l.Logical() != nil && string(b.Type())+"."+string(l.Logical().Type()) == key {
			return b
		}
	}
	return nil
}

func writeJSON(buf *bytes.Buffer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		buf.WriteString("null")
		return
	}
	buf.Write(b)
}
