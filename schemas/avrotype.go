package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// avroType is a parsed schema with names resolved: the shape that the
// Go ↔ goavro conversion plans are built from. goavro keeps its own parse
// private, and the plans need the writer's field names, union branch names
// and logical types.
type avroType struct {
	// kind is a primitive name, or record, enum, fixed, array, map, union.
	kind    string
	logical string      // logicalType, e.g. timestamp-millis
	name    string      // full name of a named type
	fields  []avroField // record
	items   *avroType   // array items or map values
	members []*avroType // union
}

type avroField struct {
	name       string
	typ        *avroType
	hasDefault bool
}

// parseAvroType parses schema text (self-contained: named types are defined
// before use) into an avroType.
func parseAvroType(schema string) (*avroType, error) {
	var v any
	if err := json.Unmarshal([]byte(schema), &v); err != nil {
		return nil, fmt.Errorf("schema is not JSON: %w", err)
	}
	p := typeParser{names: map[string]*avroType{}}
	return p.parse(v, "")
}

type typeParser struct {
	names map[string]*avroType
	depth int
}

func (p *typeParser) parse(v any, ns string) (*avroType, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 64 {
		return nil, errors.New("schema nests too deeply")
	}
	switch t := v.(type) {
	case string:
		if primitives[t] {
			return &avroType{kind: t}, nil
		}
		full := t
		if !strings.Contains(t, ".") && ns != "" {
			full = ns + "." + t
		}
		if nt, ok := p.names[full]; ok {
			return nt, nil
		}
		if nt, ok := p.names[t]; ok { // a name in the null namespace
			return nt, nil
		}
		return nil, fmt.Errorf("unknown type %q", t)
	case []any:
		u := &avroType{kind: "union"}
		for _, m := range t {
			mt, err := p.parse(m, ns)
			if err != nil {
				return nil, err
			}
			u.members = append(u.members, mt)
		}
		return u, nil
	case map[string]any:
		return p.parseObject(t, ns)
	}
	return nil, fmt.Errorf("invalid type expression %v", v)
}

func (p *typeParser) parseObject(m map[string]any, ns string) (*avroType, error) {
	kind, _ := m["type"].(string)
	if kind == "" {
		if inner, ok := m["type"]; ok { // {"type": <type expression>}
			return p.parse(inner, ns)
		}
		return nil, errors.New("type object without a type")
	}
	switch kind {
	case "record", "error", "enum", "fixed":
		name, _ := m["name"].(string)
		if name == "" {
			return nil, fmt.Errorf("%s without a name", kind)
		}
		full := name
		if !strings.Contains(name, ".") {
			if n, _ := m["namespace"].(string); n != "" {
				ns = n
			}
			if ns != "" {
				full = ns + "." + name
			}
		} else {
			ns = name[:strings.LastIndex(name, ".")]
		}
		t := &avroType{kind: kind, name: full}
		if kind == "error" {
			t.kind = "record"
		}
		p.names[full] = t // before the fields: a record may refer to itself
		if t.kind != "record" {
			return t, nil
		}
		fields, _ := m["fields"].([]any)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			fname, _ := fm["name"].(string)
			ft, err := p.parse(fm["type"], ns)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", full, fname, err)
			}
			_, hasDefault := fm["default"]
			t.fields = append(t.fields, avroField{name: fname, typ: ft, hasDefault: hasDefault})
		}
		return t, nil
	case "array":
		items, err := p.parse(m["items"], ns)
		if err != nil {
			return nil, fmt.Errorf("array items: %w", err)
		}
		return &avroType{kind: "array", items: items}, nil
	case "map":
		values, err := p.parse(m["values"], ns)
		if err != nil {
			return nil, fmt.Errorf("map values: %w", err)
		}
		return &avroType{kind: "map", items: values}, nil
	}
	if !primitives[kind] {
		if nt, err := p.parse(kind, ns); err == nil { // {"type": "some.Named"}
			return nt, nil
		}
		return nil, fmt.Errorf("unknown type %q", kind)
	}
	logical, _ := m["logicalType"].(string)
	return &avroType{kind: kind, logical: logical}, nil
}

// goavroLogical are the logical types goavro compiles; it names a union
// branch of one "<type>.<logicalType>" and ignores other logical types.
var goavroLogical = map[string]bool{
	"long.timestamp-millis": true, "long.timestamp-micros": true,
	"int.time-millis": true, "long.time-micros": true, "int.date": true,
	"bytes.decimal": true,
}

// branchName is the key goavro uses for a union member's value: the full
// name of a named type, else the type name (with a logical type goavro
// knows).
func (t *avroType) branchName() string {
	if t.name != "" {
		return t.name
	}
	if t.logical != "" && goavroLogical[t.kind+"."+t.logical] {
		return t.kind + "." + t.logical
	}
	return t.kind
}

// describe names a type for error messages.
func (t *avroType) describe() string {
	switch {
	case t.name != "":
		return t.kind + " " + t.name
	case t.logical != "":
		return t.kind + " (" + t.logical + ")"
	}
	return t.kind
}

// shortName returns the part of a full name after the last dot.
func shortName(full string) string { return full[strings.LastIndex(full, ".")+1:] }
