package schemacheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	v1 = `{"type":"record","name":"Payment","namespace":"stripeinfor.commands","fields":[
		{"name":"command_id","type":"string"}]}`
	// v2 adds a field with a default: BACKWARD compatible.
	v2 = `{"type":"record","name":"Payment","namespace":"stripeinfor.commands","fields":[
		{"name":"command_id","type":"string"},
		{"name":"note","type":"string","default":""}]}`
	// addedWithoutDefault cannot read v1 data: note is missing there.
	addedWithoutDefault = `{"type":"record","name":"Payment","namespace":"stripeinfor.commands","fields":[
		{"name":"command_id","type":"string"},
		{"name":"note","type":"string"}]}`
	// retyped changes command_id from string to long.
	retyped = `{"type":"record","name":"Payment","namespace":"stripeinfor.commands","fields":[
		{"name":"command_id","type":"long"}]}`
)

const subject = "infor.payment.commands-value"

func writeVersions(t *testing.T, dir string, versions ...string) {
	t.Helper()
	for i, v := range versions {
		p := filepath.Join(dir, subject, "v"+itoa(i+1)+".avsc")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func itoa(n int) string { return string(rune('0' + n)) }

func load(t *testing.T, dir string) History {
	t.Helper()
	h, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func joined(errs []error) string {
	var s []string
	for _, e := range errs {
		s = append(s, e.Error())
	}
	return strings.Join(s, "\n")
}

func TestCheckCurrent(t *testing.T) {
	dir := t.TempDir()
	writeVersions(t, dir, v1)
	h := load(t, dir)
	for name, c := range map[string]struct {
		current string
		want    string // "" = no problem
	}{
		"unchanged":                 {v1, ""},
		"unchanged, other spelling": {strings.ReplaceAll(v1, "\n\t\t", " "), ""},
		"compatible change":         {v2, "schema of " + subject + " changed: run `make schemas-freeze` to record it as v2"},
		"field without default":     {addedWithoutDefault, "not BACKWARD compatible with v1"},
		"type change":               {retyped, "not BACKWARD compatible with v1"},
	} {
		problems := CheckCurrent(map[string]string{subject: c.current}, h)
		got := joined(problems)
		if c.want == "" && len(problems) > 0 || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s: problems %q, want %q", name, got, c.want)
		}
	}
	if got := joined(CheckCurrent(map[string]string{"new.topic-value": v1, subject: v1}, h)); !strings.Contains(got, "new.topic-value has no frozen version: run `make schemas-freeze` to record it as v1") {
		t.Errorf("a new subject: %q", got)
	}
	if got := joined(CheckCurrent(map[string]string{}, h)); !strings.Contains(got, "no current schema") {
		t.Errorf("a removed subject: %q", got)
	}
}

func TestCheckHistory(t *testing.T) {
	good := t.TempDir()
	writeVersions(t, good, v1, v2)
	if problems := CheckHistory(load(t, good)); len(problems) > 0 {
		t.Errorf("a compatible history: %v", problems)
	}
	for name, versions := range map[string][]string{
		"field without default": {v1, addedWithoutDefault},
		"type change":           {v1, v2, retyped},
		"not a schema":          {v1, `{"type":"record"}`},
	} {
		dir := t.TempDir()
		writeVersions(t, dir, versions...)
		if problems := CheckHistory(load(t, dir)); len(problems) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
}

func TestLoadRejectsStrayFiles(t *testing.T) {
	for name, file := range map[string]string{
		"leading zero": "v01.avsc", "upper case": "V2.avsc", "other file": "notes.txt", "v0": "v0.avsc",
	} {
		dir := t.TempDir()
		writeVersions(t, dir, v1)
		if err := os.WriteFile(filepath.Join(dir, subject, file), []byte(v1), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(dir); err == nil {
			t.Errorf("%s (%s) accepted", name, file)
		}
	}
	dir := t.TempDir()
	writeVersions(t, dir, v1, v2)
	if err := os.Remove(filepath.Join(dir, subject, "v1.avsc")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "v1 is missing") {
		t.Errorf("a gap: %v", err)
	}
	if h, err := Load(filepath.Join(dir, "absent")); err != nil || len(h) != 0 {
		t.Errorf("a missing dir: %v, %v", h, err)
	}
}

func TestFreeze(t *testing.T) {
	dir := t.TempDir()
	// A new subject gets v1.
	written, problems := Freeze(dir, map[string]string{subject: v1}, load(t, dir))
	if len(problems) > 0 || len(written) != 1 || !strings.HasSuffix(written[0], filepath.Join(subject, "v1.avsc")) {
		t.Fatalf("first freeze: %v, %v", written, problems)
	}
	// Unchanged: nothing to write.
	if written, problems := Freeze(dir, map[string]string{subject: v1}, load(t, dir)); len(written)+len(problems) > 0 {
		t.Fatalf("unchanged: %v, %v", written, problems)
	}
	// An incompatible change is refused and writes nothing.
	written, problems = Freeze(dir, map[string]string{subject: retyped}, load(t, dir))
	if len(written) > 0 || len(problems) == 0 {
		t.Fatalf("incompatible: %v, %v", written, problems)
	}
	// A compatible change becomes v2, and then the check passes.
	written, problems = Freeze(dir, map[string]string{subject: v2}, load(t, dir))
	if len(problems) > 0 || len(written) != 1 || !strings.HasSuffix(written[0], "v2.avsc") {
		t.Fatalf("compatible: %v, %v", written, problems)
	}
	h := load(t, dir)
	if problems := append(CheckHistory(h), CheckCurrent(map[string]string{subject: v2}, h)...); len(problems) > 0 {
		t.Fatalf("after freezing: %v", problems)
	}
	// v1 was left as it was.
	b, err := os.ReadFile(filepath.Join(dir, subject, "v1.avsc"))
	if err != nil || strings.Contains(string(b), "note") {
		t.Fatalf("v1 changed: %s, %v", b, err)
	}
	// The frozen file is the indented form of the same document.
	if !strings.Contains(string(b), "\n  \"name\": \"Payment\",\n") {
		t.Errorf("frozen text is not indented: %s", b)
	}
}
