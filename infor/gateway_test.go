package infor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Secrets of the fake tenant. Each contains "SECRET" and every token the
// fake gateway issues contains "TOKEN", so a leak is found by scanning for
// those words as well as for the exact values.
const (
	testTenant = "TST"
	testCI     = "TST~client-id"
	testCS     = "cs-SECRET-q8Zx1vB"
	testSAAK   = "TST#saak-SECRET-Hf3kWq"
	testSASK   = "sask-SECRET-p0Lm7Rt"
)

// fakeClock is the time shared by the token source and the fake gateway, so
// token lifetimes are moved forward without sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// gateway is a fake ION API gateway: the OAuth provider (password and
// refresh_token grants, revocation) and M3's MI REST API, with programs that
// misbehave on purpose. Programs:
//
//	CRS610MI GetBasicData  CUNO=ACME → one padded record; other CUNO → NOK
//	CRS610MI LstByNumber   echoes maxrecs/returncols, returns 3 records
//	XNOKMI   Count         nrOfFailedTransactions=1 without error fields
//	XRATEMI  Seconds|Date  429 with Retry-After in seconds or as HTTP-date
//	X500MI   Echo          500 echoing the Authorization header back
//	X503MI   Any           503 with Retry-After: 3
//	X403MI, X404MI, X400MI the status
//	XHANGMI  Any           never answers (until the client gives up)
//	XCLOSEMI Any           closes the connection without answering
//	XBADMI   Any           200 with an HTML body
type gateway struct {
	t     *testing.T
	srv   *httptest.Server
	clock *fakeClock

	mu           sync.Mutex
	expiresIn    int
	issueRefresh bool
	refreshFails bool          // refresh grant answers 400 invalid_grant
	tokenStatus  int           // when set, the token endpoint answers this status
	tokenGate    chan struct{} // when set, token requests wait for it to close
	seq          int
	access       map[string]time.Time
	refresh      map[string]bool
	issued       []string
	tokenReqs    int
	passwords    int
	refreshes    int
	lastForm     url.Values
	lastBasic    bool
	revoked      []string
	force401     int
	miCalls      int
	lastQuery    url.Values
	lastUA       string
	lastBulk     map[string]any
	hangStarted  chan struct{}
	release      chan struct{}
}

func newGateway(t *testing.T) *gateway {
	t.Helper()
	g := &gateway{
		t:            t,
		clock:        newFakeClock(),
		expiresIn:    7200,
		issueRefresh: true,
		access:       map[string]time.Time{},
		refresh:      map[string]bool{},
		hangStarted:  make(chan struct{}, 16),
		release:      make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /"+testTenant+"/as/token.oauth2", g.token)
	mux.HandleFunc("POST /"+testTenant+"/as/revoke_token.oauth2", g.revoke)
	mux.HandleFunc("GET /"+testTenant+"/M3/m3api-rest/v2/execute/{program}/{transaction}", g.execute)
	mux.HandleFunc("POST /"+testTenant+"/M3/m3api-rest/v2/execute", g.bulk)
	g.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(g.release)
		g.srv.Close()
	})
	return g
}

// config is the tenant's .ionapi content pointing at the fake gateway.
func (g *gateway) config() *IONAPI {
	return &IONAPI{
		TenantID:                testTenant,
		ClientName:              "stripe-infor-test",
		ClientID:                testCI,
		ClientSecret:            testCS,
		IONAPIURL:               g.srv.URL,
		ProviderURL:             g.srv.URL + "/" + testTenant + "/as/",
		AuthorizePath:           "authorization.oauth2",
		TokenPath:               "token.oauth2",
		RevokePath:              "revoke_token.oauth2",
		ServiceAccountAccessKey: testSAAK,
		ServiceAccountSecretKey: testSASK,
	}
}

func (g *gateway) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (g *gateway) oauthError(w http.ResponseWriter, status int, code, desc string) {
	g.writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (g *gateway) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		g.oauthError(w, 400, "invalid_request", err.Error())
		return
	}
	g.mu.Lock()
	g.tokenReqs++
	g.lastForm = r.PostForm
	_, _, g.lastBasic = r.BasicAuth()
	gate, forced := g.tokenGate, g.tokenStatus
	g.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if forced != 0 {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "provider unavailable", forced)
		return
	}
	f := r.PostForm
	if f.Get("client_id") != testCI || f.Get("client_secret") != testCS {
		// A careless provider that echoes what it got: the client must scrub it.
		g.oauthError(w, 401, "invalid_client", "client authentication failed for secret "+f.Get("client_secret"))
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	switch f.Get("grant_type") {
	case "password":
		if f.Get("username") != testSAAK || f.Get("password") != testSASK {
			g.oauthError(w, 400, "invalid_grant",
				fmt.Sprintf("Invalid service account credentials (user %s, password %s)  ", f.Get("username"), f.Get("password")))
			return
		}
		g.passwords++
	case "refresh_token":
		rt := f.Get("refresh_token")
		if g.refreshFails || !g.refresh[rt] {
			g.oauthError(w, 400, "invalid_grant", "refresh token "+rt+" is expired")
			return
		}
		g.refreshes++
	default:
		g.oauthError(w, 400, "unsupported_grant_type", f.Get("grant_type"))
		return
	}
	g.seq++
	at := fmt.Sprintf("at-TOKEN-%d-%d", g.seq, time.Now().UnixNano())
	g.access[at] = g.clock.Now().Add(time.Duration(g.expiresIn) * time.Second)
	g.issued = append(g.issued, at)
	resp := map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": g.expiresIn}
	if g.issueRefresh {
		rt := fmt.Sprintf("rt-TOKEN-%d-%d", g.seq, time.Now().UnixNano())
		g.refresh[rt] = true
		g.issued = append(g.issued, rt)
		resp["refresh_token"] = rt
	}
	g.writeJSON(w, 200, resp)
}

func (g *gateway) revoke(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if r.PostForm.Get("client_id") != testCI || r.PostForm.Get("client_secret") != testCS {
		g.oauthError(w, 401, "invalid_client", "bad client")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lastForm = r.PostForm
	tok := r.PostForm.Get("token")
	g.revoked = append(g.revoked, r.PostForm.Get("token_type_hint")+":"+tok)
	delete(g.access, tok)
	delete(g.refresh, tok)
	w.WriteHeader(200)
}

// authorize checks the bearer token as the gateway does: known and not
// expired by the shared clock.
func (g *gateway) authorize(w http.ResponseWriter, r *http.Request) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.miCalls++
	g.lastUA = r.UserAgent()
	if g.force401 > 0 {
		g.force401--
		http.Error(w, "invalid token", 401)
		return false
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, known := g.access[tok]
	if !ok || !known || !g.clock.Now().Before(exp) {
		http.Error(w, "invalid token", 401)
		return false
	}
	return true
}

func (g *gateway) execute(w http.ResponseWriter, r *http.Request) {
	if !g.authorize(w, r) {
		return
	}
	program, tx := r.PathValue("program"), r.PathValue("transaction")
	q := r.URL.Query()
	g.mu.Lock()
	g.lastQuery = q
	g.mu.Unlock()
	ok := func(records ...map[string]string) {
		g.writeJSON(w, 200, map[string]any{
			"results":                     []any{map[string]any{"transaction": tx, "records": records}},
			"wasTerminated":               false,
			"nrOfSuccessfullTransactions": 1,
			"nrOfFailedTransactions":      0,
		})
	}
	switch program {
	case "CRS610MI":
		switch tx {
		case "GetBasicData":
			if q.Get("CUNO") == "ACME" {
				ok(map[string]string{"CUNO": "ACME      ", "CUNM": "Acme Corp, Umeå                     ", "STAT": "20"})
				return
			}
			g.writeJSON(w, 200, map[string]any{
				"results": []any{map[string]any{
					"transaction":  tx,
					"errorMessage": "  Customer number " + q.Get("CUNO") + " does not exist   ",
					"errorCode":    "WCU0203",
					"errorField":   "CUNO",
					"errorType":    "ServerReturnedNOK",
				}},
				"wasTerminated": false, "nrOfSuccessfullTransactions": 0, "nrOfFailedTransactions": 1,
			})
		case "LstByNumber":
			ok(map[string]string{"CUNO": "A1"}, map[string]string{"CUNO": "A2"}, map[string]string{"CUNO": "A3"})
		default:
			http.Error(w, "unknown transaction", 404)
		}
	case "XNOKMI":
		g.writeJSON(w, 200, map[string]any{"results": []any{}, "nrOfFailedTransactions": 1})
	case "XRATEMI":
		if tx == "Date" {
			w.Header().Set("Retry-After", g.clock.Now().Add(2*time.Minute).Format(http.TimeFormat))
		} else {
			w.Header().Set("Retry-After", "7")
		}
		http.Error(w, "too many requests", 429)
	case "X500MI":
		http.Error(w, "internal error; request had Authorization: "+r.Header.Get("Authorization"), 500)
	case "X503MI":
		w.Header().Set("Retry-After", "3")
		http.Error(w, "<html><body><h1>503 Service Unavailable</h1></body></html>", 503)
	case "X400MI", "X403MI", "X404MI":
		code, _ := strconv.Atoi(program[1:4])
		http.Error(w, http.StatusText(code), code)
	case "XHANGMI":
		g.hangStarted <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-g.release:
		}
	case "XCLOSEMI":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			g.t.Errorf("hijack: %v", err)
			return
		}
		_ = conn.Close()
	case "XBADMI":
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>login</html>"))
	default:
		http.Error(w, "unknown program", 404)
	}
}

func (g *gateway) bulk(w http.ResponseWriter, r *http.Request) {
	if !g.authorize(w, r) {
		return
	}
	var req struct {
		Program      string `json:"program"`
		Transactions []struct {
			Transaction string            `json:"transaction"`
			Record      map[string]string `json:"record"`
		} `json:"transactions"`
	}
	raw := new(bytes.Buffer)
	_, _ = raw.ReadFrom(r.Body)
	var generic map[string]any
	_ = json.Unmarshal(raw.Bytes(), &generic)
	g.mu.Lock()
	g.lastBulk = generic
	g.mu.Unlock()
	if err := json.Unmarshal(raw.Bytes(), &req); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	var results []any
	okN, failN := 0, 0
	for i, tx := range req.Transactions {
		if tx.Record["ITNO"] == "BAD" {
			failN++
			results = append(results, map[string]any{
				"transaction":  tx.Transaction,
				"errorMessage": "Item number BAD does not exist                    ",
				"errorCode":    "WIT0103",
				"errorField":   "ITNO",
				"errorType":    "ServerReturnedNOK",
			})
			continue
		}
		okN++
		results = append(results, map[string]any{
			"transaction": tx.Transaction,
			"records":     []any{map[string]any{"ORNO": "1000001   ", "PONR": i + 1}},
		})
	}
	g.writeJSON(w, 200, map[string]any{
		"results": results, "wasTerminated": false,
		"nrOfSuccessfullTransactions": okN, "nrOfFailedTransactions": failN,
	})
}

// counts returns (token requests, password grants, refresh grants, MI calls).
func (g *gateway) counts() (tokenReqs, passwords, refreshes, miCalls int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tokenReqs, g.passwords, g.refreshes, g.miCalls
}

// forgetAccessTokens makes the gateway reject every access token issued so
// far, as after a key rotation; refresh tokens stay valid.
func (g *gateway) forgetAccessTokens() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.access = map[string]time.Time{}
}

func (g *gateway) set(f func(g *gateway)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f(g)
}

// assertNoSecrets fails if s contains a secret of the tenant or any token
// the gateway issued.
func (g *gateway) assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	g.mu.Lock()
	issued := append([]string(nil), g.issued...)
	g.mu.Unlock()
	for _, secret := range append([]string{testCS, testSAAK, testSASK, "SECRET", "TOKEN"}, issued...) {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks %q: %s", what, secret, s)
		}
	}
}

// syncBuffer collects log output from concurrent goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newClient returns a client of the fake tenant, on the shared clock, with
// its debug log scanned for secrets when the test ends.
func (g *gateway) newClient(t *testing.T, cfg *IONAPI, opts ...Option) *Client {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	all := append([]Option{withClock(g.clock.Now), WithLogger(logger), WithTimeout(5 * time.Second)}, opts...)
	c, err := NewClient(cfg, all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { g.assertNoSecrets(t, "log output", logs.String()) })
	return c
}

// checkErr asserts err's class and that its message has no secret.
func (g *gateway) checkErr(t *testing.T, err error, want Class) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want class %s", want)
	}
	if got := Classify(err); got != want {
		t.Errorf("Classify(%v) = %s, want %s", err, got, want)
	}
	g.assertNoSecrets(t, "error", err.Error())
	g.assertNoSecrets(t, "error %+v", fmt.Sprintf("%+v", err))
}

// waitFor polls cond until it holds or a generous deadline passes; the
// deadline is a safety net, not part of what is asserted.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// holdTokens makes token requests wait until the returned release is called
// (or the test ends, so a failing test cannot hang on a held request).
func (g *gateway) holdTokens(t *testing.T) (release func()) {
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	g.set(func(g *gateway) { g.tokenGate = gate })
	t.Cleanup(release)
	return release
}
