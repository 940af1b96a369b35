package infor

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchBodies are MI answers as the adapter gets them: an order head (15
// fields, as the emulator's LstHead), three padded customer records (M3
// pads fixed-length fields with blanks), and an NOK.
var benchBodies = map[string][]byte{
	"order-head": benchJSON(map[string]any{
		"results": []any{map[string]any{"transaction": "LstHead", "records": []map[string]string{{
			"ORNO": "1000000123", "CUNO": "SJ7Q2KX4MA", "ORTP": "WEB", "CUOR": "O3K7ZQ4XW2MB6YV5T1PA", "CUCD": "USD",
			"ORDT": "20251125", "RLDT": "", "WHLO": "", "FACI": "", "TEPY": "", "PYCD": "CC", "YREF": "ch_3PqRsTuVwXyZaBcDeFgHiJkL",
			"NTAM": "49.99", "OBLC": "", "OBTX": "",
		}}}},
		"wasTerminated": false, "nrOfSuccessfullTransactions": 1, "nrOfFailedTransactions": 0,
	}),
	"customers-padded": benchJSON(map[string]any{
		"results": []any{map[string]any{"transaction": "LstByNumber", "records": []map[string]string{
			{"CUNO": "SJ7Q2KX4MA", "CUNM": "Ada Lovelace                        ", "CUA1": "1 Analytical Way                    ", "TOWN": "London              ", "CSCD": "GB ", "MAIL": "ada@example.com", "YREF": "cus_Calls1                    ", "STAT": "20"},
			{"CUNO": "SK2M4PQ7ZB", "CUNM": "Grace Hopper                        ", "CUA1": "Compiler Street 1                   ", "TOWN": "New York            ", "CSCD": "US ", "MAIL": "grace@example.com", "YREF": "cus_Calls2                    ", "STAT": "20"},
			{"CUNO": "SL5B2XW9QC", "CUNM": "Umeå Träd AB \"Nord\"                 ", "CUA1": "Storgatan 3                         ", "TOWN": "Umeå                ", "CSCD": "SE ", "MAIL": "", "YREF": "cus_Calls3                    ", "STAT": "20"},
		}}},
		"wasTerminated": false, "nrOfSuccessfullTransactions": 1, "nrOfFailedTransactions": 0,
	}),
	"nok": benchJSON(map[string]any{
		"results": []any{map[string]any{"transaction": "GetBasicData", "records": []any{},
			"errorMessage": "Customer number SJ7Q2KX4MA does not exist", "errorCode": "WCU0103", "errorField": "CUNO", "errorType": "ServerReturnedNOK"}},
		"wasTerminated": false, "nrOfSuccessfullTransactions": 0, "nrOfFailedTransactions": 1,
	}),
}

func benchJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkDecodeMIResponse is the client's work on an answer's body:
// decode, trim, and find the NOKs.
func BenchmarkDecodeMIResponse(b *testing.B) {
	red := newRedactor("cs-SECRET", "saak-SECRET", "sask-SECRET")
	for _, name := range []string{"order-head", "customers-padded", "nok"} {
		body := benchBodies[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				resp, err := decodeMIResponse(body)
				if err != nil {
					b.Fatal(err)
				}
				resp.results("CRS610MI", []string{"X"}, red)
			}
		})
	}
}

// BenchmarkExecute is one MI call through the client over loopback HTTP to
// a server that answers a fixed order head at once: the client's own cost
// per call (request, token, transport, decoding), with the server's as
// small as it gets.
func BenchmarkExecute(b *testing.B) {
	body := benchBodies["order-head"]
	mux := http.NewServeMux()
	mux.HandleFunc("POST /"+testTenant+"/as/token.oauth2", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"bench-TOKEN","token_type":"Bearer","expires_in":7200}`))
	})
	mux.HandleFunc("GET /"+testTenant+"/M3/m3api-rest/v2/execute/{program}/{transaction}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	cfg := &IONAPI{
		TenantID: testTenant, ClientName: "bench", ClientID: testCI, ClientSecret: testCS,
		IONAPIURL: srv.URL, ProviderURL: srv.URL + "/" + testTenant + "/as/",
		AuthorizePath: "authorization.oauth2", TokenPath: "token.oauth2", RevokePath: "revoke_token.oauth2",
		ServiceAccountAccessKey: testSAAK, ServiceAccountSecretKey: testSASK,
	}
	c, err := NewClient(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	fields := map[string]string{"CUOR": "O3K7ZQ4XW2MB6YV5T1PA", "CUNM": "Umeå Träd & Co+1"}
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.ExecuteWith(ctx, "OIS100MI", "LstHead", fields, ExecuteOptions{MaxRecs: AllRecords})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Records) != 1 || !strings.HasPrefix(res.Records[0]["YREF"], "ch_") {
			b.Fatalf("records %v", res.Records)
		}
	}
}
