package stripefake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// itemFields are the fields of a balance_transaction object (API version
// 2023-10-16 plus balance_type, which Stripe sends to every version now).
var itemFields = []string{"amount", "available_on", "balance_type", "created", "currency", "description", "exchange_rate",
	"fee", "fee_details", "id", "net", "object", "reporting_category", "source", "status", "type"}

// An item has Stripe's fields and nothing else, the source is the id or,
// expanded, the object loaded, the rate is the exact number token, and
// status follows available_on.
func TestObjectShapeAndExpansion(t *testing.T) {
	now := time.Unix(1709300000, 0)
	s := New(withClock(func() time.Time { return now }))
	fx := charge("txn_fx", "ch_fx", "po_1", 10876, 1709251200) // available on 1709424000: pending at now
	fx.ExchangeRate = "1.08765432109876"
	fx.SourceObject = map[string]any{"id": "ch_fx", "object": "charge", "amount": json.Number("10000"), "amount_captured": 10000, "currency": "eur"}
	fee := BalanceTransaction{ID: "txn_fee", Type: "stripe_fee", Amount: -200, Net: -200, Currency: "usd", Created: 1709000000,
		AvailableOn: 1709000000, Payout: "po_1", Description: "Radar (2024-02-01 - 2024-02-29)"}
	mustAdd(t, s, fx, fee)
	base := start(t, s)

	a := get(t, base, "/v1/balance_transactions?expand[]=data.source", testKey, "Stripe-Version", "2024-04-10")
	list := a.json(t)
	if got := keysOf(list); !reflect.DeepEqual(got, []string{"data", "has_more", "object", "url"}) || list["object"] != "list" ||
		list["url"] != "/v1/balance_transactions" || list["has_more"] != false {
		t.Fatalf("list envelope: %s", a.body)
	}
	if a.header.Get("Content-Type") != "application/json" || !strings.HasPrefix(a.header.Get("Request-Id"), "req_") || a.header.Get("Stripe-Version") != "2024-04-10" {
		t.Fatalf("headers: %v", a.header)
	}
	data := list["data"].([]any)
	if len(data) != 2 {
		t.Fatalf("%d items: %s", len(data), a.body)
	}
	item := data[0].(map[string]any)
	if got := keysOf(item); !reflect.DeepEqual(got, itemFields) {
		t.Fatalf("item fields %v\nwant %v", got, itemFields)
	}
	if item["id"] != "txn_fx" || item["object"] != "balance_transaction" || item["status"] != "pending" || item["description"] != nil ||
		item["reporting_category"] != "charge" || item["balance_type"] != "payments" || item["amount"] != json.Number("10876") {
		t.Fatalf("item: %v", item)
	}
	if src, ok := item["source"].(map[string]any); !ok || src["id"] != "ch_fx" || src["amount_captured"] != json.Number("10000") || src["currency"] != "eur" {
		t.Fatalf("expanded source: %v", item["source"])
	}
	if !strings.Contains(a.body, `"exchange_rate":1.08765432109876,`) {
		t.Fatalf("exchange_rate is not the exact token: %s", a.body)
	}
	fd := item["fee_details"].([]any)
	if len(fd) != 1 || !reflect.DeepEqual(keysOf(fd[0].(map[string]any)), []string{"amount", "application", "currency", "description", "type"}) {
		t.Fatalf("fee_details: %v", fd)
	}
	feeItem := data[1].(map[string]any)
	if feeItem["source"] != nil || feeItem["exchange_rate"] != nil || feeItem["status"] != "available" || feeItem["reporting_category"] != "fee" ||
		feeItem["description"] != "Radar (2024-02-01 - 2024-02-29)" || len(feeItem["fee_details"].([]any)) != 0 {
		t.Fatalf("fee item: %v", feeItem)
	}

	// Not expanded: the id. A retrieve expands with expand[]=source, in
	// either of Stripe's spellings.
	if item := get(t, base, "/v1/balance_transactions", testKey).json(t)["data"].([]any)[0].(map[string]any); item["source"] != "ch_fx" {
		t.Fatalf("unexpanded source: %v", item["source"])
	}
	one := get(t, base, "/v1/balance_transactions/txn_fx", testKey).json(t)
	if one["source"] != "ch_fx" || !reflect.DeepEqual(keysOf(one), itemFields) {
		t.Fatalf("retrieve: %v", one)
	}
	for _, q := range []string{"expand[]=source", "expand[0]=source"} {
		a := get(t, base, "/v1/balance_transactions/txn_fx?"+q, testKey)
		if src, ok := a.json(t)["source"].(map[string]any); !ok || src["object"] != "charge" {
			t.Fatalf("retrieve %s: %s", q, a.body)
		}
	}
	// The loaded map is the caller's: changing it later changes nothing.
	fx.SourceObject["amount_captured"] = 1
	if a := get(t, base, "/v1/balance_transactions/txn_fx?expand[]=source", testKey); !strings.Contains(a.body, `"amount_captured":10000`) {
		t.Fatalf("the fake shares the caller's map: %s", a.body)
	}
}

// Pages go newest first, ties in the order added (later first), forward
// with starting_after and back with ending_before, has_more true exactly
// when more lie in the direction paged.
func TestPagination(t *testing.T) {
	s := New()
	for i := range 25 {
		mustAdd(t, s, charge(fmt.Sprintf("txn_%03d", i), fmt.Sprintf("ch_%03d", i), "po_1", 1000, int64(100+i/5))) // five per second
	}
	base := start(t, s)
	page := func(q string) ([]string, bool) {
		a := get(t, base, "/v1/balance_transactions?"+q, testKey)
		return ids(t, a), a.json(t)["has_more"] == true
	}
	for _, tc := range []struct {
		q    string
		want []string
		more bool
	}{
		{"", seqIDs("txn_", 24, 15), true}, // default limit 10
		{"starting_after=txn_015", seqIDs("txn_", 14, 5), true},
		{"starting_after=txn_005", seqIDs("txn_", 4, 0), false},
		{"starting_after=txn_005&limit=5", seqIDs("txn_", 4, 0), false},
		{"starting_after=txn_006&limit=5", seqIDs("txn_", 5, 1), true},
		{"limit=100", seqIDs("txn_", 24, 0), false},
		{"ending_before=txn_004&limit=3", seqIDs("txn_", 7, 5), true},
		{"ending_before=txn_020&limit=10", seqIDs("txn_", 24, 21), false},
		{"ending_before=txn_024", nil, false},
		{"starting_after=txn_000", nil, false},
	} {
		got, more := page(tc.q)
		if !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) || more != tc.more {
			t.Fatalf("%q: %v has_more=%v, want %v has_more=%v", tc.q, got, more, tc.want, tc.more)
		}
	}
}

// The filters of Stripe's list: payout, type, source, currency, created.
func TestListFilters(t *testing.T) {
	s := New()
	refund := BalanceTransaction{ID: "txn_re", Type: "refund", Source: "re_1", Amount: -500, Net: -500, Currency: "usd", Created: 300, Payout: "po_2"}
	eur := charge("txn_eur", "ch_eur", "po_2", 900, 400)
	eur.Currency, eur.FeeDetails = "eur", nil
	mustAdd(t, s, charge("txn_a", "ch_a", "po_1", 1000, 100), charge("txn_b", "ch_b", "po_1", 2000, 200), refund, eur,
		charge("txn_c", "ch_c", "", 3000, 500))
	base := start(t, s)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"payout=po_1", []string{"txn_b", "txn_a"}},
		{"payout=po_2", []string{"txn_eur", "txn_re"}},
		{"payout=po_none", nil},
		{"type=refund", []string{"txn_re"}},
		{"source=ch_b", []string{"txn_b"}},
		{"currency=eur", []string{"txn_eur"}},
		{"created=200", []string{"txn_b"}},
		{"created[gte]=200&created[lt]=400", []string{"txn_re", "txn_b"}},
		{"created[gt]=200&created[lte]=400", []string{"txn_eur", "txn_re"}},
		{"type=charge&payout=po_2", []string{"txn_eur"}},
		// A cursor need not match the filters: it is a position.
		{"payout=po_1&starting_after=txn_re", []string{"txn_b", "txn_a"}},
	} {
		if got := ids(t, get(t, base, "/v1/balance_transactions?"+tc.q, testKey)); !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Fatalf("%s: %v, want %v", tc.q, got, tc.want)
		}
	}
}

// Stripe's error answers: status, type, code and param as Stripe sends
// them, and never the key.
func TestErrorAnswers(t *testing.T) {
	s := New()
	live := charge("txn_live", "ch_live", "po_1", 1000, 100)
	live.Livemode = true
	mustAdd(t, s, charge("txn_1", "ch_1", "po_1", 1000, 100), live)
	base := start(t, s)
	for _, tc := range []struct {
		name, method, path, key string
		headers                 []string
		status                  int
		code, param, message    string
	}{
		{"no key", "GET", "/v1/balance_transactions", "", nil, 401, "", "", "You did not provide an API key."},
		{"unknown key", "GET", "/v1/balance_transactions", "sk_test", nil, 401, "", "", "Invalid API Key provided: ****"},
		{"publishable key", "GET", "/v1/balance_transactions", "pk_test_51FakeTestSecretDoNotPrint0123", nil, 401, "", "", "Invalid API Key provided: pk_test_****"},
		{"limit 0", "GET", "/v1/balance_transactions?limit=0", testKey, nil, 400, "", "limit", "Invalid limit: must be between 1 and 100"},
		{"limit 101", "GET", "/v1/balance_transactions?limit=101", testKey, nil, 400, "", "limit", "Invalid limit: must be between 1 and 100"},
		{"limit abc", "GET", "/v1/balance_transactions?limit=abc", testKey, nil, 400, "parameter_invalid_integer", "limit", "Invalid integer: abc"},
		{"created x", "GET", "/v1/balance_transactions?created[gte]=x", testKey, nil, 400, "parameter_invalid_integer", "created[gte]", "Invalid integer: x"},
		{"unknown parameter", "GET", "/v1/balance_transactions?payouts=po_1", testKey, nil, 400, "parameter_unknown", "payouts", "Received unknown parameter: payouts"},
		{"both cursors", "GET", "/v1/balance_transactions?starting_after=txn_1&ending_before=txn_1", testKey, nil, 400, "", "", "You may only specify one of these parameters: ending_before, starting_after."},
		{"bad expand", "GET", "/v1/balance_transactions?expand[]=data.fee_details", testKey, nil, 400, "", "expand[]", "This property cannot be expanded (data.fee_details)."},
		{"unknown cursor", "GET", "/v1/balance_transactions?starting_after=txn_nope", testKey, nil, 400, "resource_missing", "starting_after", "No such balance_transaction: 'txn_nope'"},
		{"cursor of the other mode", "GET", "/v1/balance_transactions?ending_before=txn_live", testKey, nil, 400, "resource_missing", "ending_before", "No such balance_transaction: 'txn_live'"},
		{"unknown id", "GET", "/v1/balance_transactions/txn_nope", testKey, nil, 404, "resource_missing", "id", "No such balance_transaction: 'txn_nope'"},
		{"id of the other mode", "GET", "/v1/balance_transactions/txn_live", testKey, nil, 404, "resource_missing", "id", "No such balance_transaction: 'txn_live'"},
		{"id of the platform with an account", "GET", "/v1/balance_transactions/txn_1", testKey, []string{"Stripe-Account", "acct_1Other"}, 404, "resource_missing", "id", "No such balance_transaction: 'txn_1'"},
		{"retrieve parameter", "GET", "/v1/balance_transactions/txn_1?limit=3", testKey, nil, 400, "parameter_unknown", "limit", "Received unknown parameter: limit"},
		{"POST", "POST", "/v1/balance_transactions", testKey, nil, 404, "", "", "Unrecognized request URL (POST: /v1/balance_transactions)."},
		{"other resource", "GET", "/v1/payouts/po_1", testKey, nil, 404, "", "", "Unrecognized request URL (GET: /v1/payouts/po_1)."},
		{"malformed account", "GET", "/v1/balance_transactions", testKey, []string{"Stripe-Account", "not-an-account"}, 403, "account_invalid", "", "does not have access to account 'not-an-account'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, tc.method, base+tc.path, tc.key, nil, tc.headers...)
			e := errorOf(t, a, tc.status)
			if e["type"] != "invalid_request_error" || str(e["code"]) != tc.code || str(e["param"]) != tc.param || !strings.Contains(str(e["message"]), tc.message) {
				t.Fatalf("error %v, want code %q param %q message containing %q", e, tc.code, tc.param, tc.message)
			}
			if tc.code != "" && e["doc_url"] != "https://stripe.com/docs/error-codes/"+strings.ReplaceAll(tc.code, "_", "-") {
				t.Fatalf("doc_url %v", e["doc_url"])
			}
			if strings.Contains(a.body, "DoNotPrint") || strings.Contains(a.body, "51Fake") {
				t.Fatalf("the key is in the answer: %s", a.body)
			}
		})
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// Basic auth with the key as the user (curl -u sk_test_…:) works as
// Bearer does, and the key's prefix picks the mode.
func TestBasicAuthAndKeyModes(t *testing.T) {
	s := New(WithKeys("rk_live_restricted1", "sk_test_dev"))
	live := charge("txn_live", "ch_live", "po_1", 1000, 100)
	live.Livemode = true
	mustAdd(t, s, live, charge("txn_test", "ch_test", "po_1", 1000, 100))
	base := start(t, s)
	for key, want := range map[string]string{"rk_live_restricted1": "txn_live", "sk_test_dev": "txn_test"} {
		req, _ := http.NewRequest("GET", base+"/v1/balance_transactions", nil)
		req.SetBasicAuth(key, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var l struct{ Data []struct{ ID string } }
		err = json.NewDecoder(resp.Body).Decode(&l)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || len(l.Data) != 1 || l.Data[0].ID != want {
			t.Fatalf("basic auth with %s: %d %+v %v", key[:8], resp.StatusCode, l, err)
		}
	}
	if a := get(t, base, "/v1/balance_transactions", "sk_test_other"); a.status != 401 {
		t.Fatalf("a key not in WithKeys: %d", a.status)
	}
	if a := get(t, base, "/v1/balance_transactions", "", "Authorization", "bearer sk_test_dev"); a.status != 200 {
		t.Fatalf("lower-case bearer: %d %s", a.status, a.body)
	}
}
