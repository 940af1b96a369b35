package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
)

// runCLI runs the binary's entry point in-process and returns the exit
// status and outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// strictMapping is the built-in mapping with test-mode events dropped and
// unknown types dead-lettered.
func strictMapping() string {
	s := strings.Replace(string(mapping.DefaultYAML), "test_mode: sandbox", "test_mode: drop", 1)
	return strings.Replace(s, "unknown_events: skip", "unknown_events: dlq", 1)
}

func TestMappingCheck(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", strictMapping())
	code, out, _ := runCLI(t, "mapping", "check", good)
	if code != 0 || !strings.HasPrefix(out, good+": ok (3 GL rules,") || !strings.Contains(out, "test_mode drop, unknown_events dlq") {
		t.Errorf("good file: exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, "mapping", "check", "-default")
	if code != 0 || !strings.Contains(out, "built-in default mapping: ok (") {
		t.Errorf("-default: exit %d, %q", code, out)
	}

	// Two problems on known lines: a misspelt key (line 3) and an unknown
	// test_mode (line 4). Both are printed, with the file and the line.
	bad := writeFile(t, dir, "bad.yaml", strings.Replace(strings.Replace(strictMapping(),
		"version: 1\n", "version: 1\nunknown_evnts: skip\n", 1), "test_mode: drop", "test_mode: maybe", 1))
	lines := strings.Split(strictMapping(), "\n")
	testModeLine := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "test_mode:") }) + 2 // 1-based, after the inserted line
	versionLine := slices.Index(lines, "version: 1") + 2
	code, out, errOut := runCLI(t, "mapping", "check", good, bad)
	if code != 1 {
		t.Fatalf("bad file: exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		good + ": ok (",
		bad + ":" + strconv.Itoa(versionLine) + ":",
		"unknown_evnts",
		bad + ":" + strconv.Itoa(testModeLine) + ":",
		"maybe",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "1 of 2 mapping file(s) have problems") {
		t.Errorf("stderr %q", errOut)
	}

	if code, out, _ := runCLI(t, "mapping", "check", filepath.Join(dir, "missing.yaml")); code != 1 || !strings.Contains(out, "missing.yaml") {
		t.Errorf("missing file: exit %d, %q", code, out)
	}
	for _, args := range [][]string{{"mapping"}, {"mapping", "check"}, {"mapping", "frobnicate"}, {"mapping", "preview", "only-one.json"}} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", args, code)
		}
	}
}

// preview is what `mapping preview` prints.
type preview struct {
	Mapping   string `json:"mapping"`
	EventID   string `json:"event_id"`
	EventType string `json:"event_type"`
	Outcome   string `json:"outcome"`
	Outputs   []struct {
		Topic string         `json:"topic"`
		Key   string         `json:"key"`
		Type  string         `json:"type"`
		Value map[string]any `json:"value"`
	} `json:"outputs"`
	Flags []map[string]string `json:"flags"`
	Error *struct {
		Class, Code, Field, Message string
	} `json:"error"`
}

func previewCLI(t *testing.T, wantCode int, args ...string) preview {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"mapping", "preview"}, args...)...)
	if code != wantCode {
		t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, wantCode, out, errOut)
	}
	var p preview
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return p
}

func TestMappingPreview(t *testing.T) {
	dir := t.TempDir()
	charge := stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 4, Livemode: true, Currency: "kwd", Amount: 12345})
	event := writeFile(t, dir, "charge.json", string(charge))

	p := previewCLI(t, 0, "-default", event)
	var types, topics []string
	for _, o := range p.Outputs {
		types, topics = append(types, o.Type), append(topics, o.Topic)
	}
	if p.Outcome != "mapped" || p.EventType != "charge.succeeded" || p.Mapping != "built-in default mapping" ||
		!slices.Equal(types, []string{"UpsertCustomer", "CreateSalesOrder", "ApplyPayment", "EnrichedEvent"}) ||
		!slices.Equal(topics, []string{"infor.customer.commands", "infor.salesorder.commands", "infor.payment.commands", "stripe.events.enriched"}) {
		t.Fatalf("preview %+v", p)
	}
	pay := p.Outputs[2]
	amount, _ := pay.Value["amount"].(map[string]any)
	if pay.Value["command_id"] != "payment:"+pay.Key || amount["decimal"] != "12.345" || amount["currency"] != "KWD" || amount["minor"] != 12345.0 {
		t.Errorf("payment %v (key %s)", pay.Value, pay.Key)
	}

	// A mapping file that drops test-mode events, and an event from test mode.
	strict := writeFile(t, dir, "strict.yaml", strictMapping())
	testEvent := writeFile(t, dir, "test.json", string(stripefixture.MustEvent("charge.succeeded", stripefixture.Options{Seq: 4})))
	p = previewCLI(t, 0, strict, testEvent)
	if p.Outcome != "test_mode_dropped" || len(p.Outputs) != 1 || p.Outputs[0].Type != "EnrichedEvent" || p.Mapping != strict {
		t.Errorf("drop: %+v", p)
	}

	// An event that would be dead-lettered: exit 1 with the error.
	fraction := writeFile(t, dir, "fraction.json", strings.Replace(string(charge), `"amount": 12345,`, `"amount": "123.45",`, 1))
	p = previewCLI(t, 1, "-default", fraction)
	if p.Outcome != "dlq" || p.Error == nil || p.Error.Class != "validation" || p.Error.Code != "amount_not_integer" || p.Error.Field != "data.object.amount" {
		t.Errorf("dlq: %+v %+v", p, p.Error)
	}
	unknown := writeFile(t, dir, "unknown.json", strings.Replace(string(charge), `"type": "charge.succeeded"`, `"type": "issuing_card.created"`, 1))
	if p = previewCLI(t, 1, strict, unknown); p.Error == nil || p.Error.Code != "unknown_event_type" {
		t.Errorf("unknown type under dlq: %+v", p.Error)
	}
	if p = previewCLI(t, 0, "", unknown); p.Outcome != "unknown_type" { // "" is the built-in mapping: skip
		t.Errorf("unknown type under skip: %s", p.Outcome)
	}

	// A broken mapping file is refused before any event is read.
	broken := writeFile(t, dir, "broken.yaml", "version: 1\ntest_mode: maybe\n")
	if code, _, errOut := runCLI(t, "mapping", "preview", broken, event); code != 1 || !strings.Contains(errOut, "broken.yaml:2") {
		t.Errorf("broken mapping: exit %d, %s", code, errOut)
	}
}
