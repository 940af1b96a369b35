package transform

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
)

// The hand-written reader must decode exactly what encoding/json decodes
// into the same structs. These UnmarshalJSON methods (test-only) give the
// custom types of stripe.go their encoding/json meaning, the one the reader
// implements.

func (n *num) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = parseNum(s, true)
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		if bytes.ContainsAny(b, ".eE") {
			*n = num{St: numInvalid, Raw: string(b)}
		} else {
			*n = parseNum(string(b), false)
		}
	default:
		return &json.UnmarshalTypeError{Value: string(b[:1]), Type: reflect.TypeFor[num]()}
	}
	return nil
}

func (f *ref) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '"':
		return json.Unmarshal(b, &f.ID)
	case '{':
		if f.Obj == nil {
			f.Obj = new(object)
		}
		if err := json.Unmarshal(b, f.Obj); err != nil {
			return err
		}
		f.ID = f.Obj.ID
	}
	return nil
}

func (s *source) UnmarshalJSON(b []byte) error {
	if b[0] == '"' {
		return json.Unmarshal(b, &s.ID)
	}
	var v struct {
		ID     string `json:"id"`
		Object string `json:"object"`
		Type   string `json:"type"`
		Brand  string `json:"brand"`
	}
	if string(b) == "null" {
		return nil
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = source{ID: v.ID, Object: v.Object, Type: v.Type, Brand: v.Brand}
	return nil
}

func (l *refundList) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '[':
		l.Listed = true
		return json.Unmarshal(b, &l.Data)
	case '{':
		l.Listed = true
		var v struct {
			Data    []object `json:"data"`
			HasMore bool     `json:"has_more"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		l.Data, l.HasMore = v.Data, v.HasMore
	}
	return nil
}

func (p *product) UnmarshalJSON(b []byte) error {
	if b[0] == '"' {
		return json.Unmarshal(b, &p.ID)
	}
	var v struct {
		ID       string            `json:"id"`
		Name     string            `json:"name"`
		Metadata map[string]string `json:"metadata"`
	}
	if string(b) == "null" {
		return nil
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = product{ID: v.ID, Name: v.Name, Metadata: v.Metadata}
	return nil
}

func (p *price) UnmarshalJSON(b []byte) error {
	if b[0] == '"' {
		return json.Unmarshal(b, &p.ID)
	}
	type plain price // no methods: the struct's own tags
	return json.Unmarshal(b, (*plain)(p))
}

// clearOffsets zeroes the Off fields, which only the reader knows.
func clearOffsets(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearOffsets(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Name == "Off" {
				v.Field(i).SetInt(0)
				continue
			}
			clearOffsets(v.Field(i))
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			clearOffsets(v.Index(i))
		}
	}
}

// corpus is every test payload: the hand-written files and the fixture
// events of every type in several currencies and modes.
func corpus(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		out[f] = readTestdata(t, filepath.Base(f))
	}
	for i, typ := range stripefixture.Types() {
		for j, o := range []stripefixture.Options{
			{Seq: int64(i), Livemode: true},
			{Seq: int64(100 + i), Currency: "jpy", Guest: true, Account: "acct_1NfixtureAcct01"},
			{Seq: int64(200 + i), Currency: "eur", APIVersion: "2020-08-27"},
		} {
			out["fixture/"+typ+"/"+string(rune('a'+j))] = stripefixture.MustEvent(typ, o)
		}
	}
	return out
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	for name, raw := range corpus(t) {
		want := new(event)
		if err := json.Unmarshal(raw, want); err != nil {
			t.Errorf("%s: encoding/json: %v", name, err)
			continue
		}
		got, r := decodeEvent(string(raw))
		if r.err != nil || r.bad >= 0 {
			t.Errorf("%s: reader: err %v, bad value at %d", name, r.err, r.bad)
			continue
		}
		if got.Data.Object == nil || got.Data.Object.Off <= 0 {
			t.Errorf("%s: data.object offset not recorded", name)
		}
		clearOffsets(reflect.ValueOf(got))
		if !reflect.DeepEqual(got, want) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			t.Errorf("%s: reader and encoding/json disagree\n got: %s\nwant: %s", name, gj, wj)
		}
	}
}

// Strings with escapes and non-ASCII text decode as encoding/json decodes
// them, invalid UTF-8 included (replaced by U+FFFD).
func TestDecodeStrings(t *testing.T) {
	for _, s := range []string{
		`"plain"`, `"Jón Jónsson"`, `"tab\there"`, `"quote \" and backslash \\"`, `"\u00e9t\u00E9"`,
		`"surrogates \ud83d\ude00"`, `"lone surrogate \ud83d"`, "\"bad utf8 \xff\xfe\"", `"\/slash"`, `""`,
	} {
		body := `{"id":"evt_1","type":"x.y","data":{"object":{"id":"o","description":` + s + `}}}`
		var want string
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		ev, r := decodeEvent(body)
		if r.err != nil {
			t.Errorf("%s: %v", s, r.err)
			continue
		}
		if got := ev.Data.Object.Description; got != want {
			t.Errorf("%s: got %q, want %q", s, got, want)
		}
	}
}

// The reader refuses exactly what encoding/json.Valid refuses.
func TestDecodeSyntax(t *testing.T) {
	for _, s := range []string{
		``, ` `, `{`, `}`, `{"id":}`, `{"id":"a",}`, `{"id" "a"}`, `{"id":"a"}x`, `{"id":"a"} {}`, `[1,]`, `[,1]`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`, `{"a":"\x"}`,
		`{"a":"\u12"}`, "{\"a\":\"ctl\x01\"}", `{"a":"unterminated}`, `{'a':1}`, `{"a":[1 2]}`, `{"a":{"b":1 "c":2}}`,
		`{"id":"evt","data":{"object":{"amount":12,}}}`, strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		// valid ones, for contrast
		`{}`, `[]`, `{"a":[1,2,{"b":null}],"c":-0.5e+3,"d":"\u00e9"}`, ` {"a" : true } `, `"str"`, `0`, `-1.5E-2`,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	} {
		_, r := decodeEvent(s)
		if got, want := r.err == nil, json.Valid([]byte(s)); got != want {
			t.Errorf("%.60q: reader valid=%v, encoding/json valid=%v (%v)", s, got, want, r.err)
		}
		if r.err != nil && (r.err.Class != ClassDecode || r.err.Code != "invalid_json") {
			t.Errorf("%.60q: error %+v", s, r.err)
		}
	}
}

func TestParseNum(t *testing.T) {
	for _, tc := range []struct {
		text   string
		quoted bool
		want   num
	}{
		{"2000", false, num{V: 2000, St: numOK}},
		{"-5", false, num{V: -5, St: numOK}},
		{"9223372036854775807", false, num{V: 9223372036854775807, St: numOK}},
		{"9223372036854775808", false, num{St: numInvalid, Raw: "9223372036854775808"}},
		{"2000", true, num{V: 2000, St: numCoerced, Raw: "2000"}},
		{"-0", true, num{V: 0, St: numCoerced, Raw: "-0"}},
		{"20.5", true, num{St: numInvalid, Raw: "20.5"}},
		{"abc", true, num{St: numInvalid, Raw: "abc"}},
		{"", true, num{St: numInvalid, Raw: ""}},
		{" 12", true, num{St: numInvalid, Raw: " 12"}},
		{"+12", true, num{St: numInvalid, Raw: "+12"}},
		{"1e3", true, num{St: numInvalid, Raw: "1e3"}},
		{"99999999999999999999", true, num{St: numInvalid, Raw: "99999999999999999999"}},
	} {
		if got := parseNum(tc.text, tc.quoted); got != tc.want {
			t.Errorf("parseNum(%q, %v) = %+v, want %+v", tc.text, tc.quoted, got, tc.want)
		}
	}
}

func TestPathAt(t *testing.T) {
	s := `{"id":"evt","data":{"object":{"lines":{"data":[{"amount":1},{"amount":"x","q":[0,{"k":2}]}]},"":{"z":1}}}}`
	for _, tc := range []struct{ needle, want string }{
		{`"x"`, "data.object.lines.data[1].amount"},
		{`{"amount":1}`, "data.object.lines.data[0]"},
		{`2}`, "data.object.lines.data[1].q[1].k"},
		{`"evt"`, "id"},
		{`1}}}}`, "data.object..z"},
	} {
		off := strings.Index(s, tc.needle)
		if got := pathAt(s, off); got != tc.want {
			t.Errorf("pathAt(%s) = %q, want %q", tc.needle, got, tc.want)
		}
	}
	if got := pathAt(s, 0); got != "" {
		t.Errorf("top level: %q", got)
	}
	if got := pathAt(s, 3); got != "" { // inside a key, not a value
		t.Errorf("not a value start: %q", got)
	}
}
