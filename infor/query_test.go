package infor

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// referenceQuery is how the query was built before encodeQuery: with
// url.Values, then "+" rewritten to %20.
func referenceQuery(fields map[string]string, o ExecuteOptions) string {
	q := make(url.Values, len(fields)+2)
	for k, v := range fields {
		q.Set(k, v)
	}
	switch {
	case o.MaxRecs == AllRecords:
		q.Set("maxrecs", "0")
	case o.MaxRecs > 0:
		q.Set("maxrecs", strconv.Itoa(o.MaxRecs))
	}
	if len(o.ReturnCols) > 0 {
		q.Set("returncols", strings.Join(o.ReturnCols, ","))
	}
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}

func TestEncodeQueryMatchesURLValues(t *testing.T) {
	cases := []struct {
		fields map[string]string
		o      ExecuteOptions
	}{
		{nil, ExecuteOptions{}},
		{map[string]string{}, ExecuteOptions{MaxRecs: AllRecords}},
		{map[string]string{"CUNO": "ACME", "CUNM": "Acme & Co+1 = 100% ~ok~", "TX40": "åäö/ü?#", "EMPTY": ""}, ExecuteOptions{}},
		{map[string]string{"CUOR": "O3K7ZQ4XW2MB6YV5T1PA"}, ExecuteOptions{MaxRecs: AllRecords, ReturnCols: []string{"ORNO", "YREF"}}},
		{map[string]string{"maxrecs": "7", "returncols": "A"}, ExecuteOptions{MaxRecs: 25, ReturnCols: []string{"CUNO", "CUNM"}}},
		{map[string]string{"maxrecs": "7", "returncols": "A"}, ExecuteOptions{}},
		{map[string]string{"a b": "c\x00d\x7f\xff", "Z": "-_.~"}, ExecuteOptions{MaxRecs: 3}},
	}
	for _, tc := range cases {
		if got, want := encodeQuery(tc.fields, tc.o), referenceQuery(tc.fields, tc.o); got != want {
			t.Errorf("%v %+v:\n got  %s\n want %s", tc.fields, tc.o, got, want)
		}
	}
}

func FuzzEncodeQuery(f *testing.F) {
	f.Add("CUNM", "Acme & Co+1", "TX40", "inv 1 ch_x", 0, "")
	f.Add("maxrecs", "5", "returncols", "A,B", -1, "ORNO")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string, maxrecs int, cols string) {
		fields := map[string]string{k1: v1, k2: v2}
		o := ExecuteOptions{MaxRecs: maxrecs}
		if cols != "" {
			o.ReturnCols = strings.Split(cols, ",")
		}
		if got, want := encodeQuery(fields, o), referenceQuery(fields, o); got != want {
			t.Fatalf("%q %+v:\n got  %s\n want %s", fields, o, got, want)
		}
	})
}

// BenchmarkEncodeQuery: a payment line's fields, as the adapter sends them.
func BenchmarkEncodeQuery(b *testing.B) {
	fields := map[string]string{"STNB": "1000123", "ACAM": "49.99", "VLDT": "20251125", "REFE": "ch_3PqRsTuVwXyZaBcDeFgHiJkL", "TX40": "inv 40000001 txn_3PqRsTuVwXyZaBcDeFgHiJk"}
	o := ExecuteOptions{MaxRecs: AllRecords}
	b.Run("encodeQuery", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			encodeQuery(fields, o)
		}
	})
	b.Run("url.Values", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			referenceQuery(fields, o)
		}
	})
}
