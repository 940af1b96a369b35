package processors

import (
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/dlq"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/processors/transform"
)

// DLQ header names (DESIGN.md, "Topics"), kept here for the processors'
// callers and tests; internal/dlq owns them so every stage writes the same.
const (
	HeaderErrorStage        = dlq.HeaderErrorStage
	HeaderErrorClass        = dlq.HeaderErrorClass
	HeaderErrorMessage      = dlq.HeaderErrorMessage
	HeaderErrorCode         = dlq.HeaderErrorCode
	HeaderErrorField        = dlq.HeaderErrorField
	HeaderOriginalTopic     = dlq.HeaderOriginalTopic
	HeaderOriginalPartition = dlq.HeaderOriginalPartition
	HeaderOriginalOffset    = dlq.HeaderOriginalOffset
	HeaderAttempts          = dlq.HeaderAttempts
	HeaderFirstFailedAt     = dlq.HeaderFirstFailedAt
	HeaderLastFailedAt      = dlq.HeaderLastFailedAt
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

// dlqRecord is the DLQ record for r: its key, value and headers unchanged,
// plus the error headers (internal/dlq.Record: a redriven raw record keeps
// its first origin and first.failed.at). attempts is 1: the processors never
// retry a record (an error in the data does not go away by trying again).
func dlqRecord(r *kgo.Record, e transform.Error, now time.Time) *kgo.Record {
	return dlq.Record(r, RawDLQ, dlq.Failure{
		Stage: StageProcessor, Class: e.Class, Code: e.Code, Field: e.Field, Message: e.Message,
		Attempts: 1, FirstFailedAt: now, LastFailedAt: now,
	})
}
