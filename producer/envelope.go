package producer

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

// ParseEnvelope checks that body is well-formed JSON describing a Stripe
// event (object "event", an id, a type, a boolean livemode and a data.object
// that is a JSON object) and extracts the routing fields in the same single
// pass (see jsonscan.go). Events of every API version pass: none of these
// fields has changed shape across versions.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	var sc scanner
	if err := scanEvent(body, &sc); err != nil {
		return env, &EnvelopeError{Reason: ReasonMalformedJSON}
	}
	if body[firstNonWS(body)] != '{' {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent}
	}
	var ok bool
	if s, ok := sc.slots[slotObject].str(); !ok || s != "event" {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent, Field: "object"}
	}
	if env.ID, ok = sc.slots[slotID].str(); !ok || env.ID == "" {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent, Field: "id"}
	}
	if env.Type, ok = sc.slots[slotType].str(); !ok || env.Type == "" {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent, Field: "type"}
	}
	switch sc.slots[slotLivemode].kind {
	case kindTrue:
		env.Livemode = true
	case kindFalse:
	default:
		return env, &EnvelopeError{Reason: ReasonNotAnEvent, Field: "livemode"}
	}
	if sc.slots[slotData].kind != kindObject || sc.slots[slotDataObject].kind != kindObject {
		return env, &EnvelopeError{Reason: ReasonNotAnEvent, Field: "data.object"}
	}
	env.Account, _ = sc.slots[slotAccount].str()
	env.APIVersion, _ = sc.slots[slotAPIVersion].str()
	env.ObjectID, _ = sc.slots[slotObjID].str()
	env.ObjectType, _ = sc.slots[slotObjType].str()
	switch cust := sc.slots[slotObjCustomer]; {
	case env.ObjectType == "customer":
		env.CustomerID = env.ObjectID
	case cust.kind == kindString:
		env.CustomerID, _ = cust.str()
	case cust.kind == kindObject: // an expanded customer
		env.CustomerID, _ = sc.slots[slotCustomerID].str()
	}
	return env, nil
}

// firstNonWS is the index of the first byte that is not JSON whitespace; the
// body is known to be valid JSON, so one exists.
func firstNonWS(b []byte) int {
	for i, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
	}
	return 0
}
