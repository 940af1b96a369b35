package schemas

import (
	"reflect"
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

var (
	timeType  = reflect.TypeFor[time.Time]()
	moneyType = reflect.TypeFor[command.Money]()
)

// goField is a struct field as Avro sees it: by its json tag name.
type goField struct {
	name  string
	index int
}

// goFields lists the fields of a struct type that carry data: exported,
// not tagged json:"-", named by their json tag (or Go name without one).
// Avro field names are the json tag names, so the JSON and Avro forms of a
// record read alike.
func goFields(t reflect.Type) []goField {
	var out []goField
	for i := range t.NumField() {
		f := t.Field(i)
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
		out = append(out, goField{name: name, index: i})
	}
	return out
}

// timeMillis is a time as timestamp-millis. The zero time.Time is written as
// 0 (the epoch), the conventional "unset" of Avro tools, rather than as
// year 1 (-62135596800000), which readers would display as a real date.
func timeMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// millisTime is the inverse of timeMillis: 0 is the zero time.Time, so that
// round trips hold; other values are UTC.
func millisTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// goTypeFor returns the Go type of a top-level record, by full name or, as
// Avro's name resolution allows, by unqualified name.
func goTypeFor(name string) (reflect.Type, bool) {
	if t, ok := goTypes[name]; ok {
		return t, true
	}
	short := shortName(name)
	for full, t := range goTypes {
		if shortName(full) == short {
			return t, true
		}
	}
	return nil, false
}
