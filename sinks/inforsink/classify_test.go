package inforsink

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
)

func TestClassify(t *testing.T) {
	nok := &infor.NOKError{Program: "OIS100MI", Transaction: "AddBatchLine", Message: "Item number NOSUCH does not exist",
		Code: "WIT0103", Field: "ITNO", Type: "ServerReturnedNOK"}
	cases := []struct {
		name string
		err  error
		want failure
	}{
		{"shutdown", fmt.Errorf("apply: %w", context.Canceled), failure{kind: failCanceled}},
		{"dependency", fmt.Errorf("m3apply: %w", &m3.DependencyError{Command: "payment:ch_1", Missing: "invoice"}),
			failure{kind: failDependency}},
		{"invalid command", fmt.Errorf("%w: an order needs at least one line", m3.ErrInvalidCommand),
			failure{kind: failValidation, code: CodeInvalidCommand}},
		{"NOK", fmt.Errorf("m3: order:ch_1: add line: %w", nok),
			failure{kind: failValidation, code: "WIT0103", field: "ITNO", message: "Item number NOSUCH does not exist"}},
		{"429", fmt.Errorf("x: %w", &infor.RateLimitError{RetryAfter: 3 * time.Second}),
			failure{kind: failTransient, code: "rate-limited", hint: 3 * time.Second, rateLimited: true}},
		{"503 with Retry-After", &infor.HTTPError{StatusCode: 503, RetryAfter: 2 * time.Second},
			failure{kind: failTransient, code: "transient", hint: 2 * time.Second}},
		{"timeout", &infor.TransportError{Err: context.DeadlineExceeded}, failure{kind: failTransient, code: "transient"}},
		{"401 twice", &infor.HTTPError{StatusCode: 401}, failure{kind: failTransient, code: "auth", auth: true}},
		{"oauth", &infor.AuthError{StatusCode: 400, Code: "invalid_grant"}, failure{kind: failTransient, code: "auth", auth: true}},
		{"404", &infor.HTTPError{StatusCode: 404}, failure{kind: failValidation, code: CodePermanent}},
		{"unknown", errors.New("something odd"), failure{kind: failValidation, code: CodePermanent}},
		// The Stripe API client's errors say themselves whether they are
		// transient; a Stripe 429 does not close the Infor gate.
		{"stripe 429", fmt.Errorf("m3apply: payout: %w", &stripeapi.Error{StatusCode: 429, RetryAfter: 5 * time.Second}),
			failure{kind: failTransient, code: ClassTransient, hint: 5 * time.Second}},
		{"stripe 500", &stripeapi.Error{StatusCode: 500}, failure{kind: failTransient, code: ClassTransient}},
		{"stripe 404", &stripeapi.Error{StatusCode: 404, Code: "resource_missing"}, failure{kind: failValidation, code: CodePermanent}},
	}
	for _, c := range cases {
		got := classify(c.err)
		if c.want.message == "" {
			c.want.message = got.message // checked separately below
		}
		if got != c.want {
			t.Errorf("%s: classify = %+v, want %+v", c.name, got, c.want)
		}
		if got.message == "" {
			t.Errorf("%s: no message", c.name)
		}
	}
}

func TestSafeMessageDropsQueryAndCredentials(t *testing.T) {
	err := fmt.Errorf("m3: customer:cus_1: %w", &url.Error{Op: "Get",
		URL: "https://user:pw@ion.example.com/T/M3/m3api-rest/v2/execute/CRS610MI/Add?CUNM=Ada+Lovelace&MAIL=ada%40example.com",
		Err: errors.New("connection reset by peer")})
	msg := safeMessage(err)
	for _, leak := range []string{"Ada", "MAIL", "pw", "user"} {
		if strings.Contains(msg, leak) {
			t.Errorf("message %q leaks %q", msg, leak)
		}
	}
	if !strings.Contains(msg, "ion.example.com/T/M3/m3api-rest/v2/execute/CRS610MI/Add") || !strings.Contains(msg, "connection reset") {
		t.Errorf("message %q lost what is useful", msg)
	}
}

func TestConfigDefaultsAndValidation(t *testing.T) {
	_, err := New(Config{RetryTiers: []time.Duration{time.Second, 0}, Topics: []string{"infor.customer.commands.retry"}, Concurrency: -1})
	if err == nil {
		t.Fatal("an empty config was accepted")
	}
	for _, want := range []string{"KAFKA_BROKERS", "Decoder", "Applier", "Dedupe", "RetryTiers[1]", "Concurrency", ".retry"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	c, err := Config{Brokers: []string{"k:9092"}, Decoder: nopDecoder{}, Applier: nopApplier{}, Dedupe: nopDedupe{}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.Group != DefaultGroup || c.Concurrency != DefaultConcurrency || c.MaxBuffered != 4*DefaultConcurrency ||
		len(c.Topics) != 5 || c.Owner == "" || c.Gate == nil || c.InPlaceAttempts != DefaultInPlaceAttempts ||
		len(c.RetryTiers) != len(DefaultRetryTiers) || c.DependencyDeadline != DefaultDependencyDeadline {
		t.Errorf("defaults not filled: %+v", c)
	}
	c2, _ := Config{Brokers: []string{"k:9092"}, Decoder: nopDecoder{}, Applier: nopApplier{}, Dedupe: nopDedupe{}}.withDefaults()
	if c.Owner == c2.Owner {
		t.Error("two sinks got the same lease owner")
	}
}

// The commit point is the lowest unfinished offset, or the end of what was
// fetched once everything is finished; finishing out of order never moves
// it past unfinished work.
func TestCommitPoint(t *testing.T) {
	p := &partition{next: 10}
	var es []*entry
	for off := int64(10); off < 15; off++ {
		e := &entry{rec: recAt(off)}
		es = append(es, e)
		p.pending = append(p.pending, e)
	}
	p.next = 16 // offset 15 was a transaction marker
	finish := func(i int) { es[i].done = true; p.advance() }
	finish(2)
	finish(4)
	if got := p.commitPoint().Offset; got != 10 {
		t.Fatalf("commit point %d with offset 10 unfinished", got)
	}
	finish(0)
	if got := p.commitPoint().Offset; got != 11 {
		t.Fatalf("commit point %d, want 11", got)
	}
	finish(1)
	if got := p.commitPoint().Offset; got != 13 {
		t.Fatalf("commit point %d, want 13 (12 finished earlier)", got)
	}
	finish(3)
	if got := p.commitPoint().Offset; got != 16 {
		t.Fatalf("commit point %d, want 16: past the marker once all is finished", got)
	}
}

// Retry tiers count per class: dependency visits do not use up the
// transient tiers, and a first try starts at tier 1.
func TestTierVisitsCountPerClass(t *testing.T) {
	s := &Sink{}
	retryPart, sourcePart := &partition{retry: true}, &partition{}
	cases := []struct {
		p       *partition
		attempt int
		prev    string
		class   string
		want    int
	}{
		{retryPart, 7, "dependency", ClassTransient, 1},
		{retryPart, 7, "dependency", "dependency", 8},
		{retryPart, 2, ClassTransient, ClassTransient, 3},
		{sourcePart, 0, "", ClassTransient, 1},
		{sourcePart, 5, "dependency", "dependency", 1}, // a redriven record on the source topic starts afresh
	}
	for _, c := range cases {
		j := &job{p: c.p, e: &entry{attempt: c.attempt, class: c.prev}}
		if got := s.visit(j, c.class); got != c.want {
			t.Errorf("visit after %s tier %d, now %s = %d, want %d", c.prev, c.attempt, c.class, got, c.want)
		}
	}
}
