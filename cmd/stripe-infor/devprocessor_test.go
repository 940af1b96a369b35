package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	icommand "github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// TestDevRunsTheProcessor: in `dev`, a webhook becomes Avro commands on
// the command topics, through the processor registered against the
// embedded registry with the mapping file given, and the processor's
// metrics are on dev's /metrics.
func TestDevRunsTheProcessor(t *testing.T) {
	ports := devPorts{freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)}
	data := filepath.Join(t.TempDir(), "data")
	mappingFile := filepath.Join(t.TempDir(), "mapping.yaml")
	if err := os.WriteFile(mappingFile, mapping.DefaultYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, baseEnv("MAPPING_FILE="+mappingFile), ports.args(data)...)
	base := fmt.Sprintf("http://127.0.0.1:%d", ports.web)
	waitHTTP(t, p, base+"/readyz", 200)
	if banner := p.out(); !strings.Contains(banner, "Processor") || !strings.Contains(banner, "group stripe-infor-processors") || !strings.Contains(banner, mappingFile) {
		t.Fatalf("banner lacks the processor's group and mapping file:\n%s", banner)
	}

	sendEvents(t, ports.webhook(), 2, 5000) // two charge.succeeded

	kafkaAddr := fmt.Sprintf("127.0.0.1:%d", ports.kafka)
	rc, err := sr.NewClient(sr.URLs(fmt.Sprintf("http://127.0.0.1:%d", ports.registry)))
	if err != nil {
		t.Fatal(err)
	}
	serde, err := schemas.Register(context.Background(), rc)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafkaAddr), kgo.ConsumeTopics(kafka.PaymentCommands),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	payments := map[string]bool{}
	for len(payments) < 2 {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%d ApplyPayment commands after 30s, want 2\nstderr:\n%s", len(payments), p.errOut())
		}
		f.EachRecord(func(r *kgo.Record) {
			v, err := serde.Decode(ctx, r.Value)
			if err != nil {
				t.Fatalf("undecodable command: %v", err)
			}
			if c, ok := v.(icommand.ApplyPayment); ok {
				payments[c.CommandID] = true
			}
		})
	}

	// The counters move right after the commit the consumer above saw.
	want := `stripe_infor_processor_events_total{event_type="charge.succeeded",outcome="mapped"} 2`
	waitFor(t, func() bool {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(body), want)
	})
	if err := p.stop(t, os.Interrupt); err != nil {
		t.Fatalf("dev did not exit cleanly: %v\n%s", err, p.errOut())
	}
	logs := p.errOut()
	if !strings.Contains(logs, `"msg":"processor stopped"`) {
		t.Fatalf("processor not stopped on shutdown:\n%s", logs)
	}
	if i, j := strings.Index(logs, `"msg":"processor stopped"`), strings.Index(logs, "kafka broker stopped"); j >= 0 && i > j {
		t.Fatalf("the broker stopped before the processor")
	}
}
