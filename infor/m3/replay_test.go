package m3_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
)

// M3 carries a write out and the kept-alive connection drops before the
// answer. net/http must not resend the write by itself (it would add the
// line twice); the adapter's retry, by lookup, finishes the order once.
func TestLostAnswerIsNotReplayedByTheTransport(t *testing.T) {
	dir := t.TempDir()
	e, err := emulator.New(emulator.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var dropped atomic.Bool
	var lineCalls atomic.Int32
	h := e.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/OIS100MI/AddBatchLine") {
			lineCalls.Add(1)
			if dropped.CompareAndSwap(false, true) {
				h.ServeHTTP(httptest.NewRecorder(), r) // M3 carries it out…
				c, _, _ := w.(http.Hijacker).Hijack()
				c.Close() // …and the answer is lost
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { _ = e.Close(); srv.Close() })
	path := filepath.Join(dir, "x.ionapi")
	if err := e.WriteIONAPI(path, srv.URL); err != nil {
		t.Fatal(err)
	}
	cfg, err := infor.LoadIONAPI(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := infor.NewClient(cfg, infor.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Execute(ctx, "CRS610MI", "Add", map[string]string{"CUNO": "WALKIN", "CUNM": "Walk-in"}); err != nil {
		t.Fatal(err)
	}
	a := m3.New(c, m3.Config{DefaultCustomer: "WALKIN"})
	cmd := command.CreateSalesOrder{StripeObjectID: "ch_lost_answer", Currency: "USD", OrderType: "WEB",
		Lines: []command.OrderLine{{Item: "WIDGET", Quantity: 1, UnitPrice: command.Money{Minor: 1000, Currency: "USD"}}}}
	_, err = a.CreateSalesOrder(ctx, cmd)
	if err == nil {
		t.Fatalf("the lost answer was hidden (resent by the transport?): %d AddBatchLine calls", lineCalls.Load())
	}
	if infor.Classify(err) != infor.ClassTransient {
		t.Fatalf("lost answer classified %v: %v", infor.Classify(err), err)
	}
	if _, err := a.CreateSalesOrder(ctx, cmd); err != nil { // the sink's retry
		t.Fatalf("retry: %v", err)
	}
	st := e.State()
	if len(st.Orders) != 1 || len(st.Orders[0].Lines) != 1 || len(st.Invoices) != 1 || st.Invoices[0].IVAM != "10.00" {
		t.Fatalf("want one order with one line and one 10.00 invoice; got %d orders, lines %v, invoices %+v",
			len(st.Orders), func() int {
				if len(st.Orders) > 0 {
					return len(st.Orders[0].Lines)
				}
				return -1
			}(), st.Invoices)
	}
}
