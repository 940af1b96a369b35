package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
)

// With a DataDir, the state is kept as state.json plus state.journal, an
// append-only file with one JSON line per request that changed something:
// the records it created or changed, in full, and the number series. A
// request costs one appended line (and its fsync) instead of a rewrite of
// the whole state. At start the journal is replayed over state.json; at
// start, at Close, at Reset and when the journal grows past the size of
// state.json (at least minJournalLimit) the two are compacted: state.json
// is rewritten atomically and the journal emptied, so compaction costs
// O(state) once per O(state) bytes of changes.
//
// A line is
//
//	{"seq":12,"customers":[…],"orders":[…],"invoices":[…],
//	 "bank_statements":[{…,"lines":[…],"lines_from":3}],"gl_batches":[…],"number_series":{…}}
//
// Records are replaced whole by their key (CUNO; temporary_ORNO, which an
// order keeps after Confirm; CINO; STNB; BCHN) or appended when new. A bank
// statement or GL batch can grow to thousands of lines, so it carries its
// lines from lines_from on, which replace the lines it had from there.
// seq increases line by line; state.json records the last seq it holds
// (journal_seq) and replay skips lines at or below it, so a crash between
// writing state.json and emptying the journal replays nothing twice and a
// Reset is not undone by the lines before it. A last line without its
// newline is a write the crash cut short, never answered as a success: it
// is ignored. Any other line that does not decode is an error, as an
// unreadable state.json is.
const journalFile = "state.journal"

// minJournalLimit is the journal size that triggers a compaction however
// small state.json is.
const minJournalLimit = 4 << 20

type journalEntry struct {
	Seq            uint64           `json:"seq"`
	Customers      []*Customer      `json:"customers,omitempty"`
	Orders         []*Order         `json:"orders,omitempty"`
	Invoices       []*Invoice       `json:"invoices,omitempty"`
	BankStatements []statementTail  `json:"bank_statements,omitempty"`
	GLBatches      []batchTail      `json:"gl_batches,omitempty"`
	NumberSeries   map[string]int64 `json:"number_series"`
}

// statementTail is a statement with its lines from LinesFrom on.
type statementTail struct {
	BankStatement
	LinesFrom int `json:"lines_from"`
}

// batchTail is a GL batch with its lines from LinesFrom on.
type batchTail struct {
	GLBatch
	LinesFrom int `json:"lines_from"`
}

// newJournalEntry encodes what ch lists as it is now.
func newJournalEntry(seq uint64, ch *changes, series map[string]int64) journalEntry {
	ent := journalEntry{Seq: seq, Customers: ch.customers, Orders: ch.orders, Invoices: ch.invoices, NumberSeries: series}
	for _, bs := range ch.statements {
		t := statementTail{BankStatement: *bs, LinesFrom: ch.linesFrom[bs]}
		t.Lines = bs.Lines[t.LinesFrom:]
		ent.BankStatements = append(ent.BankStatements, t)
	}
	for _, b := range ch.batches {
		t := batchTail{GLBatch: *b, LinesFrom: ch.linesFrom[b]}
		t.Lines = b.Lines[t.LinesFrom:]
		ent.GLBatches = append(ent.GLBatches, t)
	}
	return ent
}

// replayer applies journal entries to a State, finding records by key.
type replayer struct {
	st         *State
	customers  map[string]*Customer
	orders     map[string]*Order // by temporary ORNO
	invoices   map[string]*Invoice
	statements map[string]*BankStatement
	batches    map[string]*GLBatch
}

func newReplayer(st *State) *replayer {
	r := &replayer{st: st, customers: map[string]*Customer{}, orders: map[string]*Order{},
		invoices: map[string]*Invoice{}, statements: map[string]*BankStatement{}, batches: map[string]*GLBatch{}}
	for _, c := range st.Customers {
		r.customers[c.CUNO] = c
	}
	for _, o := range st.Orders {
		r.orders[o.TempORNO] = o
	}
	for _, inv := range st.Invoices {
		r.invoices[inv.CINO] = inv
	}
	for _, bs := range st.BankStatements {
		r.statements[bs.STNB] = bs
	}
	for _, b := range st.GLBatches {
		r.batches[b.BCHN] = b
	}
	if st.NumberSeries == nil {
		st.NumberSeries = map[string]int64{}
	}
	return r
}

func (r *replayer) apply(ent *journalEntry) error {
	for _, c := range ent.Customers {
		r.st.Customers = upsert(r.st.Customers, r.customers, c.CUNO, c)
	}
	for _, o := range ent.Orders {
		r.st.Orders = upsert(r.st.Orders, r.orders, o.TempORNO, o)
	}
	for _, inv := range ent.Invoices {
		r.st.Invoices = upsert(r.st.Invoices, r.invoices, inv.CINO, inv)
	}
	for i := range ent.BankStatements {
		t := &ent.BankStatements[i]
		bs := r.statements[t.STNB]
		if bs == nil {
			if t.LinesFrom != 0 {
				return fmt.Errorf("bank statement %s: lines from %d of a statement not created before", t.STNB, t.LinesFrom)
			}
			bs = new(BankStatement)
			r.statements[t.STNB] = bs
			r.st.BankStatements = append(r.st.BankStatements, bs)
		}
		if t.LinesFrom > len(bs.Lines) {
			return fmt.Errorf("bank statement %s: lines from %d, it has %d", t.STNB, t.LinesFrom, len(bs.Lines))
		}
		lines := append(bs.Lines[:t.LinesFrom], t.Lines...)
		if lines == nil {
			lines = t.Lines // [] stays [], as in memory
		}
		*bs = t.BankStatement
		bs.Lines = lines
	}
	for i := range ent.GLBatches {
		t := &ent.GLBatches[i]
		b := r.batches[t.BCHN]
		if b == nil {
			if t.LinesFrom != 0 {
				return fmt.Errorf("GL batch %s: lines from %d of a batch not created before", t.BCHN, t.LinesFrom)
			}
			b = new(GLBatch)
			r.batches[t.BCHN] = b
			r.st.GLBatches = append(r.st.GLBatches, b)
		}
		if t.LinesFrom > len(b.Lines) {
			return fmt.Errorf("GL batch %s: lines from %d, it has %d", t.BCHN, t.LinesFrom, len(b.Lines))
		}
		lines := append(b.Lines[:t.LinesFrom], t.Lines...)
		if lines == nil {
			lines = t.Lines // [] stays [], as in memory
		}
		*b = t.GLBatch
		b.Lines = lines
	}
	for k, v := range ent.NumberSeries {
		r.st.NumberSeries[k] = v
	}
	return nil
}

// upsert replaces the record under key with v, or appends v when new.
func upsert[T any](list []*T, byKey map[string]*T, key string, v *T) []*T {
	if old := byKey[key]; old != nil {
		*old = *v
		return list
	}
	byKey[key] = v
	return append(list, v)
}

// replayJournal applies the journal's lines after seq to st and returns the
// last seq applied. A torn last line is reported by torn, not as an error.
func replayJournal(path string, st *State, seq uint64) (last uint64, torn bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return seq, false, nil
	}
	if err != nil {
		return seq, false, err
	}
	r := newReplayer(st)
	for n := 1; len(b) > 0; n++ {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return seq, true, nil // cut short by a crash: never acknowledged
		}
		line := b[:i]
		b = b[i+1:]
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var ent journalEntry
		if err := json.Unmarshal(line, &ent); err != nil {
			return seq, false, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		if ent.Seq <= seq {
			continue // already in state.json
		}
		if err := r.apply(&ent); err != nil {
			return seq, false, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		seq = ent.Seq
	}
	return seq, false, nil
}

// journal is the open journal of an emulator with a DataDir.
type journal struct {
	dir   string
	f     *os.File
	size  int64
	seq   uint64 // last seq written, or taken by a write that failed
	limit int64  // size that triggers a compaction
	// minLimit is minJournalLimit; tests lower it.
	minLimit int64
	// needCompact is set when a write or an fsync failed: the journal may
	// end in a torn line, so the next change rewrites state.json instead.
	needCompact atomic.Bool
	sync        *groupSync
}

// appendLocked writes the request's changes as one line and returns its
// seq; durability is groupSync's wait. e.mu must be held.
func (e *Emulator) appendLocked() (uint64, error) {
	j := e.jr
	j.seq++ // taken even if the write fails, so a torn line is never replayed after a compaction
	line, err := json.Marshal(newJournalEntry(j.seq, &e.st.tx.reqChanged, e.st.NumberSeries))
	if err != nil {
		return 0, fmt.Errorf("encode journal line: %w", err)
	}
	n, err := j.f.Write(append(line, '\n'))
	j.size += int64(n)
	if err != nil {
		return 0, fmt.Errorf("append to %s: %w", journalFile, err)
	}
	j.sync.wrote(j.seq)
	return j.seq, nil
}

// compactLocked writes st as state.json, atomically and fsynced, and
// starts an empty journal. The error is state.json's: once it is written,
// everything is on disk, and a journal that could not be reopened only
// makes the next change compact again. e.mu must be held.
func (e *Emulator) compactLocked(st *store) error {
	j := e.jr
	state := st.State.normalized()
	state.GLBalances = nil
	b, err := json.MarshalIndent(persistedState{Format: stateFormat, JournalSeq: j.seq, State: state}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", stateFile, err)
	}
	if err := atomicWrite(filepath.Join(j.dir, stateFile), append(b, '\n')); err != nil {
		j.needCompact.Store(true)
		return fmt.Errorf("save state: %w", err)
	}
	j.limit = max(j.minLimit, int64(len(b)))
	if j.f != nil {
		_ = j.f.Close()
		j.f = nil
	}
	f, err := os.OpenFile(filepath.Join(j.dir, journalFile), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		j.needCompact.Store(true)
		e.log.Error("infor emulator: journal could not be reopened; state.json is complete, the next change rewrites it", "err", err)
		j.sync.replaced(nil, j.seq)
		return nil
	}
	j.f, j.size = f, 0
	j.needCompact.Store(false)
	j.sync.replaced(f, j.seq)
	return nil
}

// persistLocked puts the request's changes on disk, or returns an error
// (and the caller undoes them). The returned wait, when not nil, must
// return nil before the client hears of success. e.mu must be held.
func (e *Emulator) persistLocked() (wait func() error, err error) {
	if e.jr == nil || e.st.tx.reqChanged.empty() {
		return nil, nil
	}
	if e.closed.Load() {
		return nil, errors.New("the emulator is closed; its state was written at Close")
	}
	if e.jr.needCompact.Load() || e.jr.f == nil {
		return nil, e.compactLocked(e.st)
	}
	seq, err := e.appendLocked()
	if err != nil {
		e.jr.needCompact.Store(true)
		return nil, err
	}
	if e.jr.size >= e.jr.limit {
		if err := e.compactLocked(e.st); err == nil {
			return nil, nil
		} else {
			e.log.Error("infor emulator: journal compaction failed; the journal keeps growing", "err", err)
		}
	}
	return func() error {
		if err := e.jr.sync.wait(seq); err != nil {
			e.jr.needCompact.Store(true)
			return fmt.Errorf("fsync %s: %w", journalFile, err)
		}
		return nil
	}, nil
}
