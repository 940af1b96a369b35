package registry

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
)

const (
	orderV1  = `{"type":"record","name":"Order","namespace":"stripe.infor","fields":[{"name":"id","type":"string"}]}`
	orderV2  = `{"type":"record","name":"Order","namespace":"stripe.infor","fields":[{"name":"id","type":"string"},{"name":"amount","type":"long","default":0}]}`
	customer = `{"type":"record","name":"Customer","namespace":"stripe.infor","fields":[{"name":"id","type":"string"},{"name":"email","type":["null","string"],"default":null}]}`
	money    = `{"type":"record","name":"Money","namespace":"stripe.infor","fields":[{"name":"amount","type":"long"},{"name":"currency","type":"string"}]}`
	invoice  = `{"type":"record","name":"Invoice","namespace":"stripe.infor","fields":[{"name":"id","type":"string"},{"name":"total","type":"stripe.infor.Money"}]}`
	payment  = `{"type":"record","name":"Payment","namespace":"stripe.infor","fields":[{"name":"id","type":"string"}]}`
)

func start(t *testing.T, dir string) *Registry {
	t.Helper()
	r, err := Start(Config{Addr: "127.0.0.1:0", Dir: dir})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	return r
}

func client(t *testing.T, r *Registry) *sr.Client {
	t.Helper()
	cl, err := sr.NewClient(sr.URLs(r.URL()))
	if err != nil {
		t.Fatalf("sr.NewClient: %v", err)
	}
	return cl
}

func create(t *testing.T, cl *sr.Client, subject string, s sr.Schema) sr.SubjectSchema {
	t.Helper()
	s.Type = sr.TypeAvro
	ss, err := cl.CreateSchema(context.Background(), subject, s)
	if err != nil {
		t.Fatalf("CreateSchema %s: %v", subject, err)
	}
	return ss
}

func readState(t *testing.T, dir string) state {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, snapshotFile))
	if err != nil {
		t.Fatalf("read state: %v", err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("decode state: %v", err)
	}
	return st
}

func TestRestartKeepsSubjectsVersionsAndIDs(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "registry") // Start must create it
	r1 := start(t, dir)
	cl := client(t, r1)

	o1 := create(t, cl, "orders-value", sr.Schema{Schema: orderV1})
	c1 := create(t, cl, "customers-value", sr.Schema{Schema: customer})
	o2 := create(t, cl, "orders-value", sr.Schema{Schema: orderV2})
	retry := create(t, cl, "orders.retry-value", sr.Schema{Schema: orderV2})
	// Reuses old ids in an order where "lowest id first, seed then register"
	// alone would give zz-audit-value's second version number 1.
	a1 := create(t, cl, "zz-audit-value", sr.Schema{Schema: customer})
	a2 := create(t, cl, "zz-audit-value", sr.Schema{Schema: orderV1})
	m1 := create(t, cl, "money-value", sr.Schema{Schema: money})
	i1 := create(t, cl, "invoice-value", sr.Schema{Schema: invoice, References: []sr.SchemaReference{
		{Name: "stripe.infor.Money", Subject: "money-value", Version: 1},
	}})

	if o2.Version != 2 || o2.ID == o1.ID {
		t.Fatalf("second orders version: got version %d id %d (v1 id %d)", o2.Version, o2.ID, o1.ID)
	}
	if retry.ID != o2.ID || a1.ID != c1.ID || a2.ID != o1.ID || a2.Version != 2 {
		t.Fatalf("shared ids not reused: retry %+v, audit %+v %+v", retry, a1, a2)
	}
	if res := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatFull}); res[0].Err != nil {
		t.Fatalf("set global compatibility: %v", res[0].Err)
	}
	if res := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatNone}, "orders-value"); res[0].Err != nil {
		t.Fatalf("set subject compatibility: %v", res[0].Err)
	}

	// Every accepted change is on disk before its answer, not only at Close.
	if st := readState(t, dir); len(st.Schemas) != 8 || st.Compatibility != sr.CompatFull || st.SubjectCompatibility["orders-value"] != sr.CompatNone {
		t.Fatalf("state on disk before Close: %d schemas, compat %v, subject compat %v", len(st.Schemas), st.Compatibility, st.SubjectCompatibility)
	}

	want, err := cl.AllSchemas(ctx)
	if err != nil {
		t.Fatalf("AllSchemas: %v", err)
	}
	if len(want) != 8 {
		t.Fatalf("AllSchemas before restart: got %d entries, want 8", len(want))
	}
	maxID := 0
	for _, s := range []sr.SubjectSchema{o1, c1, o2, retry, a1, a2, m1, i1} {
		maxID = max(maxID, s.ID)
	}
	if err := r1.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}

	r2 := start(t, dir)
	cl2 := client(t, r2)
	got, err := cl2.AllSchemas(ctx)
	if err != nil {
		t.Fatalf("AllSchemas after restart: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("schemas after restart differ\n got: %+v\nwant: %+v", got, want)
	}
	for _, w := range want {
		byID, err := cl2.SchemaByID(ctx, w.ID)
		if err != nil {
			t.Fatalf("SchemaByID(%d): %v", w.ID, err)
		}
		if byID.Schema != w.Schema.Schema {
			t.Errorf("SchemaByID(%d) = %s, want %s", w.ID, byID.Schema, w.Schema.Schema)
		}
		byVersion, err := cl2.SchemaByVersion(ctx, w.Subject, w.Version)
		if err != nil {
			t.Fatalf("SchemaByVersion(%s, %d): %v", w.Subject, w.Version, err)
		}
		if byVersion.ID != w.ID || byVersion.Schema.Schema != w.Schema.Schema {
			t.Errorf("SchemaByVersion(%s, %d) = id %d %s, want id %d %s", w.Subject, w.Version, byVersion.ID, byVersion.Schema.Schema, w.ID, w.Schema.Schema)
		}
	}

	compat := cl2.Compatibility(ctx, sr.GlobalSubject, "orders-value")
	if compat[0].Err != nil || compat[0].Level != sr.CompatFull || compat[1].Err != nil || compat[1].Level != sr.CompatNone {
		t.Errorf("compatibility after restart: global %v (%v), orders-value %v (%v)", compat[0].Level, compat[0].Err, compat[1].Level, compat[1].Err)
	}

	// Registering the same schema again is idempotent; a new one gets an id
	// no earlier schema ever had.
	if again := create(t, cl2, "orders-value", sr.Schema{Schema: orderV2}); again.ID != o2.ID || again.Version != 2 {
		t.Errorf("re-registering orders v2: got version %d id %d, want 2 %d", again.Version, again.ID, o2.ID)
	}
	if p := create(t, cl2, "payments-value", sr.Schema{Schema: payment}); p.ID <= maxID {
		t.Errorf("new schema after restart got id %d, want > %d", p.ID, maxID)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != snapshotFile {
		t.Errorf("data dir holds %v, want only %s (no temp files left)", entries, snapshotFile)
	}
}

func TestStartRejectsBadState(t *testing.T) {
	for name, content := range map[string]string{
		"not json":       `{"format":1,"schemas":[{"subject":`,
		"unknown format": `{"format":99,"schemas":[]}`,
		// SeedSchema panics on invalid schema text; Start must return an error.
		"invalid schema": `{"format":1,"schemas":[{"subject":"a","version":1,"id":1,"schema":"not json"}]}`,
		// Same id, different text: restoring cannot reproduce id 1 for b.
		"id conflict": `{"format":1,"schemas":[
			{"subject":"a","version":1,"id":1,"schema":"{\"type\":\"string\"}"},
			{"subject":"b","version":1,"id":1,"schema":"{\"type\":\"long\"}"}]}`,
		"missing reference": `{"format":1,"schemas":[{"subject":"a","version":1,"id":1,"schema":"{}",
			"references":[{"name":"x","subject":"nope","version":1}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, snapshotFile)
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := Start(Config{Addr: "127.0.0.1:0", Dir: dir})
			if err == nil {
				_ = r.Close(context.Background())
				t.Fatal("Start succeeded on a bad state file")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
		})
	}
}

func TestStartRequiresDir(t *testing.T) {
	if r, err := Start(Config{Addr: "127.0.0.1:0"}); err == nil {
		_ = r.Close(context.Background())
		t.Fatal("Start succeeded without Dir")
	}
}

func TestCheck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := start(t, t.TempDir())
	if !strings.HasPrefix(r.URL(), "http://127.0.0.1:") || strings.HasSuffix(r.Addr(), ":0") {
		t.Fatalf("URL %q / Addr %q do not name the bound loopback port", r.URL(), r.Addr())
	}
	if err := r.Check(ctx); err != nil {
		t.Fatalf("Check while running: %v", err)
	}
	if err := r.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := r.Check(ctx); err == nil {
		t.Fatal("Check succeeded after Close")
	}
}

func TestWildcardAddrDialsLoopback(t *testing.T) {
	w, err := Start(Config{Addr: ":0", Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("Start on :0: %v", err)
	}
	defer w.Close(context.Background())
	if !strings.HasPrefix(w.URL(), "http://127.0.0.1:") || strings.HasSuffix(w.URL(), ":0") {
		t.Fatalf("URL for :0 is %q", w.URL())
	}
	if err := w.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}
}
