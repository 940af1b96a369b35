package infor

import (
	"fmt"
	"strings"
)

// miResponse is M3 MI REST v2's answer to single and bulk calls alike
// (decodeMI reads it). NrOfSuccessfull is M3's
// "nrOfSuccessfullTransactions", spelling included.
type miResponse struct {
	Results         []miResult
	WasTerminated   bool
	NrOfSuccessfull int
	NrOfFailed      int
}

type miResult struct {
	Transaction string
	// Records hold the output fields, keys trimmed and values without the
	// trailing blanks M3 pads fixed-length fields with.
	Records      []map[string]string
	ErrorMessage string
	ErrorCode    string
	ErrorField   string
	ErrorType    string
}

// failed reports whether M3 flagged this result with an error.
func (r *miResult) failed() bool {
	return strings.TrimSpace(r.ErrorMessage) != "" || strings.TrimSpace(r.ErrorCode) != "" ||
		strings.TrimSpace(r.ErrorType) != ""
}

func decodeMIResponse(body []byte) (*miResponse, error) {
	r, err := decodeMI(body)
	if err != nil {
		return nil, fmt.Errorf("decode MI response: %w", err)
	}
	return r, nil
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
		tr := TransactionResult{Transaction: name, Records: mr.Records}
		if mr.failed() {
			tr.NOK = &NOKError{
				Program:     program,
				Transaction: name,
				Message:     red.scrub(strings.TrimSpace(mr.ErrorMessage)),
				Code:        red.scrub(strings.TrimSpace(mr.ErrorCode)),
				Field:       red.scrub(strings.TrimSpace(mr.ErrorField)),
				Type:        red.scrub(strings.TrimSpace(mr.ErrorType)),
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
