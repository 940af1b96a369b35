package producer

import (
	"github.com/tidwall/gjson"
)

// Envelope holds the few fields of a Stripe event that routing needs. The
// rest of the body is never decoded here: the producer publishes the bytes it
// received, and a full decode into stripe-go's types would halve throughput.
type Envelope struct {
	ID         string // evt_…
	Type       string // charge.succeeded, …
	Livemode   bool
	Account    string // Connect account (acct_…), empty for the platform
	APIVersion string // the API version the payload was rendered with; may be empty
	ObjectID   string // data.object.id, empty for objects without one (balance)
	ObjectType string // data.object.object (charge, customer, …)
	CustomerID string // the object's customer, or the object itself when it is a customer
}

// Key is the record key DESIGN.md fixes for stripe.events.raw: the Stripe
// customer id when the object has one, else the object id, else (objects
// such as balance have no id) the event id. Keying by customer keeps one
// customer's events in order on one partition.
func (e *Envelope) Key() string {
	switch {
	case e.CustomerID != "":
		return e.CustomerID
	case e.ObjectID != "":
		return e.ObjectID
	default:
		return e.ID
	}
}

// Reasons a body is refused; they label metrics and error bodies.
const (
	ReasonMalformedJSON = "malformed_json"
	ReasonNotAnEvent    = "not_a_stripe_event"
)

// EnvelopeError says why a body is not a usable Stripe event.
type EnvelopeError struct {
	Reason string
	Field  string // the offending field, when there is one
}

func (e *EnvelopeError) Error() string {
	if e.Field == "" {
		return "stripe event: " + e.Reason
	}
	return "stripe event: " + e.Reason + ": " + e.Field
}

// envelopePaths are read in one pass each by gjson, which skips values
// without decoding them.
var envelopePaths = [...]string{
	"id", "object", "type", "livemode", "account", "api_version",
	"data.object", "data.object.id", "data.object.object", "data.object.customer",
}

// ParseEnvelope checks that body is well-formed JSON describing a Stripe
// event (object "event", an id, a type, a boolean livemode and a data.object
// that is a JSON object) and extracts the routing fields. Events of every API
// version pass: none of these fields has changed shape across versions.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	if !gjson.ValidBytes(body) {
		return env, &EnvelopeError{Reason: ReasonMalformedJSON}
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent}
	}
	var r [len(envelopePaths)]gjson.Result
	for i, p := range envelopePaths {
		r[i] = root.Get(p)
	}
	id, object, typ, livemode, account, apiVersion := r[0], r[1], r[2], r[3], r[4], r[5]
	data, objID, objType, customer := r[6], r[7], r[8], r[9]

	if object.Type != gjson.String || object.Str != "event" {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent, Field: "object"}
	}
	if id.Type != gjson.String || id.Str == "" {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent, Field: "id"}
	}
	if typ.Type != gjson.String || typ.Str == "" {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent, Field: "type"}
	}
	if livemode.Type != gjson.True && livemode.Type != gjson.False {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent, Field: "livemode"}
	}
	if !data.IsObject() {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent, Field: "data.object"}
	}
	env.ID, env.Type, env.Livemode = id.Str, typ.Str, livemode.Type == gjson.True
	if account.Type == gjson.String {
		env.Account = account.Str
	}
	if apiVersion.Type == gjson.String {
		env.APIVersion = apiVersion.Str
	}
	if objID.Type == gjson.String {
		env.ObjectID = objID.Str
	}
	if objType.Type == gjson.String {
		env.ObjectType = objType.Str
	}
	switch {
	case env.ObjectType == "customer":
		env.CustomerID = env.ObjectID
	case customer.Type == gjson.String:
		env.CustomerID = customer.Str
	case customer.IsObject(): // an expanded customer
		if cid := customer.Get("id"); cid.Type == gjson.String {
			env.CustomerID = cid.Str
		}
	}
	return env, nil
}
