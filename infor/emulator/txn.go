package emulator

// Every change to the business data goes through the store methods in this
// file, so that two things stay O(what changed) instead of O(the state):
//
//   - undo: an MI transaction is atomic, as in M3. A transaction that ends
//     in a NOK must leave no trace, even if its logic changed records before
//     it failed (Confirm takes the final order number, then finds the
//     invoice series exhausted). Each method records how to undo its change,
//     and rollback runs those records backwards.
//   - the change journal: a request's changed records are appended to
//     DataDir's journal (journal.go) in full, instead of the whole state
//     being rewritten.
//
// The rule for transaction logic: call touchX(r) before changing a field of
// an existing record r, addX(r) to create one, next(…) for a number. Slices
// of lines are append-only (a line, once added, is never replaced), so a
// record's saved copy restores them by their old length; the one nested
// record changed in place, a statement line gaining details, is saved with
// touchStatementLine. Tests run with checkTransactions on (selfcheck.go),
// which compares every transaction against a full snapshot, so a forgotten
// touch fails the test that exercises it.

// changes lists the records changed since it was last reset, each once, in
// the order they were first changed (so records created in one request are
// appended to the state in creation order on replay).
type changes struct {
	customers  []*Customer
	orders     []*Order
	invoices   []*Invoice
	statements []*BankStatement
	batches    []*GLBatch
	// linesFrom is, per changed statement or GL batch, the first line that
	// changed: the journal writes the lines from there on, not all of them.
	linesFrom map[any]int
	seen      map[any]bool
	series    bool // a number series moved
}

func (c *changes) reset() {
	c.customers, c.orders, c.invoices = c.customers[:0], c.orders[:0], c.invoices[:0]
	c.statements, c.batches = c.statements[:0], c.batches[:0]
	clear(c.linesFrom)
	clear(c.seen)
	c.series = false
}

func (c *changes) empty() bool {
	return len(c.seen) == 0 && !c.series
}

// mark notes rec as changed and reports whether it is the first time.
func (c *changes) mark(rec any) bool {
	if c.seen == nil {
		c.seen, c.linesFrom = map[any]bool{}, map[any]int{}
	}
	if c.seen[rec] {
		return false
	}
	c.seen[rec] = true
	switch r := rec.(type) {
	case *Customer:
		c.customers = append(c.customers, r)
	case *Order:
		c.orders = append(c.orders, r)
	case *Invoice:
		c.invoices = append(c.invoices, r)
	case *BankStatement:
		c.statements = append(c.statements, r)
	case *GLBatch:
		c.batches = append(c.batches, r)
	}
	return true
}

// markLines notes rec (a statement or GL batch) as changed from line from
// on; a record seen before keeps the lowest such line.
func (c *changes) markLines(rec any, from int) {
	if c.mark(rec) || from < c.linesFrom[rec] {
		c.linesFrom[rec] = from
	}
}

// merge adds what o changed to c.
func (c *changes) merge(o *changes) {
	for _, list := range [][]any{anys(o.customers), anys(o.orders), anys(o.invoices), anys(o.statements), anys(o.batches)} {
		for _, rec := range list {
			if from, ok := o.linesFrom[rec]; ok {
				c.markLines(rec, from)
			} else {
				c.mark(rec)
			}
		}
	}
	c.series = c.series || o.series
}

func anys[T any](list []*T) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}

// txn is the undo journal of the running transaction and of the request's
// committed ones.
type txn struct {
	open    bool
	undo    []func() // this transaction's, run backwards by rollback
	saved   map[any]bool
	changed changes // this transaction's

	reqUndo    []func() // committed transactions of this request, for a failed write
	reqChanged changes  // committed transactions of this request, for the journal
}

// begin starts a transaction; store methods that change data panic
// outside one, so a change that could not be undone is a bug found at once.
func (s *store) begin() {
	s.tx.open = true
	s.tx.undo = s.tx.undo[:0]
	clear(s.tx.saved)
	s.tx.changed.reset()
}

// commit keeps the transaction's changes, for the request's journal entry.
func (s *store) commit() {
	s.tx.reqUndo = append(s.tx.reqUndo, s.tx.undo...)
	s.tx.reqChanged.merge(&s.tx.changed)
	s.tx.open = false
}

// rollback undoes everything the transaction changed.
func (s *store) rollback() {
	runBackwards(s.tx.undo)
	s.tx.open = false
}

// endRequest forgets the request's undo records once its changes are
// persisted.
func (s *store) endRequest() {
	s.tx.reqUndo = s.tx.reqUndo[:0]
	s.tx.reqChanged.reset()
}

// undoRequest undoes every committed transaction of the request, when its
// changes could not be persisted: the client hears of a failure, so the
// memory must not keep what the disk does not have.
func (s *store) undoRequest() {
	runBackwards(s.tx.reqUndo)
	s.endRequest()
}

func runBackwards(undo []func()) {
	for i := len(undo) - 1; i >= 0; i-- {
		undo[i]()
	}
}

// record adds an undo step; outside a transaction it panics.
func (s *store) record(undo func()) {
	if !s.tx.open {
		panic("infor emulator: state changed outside a transaction")
	}
	s.tx.undo = append(s.tx.undo, undo)
}

// firstTouch reports whether rec has not been saved yet in this
// transaction, and marks it saved.
func (s *store) firstTouch(rec any) bool {
	if !s.tx.open {
		panic("infor emulator: state changed outside a transaction")
	}
	if s.tx.saved == nil {
		s.tx.saved = map[any]bool{}
	}
	if s.tx.saved[rec] {
		return false
	}
	s.tx.saved[rec] = true
	return true
}

// touchCustomer saves c before a change. Addresses are copied one by one:
// ChgAddress changes an address in place.
func (s *store) touchCustomer(c *Customer) {
	if s.firstTouch(c) {
		saved := *c
		saved.Addresses = make([]*Address, len(c.Addresses))
		for i, a := range c.Addresses {
			cp := *a
			saved.Addresses[i] = &cp
		}
		s.record(func() { *c = saved })
	}
	s.tx.changed.mark(c)
}

func (s *store) touchOrder(o *Order) {
	if s.firstTouch(o) {
		saved := *o
		s.record(func() { *o = saved })
	}
	s.tx.changed.mark(o)
}

func (s *store) touchInvoice(inv *Invoice) {
	if s.firstTouch(inv) {
		saved := *inv
		s.record(func() { *inv = saved })
	}
	s.tx.changed.mark(inv)
}

// touchStatement saves bs before a line is added to it.
func (s *store) touchStatement(bs *BankStatement) {
	if s.firstTouch(bs) {
		saved := *bs
		s.record(func() { *bs = saved })
	}
	s.tx.changed.markLines(bs, len(bs.Lines))
}

// touchStatementLine saves line i of bs before details are added to it.
func (s *store) touchStatementLine(bs *BankStatement, i int) {
	s.touchStatement(bs)
	l := bs.Lines[i]
	if s.firstTouch(l) {
		saved := *l
		s.record(func() { *l = saved })
	}
	s.tx.changed.markLines(bs, i)
}

// touchBatch saves b before its status changes or a line is added.
func (s *store) touchBatch(b *GLBatch) {
	if s.firstTouch(b) {
		saved := *b
		s.record(func() { *b = saved })
	}
	s.tx.changed.markLines(b, len(b.Lines))
}

// addCustomer appends a new customer and indexes it.
func (s *store) addCustomer(c *Customer) {
	s.record(func() {
		s.Customers = s.Customers[:len(s.Customers)-1]
		delete(s.customers, c.CUNO)
		s.sorted = nil
	})
	s.Customers = append(s.Customers, c)
	s.customers[c.CUNO] = c
	s.sorted = nil
	s.tx.changed.mark(c)
}

// addOrder appends a new batch order under its temporary number.
func (s *store) addOrder(o *Order) {
	s.record(func() {
		s.Orders = s.Orders[:len(s.Orders)-1]
		delete(s.orders, o.ORNO)
		delete(s.byTemp, o.TempORNO)
		s.unindexOrder(o)
	})
	s.Orders = append(s.Orders, o)
	s.orders[o.ORNO] = o
	s.byTemp[o.TempORNO] = o
	s.indexOrder(o)
	s.tx.changed.mark(o)
}

// renumberOrder gives o its final number, under which orders finds it
// from now on.
func (s *store) renumberOrder(o *Order, final string) {
	s.touchOrder(o)
	old := o.ORNO
	s.record(func() {
		delete(s.orders, final)
		s.orders[old] = o
	})
	delete(s.orders, old)
	o.ORNO = final
	s.orders[final] = o
}

func (s *store) addInvoice(inv *Invoice) {
	s.record(func() {
		s.Invoices = s.Invoices[:len(s.Invoices)-1]
		delete(s.invoices, inv.CINO)
		s.unindexInvoice(inv)
	})
	s.Invoices = append(s.Invoices, inv)
	s.invoices[inv.CINO] = inv
	s.indexInvoice(inv)
	s.tx.changed.mark(inv)
}

func (s *store) addStatement(bs *BankStatement) {
	s.record(func() {
		s.BankStatements = s.BankStatements[:len(s.BankStatements)-1]
		delete(s.statements, bs.STNB)
		s.unindexStatement(bs)
	})
	s.BankStatements = append(s.BankStatements, bs)
	s.statements[bs.STNB] = bs
	s.indexStatement(bs)
	s.tx.changed.markLines(bs, 0)
}

func (s *store) addBatch(b *GLBatch) {
	s.record(func() {
		s.GLBatches = s.GLBatches[:len(s.GLBatches)-1]
		delete(s.batches, b.BCHN)
		s.unindexBatch(b)
	})
	s.GLBatches = append(s.GLBatches, b)
	s.batches[b.BCHN] = b
	s.indexBatch(b)
	s.tx.changed.markLines(b, 0)
}

// setSeries sets the next number of a series.
func (s *store) setSeries(name string, next int64) {
	old, had := s.NumberSeries[name]
	s.record(func() {
		if had {
			s.NumberSeries[name] = old
		} else {
			delete(s.NumberSeries, name)
		}
	})
	s.NumberSeries[name] = next
	s.tx.changed.series = true
}
