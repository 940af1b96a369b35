// Package alert tells people about dead-lettered records: a JSON POST to
// ALERT_WEBHOOK_URL with a Slack-compatible "text" field, rate-limited so a
// burst of failures is one message with a count, not a flood.
package alert

import "time"

// Alert is what one DLQ write tells people.
type Alert struct {
	Stage       string // "sink", "processor"
	Topic       string // the source topic (not the DLQ)
	Class       string // error.class: validation, decode, dependency, transient-exhausted
	Code, Field string // Infor's errorCode / errorField, or the stage's own code
	Message     string // Infor's exact errorMessage, or the stage's reason
	CommandID   string
	CommandType string
	EventID     string   // the Stripe event id
	StripeIDs   []string // the Stripe object ids concerned (ch_…, cus_…, in_…)
	Livemode    bool
	Partition   int32
	Offset      int64
	At          time.Time
}
