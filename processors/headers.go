package processors

import (
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/dlq"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// Header names (DESIGN.md, "Topics"). The stripe-* and received-at names are
// the raw topic's; processors copy them onto every output so a consumer can
// trace a record without decoding it.
const (
	HeaderCommandID   = "command-id"
	HeaderCommandType = "command-type"
	HeaderEventID     = "stripe-event-id"
	HeaderEventType   = "stripe-event-type"
	HeaderLivemode    = "stripe-livemode"
	HeaderAccount     = "stripe-account"
	HeaderReceivedAt  = "received-at"
)

// TimeLayout is RFC 3339 in UTC with milliseconds, the layout of
// received-at and of the DLQ's *.failed.at headers (internal/dlq's, so the
// stages agree).
const TimeLayout = dlq.TimeLayout

// header returns the value of the last header named key, and whether there
// is one.
func header(r *kgo.Record, key string) (string, bool) {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if r.Headers[i].Key == key {
			return string(r.Headers[i].Value), true
		}
	}
	return "", false
}

// receivedAt parses the raw record's received-at header; zero when it is
// missing or unreadable (the transform then leaves EnrichedEvent.ReceivedAt
// zero rather than inventing a time).
func receivedAt(r *kgo.Record) time.Time {
	v, ok := header(r, HeaderReceivedAt)
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// eventHeaders are the headers every output of one event carries. The
// account comes from the event body (through the enriched event) when the
// transform read it, else from the raw record's header.
func eventHeaders(raw *kgo.Record, res *transform.Result) []kgo.RecordHeader {
	account, _ := header(raw, HeaderAccount)
	for _, o := range res.Outputs {
		if e, ok := o.Value.(schemas.EnrichedEvent); ok {
			account = e.Account
			break
		}
	}
	h := []kgo.RecordHeader{
		{Key: HeaderEventID, Value: []byte(res.EventID)},
		{Key: HeaderEventType, Value: []byte(res.EventType)},
		{Key: HeaderLivemode, Value: []byte(strconv.FormatBool(res.Livemode))},
		{Key: HeaderAccount, Value: []byte(account)},
	}
	if v, ok := header(raw, HeaderReceivedAt); ok {
		h = append(h, kgo.RecordHeader{Key: HeaderReceivedAt, Value: []byte(v)})
	}
	return h
}

// outputHeaders adds command-id and command-type in front of the event's
// headers when the value is a command. Each record gets its own slice: kgo
// keeps a reference until the record is acknowledged.
func outputHeaders(common []kgo.RecordHeader, v any) []kgo.RecordHeader {
	cmd, ok := v.(command.Command)
	if !ok {
		return append([]kgo.RecordHeader(nil), common...)
	}
	h := make([]kgo.RecordHeader, 0, len(common)+2)
	h = append(h,
		kgo.RecordHeader{Key: HeaderCommandID, Value: []byte(cmd.ID())},
		kgo.RecordHeader{Key: HeaderCommandType, Value: []byte(cmd.Type())},
	)
	return append(h, common...)
}
