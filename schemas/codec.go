package schemas

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/linkedin/goavro/v2"
)

// topicCodec writes one topic's values with the schema this binary
// registered for it.
type topicCodec struct {
	id     int
	codec  *goavro.Codec
	enc    map[reflect.Type]encoder
	accept string // the Go types the topic takes, for error messages
}

// newTopicCodec compiles the encoders of every record a topic carries. For a
// union topic each record's native value is wrapped in its branch.
func newTopicCodec(id int, schema string) (*topicCodec, error) {
	codec, err := goavro.NewCodec(schema)
	if err != nil {
		return nil, fmt.Errorf("goavro: %w", err)
	}
	t, err := parseAvroType(schema)
	if err != nil {
		return nil, err
	}
	tc := &topicCodec{id: id, codec: codec, enc: map[reflect.Type]encoder{}}
	records := []*avroType{t}
	if t.kind == "union" {
		records = t.members
	}
	var accept []string
	for _, r := range records {
		gt, ok := goTypeFor(r.name)
		if r.kind != "record" || !ok {
			return nil, fmt.Errorf("%s has no Go type", r.describe())
		}
		e, err := buildEncoder(r, gt, shortName(r.name), 0)
		if err != nil {
			return nil, err
		}
		if t.kind == "union" {
			e = wrapBranch(r.branchName(), e, false)
		}
		tc.enc[gt] = e
		accept = append(accept, gt.String())
	}
	sort.Strings(accept)
	tc.accept = strings.Join(accept, ", ")
	return tc, nil
}

// writerCodec reads values written with one schema id, whichever version of
// a subject it is.
type writerCodec struct {
	codec  *goavro.Codec
	decode func(native any) (any, error)
}

// newWriterCodec compiles the decoding of a writer schema into the Go types:
// a record becomes the Go type of its name; a union's branch decides.
func newWriterCodec(schema string) (*writerCodec, error) {
	codec, err := goavro.NewCodec(schema)
	if err != nil {
		return nil, fmt.Errorf("goavro: %w", err)
	}
	t, err := parseAvroType(schema)
	if err != nil {
		return nil, err
	}
	one := func(r *avroType) (func(any) (any, error), error) {
		gt, ok := goTypeFor(r.name)
		if r.kind != "record" || !ok {
			return nil, fmt.Errorf("%s has no Go type", r.describe())
		}
		d, err := buildDecoder(r, gt, shortName(r.name), 0)
		if err != nil {
			return nil, err
		}
		return func(native any) (any, error) {
			v := reflect.New(gt).Elem()
			if err := d(native, v); err != nil {
				return nil, err
			}
			return v.Interface(), nil
		}, nil
	}
	if t.kind != "union" {
		d, err := one(t)
		if err != nil {
			return nil, err
		}
		return &writerCodec{codec: codec, decode: d}, nil
	}
	// A branch this code cannot decode (a newer writer's new command) fails
	// only the records of that branch, not the whole topic.
	branches := map[string]func(any) (any, error){}
	for _, m := range t.members {
		d, err := one(m)
		if err != nil {
			err := fmt.Errorf("union branch %s: %w", m.branchName(), err)
			d = func(any) (any, error) { return nil, err }
		}
		branches[m.branchName()] = d
	}
	return &writerCodec{codec: codec, decode: func(native any) (any, error) {
		m, ok := native.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, fmt.Errorf("got %T for a union value", native)
		}
		for name, v := range m {
			if d, ok := branches[name]; ok {
				return d(v)
			}
			return nil, fmt.Errorf("union branch %s has no Go type", name)
		}
		return nil, nil // unreachable: len(m) == 1
	}}, nil
}
