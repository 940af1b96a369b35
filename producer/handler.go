package producer

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultMaxBodyBytes is the largest webhook body accepted. Stripe's events
// are a few KiB; 1 MiB leaves room for the largest invoices.
const DefaultMaxBodyBytes = 1 << 20

// DefaultProduceTimeout bounds the wait for the broker's acknowledgement.
// Stripe gives an endpoint tens of seconds before it counts a delivery as
// failed; answering 503 well before that lets Stripe retry on its schedule
// rather than guess what happened.
const DefaultProduceTimeout = 5 * time.Second

// Publisher is the part of *kgo.Client the handler uses.
type Publisher interface {
	Produce(ctx context.Context, r *kgo.Record, promise func(*kgo.Record, error))
}

// errProduceTimeout is the answer when the broker did not acknowledge in time.
var errProduceTimeout = errors.New("broker did not acknowledge within the produce timeout")

var _ Publisher = (*kgo.Client)(nil)

// HandlerConfig configures the webhook handler. Zero values take the defaults.
type HandlerConfig struct {
	// Topic receives the events (default stripe.events.raw).
	Topic string
	// MaxBodyBytes is the body limit; larger bodies get 413.
	MaxBodyBytes int64
	// ProduceTimeout bounds the wait for the broker's acknowledgement; past it
	// the answer is 503.
	ProduceTimeout time.Duration
	// Logger receives one line per refused request (and, at debug level, per
	// accepted event). Bodies and secrets are never logged.
	Logger *slog.Logger
	// Metrics receives the request series; nil creates unregistered ones.
	Metrics *Metrics
	// Now is the clock for received-at (tests); default time.Now.
	Now func() time.Time
}

// Handler is the POST /webhooks/stripe endpoint: verify, classify, produce,
// and answer 200 only once the broker has acknowledged the record.
type Handler struct {
	cfg      HandlerConfig
	verifier *Verifier
	pub      Publisher
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns the webhook handler.
func NewHandler(cfg HandlerConfig, v *Verifier, pub Publisher) *Handler {
	if cfg.Topic == "" {
		cfg.Topic = "stripe.events.raw"
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.ProduceTimeout <= 0 {
		cfg.ProduceTimeout = DefaultProduceTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg, verifier: v, pub: pub}
}

// ServeHTTP implements the webhook endpoint.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.cfg.Metrics
	m.InFlight.Inc()
	defer m.InFlight.Dec()

	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, OutcomeMethodNotAllowed, "method_not_allowed", "")
		return
	}
	if r.ContentLength > h.cfg.MaxBodyBytes {
		h.refuse(w, r, http.StatusRequestEntityTooLarge, OutcomeTooLarge, "body_too_large", "")
		return
	}
	// The header first: a request without a current signature is refused
	// before its body is read.
	var sig SignatureHeader
	if err := h.verifier.CheckHeader(r.Header.Get("Stripe-Signature"), &sig); err != nil {
		h.refuseSignature(w, r, err)
		return
	}
	body, err := readBody(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.refuse(w, r, http.StatusRequestEntityTooLarge, OutcomeTooLarge, "body_too_large", "")
			return
		}
		h.refuse(w, r, http.StatusBadRequest, OutcomeBadRequest, "unreadable_body", "")
		return
	}
	receivedAt := h.cfg.Now()

	if err := h.verifier.VerifyBody(&sig, body); err != nil {
		h.refuseSignature(w, r, err)
		return
	}

	env, err := ParseEnvelope(body)
	if err != nil {
		var ee *EnvelopeError
		reason, field := ReasonNotAnEvent, ""
		if errors.As(err, &ee) {
			reason, field = ee.Reason, ee.Field
		}
		m.VerificationFailures.WithLabelValues(reason).Inc()
		h.refuse(w, r, http.StatusBadRequest, OutcomeBadRequest, reason, field)
		return
	}

	rec := NewRecord(h.cfg.Topic, &env, body, receivedAt)
	start := time.Now()
	err = h.produce(r.Context(), rec)
	m.ProduceLatency.Observe(time.Since(start).Seconds())
	if err != nil {
		m.Requests.WithLabelValues(OutcomeUnavailable).Inc()
		h.cfg.Logger.Warn("webhook not accepted: broker did not acknowledge",
			"event_id", env.ID, "event_type", env.Type, "err", err)
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, `{"error":"unavailable","reason":"event_log_unavailable"}`)
		return
	}
	m.accepted.Inc()
	if h.cfg.Logger.Enabled(r.Context(), slog.LevelDebug) { // skip boxing the attributes on the hot path
		h.cfg.Logger.Debug("webhook accepted", "event_id", env.ID, "event_type", env.Type,
			"livemode", env.Livemode, "partition", rec.Partition, "offset", rec.Offset)
	}
	writeJSON(w, http.StatusOK, `{"received":true}`)
}

// produce hands rec to the client and waits for the broker's acknowledgement,
// at most ProduceTimeout. The wait does not trust the client to give up in
// time: an idempotent producer must not fail a batch that may already be on
// the broker, so while the broker is unreachable the record can stay queued
// long after any deadline. The webhook answers 503 at the deadline
// regardless; if the record is written later, Stripe's retry makes a
// duplicate that the downstream dedupe absorbs — never a false 200.
// The client's cancellation of the caller's request does not cut the wait
// short: a record already handed over gets its real answer.
func (h *Handler) produce(reqCtx context.Context, rec *kgo.Record) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(reqCtx), h.cfg.ProduceTimeout)
	defer cancel()
	done := make(chan error, 1)
	h.pub.Produce(ctx, rec, func(_ *kgo.Record, err error) { done <- err })
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errProduceTimeout
	}
}

// refuseSignature answers 400 for a signature that did not verify.
func (h *Handler) refuseSignature(w http.ResponseWriter, r *http.Request, err error) {
	reason := ReasonMismatch
	var ve *VerifyError
	if errors.As(err, &ve) {
		reason = ve.Reason
	}
	h.cfg.Metrics.VerificationFailures.WithLabelValues(reason).Inc()
	h.refuse(w, r, http.StatusBadRequest, OutcomeBadSignature, "invalid_signature", reason)
}

// refuse answers a refused request with a short JSON error. It never echoes
// the payload or the signature header.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, outcome, code, detail string) {
	h.cfg.Metrics.Requests.WithLabelValues(outcome).Inc()
	h.cfg.Logger.Warn("webhook refused", "status", status, "error", code, "reason", detail,
		"remote", r.RemoteAddr, "content_length", r.ContentLength)
	body := `{"error":"` + code + `"`
	if detail != "" {
		body += `,"reason":` + strconv.Quote(detail)
	}
	writeJSON(w, status, body+"}")
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// initialBodyBuffer bounds what a declared Content-Length can make us
// allocate up front: a client that declares 1 MiB and sends slowly must not
// pin 1 MiB per connection. Stripe's events fit; larger bodies grow as their
// bytes actually arrive.
const initialBodyBuffer = 64 << 10

// readBody reads the whole body, at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	rd := http.MaxBytesReader(w, r.Body, limit)
	size := int64(512)
	if r.ContentLength > 0 {
		size = min(r.ContentLength+1, initialBodyBuffer) // +1: EOF is seen without a regrow
	}
	buf := make([]byte, 0, size)
	for {
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}
