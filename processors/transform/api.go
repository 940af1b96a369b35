package transform

import (
	"fmt"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// Outcomes of one event (Result.Outcome); also the "outcome" label of the
// processor's per-event-type metric.
const (
	// OutcomeMapped: the event made at least one command.
	OutcomeMapped = "mapped"
	// OutcomeNoCommands: a known type that makes no command by design (its
	// money is booked by another event, or nothing in Infor changes).
	OutcomeNoCommands = "no_commands"
	// OutcomeUnknownType: a type the processors do not know; skipped
	// (mapping unknown_events: skip) with only the enriched event written.
	OutcomeUnknownType = "unknown_type"
	// OutcomeTestModeDropped: livemode=false and the mapping says drop.
	OutcomeTestModeDropped = "test_mode_dropped"
)

// Error classes (Error.Class), the DLQ's error.class header.
const (
	// ClassDecode: the record is not a Stripe event we can read (not JSON,
	// no id/type/data.object, a field of an impossible type).
	ClassDecode = "decode"
	// ClassValidation: a readable event the mapping cannot turn into
	// commands (a string amount that is not a whole number, an unknown
	// currency, an unknown event type when unknown_events is dlq, …).
	ClassValidation = "validation"
)

// Output is one record the processors write for an event.
type Output struct {
	// Topic is the destination topic (internal/kafka's constants).
	Topic string
	// Key is the record key: the Infor entity's business key for commands
	// (DESIGN.md, "Topics"), the raw record's key rule for the enriched
	// event and notifications.
	Key string
	// Value is a command (a command.Command value, not a pointer), a
	// schemas.EnrichedEvent or a schemas.CustomerNotification.
	Value any
}

// Result is what one raw event turned into.
type Result struct {
	EventID   string
	EventType string
	Livemode  bool
	// Outcome is one of the Outcome constants.
	Outcome string
	// Outputs are the commands, then notifications, then the enriched event
	// (always last, always present unless the event could not be read).
	Outputs []Output
	// Flags are every flag raised while mapping the event (also inside the
	// commands' Meta and the enriched event).
	Flags []command.Flag
}

// Error is why an event cannot be transformed; the processors write the raw
// record to stripe.events.raw.dlq with these as the error.* headers.
type Error struct {
	// Class is ClassDecode or ClassValidation.
	Class string
	// Code is a stable machine-readable reason, e.g. "invalid_json",
	// "amount_not_integer", "unknown_currency", "unknown_event_type".
	Code string
	// Field is the JSON path of the offending value, e.g.
	// "data.object.amount"; empty when the whole record is at fault.
	Field string
	// Message is the reason for people.
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Class, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Class, e.Message)
}
