package schemas

import (
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// EnrichedEvent is the normalized form of one Stripe event, written to
// stripe.events.enriched for the data team (record
// stripeinfor.events.EnrichedEvent). Every raw event the processors can
// parse produces one, whatever its type, including types that make no
// Infor command. Fields that do not apply to the event's object are empty
// (strings), null (pointers) or zero-length (lists and maps).
//
// The Avro field names are the json tags below; the schema is
// avro/events/EnrichedEvent.avsc, and README.md says how each Go type is
// encoded (times as timestamp-millis, the zero time as the epoch).
type EnrichedEvent struct {
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	APIVersion string    `json:"api_version"`
	Livemode   bool      `json:"livemode"`
	Account    string    `json:"account"`
	Created    time.Time `json:"created"`
	// ReceivedAt is when the webhook producer accepted the event (the raw
	// record's received-at header); zero when the header was missing,
	// which Avro readers see as the epoch.
	ReceivedAt time.Time `json:"received_at"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	CustomerID string    `json:"customer_id"`
	// Amount is the object's main amount in Stripe API minor units (a
	// charge's amount, a refund's, an invoice's amount_due, a payout's);
	// nil when the object has none.
	Amount *int64 `json:"amount"`
	// AmountRefunded is a charge's amount_refunded; nil otherwise.
	AmountRefunded *int64 `json:"amount_refunded"`
	// Currency is upper case ISO 4217; CurrencyExponent its booked decimals
	// (command.Exponent); AmountDecimal the exact decimal of Amount in major
	// units (command.Decimal), empty when Amount is nil.
	Currency         string `json:"currency"`
	CurrencyExponent int32  `json:"currency_exponent"`
	AmountDecimal    string `json:"amount_decimal"`
	Status           string `json:"status"`
	Description      string `json:"description"`
	// PaymentMethodType is payment_method_details.type (card, sepa_debit, …);
	// PaymentMethodCode the Infor code the mapping chose for it.
	PaymentMethodType string `json:"payment_method_type"`
	PaymentMethodCode string `json:"payment_method_code"`
	CardBrand         string `json:"card_brand"`
	// Related ids, when the object names them.
	ChargeID        string `json:"charge_id"`
	PaymentIntentID string `json:"payment_intent_id"`
	InvoiceID       string `json:"invoice_id"`
	SubscriptionID  string `json:"subscription_id"`
	// FailureCode and FailureMessage are a failed charge's or payout's.
	FailureCode    string            `json:"failure_code"`
	FailureMessage string            `json:"failure_message"`
	Metadata       map[string]string `json:"metadata"`
	// Outcome is what the processors did with the event: "mapped" (it made
	// commands), "no_commands" (a type that never makes commands, or one
	// whose money another event books: see docs), "unknown_type",
	// "test_mode_dropped".
	Outcome string `json:"outcome"`
	// CommandIDs are the ids of the commands the event produced.
	CommandIDs []string `json:"command_ids"`
	// GLRule is the name of the mapping's GL rule that matched, if any.
	GLRule string         `json:"gl_rule"`
	Flags  []command.Flag `json:"flags"`
	// AmountExponent is the decimals of Amount and AmountRefunded as Stripe
	// sends them (command.APIExponent): the same as CurrencyExponent except
	// for ISK and UGX, which Stripe sends with two decimals that are always
	// zero. Amount / 10^AmountExponent is the amount in major units. Nil in
	// records written before the field existed (schema v1).
	AmountExponent *int32 `json:"amount_exponent"`
}

// CustomerNotification asks whoever owns customer communication to tell a
// customer something (record stripeinfor.notifications.CustomerNotification,
// topic notifications.customer). The pipeline sends no e-mail itself. Its
// schema is avro/notifications/CustomerNotification.avsc.
type CustomerNotification struct {
	// NotificationID is "notification:<object id>:<kind>", so two events
	// about one failure make one notification.
	NotificationID string `json:"notification_id"`
	// Kind is "payment_failed" (a charge) or "invoice_payment_failed".
	Kind             string `json:"kind"`
	StripeCustomerID string `json:"stripe_customer_id"`
	ERPCustomerID    string `json:"erp_customer_id"`
	Email            string `json:"email"`
	Name             string `json:"name"`
	// Amount is the amount that could not be collected.
	Amount command.Money `json:"amount"`
	// Reason is Stripe's failure message (or the decline code when there is
	// no message).
	Reason string `json:"reason"`
	// NextAttemptAt is when Stripe will retry an invoice, nil when it will
	// not.
	NextAttemptAt *time.Time   `json:"next_attempt_at"`
	Meta          command.Meta `json:"meta"`
}
