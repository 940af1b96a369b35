package infor

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestExecuteReturnsTrimmedRecords(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config(), WithUserAgent("stripe-infor-test/1"))
	res, err := c.Execute(context.Background(), "CRS610MI", "GetBasicData", map[string]string{"CUNO": "ACME"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Program != "CRS610MI" || res.Transaction != "GetBasicData" || len(res.Records) != 1 {
		t.Fatalf("got %+v", res)
	}
	rec := res.Records[0]
	if rec["CUNO"] != "ACME" || rec["CUNM"] != "Acme Corp, Umeå" || rec["STAT"] != "20" {
		t.Fatalf("record %q", rec)
	}
	g.mu.Lock()
	ua := g.lastUA
	g.mu.Unlock()
	if ua != "stripe-infor-test/1" {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestExecuteWithSendsMaxrecsAndReturncols(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	for _, tc := range []struct {
		opts        ExecuteOptions
		maxrecs     string
		hasMaxrecs  bool
		returncols  string
		hasReturned bool
	}{
		{ExecuteOptions{}, "", false, "", false},
		{ExecuteOptions{MaxRecs: 25, ReturnCols: []string{"CUNO", "CUNM"}}, "25", true, "CUNO,CUNM", true},
		{ExecuteOptions{MaxRecs: AllRecords}, "0", true, "", false},
	} {
		res, err := c.ExecuteWith(context.Background(), "CRS610MI", "LstByNumber",
			map[string]string{"CUNM": "Acme & Co+1"}, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Records) != 3 {
			t.Fatalf("%d records", len(res.Records))
		}
		g.mu.Lock()
		q := g.lastQuery
		g.mu.Unlock()
		if q.Has("maxrecs") != tc.hasMaxrecs || q.Get("maxrecs") != tc.maxrecs {
			t.Errorf("%+v: maxrecs = %q (present %v)", tc.opts, q.Get("maxrecs"), q.Has("maxrecs"))
		}
		if q.Has("returncols") != tc.hasReturned || q.Get("returncols") != tc.returncols {
			t.Errorf("%+v: returncols = %q", tc.opts, q.Get("returncols"))
		}
		if q.Get("CUNM") != "Acme & Co+1" {
			t.Errorf("field value arrived as %q", q.Get("CUNM"))
		}
	}
}

func TestExecuteNOKCarriesM3sFourFields(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	res, err := c.Execute(context.Background(), "CRS610MI", "GetBasicData", map[string]string{"CUNO": "NOPE"})
	if res != nil {
		t.Errorf("result %+v returned with an NOK", res)
	}
	g.checkErr(t, err, ClassValidation)
	var nok *NOKError
	if !errors.As(err, &nok) {
		t.Fatalf("%T is not an *NOKError", err)
	}
	want := NOKError{
		Program: "CRS610MI", Transaction: "GetBasicData",
		Message: "Customer number NOPE does not exist", Code: "WCU0203", Field: "CUNO", Type: "ServerReturnedNOK",
	}
	if *nok != want {
		t.Fatalf("got %+v, want %+v", *nok, want)
	}
	if !strings.Contains(err.Error(), want.Message) || !strings.Contains(err.Error(), "field=CUNO") {
		t.Errorf("message %q", err)
	}
}

func TestExecuteFailedCountWithoutDetailsIsStillNOK(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	_, err := c.Execute(context.Background(), "XNOKMI", "Count", nil)
	g.checkErr(t, err, ClassValidation)
	var nok *NOKError
	if !errors.As(err, &nok) || nok.Program != "XNOKMI" || nok.Transaction != "Count" || nok.Message != "" {
		t.Fatalf("got %#v", nok)
	}
}

func TestExecuteBulkReportsTheFailingTransaction(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	txs := []Transaction{
		{Transaction: "AddBatchLine", Record: map[string]string{"ORNO": "1000001", "ITNO": "SKU-1", "ORQT": "1"}},
		{Transaction: "AddBatchLine", Record: map[string]string{"ORNO": "1000001", "ITNO": "BAD", "ORQT": "2"}},
		{Transaction: "Confirm"},
	}
	res, err := c.ExecuteBulk(context.Background(), "OIS100MI", txs)
	g.checkErr(t, err, ClassValidation)
	if res == nil {
		t.Fatal("no result alongside the NOK")
	}
	if res.Program != "OIS100MI" || res.Successful != 2 || res.Failed != 1 || res.WasTerminated || len(res.Results) != 3 {
		t.Fatalf("got %+v", res)
	}
	if res.Results[0].NOK != nil || res.Results[2].NOK != nil {
		t.Errorf("successful transactions carry an NOK: %+v", res.Results)
	}
	if got := res.Results[0].Records; len(got) != 1 || got[0]["ORNO"] != "1000001" || got[0]["PONR"] != "1" {
		t.Errorf("records %q (numbers must come back as text, padding trimmed)", got)
	}
	want := NOKError{Program: "OIS100MI", Transaction: "AddBatchLine", Message: "Item number BAD does not exist",
		Code: "WIT0103", Field: "ITNO", Type: "ServerReturnedNOK"}
	if n := res.Results[1].NOK; n == nil || *n != want {
		t.Fatalf("NOK %+v, want %+v", n, want)
	}
	var nok *NOKError
	if !errors.As(err, &nok) || *nok != want {
		t.Fatalf("errors.As gives %+v", nok)
	}
	if txs[2].Record != nil {
		t.Error("ExecuteBulk modified the caller's transactions")
	}

	g.mu.Lock()
	sent := g.lastBulk
	g.mu.Unlock()
	if sent["program"] != "OIS100MI" {
		t.Errorf("request body %v", sent)
	}
	list, _ := sent["transactions"].([]any)
	if len(list) != 3 {
		t.Fatalf("sent %d transactions", len(list))
	}
	last, _ := list[2].(map[string]any)
	if rec, ok := last["record"].(map[string]any); !ok || len(rec) != 0 || last["transaction"] != "Confirm" {
		t.Errorf("transaction without fields sent as %v; want an empty record object", last)
	}
}

func TestExecuteBulkAllOK(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	res, err := c.ExecuteBulk(context.Background(), "OIS100MI",
		[]Transaction{{Transaction: "AddBatchLine", Record: map[string]string{"ITNO": "A"}}})
	if err != nil || res.Successful != 1 || res.Failed != 0 {
		t.Fatalf("got %+v, %v", res, err)
	}
	if _, err := c.ExecuteBulk(context.Background(), "OIS100MI", nil); err == nil {
		t.Fatal("empty bulk accepted")
	}
}

func TestExecuteRenewsTheTokenOnceOn401(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	if _, err := c.Execute(context.Background(), "CRS610MI", "GetBasicData", map[string]string{"CUNO": "ACME"}); err != nil {
		t.Fatal(err)
	}
	g.forgetAccessTokens() // e.g. revoked at the gateway before its expiry
	res, err := c.Execute(context.Background(), "CRS610MI", "GetBasicData", map[string]string{"CUNO": "ACME"})
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("after 401: %+v, %v", res, err)
	}
	reqs, pw, rf, mi := g.counts()
	if reqs != 2 || pw != 1 || rf != 1 || mi != 3 {
		t.Fatalf("token requests %d (password %d, refresh %d), MI calls %d; want 2 (1, 1) and 3", reqs, pw, rf, mi)
	}

	// The bulk form re-sends its body on the retry.
	g.set(func(g *gateway) { g.force401 = 1 })
	br, err := c.ExecuteBulk(context.Background(), "OIS100MI",
		[]Transaction{{Transaction: "AddBatchLine", Record: map[string]string{"ITNO": "A"}}})
	if err != nil || br.Successful != 1 {
		t.Fatalf("bulk after 401: %+v, %v", br, err)
	}
}

func TestExecuteSecond401IsAnAuthFailure(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	g.set(func(g *gateway) { g.force401 = 2 })
	_, err := c.Execute(context.Background(), "CRS610MI", "GetBasicData", map[string]string{"CUNO": "ACME"})
	g.checkErr(t, err, ClassAuth)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 401 {
		t.Fatalf("got %v", err)
	}
	if _, _, _, mi := g.counts(); mi != 2 {
		t.Fatalf("%d MI calls, want 2 (one retry, no loop)", mi)
	}
}

func TestExecuteHTTPStatusClasses(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	for _, tc := range []struct {
		program, tx string
		class       Class
		retryAfter  time.Duration
	}{
		{"X403MI", "Any", ClassAuth, 0},
		{"X404MI", "Any", ClassPermanent, 0},
		{"X400MI", "Any", ClassPermanent, 0},
		{"X500MI", "Echo", ClassTransient, 0},
		{"X503MI", "Any", ClassTransient, 3 * time.Second},
		{"XRATEMI", "Seconds", ClassRateLimited, 7 * time.Second},
		{"XRATEMI", "Date", ClassRateLimited, 2 * time.Minute},
		{"XBADMI", "Any", ClassPermanent, 0},
	} {
		t.Run(tc.program+"/"+tc.tx, func(t *testing.T) {
			_, err := c.Execute(context.Background(), tc.program, tc.tx, nil)
			g.checkErr(t, err, tc.class)
			d, ok := RetryAfter(err)
			if d != tc.retryAfter || ok != (tc.retryAfter > 0) {
				t.Errorf("RetryAfter = %v, %v; want %v", d, ok, tc.retryAfter)
			}
			if tc.class == ClassRateLimited {
				var rl *RateLimitError
				if !errors.As(err, &rl) || rl.RetryAfter != tc.retryAfter {
					t.Errorf("got %#v", rl)
				}
			}
		})
	}
	// The 500 page echoed the bearer token; the excerpt kept the rest.
	_, err := c.Execute(context.Background(), "X500MI", "Echo", nil)
	if !strings.Contains(err.Error(), "Authorization: Bearer "+redacted) {
		t.Errorf("excerpt %q", err)
	}
}

func TestExecuteTimeoutIsTransient(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config(), WithTimeout(100*time.Millisecond))
	_, err := c.Execute(context.Background(), "XHANGMI", "Any", nil)
	g.checkErr(t, err, ClassTransient)
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout() {
		t.Fatalf("got %v; want a timed-out *TransportError", err)
	}
}

func TestExecuteCallerCancellationIsNotTransient(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	if _, err := c.TokenSource().Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Execute(ctx, "XHANGMI", "Any", nil); done <- err }()
	<-g.hangStarted
	cancel()
	err := <-done
	g.checkErr(t, err, ClassCanceled)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v does not wrap context.Canceled", err)
	}
	var te *TransportError
	if errors.As(err, &te) {
		t.Errorf("caller cancellation reported as a transport error: %v", err)
	}
}

func TestExecuteCallerDeadlineIsTransient(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Execute(ctx, "XHANGMI", "Any", nil)
	g.checkErr(t, err, ClassTransient)
}

func TestExecuteClosedConnectionIsTransient(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	_, err := c.Execute(context.Background(), "XCLOSEMI", "Any", nil)
	g.checkErr(t, err, ClassTransient)
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("got %T %v", err, err)
	}
}

func TestExecuteConnectionRefusedIsTransient(t *testing.T) {
	g := newGateway(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cfg := g.config()
	cfg.IONAPIURL = "http://" + addr // tokens from the gateway, M3 unreachable
	c := g.newClient(t, cfg)
	_, err = c.Execute(context.Background(), "CRS610MI", "GetBasicData", map[string]string{"CUNO": "ACME"})
	g.checkErr(t, err, ClassTransient)
}

func TestExecuteConcurrentCallsShareOneToken(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			_, err := c.Execute(context.Background(), "CRS610MI", "GetBasicData", map[string]string{"CUNO": "ACME"})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if reqs, _, _, mi := g.counts(); reqs != 1 || mi != 50 {
		t.Fatalf("token requests %d, MI calls %d; want 1 and 50", reqs, mi)
	}
}

func TestExecuteRejectsNamesThatWouldBendTheURL(t *testing.T) {
	g := newGateway(t)
	c := g.newClient(t, g.config())
	for _, tc := range [][2]string{{"", "Get"}, {"CRS610MI", ""}, {"../x", "Get"}, {"CRS610MI", "Get?x=1"}} {
		if _, err := c.Execute(context.Background(), tc[0], tc[1], nil); err == nil || Classify(err) != ClassPermanent {
			t.Errorf("%q/%q: got %v", tc[0], tc[1], err)
		}
	}
	if _, err := c.ExecuteBulk(context.Background(), "OIS100MI", []Transaction{{Transaction: "a/b"}}); err == nil {
		t.Error("bad bulk transaction name accepted")
	}
	if _, _, _, mi := g.counts(); mi != 0 {
		t.Errorf("%d MI calls for invalid names", mi)
	}
}

func TestNewClientValidatesTheConfiguration(t *testing.T) {
	cfg := newGateway(t).config()
	cfg.ClientSecret = ""
	if _, err := NewClient(cfg); err == nil || !strings.Contains(err.Error(), `"cs"`) {
		t.Fatalf("got %v", err)
	}
}
