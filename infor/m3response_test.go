package infor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// The reference: how MI answers were decoded before decodeMI, with
// encoding/json into maps of a type that takes any JSON value as text.
// decodeMI must accept and refuse the same bodies and give the same
// answers (TestDecodeMIMatchesReference, FuzzDecodeMIResponse).
type refResponse struct {
	Results         []refResult `json:"results"`
	WasTerminated   bool        `json:"wasTerminated"`
	NrOfSuccessfull int         `json:"nrOfSuccessfullTransactions"`
	NrOfFailed      int         `json:"nrOfFailedTransactions"`
}

type refResult struct {
	Transaction  string                 `json:"transaction"`
	Records      []map[string]refString `json:"records"`
	ErrorMessage refString              `json:"errorMessage"`
	ErrorCode    refString              `json:"errorCode"`
	ErrorField   refString              `json:"errorField"`
	ErrorType    refString              `json:"errorType"`
}

type refString string

func (s *refString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = refString(v)
	default:
		*s = refString(b)
	}
	return nil
}

func referenceDecode(body []byte) (*miResponse, error) {
	var r refResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	out := &miResponse{WasTerminated: r.WasTerminated, NrOfSuccessfull: r.NrOfSuccessfull, NrOfFailed: r.NrOfFailed}
	if r.Results != nil {
		out.Results = make([]miResult, len(r.Results))
	}
	for i, res := range r.Results {
		mr := miResult{Transaction: res.Transaction, ErrorMessage: string(res.ErrorMessage), ErrorCode: string(res.ErrorCode),
			ErrorField: string(res.ErrorField), ErrorType: string(res.ErrorType)}
		if res.Records != nil {
			mr.Records = make([]map[string]string, len(res.Records))
			for j, rec := range res.Records {
				m := make(map[string]string, len(rec))
				for k, v := range rec {
					m[strings.TrimSpace(k)] = strings.TrimRight(string(v), " ")
				}
				mr.Records[j] = m
			}
		}
		out.Results[i] = mr
	}
	return out, nil
}

// sameAsReference decodes body both ways and describes any difference.
func sameAsReference(body []byte) error {
	want, wantErr := referenceDecode(body)
	got, gotErr := decodeMIResponse(body)
	switch {
	case (wantErr == nil) != (gotErr == nil):
		return fmt.Errorf("reference error %v, decodeMI error %v", wantErr, gotErr)
	case wantErr != nil:
		return nil
	case !reflect.DeepEqual(got, want):
		return fmt.Errorf("decodeMI %#v\nreference %#v", got, want)
	}
	return nil
}

// Hand-picked answers for every rule the decoder keeps: padding, escapes,
// invalid UTF-8 and surrogates, null where a value or a record stands,
// non-string values, case-insensitive and unknown keys, type errors and
// malformed JSON.
var decodeCases = []string{
	`{"results":[{"transaction":"GetBasicData","records":[{"CUNO":"ACME      ","CUNM":"Acme Corp, Umeå   "," STAT ":"20"}]}],"wasTerminated":false,"nrOfSuccessfullTransactions":1,"nrOfFailedTransactions":0}`,
	`{"results":[{"transaction":"X","records":[],"errorMessage":"  Customer number X does not exist   ","errorCode":"WCU0203","errorField":"CUNO","errorType":"ServerReturnedNOK"}],"nrOfFailedTransactions":1}`,
	`{"results":[{"records":[{"A":"tab\there \"quoted\" \\ \/ \b\f\n\r","B":"\u00e5\u00C5 \ud83d\ude00 lone \ud800 x \udc00 \ud800\u0041 end"}]}]}`,
	"{\"results\":[{\"records\":[{\"A\":\"bad \xff utf8 \xc3\",\"B\":\"ok \xc3\xa5\"}]}]}",
	`{"results":[{"records":[null,{"A":null,"B":12.5e-3,"C":true,"D":false,"E":{"x":[1, 2 ,{"y":null}]},"F":[ ],"G":-0}]}]}`,
	`{"results":[null,{"transaction":null,"records":null,"errorMessage":null,"errorCode":7,"errorType":{"k":"v"}}]}`,
	`{"RESULTS":[{"Transaction":"LstHead","RECORDS":[{"ORNO":"1"}],"ErrorMessage":""}],"WasTerminated":true,"NROFFAILEDTRANSACTIONS":0}`,
	`{"metadata":{"field":[{"@name":"CUNO","@type":"A","@length":10}]},"results":[{"transaction":"T","records":[{"CUNO":"1"}],"notes":"x"}],"extra":[1,"2",null,true]}`,
	`null`,
	` {"results":[]} `,
	`{}`,
	`{"results":{}}`,
	`{"results":[1]}`,
	`{"results":[{"records":{}}]}`,
	`{"results":[{"records":["A"]}]}`,
	`{"results":[{"transaction":5}]}`,
	`{"wasTerminated":"true"}`,
	`{"wasTerminated":1}`,
	`{"nrOfFailedTransactions":1.0}`,
	`{"nrOfFailedTransactions":1e2}`,
	`{"nrOfFailedTransactions":"1"}`,
	`{"nrOfFailedTransactions":-3}`,
	`{"nrOfFailedTransactions":99999999999999999999}`,
	`{"nrOfFailedTransactions":null,"wasTerminated":null,"results":null}`,
	`{"results":[]} x`,
	"{} \x00", // found by FuzzDecodeMIResponse: a NUL after the answer
	"{\x00}",
	"{\"results\":[\x00]}",
	`{"results":[]}{}`,
	`{"results":[],}`,
	`{"results":[{"records":[{"A":"x",}]}]}`,
	`{"results":[{"records":[{"A":"x"]}]}`,
	`{'results':[]}`,
	`{"results":[{"records":[{"A":"ctl` + "\x01" + `"}]}]}`,
	`{"results":[{"records":[{"A":"\x"}]}]}`,
	`{"results":[{"records":[{"A":"\u12"}]}]}`,
	`{"results":[{"records":[{"A":01}]}]}`,
	`{"results":[{"records":[{"A":1.}]}]}`,
	`{"results":[{"records":[{"A":-}]}]}`,
	`{"results":[{"records":[{"A":tru}]}]}`,
	`{"results":[{"records":[{"A":nul}]}]}`,
	`{"results":[{"records":[{"A":"unterminated}]}]}`,
	`<html><body>login</body></html>`,
	``,
	`   `,
	`[]`,
	`"results"`,
	strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat(`}`, 10001),
	`{"x":` + strings.Repeat(`[`, 500) + strings.Repeat(`]`, 500) + `,"results":[]}`,
}

func TestDecodeMIMatchesReference(t *testing.T) {
	for i, body := range decodeCases {
		if err := sameAsReference([]byte(body)); err != nil {
			t.Errorf("case %d %.80q: %v", i, body, err)
		}
	}
}

// The decoded answer is what the callers see: trimmed keys and values,
// escapes decoded, non-string values as their JSON text.
func TestDecodeMIRecords(t *testing.T) {
	r, err := decodeMIResponse([]byte(decodeCases[0]))
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{{"CUNO": "ACME", "CUNM": "Acme Corp, Umeå", "STAT": "20"}}
	if !reflect.DeepEqual(r.Results[0].Records, want) || r.NrOfSuccessfull != 1 || r.WasTerminated {
		t.Fatalf("got %+v", r)
	}
	r, err = decodeMIResponse([]byte(decodeCases[4]))
	if err != nil {
		t.Fatal(err)
	}
	want = []map[string]string{{}, {"A": "", "B": "12.5e-3", "C": "true", "D": "false", "E": `{"x":[1, 2 ,{"y":null}]}`, "F": "[ ]", "G": "-0"}}
	if !reflect.DeepEqual(r.Results[0].Records, want) {
		t.Fatalf("got %q", r.Results[0].Records)
	}
	r, err = decodeMIResponse([]byte(decodeCases[2]))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Results[0].Records[0]["B"]; got != "åÅ 😀 lone \ufffd x \ufffd \ufffdA end" {
		t.Fatalf("escapes decoded as %q", got)
	}
	if _, err := decodeMIResponse([]byte(`{"results":[]} x`)); err == nil || !strings.Contains(err.Error(), "decode MI response") {
		t.Fatalf("trailing data: %v", err)
	}
}

// FuzzDecodeMIResponse holds decodeMI to the reference on any body: both
// refuse it, or both give the same answer.
func FuzzDecodeMIResponse(f *testing.F) {
	for _, body := range decodeCases {
		f.Add([]byte(body))
	}
	for _, body := range benchBodies {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if hasDuplicateKeys(body) {
			// encoding/json merges a repeated key into what the first one
			// decoded (and the old trimming picked between "A" and "A " at
			// random); decodeMI lets the last one win. M3 repeats no key.
			t.Skip()
		}
		if err := sameAsReference(body); err != nil {
			t.Fatalf("%q: %v", body, err)
		}
	})
}

// hasDuplicateKeys reports whether some object in body repeats a key,
// compared case-insensitively and trimmed (as decodeMI matches fields and
// record keys).
func hasDuplicateKeys(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		obj  bool
		seen map[string]bool
		key  bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.key {
			if k, ok := tok.(string); ok {
				k = strings.ToLower(strings.TrimSpace(k))
				if top.seen[k] {
					return true
				}
				top.seen[k] = true
				top.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, seen: map[string]bool{}, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].key = true
		}
	}
}
