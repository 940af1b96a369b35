package producer

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// sign uses stripe-go's own test helper, an implementation independent of
// ours, so agreement between the two is what these tests check.
func sign(body []byte, secret string, ts time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload: body, Secret: secret, Timestamp: ts, Scheme: "v1",
	}).Header
}

func sigOnly(body []byte, secret string, ts time.Time) string {
	h := sign(body, secret, ts)
	_, v1, _ := strings.Cut(h, ",v1=")
	return v1
}

func reasonOf(err error) string {
	var ve *VerifyError
	if errors.As(err, &ve) {
		return ve.Reason
	}
	if err == nil {
		return ""
	}
	return "not a VerifyError: " + err.Error()
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":"evt_1","object":"event","type":"charge.succeeded","livemode":false,"data":{"object":{"id":"ch_1"}}}`)
	now := time.Unix(1_764_000_000, 0)
	v := NewVerifier(300*time.Second, "whsec_new", "whsec_old")
	v.now = func() time.Time { return now }

	cases := []struct {
		name   string
		header string
		body   []byte
		want   string
	}{
		{"valid with first secret", sign(body, "whsec_new", now), body, ""},
		{"valid with rolled secret", sign(body, "whsec_old", now), body, ""},
		{"several v1 entries, one good", fmt.Sprintf("t=%d,v1=%s,v1=%s", now.Unix(), sigOnly(body, "whsec_other", now), sigOnly(body, "whsec_old", now)), body, ""},
		{"v0 beside a good v1 is ignored", fmt.Sprintf("t=%d,v0=%s,v1=%s", now.Unix(), sigOnly(body, "whsec_new", now), sigOnly(body, "whsec_new", now)), body, ""},
		{"edge of tolerance in the past", sign(body, "whsec_new", now.Add(-300*time.Second)), body, ""},
		{"edge of tolerance in the future", sign(body, "whsec_new", now.Add(300*time.Second)), body, ""},
		{"wrong secret", sign(body, "whsec_wrong", now), body, ReasonMismatch},
		{"only v0", fmt.Sprintf("t=%d,v0=%s", now.Unix(), sigOnly(body, "whsec_new", now)), body, ReasonNoV1Signature},
		{"missing header", "", body, ReasonMissingHeader},
		{"no timestamp", "v1=" + sigOnly(body, "whsec_new", now), body, ReasonMalformedHeader},
		{"non-numeric timestamp", "t=abc,v1=" + sigOnly(body, "whsec_new", now), body, ReasonMalformedHeader},
		{"two timestamps", fmt.Sprintf("t=%d,t=%d,v1=%s", now.Unix(), now.Unix(), sigOnly(body, "whsec_new", now)), body, ReasonMalformedHeader},
		{"item without equals", fmt.Sprintf("t=%d,garbage,v1=%s", now.Unix(), sigOnly(body, "whsec_new", now)), body, ReasonMalformedHeader},
		{"v1 not hex", fmt.Sprintf("t=%d,v1=%s", now.Unix(), strings.Repeat("zz", 32)), body, ReasonNoV1Signature},
		{"v1 truncated", fmt.Sprintf("t=%d,v1=%s", now.Unix(), sigOnly(body, "whsec_new", now)[:40]), body, ReasonNoV1Signature},
		{"stale timestamp", sign(body, "whsec_new", now.Add(-301*time.Second)), body, ReasonTimestampOld},
		{"future timestamp", sign(body, "whsec_new", now.Add(301*time.Second)), body, ReasonTimestampFuture},
		{"body changed after signing", sign(body, "whsec_new", now), append([]byte(nil), strings.Replace(string(body), "ch_1", "ch_2", 1)...), ReasonMismatch},
		{"body with trailing newline", sign(body, "whsec_new", now), append(append([]byte(nil), body...), '\n'), ReasonMismatch},
		{"signature of another timestamp", fmt.Sprintf("t=%d,v1=%s", now.Unix(), sigOnly(body, "whsec_new", now.Add(-time.Second))), body, ReasonMismatch},
		{"oversized header", "t=1," + strings.Repeat("v9=x,", 500), body, ReasonMalformedHeader},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := reasonOf(v.Verify(tc.header, tc.body)); got != tc.want {
				t.Fatalf("Verify: got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVerifyUpperCaseHexAccepted(t *testing.T) {
	body := []byte(`{}`)
	now := time.Now()
	v := NewVerifier(0, "whsec_x")
	h := fmt.Sprintf("t=%d,v1=%s", now.Unix(), strings.ToUpper(sigOnly(body, "whsec_x", now)))
	if err := v.Verify(h, body); err != nil {
		t.Fatalf("upper-case hex signature refused: %v", err)
	}
}

func TestSecretRotation(t *testing.T) {
	body := []byte(`{"id":"evt_1"}`)
	now := time.Now()
	v := NewVerifier(0, "whsec_a")
	if err := v.Verify(sign(body, "whsec_b", now), body); reasonOf(err) != ReasonMismatch {
		t.Fatalf("before rotation: got %v, want mismatch", err)
	}
	v.SetSecrets([]string{"whsec_a", " whsec_b ", ""})
	if v.SecretCount() != 2 {
		t.Fatalf("SecretCount = %d, want 2", v.SecretCount())
	}
	for _, s := range []string{"whsec_a", "whsec_b"} {
		if err := v.Verify(sign(body, s, now), body); err != nil {
			t.Fatalf("after rotation, %s refused: %v", s, err)
		}
	}
	v.SetSecrets(nil)
	if err := v.Verify(sign(body, "whsec_a", now), body); reasonOf(err) != ReasonNoSecret {
		t.Fatalf("no secrets: got %v", err)
	}
}

func TestVerifyDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector; run without -race (make bench does)")
	}
	body := make([]byte, 3500)
	now := time.Now()
	v := NewVerifier(0, "whsec_a", "whsec_b")
	h := sign(body, "whsec_b", now)
	if err := v.Verify(h, body); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(200, func() { _ = v.Verify(h, body) })
	if allocs > 0 {
		t.Fatalf("Verify allocates %.1f times per call; the hot path must not", allocs)
	}
}

func BenchmarkVerify(b *testing.B) {
	body := make([]byte, 3500)
	now := time.Now()
	v := NewVerifier(0, "whsec_a")
	h := sign(body, "whsec_a", now)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}
