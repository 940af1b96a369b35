package producer

import (
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Header names on stripe.events.raw (DESIGN.md contract).
const (
	HeaderEventID    = "stripe-event-id"
	HeaderEventType  = "stripe-event-type"
	HeaderLivemode   = "stripe-livemode"
	HeaderAccount    = "stripe-account"
	HeaderAPIVersion = "stripe-api-version"
	HeaderReceivedAt = "received-at"
)

// ReceivedAtLayout formats the received-at header: RFC 3339 in UTC with
// millisecond precision, e.g. 2026-11-25T17:24:07.123Z.
const ReceivedAtLayout = "2006-01-02T15:04:05.000Z07:00"

// NewRecord builds the raw-topic record for a verified event. The value is
// body itself, byte for byte; the caller must not reuse body until the record
// is acknowledged. stripe-account and stripe-api-version are present with an
// empty value when the event has none, so consumers can rely on every header
// being there.
func NewRecord(topic string, env *Envelope, body []byte, receivedAt time.Time) *kgo.Record {
	return &kgo.Record{
		Topic: topic,
		Key:   []byte(env.Key()),
		Value: body,
		Headers: []kgo.RecordHeader{
			{Key: HeaderEventID, Value: []byte(env.ID)},
			{Key: HeaderEventType, Value: []byte(env.Type)},
			{Key: HeaderLivemode, Value: []byte(strconv.FormatBool(env.Livemode))},
			{Key: HeaderAccount, Value: []byte(env.Account)},
			{Key: HeaderAPIVersion, Value: []byte(env.APIVersion)},
			{Key: HeaderReceivedAt, Value: receivedAt.UTC().AppendFormat(nil, ReceivedAtLayout)},
		},
		Timestamp: receivedAt,
	}
}
