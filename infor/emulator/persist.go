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

// loadState reads state.json, or starts from the seed when there is none.
func (e *Emulator) loadState() (State, bool, error) {
	if e.cfg.DataDir == "" {
		return seedState(&e.seed), false, nil
	}
	var file persistedState
	found, err := readJSONFile(filepath.Join(e.cfg.DataDir, stateFile), &file)
	switch {
	case err != nil:
		return State{}, false, fmt.Errorf("state: %w", err)
	case !found:
		return seedState(&e.seed), false, nil
	case file.Format != stateFormat:
		return State{}, false, fmt.Errorf("state: %s has format %d, this emulator reads format %d", stateFile, file.Format, stateFormat)
	}
	file.State.GLBalances = nil
	return file.State, true, nil
}

// stateFormat is bumped on incompatible changes to State, so an old binary
// refuses a newer file instead of misreading it.
const stateFormat = 1

type persistedState struct {
	Format int `json:"format"`
	State
}

// saveLocked writes state.json; e.mu must be held, which also orders
// concurrent writers so the file always ends at the latest state.
func (e *Emulator) saveLocked() error {
	if e.cfg.DataDir == "" {
		return nil
	}
	st := e.st.State.normalized()
	st.GLBalances = nil
	if err := writeJSONAtomic(filepath.Join(e.cfg.DataDir, stateFile), persistedState{stateFormat, st}, 0o600); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
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
