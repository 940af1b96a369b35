package emulator

import (
	"net/http"
	"testing"
)

func TestBulkMixedResults(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	code, r := te.bulk(`{
	  "program": "CRS610MI",
	  "cono": 100,
	  "transactions": [
	    {"transaction": "Add", "record": {"CUNO": "A1", "CUNM": "First"}},
	    {"transaction": "Add", "record": {"CUNO": "A1", "CUNM": "Duplicate"}},
	    {"transaction": "Add", "record": {"CUNM": "Second"}},
	    {"transaction": "GetBasicData", "record": {"CUNO": "NOPE"}},
	    {"transaction": "GetBasicData", "record": {"CUNO": "A1"}, "selectedColumns": ["CUNO", "CUNM"]},
	    {"transaction": "Nope", "record": {}}
	  ]}`)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d", code)
	}
	if r.NrOfSuccessfullTransactions != 3 || r.NrOfFailedTransactions != 3 || len(r.Results) != 6 || r.WasTerminated {
		t.Fatalf("counts %+v", r)
	}
	wantFail := []bool{false, true, false, true, false, true}
	for i, res := range r.Results {
		if (res.ErrorMessage != "") != wantFail[i] {
			t.Fatalf("result %d: %+v", i, res)
		}
	}
	if r.Results[1].ErrorCode != "WCU0104" || r.Results[3].ErrorCode != "WCU0103" {
		t.Fatalf("errors %+v", r.Results)
	}
	if got := r.Results[4].Records[0]; len(got) != 2 || got["CUNM"] != "First" {
		t.Fatalf("selected columns %v", got)
	}
	if st := te.state(); len(st.Customers) != 2 {
		t.Fatalf("customers %+v", st.Customers)
	}
}

func TestBulkBadBody(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	for _, body := range []string{`not json`, `{"program":"CRS610MI"}`, `{"transactions":[{"transaction":"Lst"}]}`} {
		if code, _ := te.bulk(body); code != http.StatusBadRequest {
			t.Fatalf("%q: HTTP %d, want 400", body, code)
		}
	}
	// Unknown program in a bulk request is a NOK per transaction.
	code, r := te.bulk(`{"program":"NOPE","transactions":[{"transaction":"A"},{"transaction":"B"}]}`)
	if code != 200 || r.NrOfFailedTransactions != 2 {
		t.Fatalf("%d %+v", code, r)
	}
}

func TestMaxRecs(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	if l := te.ok("CRS055MI", "Lst", map[string]string{"maxrecs": "3"}); len(l) != 3 || l[0]["CUCD"] != "AUD" {
		t.Fatalf("maxrecs 3: %v", l)
	}
	if l := te.ok("CRS055MI", "Lst", map[string]string{"maxrecs": "0"}); len(l) != len(DefaultSeed().Currencies) {
		t.Fatalf("maxrecs 0: %d records", len(l))
	}
	code, r := te.bulk(`{"program":"CRS055MI","maxReturnedRecords":2,"transactions":[{"transaction":"Lst"}]}`)
	if code != 200 || len(r.Results[0].Records) != 2 {
		t.Fatalf("maxReturnedRecords: %d %+v", code, r)
	}
}
