package main

import (
	"context"
	"errors"
	"net/http"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/sinks/inforsink"
)

// chargeHeader names the charge a bench webhook is about, so the wrapper
// around the producer's handler can stamp its 2xx without reading the body
// (the handler reads it). Stripe sends no such header; the handler ignores
// unknown headers.
const chargeHeader = "X-Bench-Charge"

// ackRecorder wraps the producer's webhook handler and stamps the moment it
// writes a 2xx: the start of the measured latency.
func ackRecorder(h http.Handler, track *tracker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev := track.event(r.Header.Get(chargeHeader))
		if ev == nil {
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(&ackWriter{ResponseWriter: w, ev: ev}, r)
	})
}

// ackWriter stamps acked when the status line is decided.
type ackWriter struct {
	http.ResponseWriter
	ev      *eventTimes
	written bool
}

func (a *ackWriter) WriteHeader(code int) {
	if !a.written {
		a.written = true
		if code >= 200 && code < 300 {
			stamp(&a.ev.acked, time.Now())
		}
	}
	a.ResponseWriter.WriteHeader(code)
}

func (a *ackWriter) Write(p []byte) (int, error) {
	if !a.written {
		a.WriteHeader(http.StatusOK)
	}
	return a.ResponseWriter.Write(p)
}

// stageApplier wraps the sink's applier: it stamps when the sink starts
// applying a charge's payment (first and last attempt), and counts the
// Applies of a charge's commands that failed for a missing prerequisite.
type stageApplier struct {
	next  inforsink.Applier
	track *tracker
	// Dependency failures per command type over the run.
	depCustomer, depOrder, depPayment atomic.Int64
}

func (s *stageApplier) Apply(ctx context.Context, cmd command.Command) (inforsink.Applied, error) {
	ev := s.track.event(chargeOf(cmd))
	if ev != nil && cmd.Type() == "ApplyPayment" {
		now := time.Now()
		stamp(&ev.sinkFirst, now)
		set(&ev.sinkLast, now)
	}
	var res inforsink.Applied
	var err error
	// The M3 adapter and the ION API client under their own label, apart
	// from the sink's runtime.
	pprof.Do(ctx, pprof.Labels("component", "infor-client"), func(ctx context.Context) {
		res, err = s.next.Apply(ctx, cmd)
	})
	if err != nil && errors.Is(err, m3.ErrDependency) {
		switch cmd.Type() {
		case "UpsertCustomer":
			s.depCustomer.Add(1)
		case "CreateSalesOrder":
			s.depOrder.Add(1)
		case "ApplyPayment":
			s.depPayment.Add(1)
		}
		if ev != nil {
			ev.depFailures.Add(1)
		}
	}
	return res, err
}

// chargeOf is the charge a command of a charge.succeeded is about: the
// first ch_ id among its Stripe objects, or the payment's command id.
func chargeOf(cmd command.Command) string {
	if cmd == nil {
		return ""
	}
	for _, id := range cmd.Metadata().StripeObjectIDs {
		if strings.HasPrefix(id, "ch_") {
			return id
		}
	}
	return strings.TrimPrefix(cmd.ID(), "payment:")
}

// committedReader reads infor.payment.commands as read_committed and stamps
// when each payment command became visible: the processor's transaction
// holding it committed. It starts at the end of the topic.
type committedReader struct {
	cl   *kgo.Client
	done chan struct{}
}

func startCommittedReader(brokers []string, track *tracker) (*committedReader, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...),
		kgo.ConsumeTopics(kafka.PaymentCommands),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		return nil, err
	}
	c := &committedReader{cl: cl, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for {
			f := cl.PollFetches(context.Background())
			if f.IsClientClosed() {
				return
			}
			now := time.Now()
			f.EachRecord(func(r *kgo.Record) {
				for _, h := range r.Headers {
					if h.Key == "command-id" {
						if ev := track.event(strings.TrimPrefix(string(h.Value), "payment:")); ev != nil {
							stamp(&ev.committed, now)
						}
					}
				}
			})
		}
	}()
	return c, nil
}

func (c *committedReader) close() {
	c.cl.Close()
	<-c.done
}
