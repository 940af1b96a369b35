package producer

import (
	"errors"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

func TestParseEnvelope(t *testing.T) {
	cases := []struct {
		name       string
		body       string
		wantErr    string // reason
		wantField  string
		wantKey    string
		wantType   string
		wantLive   bool
		wantAcct   string
		wantAPIVer string
	}{
		{
			name:    "charge with customer",
			body:    `{"id":"evt_1","object":"event","api_version":"2023-10-16","data":{"object":{"id":"ch_1","object":"charge","customer":"cus_9"}},"livemode":true,"type":"charge.succeeded"}`,
			wantKey: "cus_9", wantType: "charge.succeeded", wantLive: true, wantAPIVer: "2023-10-16",
		},
		{
			name:    "guest charge keys by object id",
			body:    `{"id":"evt_1","object":"event","data":{"object":{"id":"ch_1","object":"charge","customer":null}},"livemode":false,"type":"charge.succeeded"}`,
			wantKey: "ch_1", wantType: "charge.succeeded",
		},
		{
			name:    "customer object keys by its own id",
			body:    `{"id":"evt_1","object":"event","data":{"object":{"id":"cus_7","object":"customer"}},"livemode":false,"type":"customer.created"}`,
			wantKey: "cus_7", wantType: "customer.created",
		},
		{
			name:    "expanded customer",
			body:    `{"id":"evt_1","object":"event","data":{"object":{"id":"in_1","object":"invoice","customer":{"id":"cus_3","object":"customer"}}},"livemode":false,"type":"invoice.paid"}`,
			wantKey: "cus_3", wantType: "invoice.paid",
		},
		{
			name:    "object without id keys by event id",
			body:    `{"id":"evt_5","object":"event","data":{"object":{"object":"balance","available":[]}},"livemode":false,"type":"balance.available"}`,
			wantKey: "evt_5", wantType: "balance.available",
		},
		{
			name:    "connect account and old api version",
			body:    `{"id":"evt_1","object":"event","account":"acct_1","api_version":"2017-08-15","data":{"object":{"id":"po_1","object":"payout"}},"livemode":true,"type":"payout.paid"}`,
			wantKey: "po_1", wantType: "payout.paid", wantLive: true, wantAcct: "acct_1", wantAPIVer: "2017-08-15",
		},
		{name: "truncated json", body: `{"id":"evt_1","object":"event"`, wantErr: ReasonMalformedJSON},
		{name: "empty body", body: ``, wantErr: ReasonMalformedJSON},
		{name: "trailing garbage", body: `{"id":"evt_1"} x`, wantErr: ReasonMalformedJSON},
		{name: "array", body: `[1,2]`, wantErr: ReasonNotAnEvent},
		{name: "not an event object", body: `{"id":"ch_1","object":"charge","type":"x","livemode":false,"data":{"object":{}}}`, wantErr: ReasonNotAnEvent, wantField: "object"},
		{name: "missing id", body: `{"object":"event","type":"x","livemode":false,"data":{"object":{}}}`, wantErr: ReasonNotAnEvent, wantField: "id"},
		{name: "numeric id", body: `{"id":5,"object":"event","type":"x","livemode":false,"data":{"object":{}}}`, wantErr: ReasonNotAnEvent, wantField: "id"},
		{name: "missing type", body: `{"id":"evt_1","object":"event","livemode":false,"data":{"object":{}}}`, wantErr: ReasonNotAnEvent, wantField: "type"},
		{name: "livemode as string", body: `{"id":"evt_1","object":"event","type":"x","livemode":"false","data":{"object":{}}}`, wantErr: ReasonNotAnEvent, wantField: "livemode"},
		{name: "data.object missing", body: `{"id":"evt_1","object":"event","type":"x","livemode":false,"data":{}}`, wantErr: ReasonNotAnEvent, wantField: "data.object"},
		{name: "data.object is a string", body: `{"id":"evt_1","object":"event","type":"x","livemode":false,"data":{"object":"ch_1"}}`, wantErr: ReasonNotAnEvent, wantField: "data.object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, err := ParseEnvelope([]byte(tc.body))
			if tc.wantErr != "" {
				var ee *EnvelopeError
				if !errors.As(err, &ee) {
					t.Fatalf("err = %v, want EnvelopeError %s", err, tc.wantErr)
				}
				if ee.Reason != tc.wantErr || ee.Field != tc.wantField {
					t.Fatalf("got %s/%s, want %s/%s", ee.Reason, ee.Field, tc.wantErr, tc.wantField)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if env.Key() != tc.wantKey || env.Type != tc.wantType || env.Livemode != tc.wantLive ||
				env.Account != tc.wantAcct || env.APIVersion != tc.wantAPIVer {
				t.Fatalf("got %+v key %q", env, env.Key())
			}
		})
	}
}

func BenchmarkParseEnvelope(b *testing.B) {
	body := benchEvent()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEnvelope(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStripeGoConstructEvent is the path the producer avoids: stripe-go
// verifying and decoding the whole event into its types. Compare its ns/op
// with BenchmarkVerify + BenchmarkParseEnvelope.
func BenchmarkStripeGoConstructEvent(b *testing.B) {
	body := benchEvent()
	h := sign(body, "whsec_a", time.Now())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := webhook.ConstructEventWithOptions(body, h, "whsec_a", webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true}); err != nil {
			b.Fatal(err)
		}
	}
}
