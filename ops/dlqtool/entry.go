// Package dlqtool reads and redrives the dead-letter topics: list entries
// with their error headers, show one with its value decoded, and put
// selected ones back on the topic they failed on.
//
// # Redrive and how a redriven entry is recognised
//
// Kafka is append-only: a redriven DLQ record stays where it is. The copy
// written to the original topic carries two headers: redrive.count (the
// entry's own count plus one) and redriven-from, the entry's position
// "<dlq topic>/<partition>@<offset>". An entry counts as redriven when a
// record on its original topic names it in redriven-from. Finding one means
// reading the original topic from the entry's time onward (the copy can
// only be later): Redrive always does so, to skip entries already redriven
// (a second run of the same command is then harmless), and List does so
// when asked (Options.CheckRedriven), because on a busy topic it costs a
// read of everything since the oldest listed entry.
//
// A copy that fails again gets a new DLQ entry: its headers are the copy's
// (internal/dlq keeps the first original.* and the redrive.count), so its
// redrive.count says how often the record went round. Redrive refuses
// entries whose count has reached the limit.
package dlqtool

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/dlq"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// Redrive headers (documented in docs/operations.md).
const (
	// HeaderRedriveCount is how many times the record was redriven, on
	// the redriven copy (and so on any DLQ entry the copy becomes).
	HeaderRedriveCount = "redrive.count"
	// HeaderRedrivenFrom is the DLQ entry a copy was redriven from.
	HeaderRedrivenFrom = "redriven-from"
	// DefaultMaxRedrives is the default limit on redrive.count.
	DefaultMaxRedrives = 3
)

// Topics returns every DLQ topic of the design: the raw events' and each
// command topic's.
func Topics() []string {
	out := []string{kafka.DLQTopic(kafka.RawEvents)}
	for _, t := range kafka.CommandTopics {
		out = append(out, kafka.DLQTopic(t))
	}
	return out
}

// Entry is one DLQ record with its headers read.
type Entry struct {
	Topic     string
	Partition int32
	Offset    int64
	Timestamp time.Time
	Failure   dlq.Failure
	Origin    dlq.Origin
	// HeaderErr says which error headers are missing or malformed; the
	// Failure and Origin then hold what could be read.
	HeaderErr error
	// RedriveCount is the record's redrive.count (0 when it has none).
	RedriveCount int
	// RedrivenTo lists the copies found on the original topic (their
	// positions); filled by Redrive, and by List with CheckRedriven.
	RedrivenTo []string
	// Record is the DLQ record itself.
	Record *kgo.Record
}

// ID is the entry's position "<topic>/<partition>@<offset>", which show
// and redrive take.
func (e *Entry) ID() string { return position(e.Topic, e.Partition, e.Offset) }

// EventID is the stripe-event-id header, when there is one.
func (e *Entry) EventID() string { v, _ := header(e.Record, "stripe-event-id"); return v }

// CommandID is the command-id header, when there is one.
func (e *Entry) CommandID() string { v, _ := header(e.Record, "command-id"); return v }

// FailedAt is last.failed.at, or the record's timestamp without one.
func (e *Entry) FailedAt() time.Time {
	if !e.Failure.LastFailedAt.IsZero() {
		return e.Failure.LastFailedAt
	}
	return e.Timestamp
}

func newEntry(r *kgo.Record) *Entry {
	f, o, err := dlq.Parse(r)
	e := &Entry{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Timestamp: r.Timestamp.UTC(),
		Failure: f, Origin: o, HeaderErr: err, Record: r}
	if v, ok := header(r, HeaderRedriveCount); ok {
		e.RedriveCount, _ = strconv.Atoi(v)
	}
	return e
}

// Filter selects entries; the zero Filter selects all. Conditions add up.
type Filter struct {
	// Class is error.class exactly (validation, decode, dependency,
	// transient-exhausted).
	Class string
	// Text is looked for in error.message, ignoring case.
	Text string
	// Since and Until bound last.failed.at (the record's timestamp when
	// the header is missing): Since <= t < Until. Zero means open.
	Since, Until time.Time
	// StripeID matches a Stripe id (evt_, ch_, cus_, po_, …) in the key,
	// in any header value, or in the value bytes. The value test works for
	// Avro as well as JSON: Avro writes strings as their UTF-8 bytes.
	StripeID string
	// IDs keeps only these positions ("<topic>/<partition>@<offset>").
	IDs []string
}

// Match reports whether e passes the filter.
func (f Filter) Match(e *Entry) bool {
	if f.Class != "" && e.Failure.Class != f.Class {
		return false
	}
	if f.Text != "" && !strings.Contains(strings.ToLower(e.Failure.Message), strings.ToLower(f.Text)) {
		return false
	}
	at := e.FailedAt()
	if !f.Since.IsZero() && at.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !at.Before(f.Until) {
		return false
	}
	if f.StripeID != "" && !mentions(e.Record, f.StripeID) {
		return false
	}
	if len(f.IDs) > 0 {
		id, found := e.ID(), false
		for _, x := range f.IDs {
			found = found || x == id
		}
		if !found {
			return false
		}
	}
	return true
}

func mentions(r *kgo.Record, id string) bool {
	b := []byte(id)
	if bytes.Contains(r.Key, b) || bytes.Contains(r.Value, b) {
		return true
	}
	for _, h := range r.Headers {
		if bytes.Contains(h.Value, b) {
			return true
		}
	}
	return false
}

func position(topic string, p int32, o int64) string {
	return topic + "/" + strconv.FormatInt(int64(p), 10) + "@" + strconv.FormatInt(o, 10)
}

// ParseID reads "<topic>/<partition>@<offset>".
func ParseID(id string) (topic string, partition int32, offset int64, ok bool) {
	at := strings.LastIndexByte(id, '@')
	slash := strings.LastIndexByte(id, '/')
	if slash <= 0 || at < slash+2 || at == len(id)-1 {
		return "", 0, 0, false
	}
	p, err1 := strconv.ParseInt(id[slash+1:at], 10, 32)
	o, err2 := strconv.ParseInt(id[at+1:], 10, 64)
	if err1 != nil || err2 != nil || p < 0 || o < 0 {
		return "", 0, 0, false
	}
	return id[:slash], int32(p), o, true
}

func header(r *kgo.Record, k string) (string, bool) {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if r.Headers[i].Key == k {
			return string(r.Headers[i].Value), true
		}
	}
	return "", false
}
