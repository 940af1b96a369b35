package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/stripe-infor/stripe-infor/internal/atomicfile"
)

// File names under Config.DataDir.
const (
	stateFile       = "state.json"
	credentialsFile = "credentials.json"
)

// writeJSONAtomic encodes v indented (the files are meant to be read by
// people too) and writes it with atomicfile.WriteFile.
func writeJSONAtomic(path string, v any, perm fs.FileMode) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return atomicfile.WriteFile(path, append(b, '\n'), perm)
}

// readJSONFile decodes path into v. A missing file reports found=false and no
// error, so callers can tell "first start" from "unreadable data": the latter
// is an error, never silently replaced by a fresh state.
func readJSONFile(path string, v any) (found bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

// diskState is what DataDir holds: state.json with the journal replayed
// over it, or the seed state when there is no state.json yet. It only
// reads. seq is the last journal line applied; torn reports a last line cut
// short by a crash (ignored: it was never answered).
func diskState(dir string, seed *Seed) (st State, seq uint64, torn bool, err error) {
	var file persistedState
	found, err := readJSONFile(filepath.Join(dir, stateFile), &file)
	switch {
	case err != nil:
		return State{}, 0, false, fmt.Errorf("state: %w", err)
	case !found:
		file.State = seedState(seed)
	case file.Format != stateFormat && file.Format != stateFormatV1:
		return State{}, 0, false, fmt.Errorf("state: %s has format %d, this emulator reads formats %d and %d", stateFile, file.Format, stateFormatV1, stateFormat)
	}
	st = file.State
	st.GLBalances = nil
	seq, torn, err = replayJournal(filepath.Join(dir, journalFile), &st, file.JournalSeq)
	if err != nil {
		return State{}, 0, false, fmt.Errorf("state: %w", err)
	}
	return st, seq, torn, nil
}

// stateFormat is bumped on incompatible changes to State, so an old binary
// refuses a newer file instead of misreading it. Format 2 added the
// journal (journal.go) and journal_seq: a format 1 binary would ignore the
// journal and lose what it holds. Format 1 files (no journal) still load.
const (
	stateFormat   = 2
	stateFormatV1 = 1
)

type persistedState struct {
	Format int `json:"format"`
	// JournalSeq is the last journal line this file holds.
	JournalSeq uint64 `json:"journal_seq,omitempty"`
	State
}

// atomicWrite replaces path with data, so a crash leaves the old file or
// the new one.
func atomicWrite(path string, data []byte) error {
	return atomicfile.WriteFile(path, data, 0o600)
}

// stateJSON is the current state with GL balances, encoded under the lock
// so it is one consistent snapshot.
func (e *Emulator) stateJSON() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.st.State.normalized()
	st.GLBalances = e.st.glBalances(&e.seed)
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		panic(errors.New("infor emulator: state does not encode: " + err.Error())) // plain strings and slices only
	}
	return b
}
