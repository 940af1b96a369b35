package emulator

import "slices"

// refIndex finds records by the references clients look them up by before
// every create (LstHead by CUOR, LstInvoices by ORNO or YREF, LstStatmt and
// LstBatch by REFE, …), so a lookup costs what it finds rather than a scan
// of every record. Each list is in creation order, which is the order the
// list transactions return (or sort from). The keys are fields that never
// change once a record exists; an empty key is not indexed, since an empty
// filter means "no filter".
type refIndex struct {
	ordersByCUOR     map[string][]*Order
	ordersByCUNO     map[string][]*Order
	invoicesByCUNO   map[string][]*Invoice
	invoicesByORNO   map[string][]*Invoice
	invoicesByYREF   map[string][]*Invoice
	creditNotes      map[string][]*Invoice // by CRIN, the invoice credited
	statementsByREFE map[string][]*BankStatement
	batchesByREFE    map[string][]*GLBatch
}

func newRefIndex() refIndex {
	return refIndex{
		ordersByCUOR: map[string][]*Order{}, ordersByCUNO: map[string][]*Order{},
		invoicesByCUNO: map[string][]*Invoice{}, invoicesByORNO: map[string][]*Invoice{},
		invoicesByYREF: map[string][]*Invoice{}, creditNotes: map[string][]*Invoice{},
		statementsByREFE: map[string][]*BankStatement{}, batchesByREFE: map[string][]*GLBatch{},
	}
}

func (s *store) indexOrder(o *Order) {
	push(s.refs.ordersByCUOR, o.CUOR, o)
	push(s.refs.ordersByCUNO, o.CUNO, o)
}

func (s *store) unindexOrder(o *Order) {
	pop(s.refs.ordersByCUOR, o.CUOR, o)
	pop(s.refs.ordersByCUNO, o.CUNO, o)
}

func (s *store) indexInvoice(inv *Invoice) {
	push(s.refs.invoicesByCUNO, inv.CUNO, inv)
	push(s.refs.invoicesByORNO, inv.ORNO, inv)
	push(s.refs.invoicesByYREF, inv.YREF, inv)
	push(s.refs.creditNotes, inv.CRIN, inv)
}

func (s *store) unindexInvoice(inv *Invoice) {
	pop(s.refs.invoicesByCUNO, inv.CUNO, inv)
	pop(s.refs.invoicesByORNO, inv.ORNO, inv)
	pop(s.refs.invoicesByYREF, inv.YREF, inv)
	pop(s.refs.creditNotes, inv.CRIN, inv)
}

func (s *store) indexStatement(bs *BankStatement) { push(s.refs.statementsByREFE, bs.REFE, bs) }

func (s *store) unindexStatement(bs *BankStatement) { pop(s.refs.statementsByREFE, bs.REFE, bs) }

func (s *store) indexBatch(b *GLBatch) { push(s.refs.batchesByREFE, b.REFE, b) }

func (s *store) unindexBatch(b *GLBatch) { pop(s.refs.batchesByREFE, b.REFE, b) }

func push[T any](m map[string][]*T, key string, v *T) {
	if key != "" {
		m[key] = append(m[key], v)
	}
}

// pop removes v from key's list. Undo runs backwards, so v is the last
// entry; the search is only a guard.
func pop[T any](m map[string][]*T, key string, v *T) {
	if key == "" {
		return
	}
	l := m[key]
	i := len(l) - 1
	if i < 0 || l[i] != v {
		i = slices.Index(l, v)
	}
	if i < 0 {
		return
	}
	l = slices.Delete(l, i, i+1)
	if len(l) == 0 {
		delete(m, key)
		return
	}
	m[key] = l
}

// narrowest picks, of the lists of the filters that were given,
// the shortest to scan; all is the answer when no filter was given.
func narrowest[T any](all []*T, lists ...filtered[T]) []*T {
	var best []*T
	found := false
	for _, f := range lists {
		if f.given && (!found || len(f.list) < len(best)) {
			best, found = f.list, true
		}
	}
	if !found {
		return all
	}
	return best
}

// filtered is an index list for a filter, given when the filter has a value.
type filtered[T any] struct {
	given bool
	list  []*T
}

func by[T any](m map[string][]*T, key string) filtered[T] {
	return filtered[T]{given: key != "", list: m[key]}
}
