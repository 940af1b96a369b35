package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jnode is a JSON value that keeps the key order of its objects.
//
// Schemas are assembled by rewriting the .avsc files, and the result is what
// the registry stores, the frozen versions hold and the data team reads:
// encoding/json's maps would print every record as "doc, fields, name,
// namespace, type", which is valid but hard to read. Key order never
// matters for equality (see normalize).
type jnode struct {
	// keys and vals hold an object's members in order; vals also holds an
	// array's items (keys nil).
	keys []string
	vals []*jnode
	// kind is 'o' (object), 'a' (array) or 's' (scalar).
	kind byte
	// raw is a scalar's JSON text (string, number, true, false, null).
	raw json.RawMessage
}

// parseJSON reads one JSON value, keeping object key order.
func parseJSON(b []byte) (*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return n, nil
}

func readNode(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jnode{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				for _, seen := range n.keys {
					if seen == k {
						return nil, fmt.Errorf("duplicate key %q", k)
					}
				}
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
			_, err := dec.Token() // '}'
			return n, err
		case '[':
			n := &jnode{kind: 'a'}
			for dec.More() {
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, v)
			}
			_, err := dec.Token() // ']'
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case string:
		return strNode(t), nil
	case json.Number:
		return &jnode{kind: 's', raw: json.RawMessage(t.String())}, nil
	case bool:
		if t {
			return &jnode{kind: 's', raw: json.RawMessage("true")}, nil
		}
		return &jnode{kind: 's', raw: json.RawMessage("false")}, nil
	case nil:
		return &jnode{kind: 's', raw: json.RawMessage("null")}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// strNode is a JSON string scalar. HTML characters stay as they are ("<"
// is common in docs: "order:<ch_id>").
func strNode(s string) *jnode {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a Go string always encodes
	return &jnode{kind: 's', raw: bytes.TrimRight(buf.Bytes(), "\n")}
}

// str returns the value of a string scalar, and whether n is one.
func (n *jnode) str() (string, bool) {
	if n == nil || n.kind != 's' || len(n.raw) == 0 || n.raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(n.raw, &s) != nil {
		return "", false
	}
	return s, true
}

// get returns an object's member, or nil.
func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != 'o' {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// getStr returns an object's string member, "" when absent or not a string.
func (n *jnode) getStr(key string) string {
	s, _ := n.get(key).str()
	return s
}

// with returns a shallow copy of object n whose key has value v (replaced in
// place, or appended).
func (n *jnode) with(key string, v *jnode) *jnode {
	out := &jnode{kind: 'o', keys: append([]string(nil), n.keys...), vals: append([]*jnode(nil), n.vals...)}
	for i, k := range out.keys {
		if k == key {
			out.vals[i] = v
			return out
		}
	}
	out.keys = append(out.keys, key)
	out.vals = append(out.vals, v)
	return out
}

// compact renders n as compact JSON, object keys in their order.
func (n *jnode) compact() []byte {
	var buf bytes.Buffer
	n.write(&buf)
	return buf.Bytes()
}

// indent renders n with two-space indentation and a final newline, the form
// of the frozen version files.
func (n *jnode) indent() []byte {
	var buf bytes.Buffer
	_ = json.Indent(&buf, n.compact(), "", "  ") // compact() is valid JSON
	buf.WriteByte('\n')
	return buf.Bytes()
}

func (n *jnode) write(buf *bytes.Buffer) {
	switch n.kind {
	case 'o':
		buf.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(strNode(k).raw)
			buf.WriteByte(':')
			n.vals[i].write(buf)
		}
		buf.WriteByte('}')
	case 'a':
		buf.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				buf.WriteByte(',')
			}
			v.write(buf)
		}
		buf.WriteByte(']')
	default:
		buf.Write(n.raw)
	}
}

// Normalize returns schema text in a form where two texts are equal exactly
// when they are the same JSON document: whitespace and object key order do
// not count; names, docs, defaults and field order do. It is how the
// registry (srfake and Confluent's) decides that a schema is already
// registered, and how schemas-check compares the current schema with the
// frozen versions, so a schema that passes the check is byte for byte one the
// registry has seen.
func Normalize(schema string) (string, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(schema)))
	dec.UseNumber() // numbers (defaults) compare as written, not as float64
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("schema is not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", errors.New("schema is not JSON: trailing data")
	}
	b, err := json.Marshal(v) // maps marshal with sorted keys
	if err != nil {
		return "", fmt.Errorf("normalize schema: %w", err)
	}
	return string(b), nil
}

// Indent returns schema text as the frozen version files hold it: the same
// JSON with two-space indentation, key order kept, and a final newline.
func Indent(schema string) ([]byte, error) {
	n, err := parseJSON([]byte(schema))
	if err != nil {
		return nil, fmt.Errorf("schema is not JSON: %w", err)
	}
	return n.indent(), nil
}
