package emulator

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
)

// benchState is a realistic state of n confirmed, invoiced orders with one
// or two lines each, over n/4 customers with an address, and a bank
// statement line paying every tenth invoice, built directly (not through
// transactions) so a 50k-order state takes milliseconds to set up.
func benchState(seed *Seed, n int) State {
	st := seedState(seed)
	ncust := max(n/4, 1)
	for i := range ncust {
		st.Customers = append(st.Customers, &Customer{CUNO: strconv.Itoa(20000000 + i), CUNM: "Customer " + strconv.Itoa(i),
			CUTM: "STRIPE", CUCD: "USD", TEPY: "0", PYCD: "CC", ORTP: "WEB", STAT: "20", MAIL: "c" + strconv.Itoa(i) + "@example.com",
			Addresses: []*Address{{ADRT: "01", ADID: "BILLING", CUNM: "Customer", TOWN: "Berlin", CSCD: "DE"}}})
	}
	bs := &BankStatement{STNB: "S900000000", BKID: "STRIPE", STDT: "20250101", CUCD: "USD", REFE: "po_bench"}
	for i := range n {
		orno, temp, cino := strconv.Itoa(1900000000+i), "T9"+fmt.Sprintf("%08d", i), "I9"+fmt.Sprintf("%08d", i)
		cuor := "ch_" + strconv.Itoa(i)
		o := &Order{ORNO: orno, TempORNO: temp, STAT: orderInvoiced, CUNO: st.Customers[i%ncust].CUNO, ORTP: "WEB",
			CUOR: cuor, CUCD: "USD", ORDT: "20250101", TEPY: "0", PYCD: "CC", YREF: "ch_3Obench" + strconv.Itoa(i), NTAM: "25.00", CINO: cino,
			Lines: []*OrderLine{{PONR: "1", ITNO: "WIDGET", ITDS: "Widget", ORQT: "2", SAPR: "12.50", LNAM: "25.00"}}}
		if i%2 == 1 {
			o.Lines = append(o.Lines, &OrderLine{PONR: "2", ITNO: "SHIPPING", ORQT: "1", SAPR: "0", LNAM: "0.00"})
		}
		st.Orders = append(st.Orders, o)
		inv := &Invoice{CINO: cino, CUNO: o.CUNO, ORNO: orno, CUOR: cuor, CUCD: "USD", IVDT: "20250101", IVAM: "25.00", OPAM: "25.00", STAT: invoiceOpen}
		if i%10 == 0 {
			inv.OPAM, inv.STAT = "0.00", invoicePaid
			bs.Lines = append(bs.Lines, &StatementLine{LINO: strconv.Itoa(len(bs.Lines) + 1), ACAM: "25.00",
				Details: []*StatementDetail{{CINO: cino, CUNO: o.CUNO, ACAM: "25.00"}}})
		}
		st.Invoices = append(st.Invoices, inv)
	}
	st.BankStatements = append(st.BankStatements, bs)
	return st
}

// newBenchEmulator is an emulator holding benchState(n), on disk when
// dataDir is set.
func newBenchEmulator(b *testing.B, n int, dataDir bool) *Emulator {
	b.Helper()
	cfg := Config{}
	if dataDir {
		cfg.DataDir = b.TempDir()
	}
	e, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	st, err := newStore(benchState(&e.seed, n), &e.seed)
	if err != nil {
		b.Fatal(err)
	}
	e.checkTransactions = false // O(state) per transaction: not what is measured
	e.mu.Lock()
	e.st = st
	if e.jr != nil {
		err = e.compactLocked(st)
	}
	e.mu.Unlock()
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// mustRun runs one transaction as a request of its own, as the sink sends
// them, and fails the benchmark on a NOK.
func mustRun(b *testing.B, e *Emulator, prog, trans string, in record) record {
	resp, err := e.execute(prog, []miCall{{transaction: trans, in: in}}, miOptions{maxRecs: -1})
	if err != nil {
		b.Fatal(err)
	}
	if resp.NrOfFailedTransactions != 0 {
		b.Fatalf("%s/%s: %+v", prog, trans, resp.Results[0])
	}
	if len(resp.Results[0].Records) == 0 {
		return nil
	}
	return resp.Results[0].Records[0]
}

// BenchmarkMutate measures the emulator's own cost (under its lock, no
// HTTP) of what the sink does per command, with a state of 0, 10k and 50k
// orders already there: an order (AddBatchHead, AddBatchLine, Confirm:
// three requests, one op) and a customer Add (one request, one op), in
// memory and with a DataDir.
func BenchmarkMutate(b *testing.B) {
	for _, n := range []int{0, 10_000, 50_000} {
		for _, disk := range []bool{false, true} {
			where := "memory"
			if disk {
				where = "datadir"
			}
			b.Run(fmt.Sprintf("order/orders=%d/%s", n, where), func(b *testing.B) {
				e := newBenchEmulator(b, n, disk)
				b.ResetTimer()
				for i := range b.N {
					temp := mustRun(b, e, "OIS100MI", "AddBatchHead", record{"CUNO": "20000000", "CUOR": "bench_" + strconv.Itoa(i)})["ORNO"]
					mustRun(b, e, "OIS100MI", "AddBatchLine", record{"ORNO": temp, "ITNO": "WIDGET", "ORQT": "2"})
					mustRun(b, e, "OIS100MI", "Confirm", record{"ORNO": temp})
				}
			})
			b.Run(fmt.Sprintf("customer/orders=%d/%s", n, where), func(b *testing.B) {
				e := newBenchEmulator(b, n, disk)
				b.ResetTimer()
				for i := range b.N {
					mustRun(b, e, "CRS610MI", "Add", record{"CUNM": "Bench " + strconv.Itoa(i)})
				}
			})
		}
	}
}

// BenchmarkMutateParallel is customer Adds from 16 goroutines with a
// DataDir and 10k orders: concurrent requests share journal fsyncs (group
// commit), so throughput is not capped at one fsync per request.
func BenchmarkMutateParallel(b *testing.B) {
	e := newBenchEmulator(b, 10_000, true)
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			in := record{"CUNM": "Bench " + strconv.FormatInt(n.Add(1), 10)}
			if resp, err := e.execute("CRS610MI", []miCall{{transaction: "Add", in: in}}, miOptions{maxRecs: -1}); err != nil || resp.NrOfFailedTransactions != 0 {
				b.Errorf("Add: %v %+v", err, resp) // not Fatal: this is not the benchmark's goroutine
				return
			}
		}
	})
}

// BenchmarkLookup is the look-up the sink makes before every create, on a
// state of 50k orders: LstHead and LstBatchHead by CUOR, LstInvoices by
// ORNO. One op is the three.
func BenchmarkLookup(b *testing.B) {
	e := newBenchEmulator(b, 50_000, false)
	b.ResetTimer()
	for i := range b.N {
		cuor, orno := "ch_"+strconv.Itoa(i%50_000), strconv.Itoa(1900000000+i%50_000)
		for _, c := range []struct {
			prog, trans string
			in          record
		}{
			{"OIS100MI", "LstHead", record{"CUOR": cuor}},
			{"OIS100MI", "LstBatchHead", record{"CUOR": cuor}},
			{"ARS200MI", "LstInvoices", record{"ORNO": orno}},
		} {
			resp, err := e.execute(c.prog, []miCall{{transaction: c.trans, in: c.in}}, miOptions{maxRecs: -1})
			if err != nil || resp.NrOfFailedTransactions != 0 || (c.trans != "LstBatchHead" && len(resp.Results[0].Records) != 1) {
				b.Fatalf("%s %v: %v %+v", c.trans, c.in, err, resp)
			}
		}
	}
}
