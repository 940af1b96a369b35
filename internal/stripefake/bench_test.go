package stripefake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkListPage serves one page of 100 expanded items of a payout from
// a ledger of 10 000 entries (ServeHTTP only, no network).
func BenchmarkListPage(b *testing.B) {
	s := New()
	for i := range 10000 {
		bt := charge(fmt.Sprintf("txn_%05d", i), fmt.Sprintf("ch_%05d", i), fmt.Sprintf("po_%d", i%10), 1000, int64(i))
		bt.SourceObject = map[string]any{"id": bt.Source, "object": "charge", "amount": 1000, "currency": "usd"}
		if err := s.Add(bt); err != nil {
			b.Fatal(err)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/v1/balance_transactions?payout=po_3&limit=100&expand[]=data.source&starting_after=txn_05003", nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
