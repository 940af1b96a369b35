// Package dlq builds and reads the error headers of dead-letter and retry
// records, so every stage (processors, the Infor sink) and the SRE tools
// (`stripe-infor dlq`) agree on them byte for byte.
//
// The headers are DESIGN.md's (modelled on Kafka Connect's
// __connect.errors.*). A DLQ or retry record keeps the source record's key,
// value and headers unchanged and adds these, so a redrive can put the
// original bytes back on the source topic.
//
// Secrets never go into headers: Failure.Message is written as given, so
// callers pass the upstream's own message (Infor's errorMessage, the
// transform's reason), never an error that embeds a request URL, a token or
// a credential (a *url.Error from net/http does).
package dlq

import "time"

// DLQ header names (DESIGN.md, "Topics"; a contract: runbooks and the
// acceptance checks read them).
const (
	HeaderErrorStage        = "error.stage"
	HeaderErrorClass        = "error.class"
	HeaderErrorMessage      = "error.message"
	HeaderErrorCode         = "error.code"
	HeaderErrorField        = "error.field"
	HeaderOriginalTopic     = "original.topic"
	HeaderOriginalPartition = "original.partition"
	HeaderOriginalOffset    = "original.offset"
	HeaderAttempts          = "attempts"
	HeaderFirstFailedAt     = "first.failed.at"
	HeaderLastFailedAt      = "last.failed.at"
)

// Retry-topic headers, set by WithRetry beside the DLQ headers: the sink
// reads them back to know which delay tier a record is in and when it may
// be applied.
const (
	// HeaderRetryAttempt is the 1-based count of retry-topic tiers the
	// record has entered so far.
	HeaderRetryAttempt = "retry.attempt"
	// HeaderRetryNotBefore is the time (TimeLayout) before which the record
	// must not be applied.
	HeaderRetryNotBefore = "retry.not-before"
)

// Error classes, the values of error.class.
const (
	// ClassValidation: the data is wrong (Infor said NOK, the mapping
	// refused it); trying again will not help.
	ClassValidation = "validation"
	// ClassDecode: the record cannot be read at all (not JSON, not Avro).
	ClassDecode = "decode"
	// ClassDependency: a prerequisite never showed up in Infor before the
	// dependency deadline.
	ClassDependency = "dependency"
	// ClassTransientExhausted: timeouts, 5xx or 429 outlasted every
	// in-place retry and retry-topic tier.
	ClassTransientExhausted = "transient-exhausted"
)

// TimeLayout is RFC 3339 in UTC with milliseconds: the layout of
// first.failed.at, last.failed.at and retry.not-before (and of the raw
// topic's received-at). Fixed width, so the headers sort as text.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// MaxMessageBytes caps error.message: a panic value or a wrapped error can
// be long, and a header is not the place for a dump (the log has it). A
// longer message is cut on a rune boundary and ends with "…".
const MaxMessageBytes = 2048

// formatTime writes t in TimeLayout, in UTC.
func formatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// parseTime reads a TimeLayout value (any RFC 3339 time is accepted, so a
// hand-written header still parses), in UTC.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}
