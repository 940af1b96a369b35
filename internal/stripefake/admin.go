package stripefake

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// adminPrefix is where the fake's own endpoints live; Stripe has no such
// path, so they cannot shadow an API one.
const adminPrefix = "/_fake/"

// maxAdminBody bounds a ledger upload: 100 000 transactions with source
// objects fit.
const maxAdminBody = 64 << 20

// serveAdmin answers /_fake/balance_transactions (see the package
// documentation). No key: these are for loading a dev ledger, never for
// a network others reach.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != adminPrefix+"balance_transactions" {
		writeError(w, http.StatusNotFound, stripeError{Type: invalidRequest,
			Message: "Unrecognized fake admin URL " + r.URL.Path + "; the fake has /_fake/balance_transactions (GET, POST, DELETE)"})
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.all())
	case http.MethodPost:
		bts, err := decodeLedger(http.MaxBytesReader(w, r.Body, maxAdminBody))
		if err == nil {
			err = s.Add(bts...)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, stripeError{Type: invalidRequest, Message: err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, struct {
			Added int `json:"added"`
		}{len(bts)})
	case http.MethodDelete:
		n := s.reset()
		writeJSON(w, http.StatusOK, struct {
			Deleted int `json:"deleted"`
		}{n})
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		writeError(w, http.StatusMethodNotAllowed, stripeError{Type: invalidRequest,
			Message: r.Method + " is not allowed on " + r.URL.Path + " (GET, POST, DELETE)"})
	}
}

// decodeLedger reads a JSON array of BalanceTransaction. Unknown fields
// are refused, so a misspelt field in a demo script is an error and not a
// silently zero amount; numbers inside source objects stay exact
// (json.Number).
func decodeLedger(body io.Reader) ([]BalanceTransaction, error) {
	d := json.NewDecoder(body)
	d.UseNumber()
	d.DisallowUnknownFields()
	var bts []BalanceTransaction
	if err := d.Decode(&bts); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errors.New("stripefake: the ledger is larger than 64 MiB")
		}
		return nil, errors.New("stripefake: the body must be a JSON array of balance transactions: " + err.Error())
	}
	if d.More() {
		return nil, errors.New("stripefake: the body must be one JSON array")
	}
	return bts, nil
}
