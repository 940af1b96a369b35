package dlq

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Failure is why a record leaves its topic for a DLQ or a retry topic.
type Failure struct {
	// Stage is error.stage: "processor", "sink".
	Stage string
	// Class is error.class, one of the Class constants.
	Class string
	// Code and Field are error.code and error.field: Infor's errorCode and
	// errorField, or the stage's own code; either may be empty.
	Code, Field string
	// Message is error.message: the upstream's exact message (Infor's
	// errorMessage). Never a string holding a URL, a token or a key.
	Message string
	// Attempts is how many times the record was tried in all, across
	// retry tiers (the caller adds to what Parse read); below 1 counts as 1.
	Attempts int
	// FirstFailedAt is the first failure; zero means LastFailedAt. An
	// earlier first.failed.at already on the record wins over it.
	FirstFailedAt time.Time
	// LastFailedAt is this failure; zero means now.
	LastFailedAt time.Time
}

// Record returns the record for topic (a DLQ or a retry topic): r's key and
// value byte for byte, r's headers except earlier error.*, original.*,
// attempts, *.failed.at and retry.* ones (a record that went round a retry
// topic gets fresh values, not duplicates), then f's headers.
//
// original.* name r's own topic, partition and offset, unless r already
// carries a complete set (it came from a retry topic or was redriven): those
// are kept, so a DLQ record always names the first place the record was.
// first.failed.at likewise keeps a value already on r.
func Record(r *kgo.Record, topic string, f Failure) *kgo.Record {
	return &kgo.Record{Topic: topic, Key: r.Key, Value: r.Value, Headers: headers(r, f, 2)}
}

// headers builds the header list; extra is room for headers the caller
// appends (WithRetry's).
func headers(r *kgo.Record, f Failure, extra int) []kgo.RecordHeader {
	origin, ok := originOf(r)
	if !ok {
		origin = Origin{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset}
	}
	last := f.LastFailedAt
	if last.IsZero() {
		last = time.Now()
	}
	first := f.FirstFailedAt
	if first.IsZero() {
		first = last
	}
	if v, ok := lastHeader(r, HeaderFirstFailedAt); ok {
		if t, err := parseTime(v); err == nil {
			first = t
		}
	}
	attempts := max(f.Attempts, 1)

	h := make([]kgo.RecordHeader, 0, len(r.Headers)+11+extra)
	for _, x := range r.Headers {
		if !owned(x.Key) {
			h = append(h, x)
		}
	}
	return append(h,
		header(HeaderErrorStage, f.Stage),
		header(HeaderErrorClass, f.Class),
		header(HeaderErrorMessage, cut(f.Message)),
		header(HeaderErrorCode, f.Code),
		header(HeaderErrorField, f.Field),
		header(HeaderOriginalTopic, origin.Topic),
		header(HeaderOriginalPartition, strconv.FormatInt(int64(origin.Partition), 10)),
		header(HeaderOriginalOffset, strconv.FormatInt(origin.Offset, 10)),
		header(HeaderAttempts, strconv.Itoa(attempts)),
		header(HeaderFirstFailedAt, formatTime(first)),
		header(HeaderLastFailedAt, formatTime(last)),
	)
}

// owned reports the headers this package writes: they are replaced, never
// repeated.
func owned(k string) bool {
	return strings.HasPrefix(k, "error.") || strings.HasPrefix(k, "original.") || strings.HasPrefix(k, "retry.") ||
		k == HeaderAttempts || k == HeaderFirstFailedAt || k == HeaderLastFailedAt
}

// cut shortens a message longer than MaxMessageBytes on a rune boundary,
// so the header stays valid UTF-8, and marks the cut with "…".
func cut(s string) string {
	if len(s) <= MaxMessageBytes {
		return s
	}
	i := MaxMessageBytes
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func header(k, v string) kgo.RecordHeader { return kgo.RecordHeader{Key: k, Value: []byte(v)} }

// lastHeader returns the value of the last header named key (Kafka allows
// repeats; the last one is the newest), and whether there is one.
func lastHeader(r *kgo.Record, key string) (string, bool) {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if r.Headers[i].Key == key {
			return string(r.Headers[i].Value), true
		}
	}
	return "", false
}
