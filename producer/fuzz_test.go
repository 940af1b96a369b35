package producer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"
)

// FuzzParseSignatureHeader: any header either parses into a timestamp and at
// most maxSignatures v1 entries, or fails with a VerifyError; never a panic.
func FuzzParseSignatureHeader(f *testing.F) {
	for _, s := range []string{
		"t=1764000000,v1=" + strings.Repeat("ab", 32),
		"t=1764000000,v1=" + strings.Repeat("ab", 32) + ",v0=" + strings.Repeat("cd", 32),
		"t=1,v0=00", "v1=00", "t=,v1=", ",,,", "t=1764000000,v1=" + strings.Repeat("ab", 32) + ",v1=zz",
		"t=-5,v1=" + strings.Repeat("0", 64), "=,=,=", "t=1=2,v1=3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		var h parsedHeader
		err := parseSignatureHeader(header, &h)
		if err == nil {
			if h.timestamp <= 0 || h.n < 1 || h.n > maxSignatures {
				t.Fatalf("accepted header %q with timestamp %d and %d signatures", header, h.timestamp, h.n)
			}
			return
		}
		if reasonOf(err) == "" || strings.HasPrefix(reasonOf(err), "not a") {
			t.Fatalf("error %v is not a VerifyError", err)
		}
	})
}

// FuzzParseEnvelope: whatever ParseEnvelope accepts is valid JSON whose id,
// type and livemode agree with encoding/json's reading, and has a key.
func FuzzParseEnvelope(f *testing.F) {
	f.Add(benchEvent())
	f.Add([]byte(`{"id":"evt_1","object":"event","data":{"object":{"object":"balance"}},"livemode":false,"type":"balance.available"}`))
	f.Add([]byte(`{"id":"evt_1","object":"event","data":{"object":{"id":"cus_1","object":"customer"}},"livemode":true,"type":"customer.created"}`))
	f.Add([]byte(`{"id":"evt_\u00e9","object":"event","data":{"object":{"id":"x","customer":{"id":"cus_2"}}},"livemode":true,"type":"a"}`))
	f.Add([]byte(`{"id":"evt_1","id":"evt_2","object":"event","data":{"object":{}},"livemode":true,"type":"a"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`nul`))
	f.Add([]byte(`{"a":[1,-0.5e+3,true,null,"\u00e9\n"],"b":{}}`))
	f.Add([]byte(`{"id":"evt_1","object":"event","data":{"object":{"id":"x"}},"data":{},"livemode":true,"type":"a"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := ParseEnvelope(body)
		var ee *EnvelopeError
		malformed := errors.As(err, &ee) && ee.Reason == ReasonMalformedJSON
		if malformed == json.Valid(body) {
			t.Fatalf("scanner says malformed=%v, encoding/json says valid=%v for %q", malformed, json.Valid(body), body)
		}
		if err != nil {
			return
		}
		if env.ID == "" || env.Type == "" || env.Key() == "" {
			t.Fatalf("accepted event without id/type/key: %+v", env)
		}
		var std struct {
			ID       string `json:"id"`
			Type     string `json:"type"`
			Livemode bool   `json:"livemode"`
		}
		if !utf8.Valid(body) || hasDuplicateKeys(body) {
			return // parsers legitimately differ here; validity is what matters
		}
		if err := json.Unmarshal(body, &std); err != nil {
			t.Fatalf("encoding/json refuses what we accepted: %v", err)
		}
		if std.ID != env.ID || std.Type != env.Type || std.Livemode != env.Livemode {
			t.Fatalf("disagreement with encoding/json: ours %+v, std %+v", env, std)
		}
	})
}

// hasDuplicateKeys reports whether the top-level object repeats a key; JSON
// parsers legitimately differ on which one wins.
func hasDuplicateKeys(body []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // '{'
		return true
	}
	n := 0
	for dec.More() {
		if _, err := dec.Token(); err != nil { // key
			return true
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return true
		}
		n++
	}
	return n != len(m)
}

// memPublisher records what the handler would have produced.
type memPublisher struct {
	mu   sync.Mutex
	recs []*kgo.Record
	err  error
}

func (p *memPublisher) Produce(_ context.Context, r *kgo.Record, promise func(*kgo.Record, error)) {
	p.mu.Lock()
	if p.err == nil {
		p.recs = append(p.recs, r)
	}
	err := p.err
	p.mu.Unlock()
	promise(r, err)
}

// FuzzWebhookRequest drives the whole request path: any header and body get
// 200, 400 or 413, never a panic, and a 200 means the exact body was handed
// to Kafka with the event's key.
func FuzzWebhookRequest(f *testing.F) {
	const secret = "whsec_fuzz"
	now := time.Now()
	good := benchEvent()
	f.Add(good, sign(good, secret, now), false)
	f.Add(good, sign(good, "whsec_other", now), false)
	f.Add([]byte(`{"id":"evt_1"}`), sign([]byte(`{"id":"evt_1"}`), secret, now), true)
	f.Add([]byte(`not json`), "t=1,v1=00", false)
	f.Fuzz(func(t *testing.T, body []byte, header string, resign bool) {
		if resign { // let the fuzzer explore bodies behind a valid, current signature
			header = sign(body, secret, time.Now())
		}
		pub := &memPublisher{}
		h := NewHandler(HandlerConfig{MaxBodyBytes: 64 << 10}, NewVerifier(0, secret), pub)
		req := httptest.NewRequest(http.MethodPost, WebhookPath, bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", header)
		rw := httptest.NewRecorder()
		h.ServeHTTP(rw, req)
		switch rw.Code {
		case http.StatusOK:
			if len(pub.recs) != 1 || !bytes.Equal(pub.recs[0].Value, body) {
				t.Fatalf("200 without the exact body produced")
			}
			env, err := ParseEnvelope(body)
			if err != nil || string(pub.recs[0].Key) != env.Key() {
				t.Fatalf("200 for a body the classifier refuses, or wrong key")
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if len(pub.recs) != 0 {
				t.Fatalf("refused request still produced a record")
			}
			if len(body) > 8 && bytes.Contains(rw.Body.Bytes(), body) {
				t.Fatalf("error body echoes the payload")
			}
		default:
			t.Fatalf("unexpected status %d", rw.Code)
		}
	})
}
