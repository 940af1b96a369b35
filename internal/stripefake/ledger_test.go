package stripefake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Add refuses what Stripe would never send, names the transaction, and
// adds nothing of a batch with one bad entry.
func TestAddValidates(t *testing.T) {
	good := charge("txn_good", "ch_good", "po_1", 1000, 100)
	for _, tc := range []struct {
		name string
		edit func(*BalanceTransaction)
		want string
	}{
		{"no id", func(bt *BalanceTransaction) { bt.ID = "" }, "id is required"},
		{"id with a slash", func(bt *BalanceTransaction) { bt.ID = "txn_1/x" }, "only letters"},
		{"no type", func(bt *BalanceTransaction) { bt.Type = "" }, "type is required"},
		{"no currency", func(bt *BalanceTransaction) { bt.Currency = "" }, "currency is required"},
		{"upper-case currency", func(bt *BalanceTransaction) { bt.Currency = "USD"; bt.FeeDetails[0].Currency = "USD" }, "lower-case"},
		{"net not amount - fee", func(bt *BalanceTransaction) { bt.Net++ }, "is not amount"},
		{"rate not a number", func(bt *BalanceTransaction) { bt.ExchangeRate = "1,08" }, "not a decimal"},
		{"rate as text with quotes", func(bt *BalanceTransaction) { bt.ExchangeRate = `"1.08"` }, "not a decimal"},
		{"account not acct_", func(bt *BalanceTransaction) { bt.Account = "cus_1" }, "acct_"},
		{"source object of another id", func(bt *BalanceTransaction) { bt.SourceObject = map[string]any{"id": "ch_other"} }, "is not source"},
		{"source object without source", func(bt *BalanceTransaction) { bt.Source = ""; bt.SourceObject = map[string]any{"object": "charge"} }, "without a source"},
		{"fee details not summing to fee", func(bt *BalanceTransaction) { bt.FeeDetails[0].Amount++ }, "sum to"},
		{"fee details in another currency", func(bt *BalanceTransaction) { bt.FeeDetails[0].Currency = "eur" }, "not the transaction's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New()
			bad := charge("txn_bad", "ch_good", "po_1", 1000, 100)
			tc.edit(&bad)
			err := s.Add(good, bad)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "balance transaction 1") {
				t.Fatalf("Add: %v, want an error with %q naming transaction 1", err, tc.want)
			}
			if n := len(s.all()); n != 0 {
				t.Fatalf("%d added from a batch with a bad entry", n)
			}
		})
	}
	s := New()
	mustAdd(t, s, good)
	if err := s.Add(good); err == nil || !strings.Contains(err.Error(), "already in the ledger") {
		t.Fatalf("duplicate id: %v", err)
	}
	if err := s.Add(charge("txn_x", "ch_x", "", 1, 1), charge("txn_x", "ch_y", "", 1, 1)); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Fatalf("id twice in a batch: %v", err)
	}
	if len(s.all()) != 1 {
		t.Fatal("refused batches changed the ledger")
	}
}

// The admin endpoints load, show and empty the ledger over HTTP without a
// key, refuse a misspelt field or an invalid entry whole, and keep the
// numbers of source objects exact.
func TestAdminEndpoints(t *testing.T) {
	s := New()
	base := start(t, s)
	url := base + "/_fake/balance_transactions"
	ledger := `[
	  {"id":"txn_1","type":"charge","source":"ch_1","source_object":{"id":"ch_1","object":"charge","amount":12345678901234567,"currency":"eur"},
	   "amount":1000,"fee":59,"net":941,"currency":"usd","exchange_rate":"1.08765432109876","created":200,"available_on":300,"payout":"po_1"},
	  {"id":"txn_2","type":"refund","source":"re_1","amount":-500,"fee":0,"net":-500,"currency":"usd","created":100,"payout":"po_1","livemode":true,"account":"acct_1C"}
	]`
	if a := do(t, "POST", url, "", strings.NewReader(ledger)); a.status != 200 || a.json(t)["added"] != json.Number("2") {
		t.Fatalf("POST: %d %s", a.status, a.body)
	}
	a := do(t, "GET", url, "", nil)
	var got []BalanceTransaction
	d := json.NewDecoder(strings.NewReader(a.body))
	d.UseNumber()
	if err := d.Decode(&got); err != nil || a.status != 200 {
		t.Fatalf("GET: %d %v %s", a.status, err, a.body)
	}
	if len(got) != 2 || got[0].ID != "txn_1" || got[1].ID != "txn_2" || !got[1].Livemode || got[1].Account != "acct_1C" ||
		got[0].ExchangeRate != "1.08765432109876" || got[0].SourceObject["amount"] != json.Number("12345678901234567") {
		t.Fatalf("GET: %+v", got)
	}
	if !strings.Contains(a.body, `"amount":12345678901234567`) {
		t.Fatalf("a source object number lost digits: %s", a.body)
	}

	for name, body := range map[string]string{
		"misspelt field": `[{"id":"txn_3","type":"charge","amount":1,"fees":0,"net":1,"currency":"usd"}]`,
		"invalid entry":  `[{"id":"txn_3","type":"charge","amount":1,"fee":0,"net":1,"currency":"usd"},{"id":"txn_4","type":"charge","amount":1,"fee":0,"net":2,"currency":"usd"}]`,
		"not an array":   `{"id":"txn_3"}`,
		"two arrays":     `[] []`,
		"duplicate":      `[{"id":"txn_1","type":"charge","amount":1,"fee":0,"net":1,"currency":"usd"}]`,
	} {
		a := do(t, "POST", url, "", strings.NewReader(body))
		errorOf(t, a, 400)
		if n := len(s.all()); n != 2 {
			t.Fatalf("%s: the ledger has %d entries after a refused POST", name, n)
		}
	}
	if a := do(t, "PUT", url, "", nil); a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "GET, POST, DELETE" {
		t.Fatalf("PUT: %d %v", a.status, a.header)
	}
	if a := do(t, "GET", base+"/_fake/payouts", "", nil); a.status != 404 {
		t.Fatalf("unknown admin path: %d", a.status)
	}
	if a := do(t, "DELETE", url, "", nil); a.status != 200 || a.json(t)["deleted"] != json.Number("2") {
		t.Fatalf("DELETE: %d %s", a.status, a.body)
	}
	if got := ids(t, get(t, base, "/v1/balance_transactions", testKey)); len(got) != 0 {
		t.Fatalf("after DELETE: %v", got)
	}
	if len(s.Requests()) != 1 {
		t.Fatalf("admin requests are in the request log: %+v", s.Requests())
	}
}

// Loading while paging is safe (run with -race), and every page a reader
// gets is ordered and free of duplicates.
func TestConcurrentLoadAndRead(t *testing.T) {
	s := New()
	base := start(t, s)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if err := s.Add(charge(fmt.Sprintf("txn_%d_%03d", w, i), "ch_x", "po_1", 1000, int64(i))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 20 {
		got := ids(t, get(t, base, "/v1/balance_transactions?limit=100&payout=po_1", testKey))
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("%s twice in one page", id)
			}
			seen[id] = true
		}
	}
	wg.Wait()
	all := s.all()
	if len(all) != 200 {
		t.Fatalf("%d entries, want 200", len(all))
	}
	var listed []string
	after := ""
	for {
		q := "/v1/balance_transactions?limit=100"
		if after != "" {
			q += "&starting_after=" + after
		}
		page := ids(t, get(t, base, q, testKey))
		listed = append(listed, page...)
		if len(page) < 100 {
			break
		}
		after = page[len(page)-1]
	}
	if len(listed) != 200 {
		t.Fatalf("paging listed %d of 200", len(listed))
	}
	// created descending: the ids' index part (created = index) never rises.
	prev := 1 << 30
	for _, id := range listed {
		var w, i int
		if _, err := fmt.Sscanf(id, "txn_%d_%d", &w, &i); err != nil || i > prev {
			t.Fatalf("order broken at %s (previous created %d)", id, prev)
		}
		prev = i
	}
	if n, pages := len(s.Requests()), 20+len(listed)/100+1; n != pages {
		t.Fatalf("%d requests recorded, want %d", n, pages)
	}
}
