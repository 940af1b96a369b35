package schemas

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hamba/avro/v2"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

func TestEmbeddedCatalog(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"stripeinfor.commands.ApplyPayment", "stripeinfor.commands.ChangeOrderStatus",
		"stripeinfor.commands.CreateCreditMemo", "stripeinfor.commands.CreateSalesOrder",
		"stripeinfor.commands.PostJournal", "stripeinfor.commands.ReconcilePayout",
		"stripeinfor.commands.UpsertCustomer",
		"stripeinfor.common.Address", "stripeinfor.common.BalanceTransaction", "stripeinfor.common.CustomerRef",
		"stripeinfor.common.Flag", "stripeinfor.common.JournalLine", "stripeinfor.common.Meta",
		"stripeinfor.common.Money", "stripeinfor.common.OrderLine", "stripeinfor.common.OrderRef",
		"stripeinfor.common.PayoutAccounts", "stripeinfor.events.EnrichedEvent", "stripeinfor.notifications.CustomerNotification",
	}
	if got := c.Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("types = %v\nwant %v", got, want)
	}
}

// definitions counts, in a schema's JSON, how often each named type is
// defined (an object with a name and a record/enum type) and how often it is
// referred to by name.
func definitions(t *testing.T, schema string) (defs, refs map[string]int) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(schema), &v); err != nil {
		t.Fatal(err)
	}
	defs, refs = map[string]int{}, map[string]int{}
	var walk func(v any, inType bool)
	walk = func(v any, inType bool) {
		switch x := v.(type) {
		case string:
			if inType && strings.Contains(x, ".") {
				refs[x]++
			}
		case []any:
			for _, item := range x {
				walk(item, inType)
			}
		case map[string]any:
			if typ, _ := x["type"].(string); typ == "record" || typ == "enum" {
				defs[x["namespace"].(string)+"."+x["name"].(string)]++
			}
			for k, item := range x {
				walk(item, k == "type" || k == "items" || k == "values" || (inType && k == "fields"))
			}
		}
	}
	walk(v, true)
	return defs, refs
}

func TestTopicSchemasAreSelfContained(t *testing.T) {
	for _, topic := range Topics {
		schema, err := Schema(topic)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateSchema(schema); err != nil {
			t.Errorf("%s: %v", topic, err)
		}
		defs, refs := definitions(t, schema)
		for name, n := range defs {
			if n != 1 {
				t.Errorf("%s: %s defined %d times", topic, name, n)
			}
		}
		for name := range refs {
			if defs[name] == 0 {
				t.Errorf("%s: refers to %s without defining it", topic, name)
			}
		}
		if topic != kafka.EnrichedEvents && defs["stripeinfor.common.Meta"] != 1 {
			t.Errorf("%s: Meta not defined inline: %v", topic, defs)
		}
	}
	// The union topics: the branches in order, shared types defined once
	// (in the first branch) and referred to by name in the second.
	for topic, branches := range map[string][]string{
		kafka.SalesOrderCommands: {"CreateSalesOrder", "ChangeOrderStatus"},
		kafka.PaymentCommands:    {"ApplyPayment", "CreateCreditMemo"},
	} {
		schema, _ := Schema(topic)
		s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
		if err != nil {
			t.Fatal(err)
		}
		u, ok := s.(*avro.UnionSchema)
		if !ok || len(u.Types()) != len(branches) {
			t.Fatalf("%s: not a union of %v: %s", topic, branches, s.Type())
		}
		for i, b := range branches {
			if got := u.Types()[i].(avro.NamedSchema).Name(); got != b {
				t.Errorf("%s: branch %d is %s, want %s", topic, i, got, b)
			}
		}
		_, refs := definitions(t, schema)
		if refs["stripeinfor.common.Meta"] != 1 {
			t.Errorf("%s: the second branch should refer to Meta by name: refs %v", topic, refs)
		}
	}
	if _, err := Schema(kafka.RawEvents); err == nil {
		t.Error("Schema of the raw (JSON) topic succeeded")
	}
}

func TestRecordSchema(t *testing.T) {
	for _, name := range []string{"ApplyPayment", "stripeinfor.commands.ApplyPayment", "Money", "EnrichedEvent"} {
		s, err := RecordSchema(name)
		if err != nil {
			t.Fatalf("RecordSchema(%s): %v", name, err)
		}
		if err := ValidateSchema(s); err != nil {
			t.Errorf("RecordSchema(%s): %v", name, err)
		}
	}
	if _, err := RecordSchema("NoSuchRecord"); err == nil {
		t.Error("RecordSchema of an unknown name succeeded")
	}
}

func TestSubjectAndTopics(t *testing.T) {
	if got := Subject(kafka.PaymentCommands); got != "infor.payment.commands-value" {
		t.Fatal(got)
	}
	if len(Topics) != 7 || Topics[5] != kafka.EnrichedEvents || Topics[6] != "notifications.customer" {
		t.Fatalf("Topics = %v", Topics)
	}
}

const (
	okMoney = `{"type":"record","name":"Money","namespace":"stripeinfor.common","doc":"An amount.",
		"fields":[{"name":"minor","type":"long","doc":"Minor units."}]}`
	okOrder = `{"type":"record","name":"Order","namespace":"stripeinfor.commands","doc":"An order.",
		"fields":[{"name":"total","type":"stripeinfor.common.Money","doc":"Total."},
		          {"name":"tax","type":"stripeinfor.common.Money","doc":"Tax."}]}`
)

func TestLoadCatalog(t *testing.T) {
	c, err := LoadCatalog(fstest.MapFS{
		"common/Money.avsc":   {Data: []byte(okMoney)},
		"commands/Order.avsc": {Data: []byte(okOrder)},
		"README.md":           {Data: []byte("not a schema")},
	})
	if err != nil {
		t.Fatalf("a valid catalog: %v", err)
	}
	s, err := c.RecordSchema("Order")
	if err != nil {
		t.Fatal(err)
	}
	// Money inline at first use, by name at the second.
	if !strings.Contains(s, `"name":"total","type":{"type":"record","name":"Money"`) ||
		!strings.Contains(s, `"name":"tax","type":"stripeinfor.common.Money"`) {
		t.Fatalf("assembled: %s", s)
	}

	for name, c := range map[string]struct {
		files fstest.MapFS
		want  string
	}{
		"record without doc": {fstest.MapFS{
			"common/Money.avsc": {Data: []byte(strings.Replace(okMoney, `"doc":"An amount.",`, "", 1))},
		}, "Money has no doc"},
		"field without doc": {fstest.MapFS{
			"common/Money.avsc": {Data: []byte(strings.Replace(okMoney, `,"doc":"Minor units."`, "", 1))},
		}, "field minor has no doc"},
		"wrong namespace": {fstest.MapFS{
			"events/Money.avsc": {Data: []byte(okMoney)},
		}, `want "stripeinfor.events"`},
		"name not the file name": {fstest.MapFS{
			"common/Amount.avsc": {Data: []byte(okMoney)},
		}, "does not match the file name"},
		"unknown reference": {fstest.MapFS{
			"commands/Order.avsc": {Data: []byte(okOrder)},
		}, `unknown type "stripeinfor.common.Money"`},
		"short reference": {fstest.MapFS{
			"common/Money.avsc":   {Data: []byte(okMoney)},
			"commands/Order.avsc": {Data: []byte(strings.Replace(okOrder, `"stripeinfor.common.Money","doc":"Total."`, `"Money","doc":"Total."`, 1))},
		}, "by its full name"},
		"nested definition": {fstest.MapFS{
			"commands/Order.avsc": {Data: []byte(strings.Replace(okOrder, `"stripeinfor.common.Money","doc":"Total."`, okMoney+`,"doc":"Total."`, 1))},
		}, "in its own file"},
		"not JSON": {fstest.MapFS{
			"common/Money.avsc": {Data: []byte(`{"type":`)},
		}, "not JSON"},
		"bad default": {fstest.MapFS{
			"common/Money.avsc": {Data: []byte(strings.Replace(okMoney, `"type":"long",`, `"type":"long","default":"x",`, 1))},
		}, "Money"},
		"at the top": {fstest.MapFS{
			"Money.avsc": {Data: []byte(okMoney)},
		}, "one level down"},
	} {
		_, err := LoadCatalog(c.files)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", name, err, c.want)
		}
	}
}

func TestBackwardCompatible(t *testing.T) {
	const v1 = `{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"string"}]}`
	union := func(rs ...string) string { return "[" + strings.Join(rs, ",") + "]" }
	const other = `{"type":"record","name":"S","namespace":"n","fields":[{"name":"b","type":"long"}]}`
	for name, c := range map[string]struct {
		newer string
		ok    bool
	}{
		"identical":                {v1, true},
		"new field with default":   {strings.Replace(v1, `}]}`, `},{"name":"b","type":"string","default":""}]}`, 1), true},
		"new nullable field":       {strings.Replace(v1, `}]}`, `},{"name":"b","type":["null","long"],"default":null}]}`, 1), true},
		"field removed":            {`{"type":"record","name":"R","namespace":"n","fields":[]}`, true},
		"new field without":        {strings.Replace(v1, `}]}`, `},{"name":"b","type":"string"}]}`, 1), false},
		"type change":              {strings.Replace(v1, `"string"`, `"long"`, 1), false},
		"record renamed":           {strings.Replace(v1, `"R"`, `"R2"`, 1), false},
		"became a union with null": {strings.Replace(v1, `"type":"string"`, `"type":["null","string"],"default":null`, 1), true},
	} {
		err := BackwardCompatible(c.newer, v1)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok=%v", name, err, c.ok)
		}
	}
	const intField = `{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"int"}]}`
	if err := BackwardCompatible(strings.Replace(intField, `"int"`, `"long"`, 1), intField); err != nil {
		t.Errorf("int widened to long: %v", err)
	}
	if err := BackwardCompatible(intField, strings.Replace(intField, `"int"`, `"long"`, 1)); err == nil {
		t.Error("long narrowed to int was compatible")
	}
	// Union topics: branches may be added at the end, never removed.
	if err := BackwardCompatible(union(v1, other), union(v1)); err != nil {
		t.Errorf("branch added: %v", err)
	}
	err := BackwardCompatible(union(v1), union(v1, other))
	if err == nil || !strings.Contains(err.Error(), "n.S") {
		t.Errorf("branch removed: err = %v, want it to name n.S", err)
	}
	bad := strings.Replace(v1, `}]}`, `},{"name":"b","type":"string"}]}`, 1)
	err = BackwardCompatible(union(bad, other), union(v1, other))
	if err == nil || !strings.Contains(err.Error(), "union branch n.R") {
		t.Errorf("incompatible branch: err = %v, want it to name n.R", err)
	}
	if err := BackwardCompatible("{", v1); err == nil {
		t.Error("a broken schema was compatible")
	}
}

func TestNormalize(t *testing.T) {
	a, err := Normalize(`{"type": "record", "name": "R", "fields": []}`)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Normalize("{\n  \"fields\": [],\n  \"name\": \"R\",\n  \"type\": \"record\"\n}")
	if a != b {
		t.Errorf("key order and whitespace count: %s vs %s", a, b)
	}
	c, _ := Normalize(`{"type": "record", "name": "R", "doc": "x", "fields": []}`)
	if a == c {
		t.Error("a doc change does not count")
	}
	if _, err := Normalize(`{} {}`); err == nil {
		t.Error("trailing data accepted")
	}
}
