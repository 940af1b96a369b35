package command

import "time"

// Meta says where a command came from. Every command carries one, so that a
// record on an infor.*.commands topic can be traced to the Stripe event and
// objects behind it without looking anything up, and so that the sink can
// route test-mode commands to the sandbox tenant.
type Meta struct {
	// StripeEventID is the id (evt_…) of the event the command was made from.
	// Two events about the same change make commands with the same CommandID
	// but different StripeEventIDs.
	StripeEventID string `json:"stripe_event_id"`
	// StripeEventType is the event's type, e.g. "charge.succeeded".
	StripeEventType string `json:"stripe_event_type"`
	// StripeObjectIDs are the ids of the Stripe objects the command is about,
	// most specific first (e.g. ch_…, pi_…, in_…, cus_…).
	StripeObjectIDs []string `json:"stripe_object_ids"`
	// Livemode is false for Stripe test-mode events: the sink applies those
	// to the sandbox tenant.
	Livemode bool `json:"livemode"`
	// StripeAccount is the connected account (acct_…) for Connect events,
	// empty for the platform's own.
	StripeAccount string `json:"stripe_account"`
	// StripeAPIVersion is the API version the event payload was rendered in.
	StripeAPIVersion string `json:"stripe_api_version"`
	// OccurredAt is the event's created time (Stripe's clock, second
	// precision).
	OccurredAt time.Time `json:"occurred_at"`
	// Flags record what the mapping did that a person may want to check: an
	// unmapped payment method given the default code, a truncated address
	// field, a value coerced from a string. A flagged command is still
	// correct to apply; unflagged is the normal case.
	Flags []Flag `json:"flags"`
}

// Flag is one remark the mapping attached to a command or event.
type Flag struct {
	// Code is a stable identifier: "payment_method_unmapped",
	// "truncated", "coerced", "item_unmapped", "customer_default", ….
	Code string `json:"code"`
	// Field is the command field or the Stripe JSON path the flag is about.
	Field string `json:"field"`
	// Detail is a sentence for people, e.g. `"klarna" has no payment method
	// code; used default "STR"`.
	Detail string `json:"detail"`
}
