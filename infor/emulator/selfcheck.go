package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// checkTransactionsDefault is what New sets Emulator.checkTransactions to.
// The package's tests turn it on (TestMain), so every transaction any test
// runs is checked against a full snapshot of the state:
//
//   - a NOK must leave the state byte for byte as it was (the undo journal
//     missed nothing);
//   - a transaction not marked mutates must change nothing;
//   - a successful one, its journal line replayed over the state before it,
//     must give the state after it (the change journal missed nothing);
//   - after every transaction, and after a request is undone, the indexes
//     must be what indexing the state from scratch gives.
//
// A transaction that changes a record without touching it first fails the
// test that runs it. The check is O(state) per transaction, so it stays
// off outside tests.
var checkTransactionsDefault = false

// checkStart encodes the state before a transaction. e.mu must be held.
func (e *Emulator) checkStart() []byte {
	st := e.st.State.normalized()
	st.GLBalances = nil
	b, err := json.Marshal(st)
	if err != nil {
		panic(fmt.Sprintf("infor emulator: self-check: encode state: %v", err))
	}
	return b
}

// checkEnd verifies the transaction that ran since checkStart returned
// before; failed says it ended in a NOK (and was rolled back). A finding
// is a bug in the emulator, so it panics with both states. e.mu must be
// held and a successful transaction not committed yet.
func (e *Emulator) checkEnd(before []byte, prog, trans string, t *transaction, failed bool) {
	e.checkIndexes(prog + "/" + trans)
	after := e.checkStart()
	fail := func(what string, want, got []byte) {
		panic(fmt.Sprintf("infor emulator: self-check: %s/%s: %s\nwant: %s\ngot:  %s", prog, trans, what, want, got))
	}
	switch {
	case failed:
		if !bytes.Equal(before, after) {
			fail("a NOK left a trace", before, after)
		}
	case !t.mutates:
		if !bytes.Equal(before, after) || !e.st.tx.changed.empty() {
			fail("a transaction not marked mutates changed the state", before, after)
		}
	default:
		line, err := json.Marshal(newJournalEntry(1, &e.st.tx.changed, e.st.NumberSeries))
		if err != nil {
			fail("journal line does not encode: "+err.Error(), nil, nil)
		}
		var ent journalEntry
		var st State
		if err := json.Unmarshal(line, &ent); err != nil {
			fail("journal line does not decode: "+err.Error(), line, nil)
		}
		if err := json.Unmarshal(before, &st); err != nil {
			fail("state does not decode: "+err.Error(), before, nil)
		}
		if err := newReplayer(&st).apply(&ent); err != nil {
			fail("journal line does not replay: "+err.Error(), line, nil)
		}
		st = st.normalized()
		replayed, _ := json.Marshal(st)
		if !bytes.Equal(replayed, after) {
			fail(fmt.Sprintf("the journal line %s, replayed over the state before, is not the state after", line), after, replayed)
		}
	}
}

// checkIndexes panics unless every index of the store is what indexing its
// State from scratch gives, pointing at the records in State (not at
// copies). e.mu must be held.
func (e *Emulator) checkIndexes(where string) {
	s := e.st
	fresh, err := newStore(s.State, &e.seed)
	if err != nil {
		panic(fmt.Sprintf("infor emulator: self-check: %s: state does not index: %v", where, err))
	}
	if got, want := indexDump(s), indexDump(fresh); got != want {
		panic(fmt.Sprintf("infor emulator: self-check: %s: indexes differ from the state's\nwant: %s\ngot:  %s", where, want, got))
	}
	live := map[any]bool{}
	for _, c := range s.Customers {
		live[c] = true
	}
	for _, o := range s.Orders {
		live[o] = true
	}
	for _, inv := range s.Invoices {
		live[inv] = true
	}
	for _, bs := range s.BankStatements {
		live[bs] = true
	}
	for _, b := range s.GLBatches {
		live[b] = true
	}
	for _, rec := range indexedRecords(s) {
		if !live[rec] {
			panic(fmt.Sprintf("infor emulator: self-check: %s: an index points at a record not in the state: %+v", where, rec))
		}
	}
}

// indexDump renders every index as text: key → identities of the records.
func indexDump(s *store) string {
	var b bytes.Buffer
	dump := func(name string, m any) {
		j, _ := json.Marshal(m) // map keys come out sorted
		fmt.Fprintf(&b, "%s=%s\n", name, j)
	}
	ids := func(list any) []string {
		var out []string
		switch l := list.(type) {
		case []*Order:
			for _, o := range l {
				out = append(out, o.TempORNO+"/"+o.ORNO)
			}
		case []*Invoice:
			for _, inv := range l {
				out = append(out, inv.CINO)
			}
		case []*BankStatement:
			for _, bs := range l {
				out = append(out, bs.STNB)
			}
		case []*GLBatch:
			for _, g := range l {
				out = append(out, g.BCHN)
			}
		}
		return out
	}
	lists := func(name string, m any) {
		out := map[string][]string{}
		switch mm := m.(type) {
		case map[string][]*Order:
			for k, v := range mm {
				out[k] = ids(v)
			}
		case map[string][]*Invoice:
			for k, v := range mm {
				out[k] = ids(v)
			}
		case map[string][]*BankStatement:
			for k, v := range mm {
				out[k] = ids(v)
			}
		case map[string][]*GLBatch:
			for k, v := range mm {
				out[k] = ids(v)
			}
		}
		dump(name, out)
	}
	keys := func(name string, m map[string]string) { dump(name, m) }
	cm := map[string]string{}
	for k, c := range s.customers {
		cm[k] = c.CUNO
	}
	keys("customers", cm)
	om, tm := map[string]string{}, map[string]string{}
	for k, o := range s.orders {
		om[k] = o.TempORNO
	}
	for k, o := range s.byTemp {
		tm[k] = o.ORNO
	}
	keys("orders", om)
	keys("byTemp", tm)
	im := map[string]string{}
	for k, inv := range s.invoices {
		im[k] = inv.CINO
	}
	keys("invoices", im)
	sm := map[string]string{}
	for k, bs := range s.statements {
		sm[k] = bs.STNB
	}
	keys("statements", sm)
	bm := map[string]string{}
	for k, g := range s.batches {
		bm[k] = g.BCHN
	}
	keys("batches", bm)
	r := s.refs
	lists("ordersByCUOR", r.ordersByCUOR)
	lists("ordersByCUNO", r.ordersByCUNO)
	lists("invoicesByCUNO", r.invoicesByCUNO)
	lists("invoicesByORNO", r.invoicesByORNO)
	lists("invoicesByYREF", r.invoicesByYREF)
	lists("creditNotes", r.creditNotes)
	lists("statementsByREFE", r.statementsByREFE)
	lists("batchesByREFE", r.batchesByREFE)
	var sorted []string
	for _, c := range s.sortedCustomers() {
		sorted = append(sorted, c.CUNO)
	}
	dump("sorted", sorted)
	return b.String()
}

// indexedRecords is every record any index points at.
func indexedRecords(s *store) []any {
	var out []any
	for _, c := range s.customers {
		out = append(out, c)
	}
	for _, c := range s.sorted {
		out = append(out, c)
	}
	for _, o := range s.orders {
		out = append(out, o)
	}
	for _, o := range s.byTemp {
		out = append(out, o)
	}
	for _, inv := range s.invoices {
		out = append(out, inv)
	}
	for _, bs := range s.statements {
		out = append(out, bs)
	}
	for _, b := range s.batches {
		out = append(out, b)
	}
	r := s.refs
	for _, m := range []map[string][]*Order{r.ordersByCUOR, r.ordersByCUNO} {
		for _, l := range m {
			out = append(out, anys(l)...)
		}
	}
	for _, m := range []map[string][]*Invoice{r.invoicesByCUNO, r.invoicesByORNO, r.invoicesByYREF, r.creditNotes} {
		for _, l := range m {
			out = append(out, anys(l)...)
		}
	}
	for _, l := range r.statementsByREFE {
		out = append(out, anys(l)...)
	}
	for _, l := range r.batchesByREFE {
		out = append(out, anys(l)...)
	}
	return out
}
