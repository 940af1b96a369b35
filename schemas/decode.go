package schemas

import (
	"fmt"
	"reflect"
	"time"
)

// decodeFn stores a goavro native value, decoded with some writer schema,
// into an addressable, zeroed Go value.
type decodeFn func(x any, dst reflect.Value) error

// buildDecoder compiles, once per (writer schema, Go type), the conversion
// of goavro natives into Go values. goavro decodes with the writer's schema
// only (it has no reader/writer resolution), so the resolution happens here
// and is deliberately tolerant: a Go field the writer lacks keeps its zero
// value, a writer field the Go type lacks is skipped, int widens to long.
// What cannot be carried over (a string into an integer) is an error when
// the plan is built, before any record is touched.
func buildDecoder(t *avroType, gt reflect.Type, path string, depth int) (decodeFn, error) {
	if depth > 32 {
		return nil, fmt.Errorf("%s: type nests too deeply", path)
	}
	mismatch := func() error {
		return fmt.Errorf("%s: written as Avro %s, cannot become Go %s", path, t.describe(), gt)
	}
	if t.kind == "union" {
		return buildUnionDecoder(t, gt, path, depth)
	}
	if gt.Kind() == reflect.Pointer {
		elem, err := buildDecoder(t, gt.Elem(), path, depth+1)
		if err != nil {
			return nil, err
		}
		return func(x any, dst reflect.Value) error {
			p := reflect.New(gt.Elem())
			if err := elem(x, p.Elem()); err != nil {
				return err
			}
			dst.Set(p)
			return nil
		}, nil
	}
	if gt == timeType {
		if t.kind != "long" {
			return nil, mismatch()
		}
		return func(x any, dst reflect.Value) error {
			var tm time.Time
			switch v := x.(type) {
			case time.Time: // timestamp-millis or -micros, decoded by goavro
				if !(v.Unix() == 0 && v.Nanosecond() == 0) {
					tm = v.UTC()
				}
			case int64: // a plain long: taken as milliseconds
				tm = millisTime(v)
			default:
				return fmt.Errorf("%s: got %T for a time", path, x)
			}
			*dst.Addr().Interface().(*time.Time) = tm
			return nil
		}, nil
	}
	switch t.kind {
	case "string", "enum", "bytes":
		if gt.Kind() != reflect.String {
			return nil, mismatch()
		}
		return func(x any, dst reflect.Value) error {
			switch v := x.(type) {
			case string:
				dst.SetString(v)
			case []byte:
				dst.SetString(string(v))
			default:
				return fmt.Errorf("%s: got %T for a string", path, x)
			}
			return nil
		}, nil
	case "boolean":
		if gt.Kind() != reflect.Bool {
			return nil, mismatch()
		}
		return func(x any, dst reflect.Value) error {
			b, ok := x.(bool)
			if !ok {
				return fmt.Errorf("%s: got %T for a boolean", path, x)
			}
			dst.SetBool(b)
			return nil
		}, nil
	case "int", "long":
		if !isInt(gt) {
			return nil, mismatch()
		}
		return func(x any, dst reflect.Value) error {
			var n int64
			switch v := x.(type) {
			case int64:
				n = v
			case int32:
				n = int64(v)
			default:
				return fmt.Errorf("%s: got %T for an integer", path, x)
			}
			if dst.OverflowInt(n) {
				return fmt.Errorf("%s: %d overflows Go %s", path, n, gt)
			}
			dst.SetInt(n)
			return nil
		}, nil
	case "record":
		if gt.Kind() != reflect.Struct {
			return nil, mismatch()
		}
		return buildRecordDecoder(t, gt, path, depth)
	case "array":
		if gt.Kind() != reflect.Slice {
			return nil, mismatch()
		}
		elem, err := buildDecoder(t.items, gt.Elem(), path+"[]", depth+1)
		if err != nil {
			return nil, err
		}
		return func(x any, dst reflect.Value) error {
			arr, ok := x.([]any)
			if !ok {
				return fmt.Errorf("%s: got %T for an array", path, x)
			}
			if len(arr) == 0 {
				return nil // nil, like the zero value Go code writes
			}
			s := reflect.MakeSlice(gt, len(arr), len(arr))
			for i, item := range arr {
				if err := elem(item, s.Index(i)); err != nil {
					return err
				}
			}
			dst.Set(s)
			return nil
		}, nil
	case "map":
		if gt.Kind() != reflect.Map || gt.Key().Kind() != reflect.String {
			return nil, mismatch()
		}
		elem, err := buildDecoder(t.items, gt.Elem(), path+"{}", depth+1)
		if err != nil {
			return nil, err
		}
		return func(x any, dst reflect.Value) error {
			m, ok := x.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: got %T for a map", path, x)
			}
			if len(m) == 0 {
				return nil
			}
			out := reflect.MakeMapWithSize(gt, len(m))
			for k, v := range m {
				val := reflect.New(gt.Elem()).Elem()
				if err := elem(v, val); err != nil {
					return err
				}
				out.SetMapIndex(reflect.ValueOf(k).Convert(gt.Key()), val)
			}
			dst.Set(out)
			return nil
		}, nil
	}
	return nil, mismatch()
}

// buildUnionDecoder handles a union written by the writer: null leaves the
// Go value zero (a nil pointer); a branch is decoded into the Go type, or
// into a new element for a pointer.
func buildUnionDecoder(t *avroType, gt reflect.Type, path string, depth int) (decodeFn, error) {
	target := gt
	if gt.Kind() == reflect.Pointer {
		target = gt.Elem()
	}
	branches := map[string]decodeFn{}
	var errs []error
	for _, m := range t.members {
		if m.kind == "null" {
			continue
		}
		d, err := buildDecoder(m, target, path, depth+1)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		branches[m.branchName()] = d
	}
	if len(branches) == 0 {
		return nil, fmt.Errorf("%s: no member of the written Avro union can become Go %s: %v", path, gt, errs)
	}
	return func(x any, dst reflect.Value) error {
		if x == nil {
			return nil
		}
		m, ok := x.(map[string]any)
		if !ok || len(m) != 1 {
			return fmt.Errorf("%s: got %T for a union", path, x)
		}
		for name, v := range m {
			d, ok := branches[name]
			if !ok {
				return fmt.Errorf("%s: union branch %s cannot become Go %s", path, name, gt)
			}
			if gt.Kind() != reflect.Pointer {
				return d(v, dst)
			}
			p := reflect.New(target)
			if err := d(v, p.Elem()); err != nil {
				return err
			}
			dst.Set(p)
		}
		return nil
	}, nil
}

type fieldDecoder struct {
	name  string
	index int
	dec   decodeFn
}

func buildRecordDecoder(t *avroType, gt reflect.Type, path string, depth int) (decodeFn, error) {
	byName := map[string]goField{}
	for _, f := range goFields(gt) {
		byName[f.name] = f
	}
	var fields []fieldDecoder
	for _, af := range t.fields {
		gf, ok := byName[af.name]
		if !ok {
			continue // unknown to this Go type (a newer writer, or Money's exponent): skipped
		}
		d, err := buildDecoder(af.typ, gt.Field(gf.index).Type, path+"."+af.name, depth+1)
		if err != nil {
			return nil, err
		}
		fields = append(fields, fieldDecoder{name: af.name, index: gf.index, dec: d})
	}
	return func(x any, dst reflect.Value) error {
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: got %T for a record", path, x)
		}
		for i := range fields {
			f := &fields[i]
			v, ok := m[f.name]
			if !ok {
				continue
			}
			if err := f.dec(v, dst.Field(f.index)); err != nil {
				return err
			}
		}
		return nil
	}, nil
}
