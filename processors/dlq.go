package processors

import (
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/processors/transform"
)

// DLQ header names (DESIGN.md, "Topics"; modelled on Kafka Connect's
// __connect.errors.*).
const (
	HeaderErrorStage        = "error.stage"
	HeaderErrorClass        = "error.class"
	HeaderErrorMessage      = "error.message"
	HeaderErrorCode         = "error.code"
	HeaderErrorField        = "error.field"
	HeaderOriginalTopic     = "original.topic"
	HeaderOriginalPartition = "original.partition"
	HeaderOriginalOffset    = "original.offset"
	HeaderAttempts          = "attempts"
	HeaderFirstFailedAt     = "first.failed.at"
	HeaderLastFailedAt      = "last.failed.at"
)

// StageProcessor is the error.stage of records the processors dead-letter.
const StageProcessor = "processor"

// Codes the runtime itself gives (class validation); the transform's own
// codes come with its *transform.Error.
const (
	// CodeEncode: an output the Avro schema refuses.
	CodeEncode = "encode"
	// CodePanic: the transform panicked on the record.
	CodePanic = "panic"
	// CodeTransform: the transform failed with an error that is not a
	// *transform.Error.
	CodeTransform = "transform"
)

// maxErrorMessage caps error.message: a panic value or a wrapped error can
// be long, and a header is not the place for a dump (the log has the stack).
const maxErrorMessage = 2048

// RawDLQ is the dead-letter topic of the raw topic.
var RawDLQ = kafka.DLQTopic(kafka.RawEvents)

// dlqEntry is one dead-lettered raw record, kept for the log line written
// when its transaction commits.
type dlqEntry struct {
	eventID, eventType string
	partition          int32
	offset             int64
	err                transform.Error
}

// newDLQEntry names the record by its raw headers: the transform could not
// tell us the event id, so the producer's headers are the best we have.
func newDLQEntry(r *kgo.Record, e transform.Error) dlqEntry {
	id, _ := header(r, HeaderEventID)
	typ, _ := header(r, HeaderEventType)
	return dlqEntry{eventID: id, eventType: typ, partition: r.Partition, offset: r.Offset, err: e}
}

// isDLQHeader reports headers the DLQ record sets itself; a record that
// already carries them (a redriven one) gets fresh values, not duplicates.
func isDLQHeader(k string) bool {
	return strings.HasPrefix(k, "error.") || strings.HasPrefix(k, "original.") ||
		k == HeaderAttempts || k == HeaderFirstFailedAt || k == HeaderLastFailedAt
}

// dlqRecord is the DLQ record for r: its key, value and headers unchanged,
// plus the error headers. attempts is 1: the processors never retry a
// record (an error in the data does not go away by trying again).
func dlqRecord(r *kgo.Record, e transform.Error, now time.Time) *kgo.Record {
	at := []byte(now.UTC().Format(TimeLayout))
	msg := e.Message
	if len(msg) > maxErrorMessage {
		msg = msg[:maxErrorMessage] + "…"
	}
	h := make([]kgo.RecordHeader, 0, len(r.Headers)+11)
	for _, x := range r.Headers {
		if !isDLQHeader(x.Key) {
			h = append(h, x)
		}
	}
	h = append(h,
		kgo.RecordHeader{Key: HeaderErrorStage, Value: []byte(StageProcessor)},
		kgo.RecordHeader{Key: HeaderErrorClass, Value: []byte(e.Class)},
		kgo.RecordHeader{Key: HeaderErrorMessage, Value: []byte(msg)},
		kgo.RecordHeader{Key: HeaderErrorCode, Value: []byte(e.Code)},
		kgo.RecordHeader{Key: HeaderErrorField, Value: []byte(e.Field)},
		kgo.RecordHeader{Key: HeaderOriginalTopic, Value: []byte(r.Topic)},
		kgo.RecordHeader{Key: HeaderOriginalPartition, Value: []byte(strconv.FormatInt(int64(r.Partition), 10))},
		kgo.RecordHeader{Key: HeaderOriginalOffset, Value: []byte(strconv.FormatInt(r.Offset, 10))},
		kgo.RecordHeader{Key: HeaderAttempts, Value: []byte("1")},
		kgo.RecordHeader{Key: HeaderFirstFailedAt, Value: at},
		kgo.RecordHeader{Key: HeaderLastFailedAt, Value: at},
	)
	return &kgo.Record{Topic: RawDLQ, Key: r.Key, Value: r.Value, Headers: h}
}
