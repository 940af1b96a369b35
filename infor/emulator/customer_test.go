package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestCustomerLifecycle(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()

	// Numbers come from the series; the default template fills the rest.
	a := te.addCustomer("Ada Lovelace")
	b := te.addCustomer("Bob Builder")
	if a != "10001" || b != "10002" {
		t.Fatalf("assigned numbers %s, %s", a, b)
	}
	got := te.ok("CRS610MI", "GetBasicData", map[string]string{"CUNO": a})[0]
	if got["CUNM"] != "Ada Lovelace" || got["CUCD"] != "USD" || got["ORTP"] != "WEB" || got["CUTM"] != "STRIPE" || got["STAT"] != "20" {
		t.Fatalf("template not applied: %v", got)
	}
	// Another template, an explicit number and a field that overrides the template.
	te.ok("CRS610MI", "Add", map[string]string{"CUNO": "EU1", "CUNM": "Eve", "CUTM": "STRIPEEU", "TEPY": "30", "MAIL": "eve@example.com"})
	got = te.ok("CRS610MI", "GetBasicData", map[string]string{"CUNO": "EU1"})[0]
	if got["CUCD"] != "EUR" || got["TEPY"] != "30" || got["MAIL"] != "eve@example.com" {
		t.Fatalf("EU customer %v", got)
	}
	// The series skips numbers already taken.
	te.ok("CRS610MI", "Add", map[string]string{"CUNO": "10003", "CUNM": "Taken"})
	if c := te.addCustomer("Next"); c != "10004" {
		t.Fatalf("series did not skip a taken number: %s", c)
	}

	// ChgBasicData changes given fields only, and validates references.
	te.ok("CRS610MI", "ChgBasicData", map[string]string{"CUNO": a, "TOWN": "London", "CUCD": "GBP"})
	got = te.ok("CRS610MI", "GetBasicData", map[string]string{"CUNO": a})[0]
	if got["TOWN"] != "London" || got["CUCD"] != "GBP" || got["CUNM"] != "Ada Lovelace" {
		t.Fatalf("after change %v", got)
	}
	if res := te.fail("CRS610MI", "ChgBasicData", map[string]string{"CUNO": a, "CUCD": "XXX"}); res.ErrorField != "CUCD" {
		t.Fatalf("bad currency change: %+v", res)
	}
	if got := te.ok("CRS610MI", "GetBasicData", map[string]string{"CUNO": a})[0]; got["CUCD"] != "GBP" {
		t.Fatalf("a refused change was applied: %v", got)
	}
	if res := te.fail("CRS610MI", "ChgBasicData", map[string]string{"CUNO": "NOPE", "TOWN": "x"}); res.ErrorField != "CUNO" {
		t.Fatalf("change of unknown customer: %+v", res)
	}

	// LstByNumber: ordered by number, from a start, limited by maxrecs.
	list := te.ok("CRS610MI", "LstByNumber", map[string]string{"CUNO": "10002", "maxrecs": "2"})
	if len(list) != 2 || list[0]["CUNO"] != "10002" || list[1]["CUNO"] != "10003" {
		t.Fatalf("LstByNumber from 10002, 2 records: %v", list)
	}
	if all := te.ok("CRS610MI", "LstByNumber", nil); len(all) != 5 || all[4]["CUNO"] != "EU1" {
		t.Fatalf("LstByNumber all: %v", all)
	}
	cols := te.ok("CRS610MI", "LstByNumber", map[string]string{"returncols": "CUNO,CUNM", "maxrecs": "1"})
	if len(cols) != 1 || len(cols[0]) != 2 {
		t.Fatalf("returncols: %v", cols)
	}

	// AddAddress, and its duplicate key.
	addr := map[string]string{"CUNO": a, "ADRT": "01", "ADID": "SHIP1", "CUA1": "1 Main St", "TOWN": "London"}
	te.ok("CRS610MI", "AddAddress", addr)
	if res := te.fail("CRS610MI", "AddAddress", addr); res.ErrorField != "ADID" || res.ErrorCode != "WAD0104" {
		t.Fatalf("duplicate address: %+v", res)
	}
	st := te.state()
	if len(st.Customers) != 5 || len(st.Customers[0].Addresses) != 1 || st.Customers[0].Addresses[0].CUA1 != "1 Main St" {
		t.Fatalf("state customers %+v", st.Customers)
	}
}

// Concurrent adds get distinct numbers and all land in the state.
func TestConcurrentAdds(t *testing.T) {
	te := newEnv(t, Config{DataDir: t.TempDir()})
	te.login()
	const n = 20
	got := make(chan string, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"program":"CRS610MI","transactions":[{"transaction":"Add","record":{"CUNM":"c%d"}}]}`, i)
			req, _ := http.NewRequest(http.MethodPost, te.url("/DEV/M3/m3api-rest/v2/execute"), strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+te.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			var r miResponse
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.NrOfSuccessfullTransactions != 1 {
				errs <- fmt.Errorf("answer %+v %v", r, err)
				return
			}
			got <- r.Results[0].Records[0]["CUNO"]
		}()
	}
	wg.Wait()
	close(got)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for c := range got {
		if seen[c] {
			t.Fatalf("number %s handed out twice", c)
		}
		seen[c] = true
	}
	if len(seen) != n || len(te.e.State().Customers) != n {
		t.Fatalf("%d numbers, %d customers", len(seen), len(te.e.State().Customers))
	}
}
