package schemas

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// encodeFn turns an addressable Go value into goavro's native form
// (map[string]any for records, []any for arrays, map[string]any{branch: v}
// for non-null union values).
type encodeFn func(v reflect.Value) (any, error)

// releaseFn gives the maps of a native value back to their pools once
// goavro has written it. Building fresh maps for every value was two thirds
// of the cost of Encode (maps of more than eight keys are several
// allocations each); the natives of one type have the same keys every time,
// so a map is simply overwritten on its next use.
type releaseFn func(x any)

// encoder is the compiled plan for one (schema, Go type).
type encoder struct {
	encode  encodeFn
	release releaseFn // nil when the native holds no pooled maps
}

// buildEncoder compiles, once per (schema, Go type), the conversion of Go
// values into goavro natives. Doing the reflection work here rather than per
// value is what keeps Encode at a few microseconds. It is strict: a Go field
// with no Avro field, or an Avro field without a default and no Go field, is
// an error, so a schema and its Go type cannot drift apart unnoticed.
func buildEncoder(t *avroType, gt reflect.Type, path string, depth int) (encoder, error) {
	if depth > 32 {
		return encoder{}, fmt.Errorf("%s: type nests too deeply", path)
	}
	mismatch := func() (encoder, error) {
		return encoder{}, fmt.Errorf("%s: Avro %s cannot hold Go %s", path, t.describe(), gt)
	}
	if t.kind == "union" {
		return buildUnionEncoder(t, gt, path, depth)
	}
	if gt.Kind() == reflect.Pointer {
		return encoder{}, fmt.Errorf("%s: Go %s needs an Avro union with null", path, gt)
	}
	leaf := func(f encodeFn) (encoder, error) { return encoder{encode: f}, nil }
	if gt == timeType {
		if t.kind != "long" || (t.logical != "" && t.logical != "timestamp-millis") {
			return mismatch()
		}
		return leaf(func(v reflect.Value) (any, error) {
			return timeMillis(*v.Addr().Interface().(*time.Time)), nil
		})
	}
	switch t.kind {
	case "string", "enum":
		if gt.Kind() != reflect.String {
			return mismatch()
		}
		return leaf(func(v reflect.Value) (any, error) { return v.String(), nil })
	case "boolean":
		if gt.Kind() != reflect.Bool {
			return mismatch()
		}
		return leaf(func(v reflect.Value) (any, error) { return v.Bool(), nil })
	case "long":
		if !isInt(gt) {
			return mismatch()
		}
		return leaf(func(v reflect.Value) (any, error) { return v.Int(), nil })
	case "int":
		if !isInt(gt) {
			return mismatch()
		}
		return leaf(func(v reflect.Value) (any, error) {
			n := v.Int()
			if n != int64(int32(n)) {
				return nil, fmt.Errorf("%s: %d does not fit an Avro int", path, n)
			}
			return int32(n), nil
		})
	case "record":
		if gt.Kind() != reflect.Struct {
			return mismatch()
		}
		return buildRecordEncoder(t, gt, path, depth)
	case "array":
		if gt.Kind() != reflect.Slice {
			return mismatch()
		}
		return buildArrayEncoder(t, gt, path, depth)
	case "map":
		if gt.Kind() != reflect.Map || gt.Key().Kind() != reflect.String {
			return mismatch()
		}
		return buildMapEncoder(t, gt, path, depth)
	}
	return mismatch()
}

func buildArrayEncoder(t *avroType, gt reflect.Type, path string, depth int) (encoder, error) {
	elem, err := buildEncoder(t.items, gt.Elem(), path+"[]", depth+1)
	if err != nil {
		return encoder{}, err
	}
	enc := encoder{encode: func(v reflect.Value) (any, error) {
		out := make([]any, v.Len())
		for i := range out {
			x, err := elem.encode(v.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}}
	if elem.release != nil {
		enc.release = func(x any) {
			for _, item := range x.([]any) {
				elem.release(item)
			}
		}
	}
	return enc, nil
}

func buildMapEncoder(t *avroType, gt reflect.Type, path string, depth int) (encoder, error) {
	elem, err := buildEncoder(t.items, gt.Elem(), path+"{}", depth+1)
	if err != nil {
		return encoder{}, err
	}
	enc := encoder{encode: func(v reflect.Value) (any, error) {
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		val := reflect.New(gt.Elem()).Elem() // addressable holder for each value
		for it.Next() {
			val.Set(it.Value())
			x, err := elem.encode(val)
			if err != nil {
				return nil, err
			}
			out[it.Key().String()] = x
		}
		return out, nil
	}}
	if elem.release != nil {
		enc.release = func(x any) {
			for _, item := range x.(map[string]any) {
				elem.release(item)
			}
		}
	}
	return enc, nil
}

// buildUnionEncoder handles a union: a Go pointer is null when nil and the
// first non-null member that fits its element otherwise; any other Go type
// is written as the first non-null member that fits it.
func buildUnionEncoder(t *avroType, gt reflect.Type, path string, depth int) (encoder, error) {
	target, nullable := gt, false
	if gt.Kind() == reflect.Pointer {
		target = gt.Elem()
	}
	var (
		inner  encoder
		branch string
		errs   []error
	)
	for _, m := range t.members {
		if m.kind == "null" {
			nullable = true
			continue
		}
		if inner.encode != nil {
			continue
		}
		e, err := buildEncoder(m, target, path, depth+1)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		inner, branch = e, m.branchName()
	}
	if inner.encode == nil {
		return encoder{}, fmt.Errorf("%s: no member of the Avro union fits Go %s: %v", path, gt, errs)
	}
	if gt.Kind() == reflect.Pointer && !nullable {
		return encoder{}, fmt.Errorf("%s: Go %s may be nil but the Avro union has no null", path, gt)
	}
	return wrapBranch(branch, inner, gt.Kind() == reflect.Pointer), nil
}

// wrapBranch wraps the native of inner as goavro's union value
// map[string]any{branch: native}; with nilIsNull a nil pointer is null.
func wrapBranch(branch string, inner encoder, nilIsNull bool) encoder {
	pool := &sync.Pool{New: func() any { return make(map[string]any, 1) }}
	return encoder{
		encode: func(v reflect.Value) (any, error) {
			if nilIsNull {
				if v.IsNil() {
					return nil, nil
				}
				v = v.Elem()
			}
			x, err := inner.encode(v)
			if err != nil {
				return nil, err
			}
			m := pool.Get().(map[string]any)
			m[branch] = x
			return m, nil
		},
		release: func(x any) {
			m, ok := x.(map[string]any)
			if !ok {
				return // null
			}
			if inner.release != nil {
				inner.release(m[branch])
			}
			pool.Put(m)
		},
	}
}

// recordField is one Avro field of a record plan: either a Go field (index)
// or computed from the Go value (Money's exponent).
type recordField struct {
	name     string
	index    int
	enc      encoder
	computed encodeFn
	// leaf is 's', 'b' or 'l' for a string, boolean or long field read
	// directly in the record's loop (most fields), saving a call each.
	leaf byte
}

func buildRecordEncoder(t *avroType, gt reflect.Type, path string, depth int) (encoder, error) {
	byName := map[string]goField{}
	for _, f := range goFields(gt) {
		byName[f.name] = f
	}
	var (
		fields   []recordField
		children []recordField // fields whose natives hold pooled maps
	)
	seen := map[string]bool{}
	for _, af := range t.fields {
		fpath := path + "." + af.name
		gf, ok := byName[af.name]
		switch {
		case ok:
			seen[af.name] = true
			e, err := buildEncoder(af.typ, gt.Field(gf.index).Type, fpath, depth+1)
			if err != nil {
				return encoder{}, err
			}
			f := recordField{name: af.name, index: gf.index, enc: e, leaf: leafKind(af.typ, gt.Field(gf.index).Type)}
			fields = append(fields, f)
			if e.release != nil {
				children = append(children, f)
			}
		case gt == moneyType && af.name == "exponent":
			cur := byName["currency"].index
			fields = append(fields, recordField{name: af.name, computed: func(v reflect.Value) (any, error) {
				return int32(command.APIExponent(v.Field(cur).String())), nil
			}})
		case af.hasDefault:
			// Never set in the native map: goavro writes the default.
		default:
			return encoder{}, fmt.Errorf("%s: Avro field has no default and Go %s has no field for it", fpath, gt)
		}
	}
	for name := range byName {
		if !seen[name] {
			return encoder{}, fmt.Errorf("%s: Go field %s.%s has no field in Avro %s", path, gt, name, t.name)
		}
	}
	// Every key of a pooled map is overwritten on each use (the same fields
	// every time), so a reused map never carries a stale value.
	pool := &sync.Pool{New: func() any { return make(map[string]any, len(fields)) }}
	return encoder{
		encode: func(v reflect.Value) (any, error) {
			out := pool.Get().(map[string]any)
			for i := range fields {
				f := &fields[i]
				var (
					x   any
					err error
				)
				switch {
				case f.leaf == 's':
					x = v.Field(f.index).String()
				case f.leaf == 'b':
					x = v.Field(f.index).Bool()
				case f.leaf == 'l':
					x = v.Field(f.index).Int()
				case f.computed != nil:
					x, err = f.computed(v)
				default:
					x, err = f.enc.encode(v.Field(f.index))
				}
				if err != nil {
					return nil, err
				}
				out[f.name] = x
			}
			return out, nil
		},
		release: func(x any) {
			m := x.(map[string]any)
			for i := range children {
				if c, ok := m[children[i].name]; ok {
					children[i].enc.release(c)
				}
			}
			pool.Put(m)
		},
	}, nil
}

// leafKind says whether a field takes the record loop's fast path: the same
// conversion as buildEncoder's, without the call.
func leafKind(t *avroType, gt reflect.Type) byte {
	switch {
	case t.logical != "" || gt == timeType:
		return 0
	case t.kind == "string" && gt.Kind() == reflect.String:
		return 's'
	case t.kind == "boolean" && gt.Kind() == reflect.Bool:
		return 'b'
	case t.kind == "long" && isInt(gt):
		return 'l'
	}
	return 0
}

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}
