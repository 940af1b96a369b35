package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// failCase is a call that must end in a NOK.
type failCase struct {
	prog, trans string
	in          map[string]string
}

// Every mutating transaction, driven into NOKs of every kind (bad fields,
// missing records, wrong status, amounts above what is open, unbalanced
// batches, exhausted number series) on a realistic state: the state must be
// byte for byte what it was, in memory, on /_emulator/state and on disk
// (no journal line written).
func TestNOKLeavesStateByteIdentical(t *testing.T) {
	dir := t.TempDir()
	te := newEnv(t, Config{DataDir: dir, TokenTTL: time.Hour})
	te.login()
	r := buildRealistic(te, 6)

	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []failCase{
		{"CRS610MI", "Add", map[string]string{"CUNO": "NEW1"}},                         // CUNM mandatory
		{"CRS610MI", "Add", map[string]string{"CUNO": r.cuno, "CUNM": "Twice"}},        // exists
		{"CRS610MI", "Add", map[string]string{"CUNM": "X", "CUTM": "NOPE"}},            // unknown template
		{"CRS610MI", "Add", map[string]string{"CUNM": "X", "CUCD": "XXX"}},             // unknown currency
		{"CRS610MI", "Add", map[string]string{"CUNM": "X", "TEPY": "99"}},              // unknown terms
		{"CRS610MI", "Add", map[string]string{"CUNM": "X", "PYCD": "ZZ"}},              // unknown method
		{"CRS610MI", "Add", map[string]string{"CUNM": "X", "ORTP": "ZZZ"}},             // unknown order type
		{"CRS610MI", "Add", map[string]string{"CUNM": long(37)}},                       // too long
		{"CRS610MI", "Add", map[string]string{"CUNM": "X", "CUNMX": "typo"}},           // not an input field
		{"CRS610MI", "Add", map[string]string{"CUNM": "X", "CUTP": "A"}},               // not a number
		{"CRS610MI", "ChgBasicData", map[string]string{"CUNO": "NOPE", "CUNM": "X"}},   // unknown customer
		{"CRS610MI", "ChgBasicData", map[string]string{"CUNO": r.cuno, "CUCD": "XXX"}}, // unknown currency
		{"CRS610MI", "ChgBasicData", map[string]string{"CUNO": r.cuno, "CUNM": "Y", "ORTP": "ZZZ"}},
		{"CRS610MI", "ChgBasicData", map[string]string{"CUNM": "X"}},                                  // CUNO mandatory
		{"CRS610MI", "ChgBasicData", map[string]string{"CUNO": r.cuno, "CUTM": "STRIPE"}},             // not an input field
		{"CRS610MI", "AddAddress", map[string]string{"CUNO": r.cuno, "ADRT": "01", "ADID": "STRIPE"}}, // exists
		{"CRS610MI", "AddAddress", map[string]string{"CUNO": "NOPE", "ADRT": "01", "ADID": "X"}},
		{"CRS610MI", "AddAddress", map[string]string{"CUNO": r.cuno, "ADRT": "01"}},
		{"CRS610MI", "AddAddress", map[string]string{"CUNO": r.cuno, "ADRT": "AB", "ADID": "X"}},
		{"CRS610MI", "AddAddress", map[string]string{"CUNO": r.cuno, "ADRT": "02", "ADID": "X", "TOWN": long(21)}},
		{"CRS610MI", "ChgAddress", map[string]string{"CUNO": r.cuno, "ADRT": "01", "ADID": "NOPE", "TOWN": "Paris"}},
		{"CRS610MI", "ChgAddress", map[string]string{"CUNO": "NOPE", "ADRT": "01", "ADID": "STRIPE"}},
		{"CRS610MI", "ChgAddress", map[string]string{"CUNO": r.cuno, "ADRT": "01", "ADID": "STRIPE", "PONO": long(11)}},

		{"OIS100MI", "AddBatchHead", map[string]string{"CUNO": "NOPE"}},
		{"OIS100MI", "AddBatchHead", map[string]string{"CUNO": r.cuno, "ORTP": "ZZZ"}},
		{"OIS100MI", "AddBatchHead", map[string]string{"CUNO": r.cuno, "CUCD": "XXX"}},
		{"OIS100MI", "AddBatchHead", map[string]string{"CUNO": r.cuno, "TEPY": "99"}},
		{"OIS100MI", "AddBatchHead", map[string]string{"CUNO": r.cuno, "PYCD": "ZZ"}},
		{"OIS100MI", "AddBatchHead", map[string]string{"CUNO": r.cuno, "ORDT": "20250230"}},
		{"OIS100MI", "AddBatchHead", map[string]string{"CUNO": r.cuno, "CUOR": long(21)}},
		{"OIS100MI", "AddBatchLine", map[string]string{"ORNO": "NOPE", "ITNO": "WIDGET", "ORQT": "1"}},
		{"OIS100MI", "AddBatchLine", map[string]string{"ORNO": r.orno, "ITNO": "WIDGET", "ORQT": "1"}},          // confirmed
		{"OIS100MI", "AddBatchLine", map[string]string{"ORNO": r.confirmedTemp, "ITNO": "WIDGET", "ORQT": "1"}}, // confirmed
		{"OIS100MI", "AddBatchLine", map[string]string{"ORNO": r.batchTemp, "ITNO": "NOPE", "ORQT": "1"}},
		{"OIS100MI", "AddBatchLine", map[string]string{"ORNO": r.batchTemp, "ITNO": "WIDGET", "ORQT": "0"}},
		{"OIS100MI", "AddBatchLine", map[string]string{"ORNO": r.batchTemp, "ITNO": "WIDGET", "ORQT": "-1"}},
		{"OIS100MI", "AddBatchLine", map[string]string{"ORNO": r.batchTemp, "ITNO": "WIDGET", "ORQT": "1", "SAPR": "-1"}},
		{"OIS100MI", "AddBatchLine", map[string]string{"ORNO": r.batchTemp, "ITNO": "WIDGET", "ORQT": "1", "SAPR": "1.2.3"}},
		{"OIS100MI", "AddBatchLine", map[string]string{"ORNO": r.batchTemp, "ITNO": "WIDGET"}},
		{"OIS100MI", "Confirm", map[string]string{"ORNO": "NOPE"}},
		{"OIS100MI", "Confirm", map[string]string{"ORNO": r.confirmedTemp}},
		{"OIS100MI", "Confirm", map[string]string{"ORNO": r.orno}},
		{"OIS100MI", "Confirm", map[string]string{"ORNO": r.emptyTemp}},
		{"OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": "NOPE", "OBLC": "1"}},
		{"OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": r.batchTemp, "OBLC": "1"}},
		{"OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": r.orno}},
		{"OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": r.orno, "OBLC": "12"}},

		{"ARS200MI", "AddCrdtNote", map[string]string{"CINO": "NOPE", "IVAM": "1.00"}},
		{"ARS200MI", "AddCrdtNote", map[string]string{"CINO": r.creditNote, "IVAM": "1.00"}}, // a credit note
		{"ARS200MI", "AddCrdtNote", map[string]string{"CINO": r.cino, "IVAM": "25.00"}},      // more than is left
		{"ARS200MI", "AddCrdtNote", map[string]string{"CINO": r.cino, "IVAM": "0"}},
		{"ARS200MI", "AddCrdtNote", map[string]string{"CINO": r.cino, "IVAM": "1.001"}},

		{"ABS100MI", "AddStatmtHead", map[string]string{"BKID": "NOPE", "STDT": "20250301", "CUCD": "USD"}},
		{"ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "STDT": "20250301", "CUCD": "XXX"}},
		{"ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "CUCD": "USD"}},
		{"ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "STDT": "2025-03-01", "CUCD": "USD"}},
		{"ABS100MI", "AddStatmtLine", map[string]string{"STNB": "NOPE", "ACAM": "1.00"}},
		{"ABS100MI", "AddStatmtLine", map[string]string{"STNB": r.stnb, "ACAM": "0"}},
		{"ABS100MI", "AddStatmtLine", map[string]string{"STNB": r.stnb, "ACAM": "1.001"}},
		{"ABS100MI", "AddStatmtLine", map[string]string{"STNB": r.stnb}},
		{"ABS100MI", "AddStatmtDetail", map[string]string{"STNB": "NOPE", "LINO": "1", "CINO": r.cino, "ACAM": "1.00"}},
		{"ABS100MI", "AddStatmtDetail", map[string]string{"STNB": r.stnb, "LINO": "0", "CINO": r.cino, "ACAM": "1.00"}},
		{"ABS100MI", "AddStatmtDetail", map[string]string{"STNB": r.stnb, "LINO": "99", "CINO": r.cino, "ACAM": "1.00"}},
		{"ABS100MI", "AddStatmtDetail", map[string]string{"STNB": r.stnb, "LINO": r.lino, "CINO": "NOPE", "ACAM": "1.00"}},
		{"ABS100MI", "AddStatmtDetail", map[string]string{"STNB": r.stnb, "LINO": r.lino, "CINO": r.cino, "ACAM": "1.00", "CUNO": r.cunoNoOrders}},
		{"ABS100MI", "AddStatmtDetail", map[string]string{"STNB": r.stnb, "LINO": r.lino, "CINO": r.cino, "ACAM": "30.00"}}, // above open
		{"ABS100MI", "AddStatmtDetail", map[string]string{"STNB": r.stnb, "LINO": r.lino, "CINO": r.paidCINO, "ACAM": "1.00"}},
		{"ABS100MI", "AddStatmtDetail", map[string]string{"STNB": r.stnb, "LINO": r.lino, "CINO": r.cino, "ACAM": "0"}},
		{"ABS100MI", "AddStatmtDetail", map[string]string{"STNB": r.stnb, "LINO": r.lino, "CINO": r.cino, "ACAM": "1.001"}},

		{"GLS840MI", "AddBatchHead", map[string]string{"ACDT": "20251301"}},
		{"GLS840MI", "AddBatchHead", map[string]string{"TX40": long(41)}},
		{"GLS840MI", "AddBatchLine", map[string]string{"BCHN": "NOPE", "AIT1": "1580", "ACAM": "1", "CUCD": "USD"}},
		{"GLS840MI", "AddBatchLine", map[string]string{"BCHN": r.postedBCHN, "AIT1": "1580", "ACAM": "1", "CUCD": "USD"}},
		{"GLS840MI", "AddBatchLine", map[string]string{"BCHN": r.openBCHN, "AIT1": "9999", "ACAM": "1", "CUCD": "USD"}},
		{"GLS840MI", "AddBatchLine", map[string]string{"BCHN": r.openBCHN, "AIT1": "1580", "ACAM": "1", "CUCD": "XXX"}},
		{"GLS840MI", "AddBatchLine", map[string]string{"BCHN": r.openBCHN, "AIT1": "1580", "ACAM": "1.5", "CUCD": "JPY"}},
		{"GLS840MI", "CtrlBatch", map[string]string{"BCHN": r.unbalancedBCHN}},
		{"GLS840MI", "CtrlBatch", map[string]string{"BCHN": r.emptyBCHN}},
		{"GLS840MI", "CtrlBatch", map[string]string{"BCHN": r.postedBCHN}},
		{"GLS840MI", "CtrlBatch", map[string]string{"BCHN": "NOPE"}},
		{"GLS840MI", "UpdBatch", map[string]string{"BCHN": r.openBCHN}}, // not checked
		{"GLS840MI", "UpdBatch", map[string]string{"BCHN": r.postedBCHN}},
		{"GLS840MI", "UpdBatch", map[string]string{"BCHN": "NOPE"}},
	}
	// Number series run out: each transaction that takes a number fails at
	// it, Confirm even after it took the final order number.
	exhausted := []struct {
		series string
		call   failCase
	}{
		{"CUNO", failCase{"CRS610MI", "Add", map[string]string{"CUNM": "X"}}},
		{"TEMP", failCase{"OIS100MI", "AddBatchHead", map[string]string{"CUNO": r.cuno}}},
		{"ORNO", failCase{"OIS100MI", "Confirm", map[string]string{"ORNO": r.batchTemp}}},
		{"CINO", failCase{"OIS100MI", "Confirm", map[string]string{"ORNO": r.batchTemp}}},
		{"CINO", failCase{"ARS200MI", "AddCrdtNote", map[string]string{"CINO": r.cino, "IVAM": "1.00"}}},
		{"STNB", failCase{"ABS100MI", "AddStatmtHead", map[string]string{"BKID": "STRIPE", "STDT": "20250301", "CUCD": "USD"}}},
		{"BCHN", failCase{"GLS840MI", "AddBatchHead", nil}},
	}

	covered := map[string]bool{}
	journal := filepath.Join(dir, journalFile)
	check := func(c failCase) miResult {
		t.Helper()
		covered[c.prog+"/"+c.trans] = true
		before, jBefore := te.stateBytes(), fileSize(t, journal)
		res := te.fail(c.prog, c.trans, c.in)
		if after := te.stateBytes(); !bytes.Equal(before, after) {
			t.Fatalf("%s/%s %v (NOK %s %s) changed the state: %s", c.prog, c.trans, c.in, res.ErrorCode, res.ErrorMessage, firstDiff(after, before))
		}
		if j := fileSize(t, journal); j != jBefore {
			t.Fatalf("%s/%s %v: a NOK wrote to the journal (%d → %d bytes)", c.prog, c.trans, c.in, jBefore, j)
		}
		return res
	}
	for _, c := range cases {
		check(c)
	}
	// One bulk request of failures only.
	before := te.stateBytes()
	if code, resp := te.bulk(`{"program":"OIS100MI","transactions":[
		{"transaction":"AddBatchLine","record":{"ORNO":"` + r.batchTemp + `","ITNO":"NOPE","ORQT":"1"}},
		{"transaction":"Confirm","record":{"ORNO":"` + r.emptyTemp + `"}},
		{"transaction":"AddBatchHead","record":{"CUNO":42}}]}`); code != 200 || resp.NrOfFailedTransactions != 3 {
		t.Fatalf("bulk of failures: %d %+v", code, resp)
	}
	if !bytes.Equal(before, te.stateBytes()) {
		t.Fatal("a bulk request of NOKs changed the state")
	}

	for _, x := range exhausted {
		was := te.setSeries(x.series, exhaustedAt(te.e.seed.NumberSeries[x.series], seriesField[x.series]))
		if res := check(x.call); res.ErrorCode != codeFor(seriesField[x.series], codeExhausted) {
			t.Fatalf("%s with series %s exhausted: %+v", x.call.trans, x.series, res)
		}
		te.setSeries(x.series, was)
	}

	// Every mutating transaction was driven into a NOK.
	for name, p := range allPrograms() {
		for trans, tr := range p {
			if tr.mutates && !covered[name+"/"+trans] {
				t.Errorf("%s/%s changes state but has no failing case here", name, trans)
			}
		}
	}
	// And the state still works and is on disk as in memory.
	te.ok("OIS100MI", "Confirm", map[string]string{"ORNO": r.batchTemp})
	sameState(t, "disk after the NOKs", onDisk(t, dir), te.e.State())
}

// exhaustedAt is the first number of series ns too long for field.
func exhaustedAt(ns NumberSeries, field string) int64 {
	n := int64(1)
	for len(ns.format(n)) <= fieldLength(field) {
		n *= 10
	}
	return n
}

// setSeries sets the next number of a series behind the API's back (in
// memory only), as a seed would, and returns the number it had.
func (te *testEnv) setSeries(name string, next int64) int64 {
	te.e.mu.Lock()
	defer te.e.mu.Unlock()
	was := te.e.st.NumberSeries[name]
	te.e.st.NumberSeries[name] = next
	return was
}

// sameState fails unless got and want encode the same (GL balances aside:
// they are computed on read), showing where they first differ.
func sameState(t *testing.T, what string, got, want State) {
	t.Helper()
	got.GLBalances, want.GLBalances = nil, nil
	g, err1 := json.Marshal(got.normalized())
	w, err2 := json.Marshal(want.normalized())
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !bytes.Equal(g, w) {
		t.Fatalf("%s: state differs: %s", what, firstDiff(g, w))
	}
}

// firstDiff shows where got first differs from want, with some context.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-200, 0)
	return fmt.Sprintf("at byte %d\ngot:  …%s\nwant: …%s", i, got[from:min(i+200, len(got))], want[from:min(i+200, len(want))])
}

// stateBytes is the body of GET /_emulator/state.
func (te *testEnv) stateBytes() []byte {
	te.t.Helper()
	resp, err := http.Get(te.url("/_emulator/state"))
	if err != nil {
		te.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		te.t.Fatalf("GET /_emulator/state: %d %v", resp.StatusCode, err)
	}
	return b
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
