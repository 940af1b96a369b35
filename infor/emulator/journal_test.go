package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// crashCopy copies dir's files as they are now, as a crash would leave
// them: the emulator writing them is neither closed nor stopped.
func crashCopy(t *testing.T, dir string) string {
	t.Helper()
	dst := t.TempDir()
	for _, name := range []string{stateFile, journalFile, credentialsFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// reopen starts an emulator on dir (closed at the end of the test).
func reopen(t *testing.T, dir string) *Emulator {
	t.Helper()
	e, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatalf("reopen %s: %v", dir, err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func journalLines(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, journalFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(string(b), "\n")[:bytes.Count(b, []byte("\n"))]
}

// A change costs one journal line, state.json is not rewritten, and a crash
// at any point after the answer keeps every record of every kind: a copy of
// the files taken while the emulator runs opens to the same state.
func TestJournalKillRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	te := newEnv(t, Config{DataDir: dir, TokenTTL: time.Hour})
	te.login()
	stateBefore, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	r := buildRealistic(te, 5)

	n := len(journalLines(t, dir))
	te.ok("CRS610MI", "Add", map[string]string{"CUNM": "One line"})
	if got := len(journalLines(t, dir)); got != n+1 {
		t.Fatalf("one Add wrote %d journal lines", got-n)
	}
	te.fail("CRS610MI", "Add", map[string]string{"CUNM": "X", "CUCD": "XXX"})
	te.ok("CRS610MI", "GetBasicData", map[string]string{"CUNO": r.cuno})
	if got := len(journalLines(t, dir)); got != n+1 {
		t.Fatalf("a NOK and a read wrote %d journal lines", got-n-1)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, stateFile)); !bytes.Equal(after, stateBefore) {
		t.Fatal("state.json was rewritten by a change; the journal should carry it")
	}

	copyDir := crashCopy(t, dir)
	sameState(t, "files of a running emulator", onDisk(t, copyDir), te.e.State())
	e2 := reopen(t, copyDir)
	sameState(t, "emulator opened on them", e2.State(), te.e.State())
	// Opening compacted: state.json holds everything, the journal is empty.
	if lines := journalLines(t, copyDir); len(lines) != 0 {
		t.Fatalf("journal after start: %d lines", len(lines))
	}
	var file persistedState
	if _, err := readJSONFile(filepath.Join(copyDir, stateFile), &file); err != nil || file.Format != stateFormat || len(file.Orders) != len(te.e.State().Orders) {
		t.Fatalf("state.json after start: format %d, %d orders, %v", file.Format, len(file.Orders), err)
	}
}

// Close compacts: state.json holds everything and the journal is empty.
func TestJournalCloseCompacts(t *testing.T) {
	dir := t.TempDir()
	e, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, e, "CRS610MI", "Add", record{"CUNM": "Ada"})
	mustExec(t, e, "GLS840MI", "AddBatchHead", record{"REFE": "j1"})
	want := e.State()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if lines := journalLines(t, dir); len(lines) != 0 {
		t.Fatalf("journal after Close: %q", lines)
	}
	var file persistedState
	if _, err := readJSONFile(filepath.Join(dir, stateFile), &file); err != nil {
		t.Fatal(err)
	}
	sameState(t, "state.json after Close", file.State, want)
	sameState(t, "reopened", reopen(t, dir).State(), want)
}

// A crash in the middle of a journal write leaves a last line without its
// newline; that request was never answered, so the line is dropped, and
// lines written after the restart are read normally.
func TestJournalTornLastLineIgnored(t *testing.T) {
	dir := t.TempDir()
	te := newEnv(t, Config{DataDir: dir, TokenTTL: time.Hour})
	te.login()
	r := buildRealistic(te, 3)
	acked := te.e.State()
	te.ok("ABS100MI", "AddStatmtLine", map[string]string{"STNB": r.stnb, "ACAM": "-1.00", "TX40": "fee"})

	copyDir := crashCopy(t, dir)
	path := filepath.Join(copyDir, journalFile)
	lines := journalLines(t, copyDir)
	last := lines[len(lines)-1]
	if err := os.Truncate(path, fileSize(t, path)-int64(len(last)/2)); err != nil {
		t.Fatal(err)
	}
	sameState(t, "files with a torn last line", onDisk(t, copyDir), acked)

	e2 := reopen(t, copyDir)
	sameState(t, "reopened with a torn last line", e2.State(), acked)
	mustExec(t, e2, "CRS610MI", "Add", record{"CUNM": "After the crash"})
	sameState(t, "after a write following the torn line", onDisk(t, copyDir), e2.State())
	sameState(t, "and after another crash", reopen(t, crashCopy(t, copyDir)).State(), e2.State())
}

// state.json records the last journal line it holds: a crash after a
// compaction wrote state.json but before it emptied the journal replays
// nothing twice, and in particular does not bring back what a Reset
// removed.
func TestJournalLinesBeforeCompactionAreSkipped(t *testing.T) {
	dir := t.TempDir()
	te := newEnv(t, Config{DataDir: dir, TokenTTL: time.Hour})
	te.login()
	buildRealistic(te, 3)
	oldJournal, err := os.ReadFile(filepath.Join(dir, journalFile))
	if err != nil || len(oldJournal) == 0 {
		t.Fatalf("journal %d bytes, %v", len(oldJournal), err)
	}
	if err := te.e.Reset(); err != nil {
		t.Fatal(err)
	}
	// The journal as it was before the Reset emptied it.
	if err := os.WriteFile(filepath.Join(dir, journalFile), oldJournal, 0o600); err != nil {
		t.Fatal(err)
	}
	if st := onDisk(t, dir); len(st.Orders) != 0 || len(st.Customers) != 0 || st.NumberSeries["CUNO"] != 10001 {
		t.Fatalf("journal lines from before the Reset were replayed: %d orders, %d customers, series %v", len(st.Orders), len(st.Customers), st.NumberSeries)
	}
	// Lines written after it are read.
	te.ok("CRS610MI", "Add", map[string]string{"CUNM": "After reset"})
	sameState(t, "after the Reset", onDisk(t, dir), te.e.State())
}

// The journal is compacted when it outgrows state.json (or minLimit), so
// the files stay O(state) while each change costs O(change).
func TestJournalCompactsPastLimit(t *testing.T) {
	dir := t.TempDir()
	e, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.mu.Lock()
	e.jr.minLimit, e.jr.limit = 1, 1
	e.mu.Unlock()
	maxJournal := int64(0)
	for i := range 60 {
		mustExec(t, e, "CRS610MI", "Add", record{"CUNM": fmt.Sprintf("Customer %d", i)})
		maxJournal = max(maxJournal, fileSize(t, filepath.Join(dir, journalFile)))
	}
	stateSize := fileSize(t, filepath.Join(dir, stateFile))
	if maxJournal == 0 || maxJournal > stateSize+1024 {
		t.Fatalf("journal peaked at %d bytes with state.json at %d: compaction %s", maxJournal, stateSize,
			map[bool]string{true: "never ran", false: "ran too late"}[maxJournal == 0])
	}
	var file persistedState
	if _, err := readJSONFile(filepath.Join(dir, stateFile), &file); err != nil || len(file.Customers) < 30 || file.JournalSeq < 30 {
		t.Fatalf("state.json after compactions: %d customers, journal_seq %d, %v", len(file.Customers), file.JournalSeq, err)
	}
	sameState(t, "after compactions", onDisk(t, dir), e.State())
}

// A state.json of format 1 (before the journal) loads, and is rewritten as
// format 2.
func TestFormat1StateLoads(t *testing.T) {
	dir := t.TempDir()
	v1 := `{"format":1,"customers":[{"CUNO":"10001","CUNM":"Old","STAT":"20"}],"orders":[],"invoices":[],
	  "bank_statements":[],"gl_batches":[],"number_series":{"CUNO":10002}}`
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	e := reopen(t, dir)
	if st := e.State(); len(st.Customers) != 1 || st.Customers[0].CUNM != "Old" || st.NumberSeries["CUNO"] != 10002 || st.NumberSeries["ORNO"] != 1000000001 {
		t.Fatalf("format 1 state: %+v", st)
	}
	var file persistedState
	if _, err := readJSONFile(filepath.Join(dir, stateFile), &file); err != nil || file.Format != stateFormat {
		t.Fatalf("rewritten as format %d (%v)", file.Format, err)
	}
}

// A journal line that is complete but unreadable is damage, not a crash:
// the emulator refuses to start rather than drop acknowledged changes.
func TestJournalCorruptLineRefused(t *testing.T) {
	for name, journal := range map[string]string{
		"garbage":          "{\"seq\":1,\"customers\":[{\"CUNO\":\"1\",\"CUNM\":\"A\"}]}\nnot json\n{\"seq\":3}\n",
		"lines of nothing": "{\"seq\":1,\"bank_statements\":[{\"STNB\":\"9\",\"lines\":[],\"lines_from\":2}]}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, journalFile), []byte(journal), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := New(Config{DataDir: dir}); err == nil || !strings.Contains(err.Error(), journalFile) {
				t.Fatalf("corrupt journal accepted: %v", err)
			}
		})
	}
}

// A request whose journal line cannot be written is answered 500 and
// undone in memory, records, numbers and indexes alike, so memory never
// holds what the disk lacks; the next change rewrites state.json, which
// repairs the journal.
func TestJournalWriteFailureUndoesRequest(t *testing.T) {
	dir := t.TempDir()
	te := newEnv(t, Config{DataDir: dir, TokenTTL: time.Hour})
	te.login()
	r := buildRealistic(te, 3)

	for _, body := range []string{
		`{"program":"CRS610MI","transactions":[
			{"transaction":"ChgBasicData","record":{"CUNO":"` + r.cuno + `","CUNM":"Changed"}},
			{"transaction":"Add","record":{"CUNM":"Lost"}},
			{"transaction":"AddAddress","record":{"CUNO":"` + r.cuno + `","ADRT":"02","ADID":"LOST"}}]}`,
		`{"program":"OIS100MI","transactions":[
			{"transaction":"AddBatchHead","record":{"CUNO":"` + r.cuno + `","CUOR":"undo-1"}},
			{"transaction":"AddBatchLine","record":{"ORNO":"` + r.emptyTemp + `","ITNO":"WIDGET","ORQT":"1"}},
			{"transaction":"Confirm","record":{"ORNO":"` + r.batchTemp + `"}},
			{"transaction":"ChgOrderStatus","record":{"ORNO":"` + r.orno + `","OBLC":"0"}}]}`,
		`{"program":"ARS200MI","transactions":[
			{"transaction":"AddCrdtNote","record":{"CINO":"` + r.cino + `","IVAM":"24.99","YREF":"undo-re"}}]}`,
		`{"program":"ABS100MI","transactions":[
			{"transaction":"AddStatmtHead","record":{"BKID":"STRIPE","STDT":"20250302","CUCD":"USD","REFE":"undo-po"}},
			{"transaction":"AddStatmtLine","record":{"STNB":"` + r.stnb + `","ACAM":"24.99"}},
			{"transaction":"AddStatmtDetail","record":{"STNB":"` + r.stnb + `","LINO":"2","CINO":"` + r.cino + `","ACAM":"24.99"}}]}`,
		`{"program":"GLS840MI","transactions":[
			{"transaction":"AddBatchHead","record":{"REFE":"undo-j"}},
			{"transaction":"CtrlBatch","record":{"BCHN":"` + r.openBCHN + `"}},
			{"transaction":"AddBatchLine","record":{"BCHN":"` + r.emptyBCHN + `","AIT1":"1580","ACAM":"1","CUCD":"USD"}}]}`,
	} {
		before := te.stateBytes()
		te.e.mu.Lock()
		_ = te.e.jr.f.Close() // every write to it now fails
		te.e.mu.Unlock()
		if code, _ := te.bulk(body); code != http.StatusInternalServerError {
			t.Fatalf("request whose write failed: HTTP %d, want 500\n%s", code, body)
		}
		if after := te.stateBytes(); !bytes.Equal(before, after) {
			t.Fatalf("a request that was not persisted changed the state: %s\n%s", firstDiff(after, before), body)
		}
		// What it created is not found by reference either.
		for _, look := range []failCase{
			{"OIS100MI", "LstBatchHead", map[string]string{"CUOR": "undo-1"}},
			{"ARS200MI", "LstInvoices", map[string]string{"YREF": "undo-re"}},
			{"ABS100MI", "LstStatmt", map[string]string{"REFE": "undo-po"}},
			{"GLS840MI", "LstBatch", map[string]string{"REFE": "undo-j"}},
		} {
			if got := te.ok(look.prog, look.trans, look.in); len(got) != 0 {
				t.Fatalf("%s %v after an undone request: %v", look.trans, look.in, got)
			}
		}
		te.e.mu.Lock()
		err := te.e.compactLocked(te.e.st) // what the next change would do
		te.e.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
	}
	// The numbers the undone requests took are given back.
	if c := te.addCustomer("Bob"); c != "10002" {
		t.Fatalf("next customer %s, want 10002", c)
	}
	sameState(t, "disk after the repairs", onDisk(t, dir), te.e.State())
	sameState(t, "after a crash", reopen(t, crashCopy(t, dir)).State(), te.e.State())
}

// Concurrent writers share fsyncs; every answered change is in the files.
func TestJournalConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	e, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 10 {
				resp, err := e.execute("CRS610MI", []miCall{{transaction: "Add", in: record{"CUNM": fmt.Sprintf("w%d-%d", w, i)}}}, miOptions{maxRecs: -1})
				if err != nil || resp.NrOfFailedTransactions != 0 {
					t.Errorf("Add: %v %+v", err, resp)
				}
			}
		})
	}
	wg.Wait()
	if st := e.State(); len(st.Customers) != 80 {
		t.Fatalf("%d customers, want 80", len(st.Customers))
	}
	if lines := journalLines(t, dir); len(lines) != 80 {
		t.Fatalf("%d journal lines, want 80", len(lines))
	}
	sameState(t, "after concurrent writes", reopen(t, crashCopy(t, dir)).State(), e.State())
}

// mustExec runs one transaction as its own request and fails the test on a
// NOK or a persistence error.
func mustExec(t *testing.T, e *Emulator, prog, trans string, in record) record {
	t.Helper()
	resp, err := e.execute(prog, []miCall{{transaction: trans, in: in}}, miOptions{maxRecs: -1})
	if err != nil || resp.NrOfFailedTransactions != 0 {
		b, _ := json.Marshal(resp)
		t.Fatalf("%s/%s: %v %s", prog, trans, err, b)
	}
	if len(resp.Results[0].Records) == 0 {
		return nil
	}
	return resp.Results[0].Records[0]
}
