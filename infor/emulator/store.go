package emulator

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// store is State plus the indexes transactions look records up by, and the
// undo journal of the running transaction (txn.go). It is only touched
// with Emulator.mu held.
type store struct {
	State
	series     map[string]NumberSeries
	customers  map[string]*Customer
	orders     map[string]*Order // by ORNO, temporary or final
	byTemp     map[string]*Order // by temporary ORNO, also after Confirm
	invoices   map[string]*Invoice
	statements map[string]*BankStatement
	batches    map[string]*GLBatch
	refs       refIndex    // by external references (index.go)
	sorted     []*Customer // customers by CUNO for LstByNumber; nil when stale
	tx         txn
}

// seedState is the state right after a reset: the seed's customers, nothing
// else, every number series at its seed start.
func seedState(seed *Seed) State {
	st := State{NumberSeries: map[string]int64{}}
	for i := range seed.Customers {
		c := seed.Customers[i]
		c.Addresses = nil
		for _, a := range seed.Customers[i].Addresses {
			cp := *a
			c.Addresses = append(c.Addresses, &cp)
		}
		if c.STAT == "" {
			c.STAT = "20"
		}
		st.Customers = append(st.Customers, &c)
	}
	for name, ns := range seed.NumberSeries {
		st.NumberSeries[name] = ns.Next
	}
	return st
}

// newStore indexes st. It refuses a state whose keys collide, which can only
// come from a hand-edited state.json, rather than serve it half-indexed.
func newStore(st State, seed *Seed) (*store, error) {
	s := &store{
		State:      st,
		series:     seed.NumberSeries,
		customers:  map[string]*Customer{},
		orders:     map[string]*Order{},
		byTemp:     map[string]*Order{},
		invoices:   map[string]*Invoice{},
		statements: map[string]*BankStatement{},
		batches:    map[string]*GLBatch{},
		refs:       newRefIndex(),
	}
	if s.NumberSeries == nil {
		s.NumberSeries = map[string]int64{}
	}
	for name, ns := range seed.NumberSeries {
		if _, ok := s.NumberSeries[name]; !ok {
			s.NumberSeries[name] = ns.Next
		}
	}
	for _, c := range s.Customers {
		if s.customers[c.CUNO] != nil {
			return nil, fmt.Errorf("customer %s appears twice", c.CUNO)
		}
		s.customers[c.CUNO] = c
	}
	for _, o := range s.Orders {
		if s.orders[o.ORNO] != nil || s.byTemp[o.TempORNO] != nil {
			return nil, fmt.Errorf("order %s appears twice", o.ORNO)
		}
		s.orders[o.ORNO] = o
		s.byTemp[o.TempORNO] = o
		s.indexOrder(o)
	}
	for _, inv := range s.Invoices {
		if s.invoices[inv.CINO] != nil {
			return nil, fmt.Errorf("invoice %s appears twice", inv.CINO)
		}
		if _, ok := parseDecimal(inv.OPAM); !ok {
			return nil, fmt.Errorf("invoice %s: OPAM %q is not a decimal", inv.CINO, inv.OPAM)
		}
		s.invoices[inv.CINO] = inv
		s.indexInvoice(inv)
	}
	for _, bs := range s.BankStatements {
		if s.statements[bs.STNB] != nil {
			return nil, fmt.Errorf("bank statement %s appears twice", bs.STNB)
		}
		s.statements[bs.STNB] = bs
		s.indexStatement(bs)
	}
	for _, b := range s.GLBatches {
		if s.batches[b.BCHN] != nil {
			return nil, fmt.Errorf("GL batch %s appears twice", b.BCHN)
		}
		for _, l := range b.Lines {
			if _, ok := parseDecimal(l.ACAM); !ok {
				return nil, fmt.Errorf("GL batch %s line %s: ACAM %q is not a decimal", b.BCHN, l.LINO, l.ACAM)
			}
		}
		s.batches[b.BCHN] = b
		s.indexBatch(b)
	}
	return s, nil
}

// format renders number n of the series.
func (ns NumberSeries) format(n int64) string {
	d := strconv.FormatInt(n, 10)
	if pad := ns.Width - len(d); pad > 0 {
		d = strings.Repeat("0", pad) + d
	}
	return ns.Prefix + d
}

// next hands out the next number of a series, skipping numbers already in
// use (a customer added with an explicit CUNO may have taken one), as M3's
// number series check does. taken reports whether a number is in use.
func (s *store) next(series string, taken func(string) bool) (string, *nok) {
	ns := s.series[series]
	f := seriesField[series]
	n := s.NumberSeries[series]
	defer func() { s.setSeries(series, n) }()
	for {
		v := ns.format(n)
		n++
		if len(v) > fieldLength(f) {
			return "", &nok{Code: codeFor(f, codeExhausted), Field: f,
				Message: fmt.Sprintf("Number series %s is exhausted: %s is longer than %s allows (%d); raise it in the seed", series, v, f, fieldLength(f))}
		}
		if !taken(v) {
			return v, nil
		}
	}
}

// glBalances sums posted GL lines per account and currency.
func (s *store) glBalances(seed *Seed) map[string]map[string]string {
	sums := map[string]map[string]*big.Rat{}
	for _, b := range s.GLBatches {
		if b.STAT != batchPosted {
			continue
		}
		for _, l := range b.Lines {
			if sums[l.AIT1] == nil {
				sums[l.AIT1] = map[string]*big.Rat{}
			}
			if sums[l.AIT1][l.CUCD] == nil {
				sums[l.AIT1][l.CUCD] = new(big.Rat)
			}
			sums[l.AIT1][l.CUCD].Add(sums[l.AIT1][l.CUCD], mustDecimal(l.ACAM))
		}
	}
	m := masterData{seed}
	out := map[string]map[string]string{}
	for acct, byCur := range sums {
		out[acct] = map[string]string{}
		for cur, v := range byCur {
			c, _ := m.currency(cur)
			out[acct][cur] = formatDecimal(v, c.DCCD)
		}
	}
	return out
}

// sortedCustomers is every customer ordered by CUNO, as LstByNumber reads
// them; the order is kept until a customer is added (CUNO never changes).
func (s *store) sortedCustomers() []*Customer {
	if s.sorted == nil {
		s.sorted = append(make([]*Customer, 0, len(s.Customers)), s.Customers...)
		sort.Slice(s.sorted, func(i, j int) bool { return s.sorted[i].CUNO < s.sorted[j].CUNO })
	}
	return s.sorted
}
