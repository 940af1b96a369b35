package emulator

import (
	"io"
	"net/http"
)

// The /_emulator endpoints are for tests and people, not part of Infor's
// API: inspect the whole state, reset it, and set the injected faults. They
// need no token, so a test can always look and set up, whatever the faults.

func (e *Emulator) handleState(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(e.stateJSON(), '\n'))
}

func (e *Emulator) handleReset(w http.ResponseWriter, r *http.Request) {
	if err := e.Reset(); err != nil {
		e.log.Error("infor emulator: reset failed", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "server_error", "reset failed: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
}

func (e *Emulator) handleGetFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, e.Faults())
}

// handleSetFaults replaces the faults with the body; unknown keys and
// out-of-range values are a 400 naming the problem, so a typo never leaves
// a test running without the fault it meant to inject.
func (e *Emulator) handleSetFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "invalid_request", "body unreadable or over 64 KiB")
		return
	}
	var f Faults
	if len(body) > 0 {
		if err := strictUnmarshal(body, &f); err != nil {
			writeJSONError(w, http.StatusBadRequest, "invalid_request", "faults: "+err.Error())
			return
		}
	}
	if err := f.validate(); err != nil {
		writeJSONError(w, http.StatusBadRequest, "invalid_request", "faults: "+err.Error())
		return
	}
	e.SetFaults(f)
	writeJSON(w, http.StatusOK, e.Faults())
}
