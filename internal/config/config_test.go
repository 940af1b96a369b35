package config

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSecret is written into setting files; no error or log line may show it.
const fakeSecret = "whsec_TOPSECRET_do_not_leak_9f8e7d"

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// setting gives each test its own variable names so a stray value in the
// test process's environment cannot satisfy an assertion.
func setting(t *testing.T) string {
	t.Helper()
	n := "STRIPE_INFOR_TEST_" + strings.ToUpper(strings.NewReplacer("/", "_", " ", "_", "-", "_", "#", "_").Replace(t.Name()))
	// Start from a clean slate for both spellings.
	t.Setenv(n, "")
	t.Setenv(n+FileSuffix, "")
	return n
}

func TestLookup(t *testing.T) {
	dir := t.TempDir()
	fromFile := writeFile(t, dir, "value", "  \n\tfile-value \r\n\n")
	other := writeFile(t, dir, "other", "other-value")
	emptyFile := writeFile(t, dir, "empty", " \n ")

	tests := []struct {
		name    string
		env     string // value of X ("" = unset)
		file    string // value of X_FILE ("" = unset)
		want    string
		wantOK  bool
		wantErr bool
	}{
		{name: "neither set", wantOK: false},
		{name: "env only", env: "env-value", want: "env-value", wantOK: true},
		{name: "env kept verbatim", env: " spaced ", want: " spaced ", wantOK: true},
		{name: "file only, content trimmed", file: fromFile, want: "file-value", wantOK: true},
		{name: "env preferred over file", env: "env-value", file: other, want: "env-value", wantOK: true},
		{name: "env preferred over unreadable file", env: "env-value", file: filepath.Join(dir, "missing"), want: "env-value", wantOK: true},
		{name: "empty file counts as unset", file: emptyFile, want: "", wantOK: false},
		{name: "missing file is an error", file: filepath.Join(dir, "missing"), wantErr: true},
		{name: "directory is an error", file: dir, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := setting(t)
			t.Setenv(n, tc.env)
			t.Setenv(n+FileSuffix, tc.file)
			got, ok, err := Lookup(n)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Lookup(%s) err = %v, wantErr %v", n, err, tc.wantErr)
			}
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("Lookup(%s) = %q, %v; want %q, %v", n, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// TestLookupUnreadableFileError checks that the error of an unreadable X_FILE
// names the variable and the path, and never shows a secret near it.
func TestLookupUnreadableFileError(t *testing.T) {
	dir := t.TempDir()
	secretPath := writeFile(t, dir, "secret", fakeSecret+"\n")
	// A directory whose only entry holds the secret.
	secretDir := t.TempDir()
	writeFile(t, secretDir, "key", fakeSecret)

	tests := []struct {
		name string
		path string
	}{
		{name: "missing path", path: filepath.Join(dir, "does-not-exist")},
		{name: "path below a regular file", path: filepath.Join(secretPath, "child")},
		{name: "directory holding the secret", path: secretDir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := setting(t)
			t.Setenv(n+FileSuffix, tc.path)
			check := func(what string, err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: no error for unreadable %s", what, tc.path)
				}
				msg := err.Error()
				if !strings.Contains(msg, n+FileSuffix) {
					t.Errorf("%s: error %q does not name the variable %s", what, msg, n+FileSuffix)
				}
				if !strings.Contains(msg, tc.path) {
					t.Errorf("%s: error %q does not name the path %s", what, msg, tc.path)
				}
				if strings.Contains(msg, fakeSecret) || strings.Contains(msg, "TOPSECRET") {
					t.Errorf("%s: error %q leaks the file content", what, msg)
				}
			}
			_, _, err := Lookup(n)
			check("Lookup", err)
			_, err = Require(n)
			check("Require", err)
			var me *MissingError
			if errors.As(err, &me) {
				t.Errorf("Require: unreadable file reported as missing: %v", err)
			}
			if v, err := String(n, "def"); err == nil || v != "def" {
				t.Errorf("String = %q, %v; want def and an error", v, err)
			} else {
				check("String", err)
			}
			_, err = Duration(n, time.Second)
			check("Duration", err)
		})
	}
}

func TestLookupUnreadableFilePermission(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads a mode-000 file anyway")
	}
	n := setting(t)
	p := writeFile(t, t.TempDir(), "secret", fakeSecret)
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	t.Setenv(n+FileSuffix, p)
	_, _, err := Lookup(n)
	if err == nil {
		t.Fatal("no error for a mode-000 file")
	}
	if msg := err.Error(); !strings.Contains(msg, n+FileSuffix) || !strings.Contains(msg, p) || strings.Contains(msg, fakeSecret) {
		t.Fatalf("error %q: want variable and path, no content", msg)
	}
}

func TestRequire(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name        string
		env         string
		fileContent *string // nil = no X_FILE
		want        string
		wantMissing bool
	}{
		{name: "absent", wantMissing: true},
		{name: "from env", env: "v1", want: "v1"},
		{name: "from file", fileContent: ptr(" v2\n"), want: "v2"},
		{name: "empty file", fileContent: ptr("\n  \n"), wantMissing: true},
		{name: "env beats file", env: "v1", fileContent: ptr("v2"), want: "v1"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := setting(t)
			t.Setenv(n, tc.env)
			if tc.fileContent != nil {
				t.Setenv(n+FileSuffix, writeFile(t, dir, "f"+string(rune('a'+i)), *tc.fileContent))
			}
			got, err := Require(n)
			if tc.wantMissing {
				var me *MissingError
				if !errors.As(err, &me) {
					t.Fatalf("Require = %q, %v; want *MissingError", got, err)
				}
				if me.Name != n {
					t.Errorf("MissingError.Name = %q, want %q", me.Name, n)
				}
				msg := err.Error()
				if !strings.Contains(msg, n) || !strings.Contains(msg, n+FileSuffix) {
					t.Errorf("message %q does not name both %s and %s", msg, n, n+FileSuffix)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Require = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	n := setting(t)
	if v, err := String(n, "default"); err != nil || v != "default" {
		t.Fatalf("unset: String = %q, %v; want default", v, err)
	}
	t.Setenv(n+FileSuffix, writeFile(t, t.TempDir(), "v", "from-file\n"))
	if v, err := String(n, "default"); err != nil || v != "from-file" {
		t.Fatalf("file: String = %q, %v; want from-file", v, err)
	}
	t.Setenv(n, "from-env")
	if v, err := String(n, "default"); err != nil || v != "from-env" {
		t.Fatalf("env: String = %q, %v; want from-env", v, err)
	}
}

func TestDuration(t *testing.T) {
	dir := t.TempDir()
	const def = 42 * time.Second
	tests := []struct {
		name    string
		env     string
		file    *string
		want    time.Duration
		wantErr bool
	}{
		{name: "unset gives default", want: def},
		{name: "300s", env: "300s", want: 300 * time.Second},
		{name: "5m", env: "5m", want: 5 * time.Minute},
		{name: "bare 300 is seconds", env: "300", want: 300 * time.Second},
		{name: "bare 0", env: "0", want: 0},
		{name: "1m30s", env: "1m30s", want: 90 * time.Second},
		{name: "from file trimmed", file: ptr(" 5m\n"), want: 5 * time.Minute},
		{name: "bare seconds from file", file: ptr("300\n"), want: 300 * time.Second},
		{name: "abc", env: "abc", wantErr: true},
		{name: "300x", env: "300x", wantErr: true},
		{name: "300 trailing junk", env: "300abc", wantErr: true},
		{name: "float seconds", env: "1.5", wantErr: true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := setting(t)
			t.Setenv(n, tc.env)
			if tc.file != nil {
				t.Setenv(n+FileSuffix, writeFile(t, dir, "d"+string(rune('a'+i)), *tc.file))
			}
			got, err := Duration(n, def)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Duration(%q) = %v, want an error", tc.env, got)
				}
				if !strings.Contains(err.Error(), n) {
					t.Errorf("error %q does not name the setting %s", err, n)
				}
				if !strings.Contains(err.Error(), tc.env) {
					t.Errorf("error %q does not show the bad value %q", err, tc.env)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Duration = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "300s", want: 300 * time.Second},
		{in: "5m", want: 5 * time.Minute},
		{in: "300", want: 300 * time.Second},
		{in: "abc", wantErr: true},
		{in: "", wantErr: true},
		{in: "300 ", wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseDuration("STRIPE_WEBHOOK_TOLERANCE", tc.in)
		if tc.wantErr {
			if err == nil {
				t.Errorf("ParseDuration(%q) = %v, want an error", tc.in, got)
			} else if !strings.Contains(err.Error(), "STRIPE_WEBHOOK_TOLERANCE") {
				t.Errorf("ParseDuration(%q) error %q does not name the setting", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{in: "", want: nil},
		{in: " , ,, ", want: nil},
		{in: "a", want: []string{"a"}},
		{in: "a,b", want: []string{"a", "b"}},
		{in: " a , b ,\tc\n", want: []string{"a", "b", "c"}},
		{in: "whsec_old,,whsec_new,", want: []string{"whsec_old", "whsec_new"}},
		{in: ",a,,b,", want: []string{"a", "b"}},
	}
	for _, tc := range tests {
		got := List(tc.in)
		if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("List(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// recorder collects onChange calls; Run calls them from its own goroutine.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) onChange(v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, v)
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// syncBuffer is a log sink safe to read while Run may write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func TestWatchFromEnvNeverChanges(t *testing.T) {
	n := setting(t)
	p := writeFile(t, t.TempDir(), "v", "file-value")
	t.Setenv(n, "env-value")
	t.Setenv(n+FileSuffix, p)
	var rec recorder
	log, _ := testLogger()
	w, err := Watch(n, "def", true, rec.onChange, log)
	if err != nil {
		t.Fatal(err)
	}
	if w.Get() != "env-value" || w.FromFile() {
		t.Fatalf("Get = %q FromFile = %v; want env-value, false", w.Get(), w.FromFile())
	}

	// Run must return at once even though its context never ends.
	done := make(chan struct{})
	go func() {
		w.Run(context.Background(), time.Millisecond)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return for a value from the environment")
	}

	if err := os.WriteFile(p, []byte("changed"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Reload()
	if w.Get() != "env-value" {
		t.Fatalf("after Reload Get = %q, want env-value", w.Get())
	}
	if got := rec.get(); !reflect.DeepEqual(got, []string{"env-value"}) {
		t.Fatalf("onChange calls = %q, want just the initial env-value", got)
	}
}

// TestWatchReload drives a file-backed setting through a sequence of file
// states and checks the value and the onChange calls after each Reload.
func TestWatchReload(t *testing.T) {
	type step struct {
		do   string // "write", "empty", "delete", "dir", "noop"
		data string
		want string
	}
	tests := []struct {
		name      string
		initial   string
		steps     []step
		wantCalls []string
	}{
		{
			name:    "change is picked up and trimmed",
			initial: "v1",
			steps: []step{
				{do: "write", data: "v2\n", want: "v2"},
				{do: "write", data: "  v3  ", want: "v3"},
			},
			wantCalls: []string{"v1", "v2", "v3"},
		},
		{
			name:    "same content does not call onChange",
			initial: "v1",
			steps: []step{
				{do: "noop", want: "v1"},
				{do: "write", data: "v1\n\n", want: "v1"},
			},
			wantCalls: []string{"v1"},
		},
		{
			name:    "empty file keeps previous value",
			initial: "v1",
			steps: []step{
				{do: "empty", want: "v1"},
				{do: "write", data: "\n \t\n", want: "v1"},
				{do: "write", data: "v2", want: "v2"},
			},
			wantCalls: []string{"v1", "v2"},
		},
		{
			name:    "deleted file keeps previous value, then recovers",
			initial: "v1",
			steps: []step{
				{do: "delete", want: "v1"},
				{do: "delete", want: "v1"},
				{do: "write", data: "v2", want: "v2"},
			},
			wantCalls: []string{"v1", "v2"},
		},
		{
			name:    "file replaced by a directory keeps previous value",
			initial: "v1",
			steps: []step{
				{do: "dir", want: "v1"},
			},
			wantCalls: []string{"v1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := setting(t)
			p := writeFile(t, t.TempDir(), "value", tc.initial)
			t.Setenv(n+FileSuffix, p)
			var rec recorder
			log, logs := testLogger()
			w, err := Watch(n, "def", true, rec.onChange, log)
			if err != nil {
				t.Fatal(err)
			}
			if !w.FromFile() || w.Get() != tc.initial {
				t.Fatalf("initial Get = %q FromFile = %v", w.Get(), w.FromFile())
			}
			for i, s := range tc.steps {
				switch s.do {
				case "write":
					if err := os.WriteFile(p, []byte(s.data), 0o600); err != nil {
						t.Fatal(err)
					}
				case "empty":
					if err := os.WriteFile(p, nil, 0o600); err != nil {
						t.Fatal(err)
					}
				case "delete":
					if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
						t.Fatal(err)
					}
				case "dir":
					if err := os.Remove(p); err != nil {
						t.Fatal(err)
					}
					if err := os.Mkdir(p, 0o700); err != nil {
						t.Fatal(err)
					}
				}
				w.Reload()
				if got := w.Get(); got != s.want {
					t.Fatalf("step %d (%s %q): Get = %q, want %q", i, s.do, s.data, got, s.want)
				}
			}
			if got := rec.get(); !reflect.DeepEqual(got, tc.wantCalls) {
				t.Fatalf("onChange calls = %q, want %q", got, tc.wantCalls)
			}
			// The log names the setting file, never a value.
			out := logs.String()
			for _, v := range append([]string{tc.initial}, tc.wantCalls...) {
				if strings.Contains(out, "="+v) || strings.Contains(out, `"`+v+`"`) {
					t.Errorf("log shows the value %q:\n%s", v, out)
				}
			}
		})
	}
}

// TestWatchRun checks that Run picks up changes on its own, within a few
// ticks, and stops when the context ends.
func TestWatchRun(t *testing.T) {
	n := setting(t)
	dir := t.TempDir()
	p := writeFile(t, dir, "value", "old-secret")
	t.Setenv(n+FileSuffix, p)
	var rec recorder
	log, logs := testLogger()
	w, err := Watch(n, "", true, rec.onChange, log)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.Run(ctx, 5*time.Millisecond)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()

	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for w.Get() != want {
			if time.Now().After(deadline) {
				t.Fatalf("Run did not pick up %q within 5s; Get = %q", want, w.Get())
			}
			time.Sleep(2 * time.Millisecond)
		}
	}

	// Atomic replace, the way a Secret rotation lands.
	tmp := writeFile(t, dir, "value.tmp", "new-secret\n")
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	waitFor("new-secret")
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.get()) < 2 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if got := rec.get(); !reflect.DeepEqual(got, []string{"old-secret", "new-secret"}) {
		t.Fatalf("onChange calls = %q", got)
	}

	// A deleted file is survived across ticks, then a new one is picked up.
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "cannot re-read") {
		if time.Now().After(deadline) {
			t.Fatal("Run never logged the unreadable file")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if w.Get() != "new-secret" {
		t.Fatalf("after delete Get = %q, want new-secret", w.Get())
	}
	writeFile(t, dir, "value", "newer-secret")
	waitFor("newer-secret")

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if out := logs.String(); strings.Contains(out, "=old-secret") ||
		strings.Contains(out, "=new-secret") || strings.Contains(out, "=newer-secret") {
		t.Fatalf("log shows a value:\n%s", out)
	}
}

// TestWatchSymlinkSwap mimics a Kubernetes Secret volume: the file is a
// symlink through ..data, and rotation swaps ..data to a new directory.
func TestWatchSymlinkSwap(t *testing.T) {
	n := setting(t)
	root := t.TempDir()
	mk := func(ver, v string) string {
		d := filepath.Join(root, ver)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, d, "key", v)
		return ver
	}
	if err := os.Symlink(mk("v1", "one"), filepath.Join(root, "..data")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "key")
	if err := os.Symlink(filepath.Join("..data", "key"), p); err != nil {
		t.Fatal(err)
	}
	t.Setenv(n+FileSuffix, p)
	w, err := Watch(n, "", true, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Get() != "one" {
		t.Fatalf("Get = %q, want one", w.Get())
	}
	tmp := filepath.Join(root, "..data_tmp")
	if err := os.Symlink(mk("v2", "two"), tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(root, "..data")); err != nil {
		t.Fatal(err)
	}
	w.Reload()
	if w.Get() != "two" {
		t.Fatalf("after swap Get = %q, want two", w.Get())
	}
}

func TestWatchInitial(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name         string
		env          string
		fileContent  *string
		def          string
		required     bool
		want         string
		wantFromFile bool
		wantMissing  bool
	}{
		{name: "required and absent", required: true, wantMissing: true},
		{name: "required, file empty", fileContent: ptr(" \n"), required: true, wantMissing: true},
		{name: "absent uses default", def: "whsec_dev", want: "whsec_dev"},
		{name: "absent, empty default", def: "", want: ""},
		{name: "empty file uses default but stays watched", fileContent: ptr(""), def: "whsec_dev", want: "whsec_dev", wantFromFile: true},
		{name: "env beats default", env: "e", def: "d", required: true, want: "e"},
		{name: "file beats default", fileContent: ptr("f\n"), def: "d", want: "f", wantFromFile: true},
		{name: "env beats file", env: "e", fileContent: ptr("f"), want: "e"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := setting(t)
			t.Setenv(n, tc.env)
			if tc.fileContent != nil {
				t.Setenv(n+FileSuffix, writeFile(t, dir, "w"+string(rune('a'+i)), *tc.fileContent))
			}
			var rec recorder
			w, err := Watch(n, tc.def, tc.required, rec.onChange, nil)
			if tc.wantMissing {
				var me *MissingError
				if !errors.As(err, &me) || me.Name != n {
					t.Fatalf("Watch err = %v, want *MissingError for %s", err, n)
				}
				if w != nil {
					t.Errorf("Watch returned a value with an error")
				}
				if len(rec.get()) != 0 {
					t.Errorf("onChange called on error: %q", rec.get())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.Get() != tc.want || w.FromFile() != tc.wantFromFile {
				t.Fatalf("Get = %q FromFile = %v; want %q, %v", w.Get(), w.FromFile(), tc.want, tc.wantFromFile)
			}
			if got := rec.get(); !reflect.DeepEqual(got, []string{tc.want}) {
				t.Fatalf("onChange calls = %q, want one call with %q", got, tc.want)
			}
		})
	}
}

// TestWatchEmptyFileThenFilled: a setting whose file starts empty falls back
// to the default and takes the file's value once it is written.
func TestWatchEmptyFileThenFilled(t *testing.T) {
	n := setting(t)
	p := writeFile(t, t.TempDir(), "v", "")
	t.Setenv(n+FileSuffix, p)
	var rec recorder
	w, err := Watch(n, "whsec_dev", false, rec.onChange, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("whsec_live"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Reload()
	if w.Get() != "whsec_live" {
		t.Fatalf("Get = %q, want whsec_live", w.Get())
	}
	if got := rec.get(); !reflect.DeepEqual(got, []string{"whsec_dev", "whsec_live"}) {
		t.Fatalf("onChange calls = %q", got)
	}
}

func TestWatchUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "key", fakeSecret)
	for _, path := range []string{filepath.Join(dir, "missing"), dir} {
		n := setting(t)
		t.Setenv(n+FileSuffix, path)
		w, err := Watch(n, "def", false, nil, nil)
		if err == nil {
			t.Fatalf("Watch(%s=%s) = %q, want an error", n+FileSuffix, path, w.Get())
		}
		msg := err.Error()
		if !strings.Contains(msg, n+FileSuffix) {
			t.Errorf("error %q does not name the variable %s", msg, n+FileSuffix)
		}
		if !strings.Contains(msg, path) {
			t.Errorf("error %q does not name the path %s", msg, path)
		}
		var me *MissingError
		if errors.As(err, &me) {
			t.Errorf("unreadable file reported as missing: %v", err)
		}
		if strings.Contains(msg, fakeSecret) {
			t.Errorf("error %q leaks the content", msg)
		}
	}
}

func ptr(s string) *string { return &s }

func TestEmptyFileGivesDefaultAndNegativeDurationRefused(t *testing.T) {
	n := setting(t)
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("  \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(n+FileSuffix, empty)
	if v, err := String(n, "info"); err != nil || v != "info" {
		t.Fatalf("String with an empty file = %q, %v; want the default", v, err)
	}
	if d, err := Duration(n, 5*time.Second); err != nil || d != 5*time.Second {
		t.Fatalf("Duration with an empty file = %v, %v; want the default", d, err)
	}
	for _, v := range []string{"-300", "-5m"} {
		if _, err := ParseDuration(n, v); err == nil || !strings.Contains(err.Error(), "negative") {
			t.Fatalf("ParseDuration(%q) = %v, want a 'negative' error", v, err)
		}
	}
}
