package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// testEnv is an emulator behind a real HTTP server, with a client that
// talks to it as the ION API client would.
type testEnv struct {
	t     *testing.T
	e     *Emulator
	srv   *httptest.Server
	creds credentials
	token string
}

func newEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = e.Close()
	})
	return &testEnv{t: t, e: e, srv: srv, creds: e.auth.creds}
}

func (te *testEnv) url(path string) string { return te.srv.URL + path }

func (te *testEnv) tenant() string { return te.e.cfg.Tenant }

// postForm posts to the token or revoke endpoint and decodes the JSON answer.
func (te *testEnv) postForm(endpoint string, form url.Values) (int, map[string]any) {
	te.t.Helper()
	resp, err := http.PostForm(te.url("/"+te.tenant()+"/as/"+endpoint), form)
	if err != nil {
		te.t.Fatalf("POST %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			te.t.Fatalf("%s answered non-JSON %q", endpoint, b)
		}
	}
	return resp.StatusCode, m
}

func (te *testEnv) passwordForm() url.Values {
	return url.Values{
		"grant_type": {"password"}, "username": {te.creds.ServiceAccountKey}, "password": {te.creds.ServiceAccountSecret},
		"client_id": {te.creds.ClientID}, "client_secret": {te.creds.ClientSecret},
	}
}

// login gets a token with the password grant and keeps it for mi calls.
func (te *testEnv) login() string {
	te.t.Helper()
	code, m := te.postForm("token.oauth2", te.passwordForm())
	if code != http.StatusOK {
		te.t.Fatalf("token: %d %v", code, m)
	}
	te.token = m["access_token"].(string)
	return te.token
}

// getMI runs one transaction with the GET form and returns the HTTP status
// and decoded body.
func (te *testEnv) getMI(prog, trans string, fields map[string]string) (int, miResponse) {
	te.t.Helper()
	q := url.Values{}
	for k, v := range fields {
		q.Set(k, v)
	}
	req, _ := http.NewRequest(http.MethodGet, te.url("/"+te.tenant()+"/M3/m3api-rest/v2/execute/"+prog+"/"+trans+"?"+q.Encode()), nil)
	return te.do(req)
}

func (te *testEnv) do(req *http.Request) (int, miResponse) {
	te.t.Helper()
	if te.token != "" {
		req.Header.Set("Authorization", "Bearer "+te.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		te.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	var out miResponse
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			te.t.Fatalf("MI answer is not JSON: %q", b)
		}
	}
	return resp.StatusCode, out
}

// ok runs a transaction that must succeed and returns its records.
func (te *testEnv) ok(prog, trans string, fields map[string]string) []record {
	te.t.Helper()
	code, r := te.getMI(prog, trans, fields)
	if code != http.StatusOK || r.NrOfFailedTransactions != 0 || len(r.Results) != 1 {
		te.t.Fatalf("%s/%s %v: HTTP %d %+v", prog, trans, fields, code, r)
	}
	return r.Results[0].Records
}

// fail runs a transaction that must be a NOK and returns its result.
func (te *testEnv) fail(prog, trans string, fields map[string]string) miResult {
	te.t.Helper()
	code, r := te.getMI(prog, trans, fields)
	if code != http.StatusOK {
		te.t.Fatalf("%s/%s: HTTP %d, want 200 with a NOK", prog, trans, code)
	}
	if r.NrOfFailedTransactions != 1 || r.NrOfSuccessfullTransactions != 0 || len(r.Results) != 1 {
		te.t.Fatalf("%s/%s %v: want one failed transaction, got %+v", prog, trans, fields, r)
	}
	res := r.Results[0]
	if res.ErrorType != "ServerReturnedNOK" || res.ErrorMessage == "" || res.ErrorCode == "" {
		te.t.Fatalf("%s/%s: incomplete NOK %+v", prog, trans, res)
	}
	return res
}

// bulk posts a bulk request body.
func (te *testEnv) bulk(body string) (int, miResponse) {
	te.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, te.url("/"+te.tenant()+"/M3/m3api-rest/v2/execute"), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return te.do(req)
}

func (te *testEnv) state() State {
	te.t.Helper()
	resp, err := http.Get(te.url("/_emulator/state"))
	if err != nil {
		te.t.Fatal(err)
	}
	defer resp.Body.Close()
	var st State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		te.t.Fatal(err)
	}
	return st
}

// addCustomer adds a customer with the default template and returns CUNO.
func (te *testEnv) addCustomer(name string) string {
	te.t.Helper()
	return te.ok("CRS610MI", "Add", map[string]string{"CUNM": name})[0]["CUNO"]
}

// placeOrder runs AddBatchHead, AddBatchLine per line and Confirm, and
// returns the final ORNO.
func (te *testEnv) placeOrder(cuno, cuor string, lines ...map[string]string) string {
	te.t.Helper()
	head := map[string]string{"CUNO": cuno, "CUOR": cuor}
	temp := te.ok("OIS100MI", "AddBatchHead", head)[0]["ORNO"]
	for _, l := range lines {
		l["ORNO"] = temp
		te.ok("OIS100MI", "AddBatchLine", l)
	}
	return te.ok("OIS100MI", "Confirm", map[string]string{"ORNO": temp})[0]["ORNO"]
}

// fakeClock replaces the emulator's clock; it is read from server
// goroutines, hence the lock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// newFakeClock installs a clock on e before it serves any request.
func newFakeClock(e *Emulator) *fakeClock {
	c := &fakeClock{t: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	e.now = c.now
	return c
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func quiet() Config { return Config{TokenTTL: time.Hour} }

// onDisk is the state DataDir dir holds (state.json with the journal
// replayed), read without opening an emulator on it.
func onDisk(t *testing.T, dir string) State {
	t.Helper()
	seed := DefaultSeed()
	st, _, _, err := diskState(dir, &seed)
	if err != nil {
		t.Fatalf("state in %s: %v", dir, err)
	}
	return st
}
