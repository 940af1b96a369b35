package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunOnTempDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "versions")
	var out, errOut bytes.Buffer
	if rc := run(dir, false, &out, &errOut); rc != 1 || !strings.Contains(errOut.String(), "record it as v1") {
		t.Fatalf("nothing frozen: rc %d, %s", rc, errOut.String())
	}
	errOut.Reset()
	if rc := run(dir, true, &out, &errOut); rc != 0 || strings.Count(out.String(), "wrote ") != 7 {
		t.Fatalf("freeze: rc %d, out %s, err %s", rc, out.String(), errOut.String())
	}
	out.Reset()
	if rc := run(dir, false, &out, &errOut); rc != 0 {
		t.Fatalf("after freezing: rc %d, %s", rc, errOut.String())
	}

	// A frozen v1 that differs from the current schema (here by a doc):
	// the check asks for a freeze of v2.
	v1 := filepath.Join(dir, "infor.payment.commands-value", "v1.avsc")
	b, err := os.ReadFile(v1)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(v1, bytes.Replace(b, []byte("Amount paid"), []byte("Amount received"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	rc := run(dir, false, &out, &errOut)
	if want := "schema of infor.payment.commands-value changed: run `make schemas-freeze` to record it as v2"; rc != 1 || !strings.Contains(errOut.String(), want) {
		t.Fatalf("changed schema: rc %d, %s", rc, errOut.String())
	}
}
