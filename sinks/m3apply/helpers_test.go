package m3apply

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/infor/m3"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/stripeapi"
)

// *stripeapi.Client is what the sink wires in as the PayoutSource.
var _ PayoutSource = (*stripeapi.Client)(nil)

// tenant is one emulator over real HTTP with the M3 adapter configured from
// the .ionapi file it writes, as for a customer's tenant.
type tenant struct {
	e *emulator.Emulator
	a *m3.Adapter
	c *infor.Client
}

func newTenant(t *testing.T, name string) *tenant {
	t.Helper()
	dir := t.TempDir()
	e, err := emulator.New(emulator.Config{Tenant: name, DataDir: dir})
	if err != nil {
		t.Fatalf("emulator %s: %v", name, err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = e.Close()
	})
	path := filepath.Join(dir, name+".ionapi")
	if err := e.WriteIONAPI(path, srv.URL); err != nil {
		t.Fatal(err)
	}
	cfg, err := infor.LoadIONAPI(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := infor.NewClient(cfg, infor.WithHTTPClient(&http.Client{}), infor.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Execute(context.Background(), "CRS610MI", "Add", map[string]string{"CUNO": "WALKIN", "CUNM": "Walk-in customer"}); err != nil {
		t.Fatal(err)
	}
	return &tenant{e: e, c: c, a: m3.New(c, m3.Config{DefaultCustomer: "WALKIN"})}
}

func (tn *tenant) state() emulator.State { return tn.e.State() }

// fakePayouts is the Stripe side: balance transactions by payout, or an
// error, and the calls it got.
type fakePayouts struct {
	mu    sync.Mutex
	txns  map[string][]command.BalanceTransaction
	err   error
	calls []payoutCall
}

type payoutCall struct {
	po, account string
	livemode    bool
}

func (f *fakePayouts) PayoutTransactions(_ context.Context, po, account string, livemode bool) ([]command.BalanceTransaction, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, payoutCall{po, account, livemode})
	if f.err != nil {
		return nil, f.err
	}
	return f.txns[po], nil
}

func (f *fakePayouts) called() []payoutCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]payoutCall(nil), f.calls...)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func usd(minor int64) command.Money { return command.Money{Minor: minor, Currency: "USD"} }

func meta(livemode bool, objects ...string) command.Meta {
	return command.Meta{StripeEventID: "evt_test", StripeEventType: "test", StripeObjectIDs: objects, Livemode: livemode,
		StripeAPIVersion: "2023-10-16", OccurredAt: time.Date(2025, 3, 7, 10, 0, 0, 0, time.UTC)}
}

func bt(id, typ, src string, amount, fee int64) command.BalanceTransaction {
	return command.BalanceTransaction{ID: id, Type: typ, Source: src, Amount: usd(amount), Fee: usd(fee), Net: usd(amount - fee)}
}

func orderOf(st emulator.State, obj string) *emulator.Order {
	for _, o := range st.Orders {
		if o.CUOR == m3.OrderReference(obj) && o.ORNO != "" {
			return o
		}
	}
	return nil
}

func invoicesOf(st emulator.State, orno string) []*emulator.Invoice {
	var out []*emulator.Invoice
	for _, inv := range st.Invoices {
		if inv.ORNO == orno {
			out = append(out, inv)
		}
	}
	return out
}

func statementOf(st emulator.State, refe string) *emulator.BankStatement {
	for _, bs := range st.BankStatements {
		if bs.REFE == refe {
			return bs
		}
	}
	return nil
}

// batchOf is the GL batch with reference refe, nil when there is none.
func batchOf(st emulator.State, refe string) *emulator.GLBatch {
	for _, b := range st.GLBatches {
		if b.REFE == refe {
			return b
		}
	}
	return nil
}
