package dlq

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Origin is where a record was first consumed from: its original.* headers.
type Origin struct {
	Topic     string
	Partition int32
	Offset    int64
}

// Parse reads a DLQ or retry record's headers back: the Failure and the
// origin. It returns what it could read even on error; the error names
// every header that is missing or malformed.
func Parse(r *kgo.Record) (Failure, Origin, error) {
	var (
		f    Failure
		o    Origin
		errs []error
	)
	str := func(k string, dst *string) {
		v, ok := lastHeader(r, k)
		if !ok {
			errs = append(errs, fmt.Errorf("header %s missing", k))
		}
		*dst = v
	}
	str(HeaderErrorStage, &f.Stage)
	str(HeaderErrorClass, &f.Class)
	str(HeaderErrorMessage, &f.Message)
	str(HeaderErrorCode, &f.Code)
	str(HeaderErrorField, &f.Field)
	str(HeaderOriginalTopic, &o.Topic)

	num := func(k string, bits int) int64 {
		v, ok := lastHeader(r, k)
		if !ok {
			errs = append(errs, fmt.Errorf("header %s missing", k))
			return 0
		}
		n, err := strconv.ParseInt(v, 10, bits)
		if err != nil {
			errs = append(errs, fmt.Errorf("header %s = %q: not an integer", k, v))
		}
		return n
	}
	o.Partition = int32(num(HeaderOriginalPartition, 32))
	o.Offset = num(HeaderOriginalOffset, 64)
	f.Attempts = int(num(HeaderAttempts, 32))

	at := func(k string) time.Time {
		v, ok := lastHeader(r, k)
		if !ok {
			errs = append(errs, fmt.Errorf("header %s missing", k))
			return time.Time{}
		}
		t, err := parseTime(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("header %s = %q: not an RFC 3339 time", k, v))
		}
		return t
	}
	f.FirstFailedAt = at(HeaderFirstFailedAt)
	f.LastFailedAt = at(HeaderLastFailedAt)

	if err := errors.Join(errs...); err != nil {
		return f, o, fmt.Errorf("dlq: reading the headers of %s/%d@%d: %w", r.Topic, r.Partition, r.Offset, err)
	}
	return f, o, nil
}

// originOf reads the original.* headers already on r; false unless all
// three are there and readable (a partial set is not trusted over the
// record's own position).
func originOf(r *kgo.Record) (Origin, bool) {
	t, ok1 := lastHeader(r, HeaderOriginalTopic)
	p, ok2 := lastHeader(r, HeaderOriginalPartition)
	off, ok3 := lastHeader(r, HeaderOriginalOffset)
	if !ok1 || !ok2 || !ok3 || t == "" {
		return Origin{}, false
	}
	pn, err1 := strconv.ParseInt(p, 10, 32)
	on, err2 := strconv.ParseInt(off, 10, 64)
	if err1 != nil || err2 != nil {
		return Origin{}, false
	}
	return Origin{Topic: t, Partition: int32(pn), Offset: on}, true
}
