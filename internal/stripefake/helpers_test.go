package stripefake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// start serves s on a real local HTTP server and returns its base URL.
func start(t *testing.T, s http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// answer is one HTTP answer, its body kept as text and decoded.
type answer struct {
	status int
	header http.Header
	body   string
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(a.body))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("answer %d is not a JSON object: %v\n%s", a.status, err, a.body)
	}
	return m
}

// get calls base+path with the key as Bearer ("" no Authorization) and
// headers as pairs.
func get(t *testing.T, base, path, key string, headers ...string) answer {
	t.Helper()
	return do(t, http.MethodGet, base+path, key, nil, headers...)
}

func do(t *testing.T, method, url, key string, body io.Reader, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// errorOf returns the error object of a Stripe error answer, failing when
// the answer is not one with status want.
func errorOf(t *testing.T, a answer, want int) map[string]any {
	t.Helper()
	if a.status != want {
		t.Fatalf("status %d, want %d: %s", a.status, want, a.body)
	}
	e, ok := a.json(t)["error"].(map[string]any)
	if !ok || e["type"] == nil || e["message"] == nil {
		t.Fatalf("not a Stripe error object: %s", a.body)
	}
	if !strings.HasPrefix(a.header.Get("Request-Id"), "req_") {
		t.Fatalf("no Request-Id on the error answer: %v", a.header)
	}
	return e
}

// ids lists the ids of a list answer's data.
func ids(t *testing.T, a answer) []string {
	t.Helper()
	if a.status != 200 {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var l struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(a.body), &l); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(l.Data))
	for i, d := range l.Data {
		out[i] = d.ID
	}
	return out
}

// charge is a charge's balance transaction paid out by payout, with a
// Stripe fee of 2.9% + 30.
func charge(id, source, payout string, amount, created int64) BalanceTransaction {
	fee := amount*29/1000 + 30
	return BalanceTransaction{ID: id, Type: "charge", Source: source, Amount: amount, Fee: fee, Net: amount - fee,
		Currency: "usd", Created: created, AvailableOn: created + 2*86400, Payout: payout,
		FeeDetails: []FeeDetail{{Amount: fee, Currency: "usd", Description: "Stripe processing fees", Type: "stripe_fee"}}}
}

func mustAdd(t *testing.T, s *Server, bts ...BalanceTransaction) {
	t.Helper()
	if err := s.Add(bts...); err != nil {
		t.Fatal(err)
	}
}

func seqIDs(prefix string, from, to int) []string {
	var out []string
	if from <= to {
		for i := from; i <= to; i++ {
			out = append(out, fmt.Sprintf("%s%03d", prefix, i))
		}
	} else {
		for i := from; i >= to; i-- {
			out = append(out, fmt.Sprintf("%s%03d", prefix, i))
		}
	}
	return out
}
