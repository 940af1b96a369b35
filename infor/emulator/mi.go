package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is M3's MI REST layer: how a request names a program and
// transaction, how input records reach the program logic, and the response
// shape. The programs themselves live in one file each (crs610mi.go, …).

// record is an MI input or output record: field name → value, always
// strings, as M3 sends them.
type record map[string]string

// transaction is one MI transaction of a program.
type transaction struct {
	inputs []input
	// mutates marks transactions that may change state; one without it
	// must change nothing (checked by the tests, see selfcheck.go).
	mutates bool
	// list marks Lst… transactions, which return many records and honour
	// maxrecs (default 100, as M3).
	list bool
	run  func(x *exec) ([]record, *nok)
}

// program is an MI program: transaction name → transaction.
type program map[string]*transaction

// exec is what a transaction's logic sees: its validated input, the state
// (Emulator.mu is held), the master data and the clock.
type exec struct {
	in  record
	st  *store
	md  masterData
	now time.Time
}

func (x *exec) get(name string) string { return x.in[name] }

// today is the date M3 would default a date field to.
func (x *exec) today() string { return x.now.Format("20060102") }

// allPrograms is every program the emulator knows.
func allPrograms() map[string]program {
	return map[string]program{
		"CRS610MI": crs610mi(),
		"CRS055MI": crs055mi(),
		"MMS200MI": mms200mi(),
		"OIS100MI": ois100mi(),
		"ARS200MI": ars200mi(),
		"ABS100MI": abs100mi(),
		"GLS840MI": gls840mi(),
	}
}

// miCall is one transaction of a request with its output options.
type miCall struct {
	transaction string
	in          record
	badInput    *nok     // set when the input could not be read (bulk: a non-string value)
	columns     []string // returncols / selectedColumns; empty = all
}

// miOptions apply to every transaction of a request.
type miOptions struct {
	maxRecs      int // -1: M3's default (100) for list transactions; 0: no limit
	excludeEmpty bool
}

// miResponse is M3's answer, spelling ("Successfull") included.
type miResponse struct {
	Results                     []miResult `json:"results"`
	WasTerminated               bool       `json:"wasTerminated"`
	NrOfSuccessfullTransactions int        `json:"nrOfSuccessfullTransactions"`
	NrOfFailedTransactions      int        `json:"nrOfFailedTransactions"`
}

type miResult struct {
	Transaction  string   `json:"transaction"`
	Records      []record `json:"records"`
	ErrorMessage string   `json:"errorMessage,omitempty"`
	ErrorCode    string   `json:"errorCode,omitempty"`
	ErrorField   string   `json:"errorField,omitempty"`
	ErrorType    string   `json:"errorType,omitempty"`
}

const defaultMaxRecs = 100

// execute runs calls of one program in order, under the state lock, and
// persists once at the end if any of them changed state: every change is on
// disk before the client hears it succeeded, which is the guarantee a
// per-transaction write would give, at one journal line per request.
//
// Each transaction is atomic, as in M3: one that ends in a NOK leaves no
// trace, even if its logic had changed state before it failed (Confirm
// takes the final order number before it finds the invoice series
// exhausted). The store records how to undo each change as it is made
// (txn.go) and a NOK runs that backwards, at the cost of what changed
// rather than of the whole state. A request whose changes cannot be
// written is undone whole and answered with an error.
func (e *Emulator) execute(prog string, calls []miCall, opt miOptions) (miResponse, error) {
	resp, wait, err := e.executeLocked(prog, calls, opt)
	if err != nil {
		return miResponse{}, err
	}
	if wait != nil {
		// The line is written; its fsync runs outside the lock, shared with
		// the requests waiting at the same time.
		if err := wait(); err != nil {
			return miResponse{}, err
		}
	}
	return resp, nil
}

func (e *Emulator) executeLocked(prog string, calls []miCall, opt miOptions) (miResponse, func() error, error) {
	resp := miResponse{Results: make([]miResult, 0, len(calls))}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range calls {
		res := miResult{Transaction: c.transaction, Records: []record{}}
		var before []byte
		if e.checkTransactions {
			before = e.checkStart()
		}
		e.st.begin()
		recs, t, err := e.runOne(prog, c)
		if err != nil {
			e.st.rollback()
		}
		if e.checkTransactions {
			e.checkEnd(before, prog, c.transaction, t, err != nil)
		}
		if err != nil {
			res.ErrorMessage, res.ErrorCode, res.ErrorField, res.ErrorType = err.Message, err.Code, err.Field, "ServerReturnedNOK"
			resp.NrOfFailedTransactions++
			e.log.Debug("infor emulator: MI NOK", "program", prog, "transaction", c.transaction,
				"code", err.Code, "field", err.Field, "message", err.Message)
		} else {
			e.st.commit()
			res.Records = shape(recs, t, c.columns, opt)
			resp.NrOfSuccessfullTransactions++
		}
		resp.Results = append(resp.Results, res)
	}
	wait, err := e.persistLocked()
	if err != nil {
		e.st.undoRequest()
		if e.checkTransactions {
			e.checkIndexes("undone request")
		}
		return miResponse{}, nil, err
	}
	e.st.endRequest()
	return resp, wait, nil
}

func (e *Emulator) runOne(prog string, c miCall) ([]record, *transaction, *nok) {
	p, ok := e.programs[prog]
	if !ok {
		names := make([]string, 0, len(e.programs))
		for n := range e.programs {
			names = append(names, n)
		}
		slices.Sort(names)
		return nil, nil, &nok{Code: codeFor("PROGRAM", codeNotFound),
			Message: fmt.Sprintf("Program %s does not exist; available programs: %s", prog, strings.Join(names, ", "))}
	}
	t, ok := p[c.transaction]
	if !ok {
		names := make([]string, 0, len(p))
		for n := range p {
			names = append(names, n)
		}
		slices.Sort(names)
		return nil, nil, &nok{Code: codeFor("TRANSACTION", codeNotFound),
			Message: fmt.Sprintf("Transaction %q does not exist in program %s; available transactions: %s", c.transaction, prog, strings.Join(names, ", "))}
	}
	if c.badInput != nil {
		return nil, t, c.badInput
	}
	in, err := validateInput(prog, c.transaction, t.inputs, c.in)
	if err != nil {
		return nil, t, err
	}
	recs, err := t.run(&exec{in: in, st: e.st, md: e.md, now: e.now()})
	return recs, t, err
}

// shape applies maxrecs, the selected columns and excludeEmptyValues to a
// transaction's output.
func shape(recs []record, t *transaction, columns []string, opt miOptions) []record {
	limit := opt.maxRecs
	if limit < 0 {
		limit = 0
		if t.list {
			limit = defaultMaxRecs
		}
	}
	if limit > 0 && len(recs) > limit {
		recs = recs[:limit]
	}
	out := make([]record, 0, len(recs))
	for _, r := range recs {
		o := record{}
		for k, v := range r {
			if len(columns) > 0 && !slices.Contains(columns, k) {
				continue
			}
			if opt.excludeEmpty && v == "" {
				continue
			}
			o[k] = v
		}
		out = append(out, o)
	}
	return out
}

// handleExecute serves GET …/execute/{program}/{transaction}?FIELD=…, one
// transaction with its fields as query parameters. The API's own options
// (maxrecs, returncols, excludeEmptyValues) share the query string; every
// other parameter is an input field and goes through the transaction's
// field check, so a misspelt one ("cuno", "CUNMX") is a NOK naming it
// rather than silently ignored.
func (e *Emulator) handleExecute(w http.ResponseWriter, r *http.Request) {
	prog, trans := r.PathValue("program"), r.PathValue("transaction")
	q := r.URL.Query()
	call := miCall{transaction: trans, in: record{}}
	opt := miOptions{maxRecs: -1}
	for k, vs := range q {
		switch {
		case k == "maxrecs":
			n, err := strconv.Atoi(vs[0])
			if err != nil || n < 0 {
				writeJSONError(w, http.StatusBadRequest, "invalid_request", "maxrecs must be a whole number, 0 for no limit")
				return
			}
			opt.maxRecs = n
		case k == "returncols":
			for c := range strings.SplitSeq(vs[0], ",") {
				if c = strings.TrimSpace(c); c != "" {
					call.columns = append(call.columns, c)
				}
			}
		case k == "excludeEmptyValues":
			opt.excludeEmpty = vs[0] == "true"
		default:
			call.in[k] = vs[0]
		}
	}
	e.serveMI(w, r, prog, []miCall{call}, opt)
}

// bulkRequest is the body of POST …/execute: several transactions of one
// program in one round trip.
type bulkRequest struct {
	Program            string `json:"program"`
	MaxReturnedRecords *int   `json:"maxReturnedRecords"`
	ExcludeEmptyValues bool   `json:"excludeEmptyValues"`
	Transactions       []struct {
		Transaction     string                     `json:"transaction"`
		Record          map[string]json.RawMessage `json:"record"`
		SelectedColumns []string                   `json:"selectedColumns"`
	} `json:"transactions"`
}

const maxBulkBody = 10 << 20

// handleBulk serves POST …/execute. A body that is not a bulk request at
// all is a 400 (the client is broken); everything about the transactions
// themselves is answered per transaction, as M3 does.
func (e *Emulator) handleBulk(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBulkBody))
	if err != nil {
		writeJSONError(w, http.StatusRequestEntityTooLarge, "invalid_request", "bulk request body is over 10 MiB or unreadable")
		return
	}
	var req bulkRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSONError(w, http.StatusBadRequest, "invalid_request", "bulk request body is not valid JSON: "+err.Error())
		return
	}
	if req.Program == "" || len(req.Transactions) == 0 {
		writeJSONError(w, http.StatusBadRequest, "invalid_request", `bulk request needs "program" and at least one entry in "transactions"`)
		return
	}
	opt := miOptions{maxRecs: -1, excludeEmpty: req.ExcludeEmptyValues}
	if req.MaxReturnedRecords != nil {
		opt.maxRecs = max(*req.MaxReturnedRecords, 0)
	}
	calls := make([]miCall, len(req.Transactions))
	for i, t := range req.Transactions {
		c := miCall{transaction: t.Transaction, in: record{}, columns: t.SelectedColumns}
		for k, raw := range t.Record {
			var s string
			if string(raw) == "null" {
				continue
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				c.badInput = invalid(k, fmt.Sprintf("%s (%s) must be a JSON string, got %s; M3 field values are strings", describe(k), k, raw))
				break
			}
			c.in[k] = s
		}
		calls[i] = c
	}
	e.serveMI(w, r, req.Program, calls, opt)
}

// serveMI is the common tail of both forms: faults first (they stand for
// the network and gateway in front of M3), then the transactions.
func (e *Emulator) serveMI(w http.ResponseWriter, r *http.Request, prog string, calls []miCall, opt miOptions) {
	proceed, loseAnswer := e.faults.apply(w, r, prog, e.done)
	if !proceed {
		return
	}
	resp, err := e.execute(prog, calls, opt)
	if err != nil {
		e.log.Error("infor emulator: persisting state failed", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "server_error", "state could not be persisted")
		return
	}
	if loseAnswer {
		// Carried out and persisted like any other call; only the answer
		// is lost on its way back.
		e.log.Debug("infor emulator: injected lost answer", "program", prog)
		resetConnection(w)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
