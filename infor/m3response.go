package infor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// miResponse is M3 MI REST v2's answer to single and bulk calls alike.
// "nrOfSuccessfullTransactions" is M3's spelling.
type miResponse struct {
	Results         []miResult `json:"results"`
	WasTerminated   bool       `json:"wasTerminated"`
	NrOfSuccessfull int        `json:"nrOfSuccessfullTransactions"`
	NrOfFailed      int        `json:"nrOfFailedTransactions"`
}

type miResult struct {
	Transaction  string                  `json:"transaction"`
	Records      []map[string]flexString `json:"records"`
	ErrorMessage flexString              `json:"errorMessage"`
	ErrorCode    flexString              `json:"errorCode"`
	ErrorField   flexString              `json:"errorField"`
	ErrorType    flexString              `json:"errorType"`
}

// failed reports whether M3 flagged this result with an error.
func (r *miResult) failed() bool {
	return strings.TrimSpace(string(r.ErrorMessage)) != "" || strings.TrimSpace(string(r.ErrorCode)) != "" ||
		strings.TrimSpace(string(r.ErrorType)) != ""
}

// flexString takes a JSON string, number, boolean or null as text. M3 sends
// strings, but a value of another type must not fail a whole answer whose
// body (and maybe an NOK in it) the caller needs.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	default:
		*s = flexString(b) // number, boolean, or nested JSON as its text
	}
	return nil
}

func decodeMIResponse(body []byte) (*miResponse, error) {
	var r miResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode MI response: %w", err)
	}
	return &r, nil
}

// results converts M3's answer into results and the NOKs among them.
// requested names the transactions sent, for answers that omit the name.
// A failure is an NOK when M3 flagged it on the result; if M3 counted failed
// transactions but flagged none, an NOK without message stands for them, so
// a failure is never taken for success.
func (r *miResponse) results(program string, requested []string, red *redactor) ([]TransactionResult, []*NOKError) {
	out := make([]TransactionResult, len(r.Results))
	var noks []*NOKError
	for i := range r.Results {
		mr := &r.Results[i]
		name := strings.TrimSpace(mr.Transaction)
		if name == "" && i < len(requested) {
			name = requested[i]
		}
		tr := TransactionResult{Transaction: name, Records: trimRecords(mr.Records)}
		if mr.failed() {
			tr.NOK = &NOKError{
				Program:     program,
				Transaction: name,
				Message:     red.scrub(strings.TrimSpace(string(mr.ErrorMessage))),
				Code:        red.scrub(strings.TrimSpace(string(mr.ErrorCode))),
				Field:       red.scrub(strings.TrimSpace(string(mr.ErrorField))),
				Type:        red.scrub(strings.TrimSpace(string(mr.ErrorType))),
			}
			noks = append(noks, tr.NOK)
		}
		out[i] = tr
	}
	if r.NrOfFailed > 0 && len(noks) == 0 {
		name := ""
		if len(requested) == 1 {
			name = requested[0]
		}
		noks = append(noks, &NOKError{Program: program, Transaction: name})
	}
	return out, noks
}

// trimRecords removes the trailing blanks M3 pads fixed-length fields with,
// so "ACME      " compares equal to "ACME".
func trimRecords(in []map[string]flexString) []map[string]string {
	if in == nil {
		return nil
	}
	out := make([]map[string]string, len(in))
	for i, rec := range in {
		m := make(map[string]string, len(rec))
		for k, v := range rec {
			m[strings.TrimSpace(k)] = strings.TrimRight(string(v), " ")
		}
		out[i] = m
	}
	return out
}
