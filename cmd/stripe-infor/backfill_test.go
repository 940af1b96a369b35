package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/producer"
)

func backfillCmd(ctx context.Context, args []string, out, errOut *bytes.Buffer) error {
	return runBackfill(ctx, args, out, errOut)
}

func TestBackfillCommand(t *testing.T) {
	const key = "sk_test_51CliBackfillNeverPrinted"
	t.Setenv("STRIPE_API_KEY", "")
	t.Setenv("STRIPE_API_KEY_FILE", "")
	t.Setenv("STRIPE_TEST_API_KEY", key)
	b := newOpsBroker(t)
	body := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 3, Created: time.Now().Add(-time.Hour)})
	env, err := producer.ParseEnvelope(body)
	if err != nil {
		t.Fatal(err)
	}
	stripe := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+key || r.URL.Path != "/v1/events" || r.URL.Query().Get("delivery_success") != "false" {
			http.Error(w, `{"error":{"message":"unexpected request"}}`, http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, `{"object":"list","data":[%s],"has_more":false}`, body)
	}))
	defer stripe.Close()
	args := []string{"--kafka-brokers", b.addr, "--stripe-api-base", stripe.URL, "--since", "2h", "--types", "charge.succeeded"}

	out, errOut, err := opsRun(t, backfillCmd, append(args, "--dry-run")...)
	if err != nil || !strings.Contains(out, "would write  "+env.ID+" charge.succeeded") || !strings.Contains(out, "test-mode") || b.end(t, kafka.RawEvents) != 0 {
		t.Fatalf("dry run: %v\n%s\n%s", err, out, errOut)
	}
	out, errOut, err = opsRun(t, backfillCmd, args...)
	if err != nil || !strings.Contains(out, "written  "+env.ID) || !strings.Contains(out, "1 written") || b.end(t, kafka.RawEvents) != 1 {
		t.Fatalf("backfill: %v\n%s\n%s", err, out, errOut)
	}
	if strings.Contains(out+errOut, "NeverPrinted") {
		t.Fatal("the key was printed")
	}
	out, _, err = opsRun(t, backfillCmd, args...)
	if err != nil || !strings.Contains(out, "1 already on") || b.end(t, kafka.RawEvents) != 1 {
		t.Fatalf("second run: %v\n%s", err, out)
	}

	if _, _, err := opsRun(t, backfillCmd, "--kafka-brokers", b.addr, "--stripe-api-base", stripe.URL, "--since", "31d"); err == nil || !strings.Contains(err.Error(), "30 days") {
		t.Fatalf("31 days back: %v", err)
	}
	if _, _, err := opsRun(t, backfillCmd, "--kafka-brokers", b.addr); !errors.Is(err, errUsage) {
		t.Fatalf("no --since: %v", err)
	}
	if _, _, err := opsRun(t, backfillCmd, "--kafka-brokers", b.addr, "--since", "1h", "--mode", "live"); err == nil {
		t.Fatal("live mode without a live key accepted")
	}
}
