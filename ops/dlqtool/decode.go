package dlqtool

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/internal/srclient"
)

// Decoded is a DLQ value made readable.
type Decoded struct {
	// Format is "avro" (Confluent wire format, decoded with its writer
	// schema), "json", "text" or "binary".
	Format string
	// SchemaID is the writer schema's registry id (Avro only).
	SchemaID int
	// Body is indented JSON for avro and json (Avro in its standard JSON
	// encoding, as kafka-avro-console-consumer prints it), the text for
	// text, a hex dump for binary.
	Body []byte
}

// AvroDecoder decodes one value in the Confluent wire format to Avro JSON.
type AvroDecoder interface {
	DecodeAvro(ctx context.Context, b []byte) (schemaID int, avroJSON []byte, err error)
}

// RegistryDecoder decodes with the writer schema of each value, fetched
// from the schema registry by id and cached. It only reads the registry:
// unlike schemas.Register it never registers anything, so a look at the
// DLQ cannot change production's subjects, and it shows every field the
// writer wrote, even ones this binary's Go types do not know.
type RegistryDecoder struct {
	cl     *sr.Client
	mu     sync.Mutex
	codecs map[int]writer
}

// writer is a writer schema, compiled.
type writer struct {
	codec  *goavro.Codec
	schema string
}

// NewRegistryDecoder returns a decoder reading the registry at url.
func NewRegistryDecoder(url string) (*RegistryDecoder, error) {
	cl, err := srclient.New(url)
	if err != nil {
		return nil, err
	}
	return &RegistryDecoder{cl: cl, codecs: map[int]writer{}}, nil
}

// DecodeAvro implements AvroDecoder.
func (d *RegistryDecoder) DecodeAvro(ctx context.Context, b []byte) (int, []byte, error) {
	var h sr.ConfluentHeader
	id, body, err := h.DecodeID(b)
	if err != nil {
		return 0, nil, fmt.Errorf("not the Confluent wire format: %w", err)
	}
	w, err := d.writer(ctx, id)
	if err != nil {
		return id, nil, err
	}
	native, rest, err := w.codec.NativeFromBinary(body)
	if err != nil {
		return id, nil, fmt.Errorf("decode with schema id %d: %w", id, err)
	}
	if len(rest) > 0 {
		return id, nil, fmt.Errorf("decode with schema id %d: %d bytes after the value", id, len(rest))
	}
	text, err := w.codec.TextualFromNative(nil, native)
	if err != nil {
		return id, nil, fmt.Errorf("schema id %d: to JSON: %w", id, err)
	}
	return id, orderAvroJSON(w.schema, text), nil
}

func (d *RegistryDecoder) writer(ctx context.Context, id int) (writer, error) {
	d.mu.Lock()
	w, ok := d.codecs[id]
	d.mu.Unlock()
	if ok {
		return w, nil
	}
	s, err := d.cl.SchemaByID(ctx, id)
	if err != nil {
		return writer{}, fmt.Errorf("fetch schema id %d: %w", id, err)
	}
	if s.Type != sr.TypeAvro {
		return writer{}, fmt.Errorf("schema id %d is %s, not Avro", id, s.Type)
	}
	if len(s.References) > 0 {
		return writer{}, fmt.Errorf("schema id %d uses schema references, which are not supported", id)
	}
	c, err := goavro.NewCodec(s.Schema)
	if err != nil {
		return writer{}, fmt.Errorf("schema id %d: %w", id, err)
	}
	w = writer{codec: c, schema: s.Schema}
	d.mu.Lock()
	d.codecs[id] = w
	d.mu.Unlock()
	return w, nil
}

// Decode makes a value readable: Avro through dec when it is in the
// Confluent wire format (a zero byte, then a 4-byte schema id), else JSON,
// else text, else a hex dump. An Avro value that cannot be decoded (the
// registry is down, the schema is gone) is returned as a hex dump together
// with the error.
func Decode(ctx context.Context, dec AvroDecoder, v []byte) (Decoded, error) {
	if len(v) >= 5 && v[0] == 0 && dec != nil {
		id, text, err := dec.DecodeAvro(ctx, v)
		if err != nil {
			return Decoded{Format: "binary", SchemaID: id, Body: []byte(hex.Dump(v))}, fmt.Errorf("avro value: %w", err)
		}
		return Decoded{Format: "avro", SchemaID: id, Body: indent(text)}, nil
	}
	if json.Valid(v) {
		return Decoded{Format: "json", Body: indent(v)}, nil
	}
	if utf8.Valid(v) {
		return Decoded{Format: "text", Body: v}, nil
	}
	return Decoded{Format: "binary", Body: []byte(hex.Dump(v))}, nil
}

func indent(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return b
	}
	return buf.Bytes()
}

// Show returns the entry at id and its value decoded (see Decode). A
// decoding error comes with the entry, so its headers can still be shown.
func Show(ctx context.Context, o Options, id string, dec AvroDecoder) (*Entry, Decoded, error) {
	es, err := List(ctx, Options{Kafka: o.Kafka}, nil, Filter{IDs: []string{id}})
	if err != nil {
		return nil, Decoded{}, err
	}
	if len(es) != 1 {
		return nil, Decoded{}, fmt.Errorf("dlq: no record at %s", id)
	}
	d, err := Decode(ctx, dec, es[0].Record.Value)
	return es[0], d, err
}
