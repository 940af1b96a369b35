package processors

import (
	"time"

	"github.com/stripe-infor/stripe-infor/processors/transform"
)

// Transformer turns one raw Stripe webhook body into the records it makes.
// *transform.Transformer implements it; the processor depends on this small
// interface so its transaction and DLQ handling is independent of the
// mapping.
type Transformer interface {
	// Transform returns the outputs of raw, or a *transform.Error saying
	// why the event cannot be transformed. receivedAt is the raw record's
	// received-at header (zero when absent).
	Transform(raw []byte, receivedAt time.Time) (transform.Result, error)
}

// Encoder serializes an output value for its topic in the Confluent wire
// format; *schemas.Serde implements it.
type Encoder interface {
	Encode(topic string, v any) ([]byte, error)
}
