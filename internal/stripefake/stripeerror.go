package stripefake

import (
	"encoding/json"
	"net/http"
	"strings"
)

const invalidRequest = "invalid_request_error"

// stripeError is Stripe's error object (docs.stripe.com/api/errors): type
// always, code, param and doc_url when they apply.
type stripeError struct {
	Code    string `json:"code,omitempty"`
	DocURL  string `json:"doc_url,omitempty"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
	Type    string `json:"type"`
}

// writeError answers {"error":{…}} with status, as Stripe does; a code
// gets Stripe's doc_url for it.
func writeError(w http.ResponseWriter, status int, e stripeError) {
	if e.Code != "" && e.DocURL == "" {
		e.DocURL = "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(e.Code, "_", "-")
	}
	writeJSON(w, status, struct {
		Error stripeError `json:"error"`
	}{e})
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":{"type":"api_error","message":"the fake could not encode its answer"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// resourceMissing is Stripe's answer for an id that does not exist (for
// this key's mode and account).
func resourceMissing(param, id string) stripeError {
	return stripeError{Type: invalidRequest, Code: "resource_missing", Param: param,
		Message: "No such balance_transaction: '" + id + "'"}
}
