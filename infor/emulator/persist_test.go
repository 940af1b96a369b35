package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPersistenceAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	e1, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e1.Handler())
	te := &testEnv{t: t, e: e1, srv: srv, creds: e1.auth.creds}
	te.login()
	cuno := te.addCustomer("Ada")
	orno := te.placeOrder(cuno, "ord-1", map[string]string{"ITNO": "WIDGET", "ORQT": "2"})
	cino := te.ok("ARS200MI", "LstInvoices", map[string]string{"ORNO": orno})[0]["CINO"]
	ionapi := filepath.Join(dir, "DEV.ionapi")
	if err := e1.WriteIONAPI(ionapi, srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}

	e2, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if e2.auth.creds != e1.auth.creds {
		t.Fatal("credentials changed across restart")
	}
	srv2 := httptest.NewServer(e2.Handler())
	defer srv2.Close()
	te2 := &testEnv{t: t, e: e2, srv: srv2}
	// The .ionapi written before the restart still gets a token.
	var f map[string]string
	b, _ := os.ReadFile(ionapi)
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	te2.creds = credentials{f["ci"], f["cs"], f["saak"], f["sask"]}
	te2.login()
	if st := e2.State(); len(st.Customers) != 1 || len(st.Orders) != 1 || len(st.Invoices) != 1 || st.Invoices[0].CINO != cino {
		t.Fatalf("State() after restart %+v", st)
	}
	if got := te2.ok("CRS610MI", "GetBasicData", map[string]string{"CUNO": cuno})[0]; got["CUNM"] != "Ada" {
		t.Fatalf("customer after restart %v", got)
	}
	if got := te2.ok("OIS100MI", "GetHead", map[string]string{"ORNO": orno})[0]; got["NTAM"] != "25.00" {
		t.Fatalf("order after restart %v", got)
	}
	if got := te2.ok("ARS200MI", "GetInvoice", map[string]string{"CINO": cino})[0]; got["OPAM"] != "25.00" || got["STAT"] != "open" {
		t.Fatalf("invoice after restart %v", got)
	}
	// Number series continue where they were.
	if c := te2.addCustomer("Bob"); c != "10002" {
		t.Fatalf("next customer after restart %s", c)
	}
	if info, err := os.Stat(filepath.Join(dir, credentialsFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file %v %v", info, err)
	}
}

func TestIONAPIFile(t *testing.T) {
	te := newEnv(t, Config{Tenant: "ACME_TST", ClientID: "ci-fixed", ClientSecret: "cs-fixed"})
	if te.e.Tenant() != "ACME_TST" {
		t.Fatalf("Tenant() = %q", te.e.Tenant())
	}
	path := filepath.Join(t.TempDir(), "sub", "x.ionapi")
	if err := te.e.WriteIONAPI(path, "http://127.0.0.1:8090"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]string
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"ti": "ACME_TST", "ci": "ci-fixed", "cs": "cs-fixed", "iu": "http://127.0.0.1:8090",
		"pu": "http://127.0.0.1:8090/ACME_TST/as/", "ot": "token.oauth2", "or": "revoke_token.oauth2", "oa": "authorization.oauth2",
	}
	for k, v := range want {
		if f[k] != v {
			t.Fatalf("%s = %q, want %q", k, f[k], v)
		}
	}
	if !strings.HasPrefix(f["saak"], "ACME_TST#") || f["sask"] == "" || f["cn"] == "" || f["ev"] == "" {
		t.Fatalf("ionapi %v", f)
	}
	if err := te.e.WriteIONAPI(path, "not a url"); err == nil {
		t.Fatal("relative base URL accepted")
	}
}

func TestReset(t *testing.T) {
	te := newEnv(t, Config{DataDir: t.TempDir()})
	te.login()
	te.placeOrder(te.addCustomer("Ada"), "r1", map[string]string{"ITNO": "WIDGET", "ORQT": "1"})
	resp, err := http.Post(te.url("/_emulator/reset"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	st := te.state()
	if len(st.Customers) != 0 || len(st.Orders) != 0 || len(st.Invoices) != 0 || st.NumberSeries["CUNO"] != 10001 {
		t.Fatalf("after reset %+v", st)
	}
	// The token survives a reset, and numbering starts over.
	if c := te.addCustomer("Again"); c != "10001" {
		t.Fatalf("first customer after reset %s", c)
	}
	// And the reset reached the disk.
	if file := onDisk(t, te.e.cfg.DataDir); len(file.Customers) != 1 || len(file.Orders) != 0 {
		t.Fatalf("on disk after reset: %+v", file)
	}
}

func TestCorruptStateRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"format":1,"customers":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{DataDir: dir}); err == nil {
		t.Fatal("a corrupt state.json was accepted")
	}
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"format":99}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{DataDir: dir}); err == nil || !strings.Contains(err.Error(), "format 99") {
		t.Fatalf("newer format: %v", err)
	}
}

func TestClosedEmulatorRefuses(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	_ = te.e.Close()
	if code, _ := te.getMI("CRS055MI", "Lst", nil); code != http.StatusServiceUnavailable {
		t.Fatalf("after Close: %d", code)
	}
}

// Every changing request is on disk before it is answered: a second
// emulator opened on the same DataDir while the first was never closed (as
// after a crash, where Close's final write never happens) sees all of it.
func TestPersistenceWithoutClose(t *testing.T) {
	dir := t.TempDir()
	e1, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e1.Handler())
	defer srv.Close()
	te := &testEnv{t: t, e: e1, srv: srv, creds: e1.auth.creds}
	te.login()
	reopen := func(step string) State {
		t.Helper()
		e2, err := New(Config{DataDir: dir})
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		// e2 is dropped without Close too: Close would write the state.
		got, want := e2.State(), e1.State()
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) {
			t.Fatalf("%s: state on disk differs from the state answered\ndisk:   %s\nmemory: %s", step, gb, wb)
		}
		return got
	}
	cuno := te.addCustomer("Ada")
	if st := reopen("after Add"); len(st.Customers) != 1 || st.Customers[0].CUNO != cuno {
		t.Fatalf("after Add: %+v", st.Customers)
	}
	te.ok("CRS610MI", "ChgBasicData", map[string]string{"CUNO": cuno, "CUNM": "Ada L."})
	if st := reopen("after ChgBasicData"); st.Customers[0].CUNM != "Ada L." {
		t.Fatalf("after ChgBasicData: %+v", st.Customers[0])
	}
	temp := te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "CUOR": "crash-1"})[0]["ORNO"]
	reopen("after AddBatchHead")
	te.ok("OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "WIDGET", "ORQT": "2"})
	reopen("after AddBatchLine")
	orno := te.ok("OIS100MI", "Confirm", map[string]string{"ORNO": temp})[0]["ORNO"]
	if st := reopen("after Confirm"); len(st.Orders) != 1 || st.Orders[0].ORNO != orno || len(st.Invoices) != 1 {
		t.Fatalf("after Confirm: %+v", st)
	}
	// A bulk request too.
	if code, r := te.bulk(`{"program":"CRS610MI","transactions":[{"transaction":"Add","record":{"CUNM":"Bob"}}]}`); code != 200 || r.NrOfFailedTransactions != 0 {
		t.Fatalf("bulk Add: %d %+v", code, r)
	}
	if st := reopen("after bulk Add"); len(st.Customers) != 2 {
		t.Fatalf("after bulk Add: %+v", st.Customers)
	}
}
