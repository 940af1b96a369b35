package inforsink_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/dlq"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// A retry-topic record is held until its retry.not-before without holding
// up the records behind it; a sink stopped meanwhile does not commit past
// it, and the next sink honours the same not-before.
func TestRetryRecordHeldUntilDueAcrossRestart(t *testing.T) {
	e := newEnv(t, envOpts{})
	retryTopic := kafka.RetryTopic(kafka.CustomerCommands)
	later := customerCmd("cus_Later", "evt_later")
	due := customerCmd("cus_Due", "evt_due")
	notBefore := time.Now().Add(4 * time.Second)
	f := dlq.Failure{Stage: "sink", Class: "transient", Message: "HTTP 503", Attempts: 3}
	held := dlq.WithRetry(e.record(later, "k-later", 0), retryTopic, f, 1, notBefore)
	held.Partition = 0
	ready := dlq.WithRetry(e.record(due, "k-due", 0), retryTopic, f, 1, time.Now().Add(-time.Second))
	ready.Partition = 0
	// The held record first: the one behind it on the same partition must
	// not wait for it.
	e.produce(held, ready)

	r := e.start(e.config())
	waitFor(t, "the due record applied", 20*time.Second, func() bool { return e.customers("cus_Due") == 1 })
	if got := testutil.ToFloat64(e.metrics.RetryHeld); got != 1 {
		t.Fatalf("retry_held = %v while the first record waits, want 1", got)
	}
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if time.Now().Before(notBefore) {
		if got := e.customers("cus_Later"); got != 0 {
			t.Fatal("the held record was applied before its not-before")
		}
		ce := e.committedVsEnd("sink-test", retryTopic)[retryTopic+"/0"]
		if ce[0] != 0 {
			t.Fatalf("committed %d on the retry partition, past the held record at offset 0", ce[0])
		}
	} else {
		t.Log("the machine was too slow to check the state before not-before; checking the restart only")
	}

	r2 := e.start(e.config())
	waitFor(t, "the held record applied after the restart", 20*time.Second, func() bool { return e.customers("cus_Later") == 1 })
	if err := r2.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Every Infor call about the held customer came after its not-before.
	calls, _ := e.calls.snapshot()
	cuno := "CUNO=" + m3.CustomerNumber("cus_Later")
	n := 0
	for _, c := range calls {
		if strings.Contains(c.query, cuno) {
			n++
			if c.at.Before(notBefore) {
				t.Errorf("%s for the held record reached Infor %s before its not-before", c.path, notBefore.Sub(c.at))
			}
		}
	}
	if n == 0 {
		t.Fatalf("no Infor call names %s: the check above checks nothing", cuno)
	}
	if got := e.count(kafka.CustomerCommands, "UpsertCustomer", "applied"); got != 2 {
		t.Errorf("%d applied, want 2", got)
	}
	ce := e.committedVsEnd("sink-test", retryTopic)[retryTopic+"/0"]
	if ce[0] != ce[1] {
		t.Errorf("retry partition: committed %d, end %d", ce[0], ce[1])
	}
}

// At MaxHeld held retry records the retry topics are paused (the cap is
// soft by at most one poll, MaxBuffered records), and resumed as held
// records come due: everything is applied in the end.
func TestRetryTopicsPauseAtMaxHeld(t *testing.T) {
	e := newEnv(t, envOpts{})
	retryTopic := kafka.RetryTopic(kafka.CustomerCommands)
	f := dlq.Failure{Stage: "sink", Class: "transient", Message: "HTTP 503", Attempts: 1}
	notBefore := time.Now().Add(1500 * time.Millisecond)
	const n = 8
	var cuss []string
	for i := range n {
		cus := "cus_Held" + string(rune('A'+i))
		cuss = append(cuss, cus)
		rec := dlq.WithRetry(e.record(customerCmd(cus, "evt_"+cus), cus, 0), retryTopic, f, 1, notBefore)
		rec.Partition = 0
		e.produce(rec)
	}
	cfg := e.config()
	cfg.MaxHeld, cfg.MaxBuffered = 2, 2
	r := e.start(cfg)
	maxHeld := 0.0
	waitFor(t, "every held record applied", 30*time.Second, func() bool {
		maxHeld = max(maxHeld, testutil.ToFloat64(e.metrics.RetryHeld))
		return e.count(kafka.CustomerCommands, "UpsertCustomer", "applied") == n
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if maxHeld > float64(cfg.MaxHeld+cfg.MaxBuffered) {
		t.Errorf("%v records held at once, cap %d (+%d for one poll)", maxHeld, cfg.MaxHeld, cfg.MaxBuffered)
	}
	if len(e.logs.matching("retry topics paused")) == 0 || len(e.logs.matching("retry topics resumed")) == 0 {
		t.Error("the retry topics were not paused at the cap and resumed")
	}
	for _, cus := range cuss {
		if got := e.customers(cus); got != 1 {
			t.Errorf("%s: %d customers", cus, got)
		}
	}
	if ce := e.committedVsEnd("sink-test", retryTopic)[retryTopic+"/0"]; ce[0] != n || ce[1] != n {
		t.Errorf("retry partition: committed %d, end %d, want %d", ce[0], ce[1], n)
	}
}
