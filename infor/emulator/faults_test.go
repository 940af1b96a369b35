package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func (te *testEnv) setFaults(body string) (int, Faults) {
	te.t.Helper()
	resp, err := http.Post(te.url("/_emulator/faults"), "application/json", strings.NewReader(body))
	if err != nil {
		te.t.Fatal(err)
	}
	defer resp.Body.Close()
	var f Faults
	_ = json.NewDecoder(resp.Body).Decode(&f)
	return resp.StatusCode, f
}

// rawMI is one MI call whose transport outcome the test inspects.
func (te *testEnv) rawMI(client *http.Client, prog string) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodGet, te.url("/DEV/M3/m3api-rest/v2/execute/"+prog+"/Lst"), nil)
	req.Header.Set("Authorization", "Bearer "+te.token)
	return client.Do(req)
}

func TestFaultErrorRate(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	if code, _ := te.setFaults(`{"error_rate":1}`); code != 200 {
		t.Fatalf("set faults: %d", code)
	}
	seen := map[int]bool{}
	for range 20 {
		resp, err := te.rawMI(http.DefaultClient, "CRS055MI")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 500 {
			t.Fatalf("error_rate 1 answered %d", resp.StatusCode)
		}
		seen[resp.StatusCode] = true
	}
	if len(seen) < 2 {
		t.Fatalf("only %v over 20 calls; want a mix of 500/502/503", seen)
	}
	// Faults are for MI calls only: the token endpoint and /_emulator still work.
	te.login()
	if st := te.state(); st.Customers == nil && st.NumberSeries == nil {
		t.Fatal("state unavailable under faults")
	}
	// Clearing them restores service.
	te.setFaults(`{}`)
	te.ok("CRS055MI", "Lst", nil)
}

func TestFaultRateLimit(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	// One call per 1000 s: the first passes (bucket starts full), the next is refused.
	te.setFaults(`{"rate_limit_rps":0.001}`)
	te.ok("CRS055MI", "Lst", nil)
	resp, err := te.rawMI(http.DefaultClient, "CRS055MI")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the rate: %d, want 429", resp.StatusCode)
	}
	ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || ra < 999 || ra > 1000 {
		t.Fatalf("Retry-After %q, want about 1000 s", resp.Header.Get("Retry-After"))
	}
}

func TestFaultReset(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	te.setFaults(`{"reset_rate":1}`)
	resp, err := te.rawMI(http.DefaultClient, "CRS055MI")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("reset_rate 1 answered %d; want the connection closed", resp.StatusCode)
	}
}

func TestFaultTimeout(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	te.setFaults(`{"timeout_rate":1}`)
	client := &http.Client{Timeout: 300 * time.Millisecond}
	resp, err := te.rawMI(client, "CRS055MI")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("timeout_rate 1 answered %d", resp.StatusCode)
	}
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a client timeout, got %v", err)
	}
}

func TestFaultProgramFilterAndLatency(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	const latency = 1000 * time.Millisecond
	te.setFaults(`{"error_rate":1,"latency_ms":1000,"programs":["OIS100MI"]}`)
	start := time.Now()
	te.ok("CRS055MI", "Lst", nil) // not in the filter: neither failed nor delayed
	if d := time.Since(start); d >= latency {
		t.Fatalf("unfiltered program took %v; the latency is for OIS100MI only", d)
	}
	start = time.Now()
	resp, err := te.rawMI(http.DefaultClient, "OIS100MI")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := time.Since(start); d < latency {
		t.Fatalf("filtered program answered after %v, want at least latency_ms %v", d, latency)
	}
	if resp.StatusCode < 500 {
		t.Fatalf("filtered program answered %d", resp.StatusCode)
	}
	// The bulk form takes its program from the body.
	code, _ := te.bulk(`{"program":"OIS100MI","transactions":[{"transaction":"LstHead"}]}`)
	if code < 500 {
		t.Fatalf("bulk OIS100MI answered %d", code)
	}
}

func TestFaultsEndpoint(t *testing.T) {
	te := newEnv(t, quiet())
	for _, bad := range []string{`{"error_rate":2}`, `{"latency_ms":-1}`, `{"error_rate":0.6,"reset_rate":0.6}`, `{"eror_rate":1}`, `nope`,
		`{"lost_answer_rate":1.5}`, `{"lost_answer_rate":0.5,"timeout_rate":0.6}`} {
		if code, _ := te.setFaults(bad); code != http.StatusBadRequest {
			t.Fatalf("%s: %d, want 400", bad, code)
		}
	}
	code, f := te.setFaults(`{"latency_ms":10,"jitter_ms":5,"error_rate":0.25,"lost_answer_rate":0.5,"rate_limit_rps":50,"programs":["GLS840MI"],"seed":7}`)
	if code != 200 || f.LatencyMS != 10 || f.ErrorRate != 0.25 || f.Programs[0] != "GLS840MI" {
		t.Fatalf("%d %+v", code, f)
	}
	resp, err := http.Get(te.url("/_emulator/faults"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got Faults
	_ = json.NewDecoder(resp.Body).Decode(&got)
	if got.JitterMS != 5 || got.RateLimitRPS != 50 || got.Seed != 7 || got.LostAnswerRate != 0.5 {
		t.Fatalf("GET faults %+v", got)
	}
}

// The same seed gives the same sequence of injected failures.
func TestFaultsDeterministic(t *testing.T) {
	run := func() []byte {
		fi := newFaultInjector(time.Now)
		fi.set(Faults{ErrorRate: 0.3, TimeoutRate: 0.2, ResetRate: 0.1, LostAnswerRate: 0.1, Seed: 42})
		var out []byte
		for range 200 {
			k, _, _, _ := fi.decide("CRS610MI")
			out = append(out, byte('0'+k))
		}
		return out
	}
	a, b := run(), run()
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different faults")
	}
	for _, k := range []faultKind{faultNone, faultError, faultTimeout, faultReset, faultLostAnswer} {
		if !bytes.Contains(a, []byte{byte('0' + k)}) {
			t.Fatalf("fault kind %d never drawn in 200 calls: %s", k, a)
		}
	}
}

// A lost answer is the call carried out and persisted, then the connection
// closed: the client sees a transport error although the customer exists.
func TestFaultLostAnswer(t *testing.T) {
	dir := t.TempDir()
	te := newEnv(t, Config{DataDir: dir, TokenTTL: time.Hour})
	te.login()
	if code, f := te.setFaults(`{"lost_answer_rate":1,"programs":["CRS610MI"],"seed":3}`); code != 200 || f.LostAnswerRate != 1 {
		t.Fatalf("set faults: %d %+v", code, f)
	}
	te.ok("CRS055MI", "Lst", nil) // not in the filter: answered
	// A fresh connection per request: Go's transport replays a GET that
	// fails on a reused connection, which would run the Add twice.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	req, _ := http.NewRequest(http.MethodGet, te.url("/DEV/M3/m3api-rest/v2/execute/CRS610MI/Add?CUNM=Lost"), nil)
	req.Header.Set("Authorization", "Bearer "+te.token)
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("lost_answer_rate 1 answered %d; want the connection closed", resp.StatusCode)
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("want the connection closed, got a timeout: %v", err)
	}
	// Done nonetheless: in memory, on /_emulator/state and in state.json.
	if st := te.e.State(); len(st.Customers) != 1 || st.Customers[0].CUNM != "Lost" || st.NumberSeries["CUNO"] != 10002 {
		t.Fatalf("State() after a lost answer: %+v", st)
	}
	if st := te.state(); len(st.Customers) != 1 || st.Customers[0].CUNO != "10001" {
		t.Fatalf("/_emulator/state after a lost answer: %+v", st.Customers)
	}
	if file := onDisk(t, dir); len(file.Customers) != 1 || file.Customers[0].CUNM != "Lost" {
		t.Fatalf("on disk after a lost answer: %+v", file.Customers)
	}
	// With the fault cleared the client finds what it created by looking.
	te.setFaults(`{}`)
	if c := te.ok("CRS610MI", "GetBasicData", map[string]string{"CUNO": "10001"})[0]; c["CUNM"] != "Lost" {
		t.Fatalf("customer %v", c)
	}
}
