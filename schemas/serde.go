package schemas

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"

	"github.com/twmb/franz-go/pkg/sr"
)

// Serde writes and reads the Avro topics in the Confluent wire format: a
// zero magic byte, the writer schema's registry id as a big-endian uint32,
// then the Avro binary body (goavro). Create it with Register. It is safe
// for concurrent use.
type Serde struct {
	cl     *sr.Client
	header sr.ConfluentHeader
	topics map[string]*topicCodec // read-only after Register

	mu      sync.RWMutex
	writers map[int]*writerCodec // by schema id: ours, and others met while decoding
}

// Register registers every topic's value schema under Subject(topic) and
// returns a Serde that writes with them. Before registering it checks that
// the schema is BACKWARD compatible with the subject's latest registered
// version (srfake's compatibility endpoint always says yes, so the check is
// done here with hamba/avro); an incompatible schema is an error naming the
// subject and the reason, and nothing further is registered. Registering a
// schema the subject already has returns its existing id, so every instance
// of every stage can call Register at start.
func Register(ctx context.Context, cl *sr.Client) (*Serde, error) {
	cat, err := Embedded()
	if err != nil {
		return nil, err
	}
	s := &Serde{cl: cl, topics: map[string]*topicCodec{}, writers: map[int]*writerCodec{}}
	for _, topic := range Topics {
		schema, err := cat.TopicSchema(topic)
		if err != nil {
			return nil, err
		}
		subject := Subject(topic)
		if err := checkLatest(ctx, cl, subject, schema); err != nil {
			return nil, err
		}
		id, err := cl.RegisterSchema(ctx, subject, sr.Schema{Schema: schema, Type: sr.TypeAvro}, -1, -1)
		if err != nil {
			return nil, fmt.Errorf("schemas: register %s: %w", subject, err)
		}
		tc, err := newTopicCodec(id, schema)
		if err != nil {
			return nil, fmt.Errorf("schemas: %s: %w", subject, err)
		}
		wc, err := newWriterCodec(schema)
		if err != nil {
			return nil, fmt.Errorf("schemas: %s: %w", subject, err)
		}
		s.topics[topic] = tc
		s.writers[id] = wc
	}
	return s, nil
}

// checkLatest fails when schema cannot read what the subject's latest
// registered version wrote.
func checkLatest(ctx context.Context, cl *sr.Client, subject, schema string) error {
	latest, err := cl.SchemaByVersion(ctx, subject, -1)
	if isNotFound(err) {
		return nil // a new subject
	}
	if err != nil {
		return fmt.Errorf("schemas: read the latest version of %s: %w", subject, err)
	}
	if latest.Type != sr.TypeAvro {
		return fmt.Errorf("schemas: %s: the registered version %d is %s, not Avro", subject, latest.Version, latest.Type)
	}
	if len(latest.References) > 0 {
		return fmt.Errorf("schemas: %s: the registered version %d uses schema references; ours are self-contained and cannot be checked against it", subject, latest.Version)
	}
	a, errA := Normalize(schema)
	b, errB := Normalize(latest.Schema.Schema)
	if errA == nil && errB == nil && a == b {
		return nil
	}
	if err := BackwardCompatible(schema, latest.Schema.Schema); err != nil {
		return fmt.Errorf("schemas: %s: our schema is not BACKWARD compatible with registered version %d (id %d): %w", subject, latest.Version, latest.ID, err)
	}
	return nil
}

func isNotFound(err error) bool {
	var re *sr.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	return re.ErrorCode == sr.ErrSubjectNotFound.Code || re.ErrorCode == sr.ErrVersionNotFound.Code ||
		(re.ErrorCode == 0 && re.StatusCode == http.StatusNotFound)
}

// SchemaID returns the registry id of the schema the Serde writes a topic
// with; 0 for a topic without Avro values.
func (s *Serde) SchemaID(topic string) int {
	if tc, ok := s.topics[topic]; ok {
		return tc.id
	}
	return 0
}

// Encode returns v in the Confluent wire format for topic. v is a value (or
// a non-nil pointer to one) of a type the topic carries: a command of that
// topic's entity, an EnrichedEvent, a CustomerNotification. Any other type
// is an error naming the types the topic takes.
func (s *Serde) Encode(topic string, v any) ([]byte, error) {
	return s.AppendEncode(nil, topic, v)
}

// AppendEncode is Encode appending to dst, so a caller can reuse a buffer.
// On error it returns nil.
func (s *Serde) AppendEncode(dst []byte, topic string, v any) ([]byte, error) {
	tc, ok := s.topics[topic]
	if !ok {
		return nil, fmt.Errorf("schemas: encode: topic %q has no Avro values", topic)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, fmt.Errorf("schemas: encode for %s: nil %T", topic, v)
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil, fmt.Errorf("schemas: encode for %s: nil value", topic)
	}
	enc, ok := tc.enc[rv.Type()]
	if !ok {
		return nil, fmt.Errorf("schemas: encode: %T does not belong to topic %s (it takes %s)", v, topic, tc.accept)
	}
	if !rv.CanAddr() { // the plans read fields in place (times through a pointer)
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		rv = p.Elem()
	}
	native, err := enc.encode(rv)
	if err != nil {
		return nil, fmt.Errorf("schemas: encode %T for %s: %w", v, topic, err)
	}
	dst, _ = s.header.AppendEncode(dst, tc.id, nil) // never fails without an index
	out, err := tc.codec.BinaryFromNative(dst, native)
	if enc.release != nil {
		enc.release(native) // goavro keeps no reference to the native
	}
	if err != nil {
		return nil, fmt.Errorf("schemas: encode %T for %s: %w", v, topic, err)
	}
	return out, nil
}

// Decode reads a value in the Confluent wire format and returns it as a Go
// value (not a pointer): command.ApplyPayment, schemas.EnrichedEvent, …; for
// a union topic the branch written decides the type. A schema id this Serde
// did not register (an older or a newer writer) is fetched from the
// registry, compiled and cached. Decoding is tolerant of schema evolution:
// fields the writer did not have get zero values, fields the Go type does
// not know are skipped.
func (s *Serde) Decode(ctx context.Context, b []byte) (any, error) {
	id, body, err := s.header.DecodeID(b)
	if err != nil {
		return nil, fmt.Errorf("schemas: decode: not the Confluent wire format: %w", err)
	}
	w, err := s.writer(ctx, id)
	if err != nil {
		return nil, err
	}
	native, rest, err := w.codec.NativeFromBinary(body)
	if err != nil {
		return nil, fmt.Errorf("schemas: decode with schema id %d: %w", id, err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("schemas: decode with schema id %d: %d bytes after the value", id, len(rest))
	}
	v, err := w.decode(native)
	if err != nil {
		return nil, fmt.Errorf("schemas: decode with schema id %d: %w", id, err)
	}
	return v, nil
}

// writer returns the codec of a writer schema id, fetching it once.
func (s *Serde) writer(ctx context.Context, id int) (*writerCodec, error) {
	s.mu.RLock()
	w, ok := s.writers[id]
	s.mu.RUnlock()
	if ok {
		return w, nil
	}
	sch, err := s.cl.SchemaByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("schemas: decode: fetch schema id %d: %w", id, err)
	}
	if sch.Type != sr.TypeAvro {
		return nil, fmt.Errorf("schemas: decode: schema id %d is %s, not Avro", id, sch.Type)
	}
	if len(sch.References) > 0 {
		return nil, fmt.Errorf("schemas: decode: schema id %d uses references, which are not supported", id)
	}
	w, err = newWriterCodec(sch.Schema)
	if err != nil {
		return nil, fmt.Errorf("schemas: decode: schema id %d: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if existing, ok := s.writers[id]; ok {
		return existing, nil
	}
	s.writers[id] = w
	return w, nil
}
