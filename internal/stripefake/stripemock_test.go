package stripefake

import (
	"reflect"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/stripemocktest"
)

// The fake's list, item and error objects have the field names of
// stripe-mock's, which come from Stripe's OpenAPI spec: a field added,
// dropped or misspelt here fails.
func TestShapesMatchStripeMock(t *testing.T) {
	mock := stripemocktest.Start(t)
	s := New()
	mustAdd(t, s, charge("txn_1", "ch_1", "po_1", 1000, 100))
	fake := start(t, s)

	for _, path := range []string{"/v1/balance_transactions?limit=1", "/v1/balance_transactions?limit=1&expand[]=data.source&payout=po_1"} {
		want, got := get(t, mock, path, "sk_test_123").json(t), get(t, fake, path, testKey).json(t)
		if !reflect.DeepEqual(keysOf(got), keysOf(want)) {
			t.Fatalf("%s: list fields %v, stripe-mock's %v", path, keysOf(got), keysOf(want))
		}
		wantItem := want["data"].([]any)[0].(map[string]any)
		gotItem := got["data"].([]any)[0].(map[string]any)
		if !reflect.DeepEqual(keysOf(gotItem), keysOf(wantItem)) {
			t.Fatalf("%s: item fields\n%v\nstripe-mock's\n%v", path, keysOf(gotItem), keysOf(wantItem))
		}
	}
	one := "/v1/balance_transactions/txn_1"
	if want, got := get(t, mock, one, "sk_test_123").json(t), get(t, fake, one, testKey).json(t); !reflect.DeepEqual(keysOf(got), keysOf(want)) {
		t.Fatalf("retrieve fields %v, stripe-mock's %v", keysOf(got), keysOf(want))
	}
	// An unknown path: the same error object and status.
	wantA, gotA := get(t, mock, "/v1/nothing_here", "sk_test_123"), get(t, fake, "/v1/nothing_here", testKey)
	if wantA.status != gotA.status || !reflect.DeepEqual(keysOf(errorOf(t, gotA, 404)), keysOf(errorOf(t, wantA, 404))) {
		t.Fatalf("unknown path: %d %s; stripe-mock: %d %s", gotA.status, gotA.body, wantA.status, wantA.body)
	}
	// No key: 401 with an error object of the same fields.
	wantA, gotA = get(t, mock, "/v1/balance_transactions", ""), get(t, fake, "/v1/balance_transactions", "")
	if !reflect.DeepEqual(keysOf(errorOf(t, gotA, 401)), keysOf(wantA.json(t)["error"].(map[string]any))) || wantA.status != 401 {
		t.Fatalf("no key: %s; stripe-mock: %d %s", gotA.body, wantA.status, wantA.body)
	}
}
