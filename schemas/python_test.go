package schemas

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// pythonReader decodes, with Apache Avro's own Python library (Debian's
// python3-avro, what python3-confluent-kafka 1.7 uses), each line's Confluent
// wire-format record with the given writer schema, and prints the record as
// JSON (datetimes as epoch milliseconds).
const pythonReader = `
import io, json, sys, datetime
import avro.schema, avro.io
def plain(v):
    if isinstance(v, datetime.datetime):
        return int(round(v.timestamp() * 1000))
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v
for line in sys.stdin:
    item = json.loads(line)
    schema = avro.schema.parse(item["schema"])
    raw = bytes.fromhex(item["record"])
    assert raw[0] == 0, "magic byte"
    reader = avro.io.DatumReader(schema)
    value = reader.read(avro.io.BinaryDecoder(io.BytesIO(raw[5:])))
    print(json.dumps(plain(value)))
`

// A non-Go reader must read what the Serde writes: the schemas go through
// Apache Avro's Python parser (which is stricter than goavro about names and
// defaults) and the bodies through its decoder.
func TestPythonAvroReadsOurRecords(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import avro.io").Run(); err != nil {
		t.Skip("python3-avro is not installed (apt-get install python3-avro)")
	}
	_, cl := newRegistry(t)
	s := mustRegister(t, cl)
	values := fullValues()
	var in bytes.Buffer
	for _, v := range values {
		topic, _ := TopicOf(v)
		b, err := s.Encode(topic, v)
		if err != nil {
			t.Fatal(err)
		}
		schema, _ := Schema(topic)
		line, _ := json.Marshal(map[string]string{"schema": schema, "record": hex.EncodeToString(b)})
		in.Write(append(line, '\n'))
	}
	script := filepath.Join(t.TempDir(), "read.py")
	if err := os.WriteFile(script, []byte(pythonReader), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(context.Background(), "/usr/bin/python3", script)
	cmd.Stdin = &in
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	if len(lines) != len(values) {
		t.Fatalf("python printed %d records, want %d:\n%s", len(lines), len(values), out)
	}
	var rec []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		rec = append(rec, m)
	}
	// Spot checks per kind of encoding; the Go round trip covers the rest.
	if got := rec[0]["meta"].(map[string]any)["occurred_at"]; got != float64(1700000000000) {
		t.Errorf("timestamp-millis: %v", got)
	}
	if got := rec[1]["lines"].([]any)[0].(map[string]any)["unit_price"]; !jsonEqual(got, map[string]any{"minor": 1050, "currency": "USD", "exponent": 2}) {
		t.Errorf("money in a union branch: %v", got)
	}
	if got := rec[3]["amount"]; !jsonEqual(got, map[string]any{"minor": 1234, "currency": "KWD", "exponent": 3}) {
		t.Errorf("three-decimal money: %v", got)
	}
	if got := rec[7]["amount"]; got != float64(2000) {
		t.Errorf("nullable long: %v", got)
	}
	if got := rec[7]["metadata"]; !jsonEqual(got, map[string]any{"order_id": "42", "erp_customer_id": "S12345"}) {
		t.Errorf("map: %v", got)
	}
	if got := rec[8]["next_attempt_at"]; got != float64(1700086400123) {
		t.Errorf("nullable timestamp: %v", got)
	}
	if got := rec[4]["command_id"]; got != "refund:re_3OAbCd" {
		t.Errorf("second union branch: %v", got)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	var u, v any
	_ = json.Unmarshal(x, &u)
	_ = json.Unmarshal(y, &v)
	x, _ = json.Marshal(u)
	y, _ = json.Marshal(v)
	return bytes.Equal(x, y)
}
