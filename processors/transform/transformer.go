package transform

import (
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// Transformer turns raw Stripe events into Infor commands, customer
// notifications and the enriched event. It holds only the immutable
// mapping, so one Transformer serves every goroutine.
type Transformer struct {
	cfg *mapping.Config
}

// Option configures a Transformer. There are none yet: the transform reads
// no clock and no environment, everything it decides comes from the event
// and the mapping; the type keeps New's signature stable for options to
// come.
type Option func(*Transformer)

// New returns a Transformer for the mapping cfg (nil: the built-in default
// mapping).
func New(cfg *mapping.Config, opts ...Option) *Transformer {
	if cfg == nil {
		cfg = mapping.Default()
	}
	t := &Transformer{cfg: cfg}
	for _, o := range opts {
		o(t)
	}
	return t
}

// Transform turns one stripe.events.raw record value (Stripe's webhook body,
// byte for byte) into what the processors write. receivedAt is the record's
// received-at header (zero when it had none).
//
// It is a pure function of its inputs and the mapping: no clock, no I/O, so
// replaying a record gives the same outputs, and the same business change
// seen in two events gives commands with the same ids. A non-nil error is
// always a *Error: the record is dead-lettered with it.
func (t *Transformer) Transform(raw []byte, receivedAt time.Time) (Result, error) {
	// One copy of the body; every string in the result is a substring of it.
	s := string(raw)
	ev, r := decodeEvent(s)
	if r.err != nil {
		return Result{}, r.err
	}
	if e := checkEnvelope(ev); e != nil {
		return Result{}, e
	}
	res := Result{EventID: ev.ID, EventType: ev.Type, Livemode: ev.Livemode}
	c := &ectx{cfg: t.cfg, s: s, ev: ev, obj: ev.Data.Object,
		// Room for a typical event's outputs, so the commands' slice becomes
		// Result.Outputs without growing.
		cmds: make([]Output, 0, 6), cmdIDs: make([]string, 0, 5)}
	c.base = command.Meta{
		StripeEventID:    ev.ID,
		StripeEventType:  ev.Type,
		Livemode:         ev.Livemode,
		StripeAccount:    ev.Account,
		StripeAPIVersion: ev.APIVersion,
	}
	if created, ok := c.int(ev.Created, "timestamp_not_integer"); ok {
		c.base.OccurredAt = time.Unix(created, 0).UTC()
	}

	h, known := classify(ev.Type)
	dropped := !ev.Livemode && t.cfg.TestMode() == mapping.TestModeDrop
	if r.bad >= 0 {
		path := pathAt(s, r.bad)
		if h != nil && !dropped {
			return Result{}, &Error{Class: ClassDecode, Code: "invalid_field_type", Field: path,
				Message: "the value has the wrong JSON type for this field"}
		}
		c.flag(command.Flag{Code: "ignored_field", Field: path, Detail: "the value has the wrong JSON type; left out"})
	}

	switch {
	case dropped:
		res.Outcome = OutcomeTestModeDropped
	case h != nil:
		h(c)
		if c.err != nil {
			return Result{}, c.err
		}
		res.Outcome = OutcomeNoCommands
		if len(c.cmds)+len(c.notes) > 0 {
			res.Outcome = OutcomeMapped
		}
	case known:
		res.Outcome = OutcomeNoCommands
	case t.cfg.UnknownEvents() == mapping.UnknownDLQ:
		return Result{}, &Error{Class: ClassValidation, Code: "unknown_event_type", Field: "type",
			Message: "event type " + clip(ev.Type, 80) + " is not known to the processors (mapping unknown_events: dlq)"}
	default:
		res.Outcome = OutcomeUnknownType
	}
	if c.err != nil { // only the envelope's created can fail outside a handler
		return Result{}, c.err
	}

	enriched := c.enriched(res.Outcome, receivedAt)
	res.Outputs = append(c.cmds, c.notes...)
	res.Outputs = append(res.Outputs, Output{Topic: kafka.EnrichedEvents, Key: rawKey(ev), Value: enriched})
	res.Flags = c.flags
	if res.Flags == nil {
		res.Flags = []command.Flag{}
	}
	return res, nil
}

// checkEnvelope refuses a JSON text that is not a Stripe event.
func checkEnvelope(ev *event) *Error {
	notEvent := func(field, msg string) *Error {
		return &Error{Class: ClassDecode, Code: "not_an_event", Field: field, Message: msg}
	}
	switch {
	case ev.Object != "" && ev.Object != "event":
		return notEvent("object", `object is "`+clip(ev.Object, 40)+`", not "event"`)
	case ev.ID == "":
		return notEvent("id", "no event id")
	case ev.Type == "":
		return notEvent("type", "no event type")
	case ev.Data.Object == nil:
		return notEvent("data.object", "no data.object")
	}
	return nil
}

// rawKey is the key rule of stripe.events.raw (DESIGN.md "Topics"), which
// the enriched event and notifications share: the customer id when the
// object has one (or is a customer), else the object id, else the event id.
func rawKey(ev *event) string {
	o := ev.Data.Object
	switch {
	case o.Object == "customer" && o.ID != "":
		return o.ID
	case o.Customer.ID != "":
		return o.Customer.ID
	case o.ID != "":
		return o.ID
	}
	return ev.ID
}
