package producer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Why our own verifier rather than stripe-go's webhook.ValidatePayload: that
// one checks a single secret, rejects only timestamps in the past, and splits
// the header with allocations on every request. Rolling secrets, a tolerance
// in both directions and a hot path without garbage need the few lines below.
// The tests sign with stripe-go's helper, so the two stay in agreement.

// DefaultTolerance is how far a signature timestamp may be from now, in
// either direction, as Stripe recommends.
const DefaultTolerance = 300 * time.Second

// maxSignatures bounds how many v1 entries one header may carry, so a hostile
// header cannot make us compute or compare without limit. Stripe sends one
// per active secret.
const maxSignatures = 8

// maxHeaderLen bounds the Stripe-Signature header we are willing to parse.
const maxHeaderLen = 2048

// Reasons a signature check fails; they label metrics and error bodies.
const (
	ReasonMissingHeader   = "missing_header"
	ReasonMalformedHeader = "malformed_header"
	ReasonNoV1Signature   = "no_v1_signature"
	ReasonTimestampOld    = "timestamp_too_old"
	ReasonTimestampFuture = "timestamp_in_future"
	ReasonMismatch        = "signature_mismatch"
	ReasonNoSecret        = "no_secret_configured"
)

// VerifyError says why a request's signature was refused.
type VerifyError struct{ Reason string }

func (e *VerifyError) Error() string { return "stripe signature: " + e.Reason }

// Preallocated errors keep the failure path allocation-free too.
var verifyErrors = map[string]*VerifyError{}

func init() {
	for _, r := range []string{ReasonMissingHeader, ReasonMalformedHeader, ReasonNoV1Signature,
		ReasonTimestampOld, ReasonTimestampFuture, ReasonMismatch, ReasonNoSecret} {
		verifyErrors[r] = &VerifyError{Reason: r}
	}
}

func verifyErr(reason string) error { return verifyErrors[reason] }

// Verifier checks Stripe-Signature headers against every configured secret.
// Secrets can be replaced at any time (SetSecrets) while requests run.
type Verifier struct {
	tolerance time.Duration
	now       func() time.Time
	keys      atomic.Pointer[[]*secretKey]
}

// secretKey keeps a pool of HMAC states for one secret, so verifying does not
// rebuild the HMAC key schedule on every request.
type secretKey struct {
	pool sync.Pool
}

// macState is one pooled HMAC with scratch space, so that nothing passed
// through the hash.Hash interface has to escape to the heap per request.
type macState struct {
	h      hash.Hash
	prefix [24]byte // "<timestamp>."
	sum    [sha256.Size]byte
}

func newSecretKey(secret string) *secretKey {
	k := []byte(secret)
	s := &secretKey{}
	s.pool.New = func() any { return &macState{h: hmac.New(sha256.New, k)} }
	return s
}

// NewVerifier returns a Verifier with the given tolerance (DefaultTolerance
// when zero) and secrets.
func NewVerifier(tolerance time.Duration, secrets ...string) *Verifier {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	v := &Verifier{tolerance: tolerance, now: time.Now}
	v.SetSecrets(secrets)
	return v
}

// SetSecrets replaces the accepted secrets; blanks are ignored.
func (v *Verifier) SetSecrets(secrets []string) {
	keys := make([]*secretKey, 0, len(secrets))
	for _, s := range secrets {
		if s = strings.TrimSpace(s); s != "" {
			keys = append(keys, newSecretKey(s))
		}
	}
	v.keys.Store(&keys)
}

// SecretCount returns how many secrets are accepted now.
func (v *Verifier) SecretCount() int { return len(*v.keys.Load()) }

// SignatureHeader is a Stripe-Signature header that parsed and whose
// timestamp is within the tolerance; only the HMAC remains to be checked.
type SignatureHeader struct{ p parsedHeader }

// CheckHeader parses header and checks its timestamp. It needs no body, so
// the handler refuses a missing, malformed or stale header before reading
// (and allocating for) what an unauthenticated client sends.
func (v *Verifier) CheckHeader(header string, h *SignatureHeader) error {
	if err := parseSignatureHeader(header, &h.p); err != nil {
		return err
	}
	ts := time.Unix(h.p.timestamp, 0)
	now := v.now()
	if now.Sub(ts) > v.tolerance {
		return verifyErr(ReasonTimestampOld)
	}
	if ts.Sub(now) > v.tolerance {
		return verifyErr(ReasonTimestampFuture)
	}
	return nil
}

// Verify returns nil when header carries a v1 signature of body made with one
// of the secrets at a timestamp within the tolerance. Otherwise the error is a
// *VerifyError. Comparison is constant-time.
func (v *Verifier) Verify(header string, body []byte) error {
	var h SignatureHeader
	if err := v.CheckHeader(header, &h); err != nil {
		return err
	}
	return v.VerifyBody(&h, body)
}

// VerifyBody checks body against a header CheckHeader accepted.
func (v *Verifier) VerifyBody(sh *SignatureHeader, body []byte) error {
	h := &sh.p
	keys := *v.keys.Load()
	if len(keys) == 0 {
		return verifyErr(ReasonNoSecret)
	}
	for _, k := range keys {
		st := k.pool.Get().(*macState)
		prefix := append(strconv.AppendInt(st.prefix[:0], h.timestamp, 10), '.')
		st.h.Reset()
		st.h.Write(prefix)
		st.h.Write(body)
		expected := st.h.Sum(st.sum[:0])
		matched := false
		for i := 0; i < h.n; i++ {
			// hmac.Equal is constant-time; keep comparing after a match so
			// timing does not depend on which entry matched.
			if hmac.Equal(expected, h.sigs[i][:]) {
				matched = true
			}
		}
		k.pool.Put(st)
		if matched {
			return nil
		}
	}
	return verifyErr(ReasonMismatch)
}

// parsedHeader is the useful content of a Stripe-Signature header.
type parsedHeader struct {
	timestamp int64
	sigs      [maxSignatures][sha256.Size]byte
	n         int
}

// parseSignatureHeader reads "t=<unix>,v1=<hex>[,v1=<hex>][,v0=<hex>]...".
// Only the v1 scheme counts; v0 and unknown schemes are ignored, as are v1
// values that are not 64 hex digits (Stripe's libraries do the same, so a
// future longer signature does not lock us out while another entry matches).
// Exactly one timestamp is required.
func parseSignatureHeader(header string, h *parsedHeader) error {
	if header == "" {
		return verifyErr(ReasonMissingHeader)
	}
	if len(header) > maxHeaderLen {
		return verifyErr(ReasonMalformedHeader)
	}
	haveTS := false
	for rest := header; rest != ""; {
		var item string
		item, rest, _ = strings.Cut(rest, ",")
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, val, ok := strings.Cut(item, "=")
		if !ok || key == "" {
			return verifyErr(ReasonMalformedHeader)
		}
		switch key {
		case "t":
			if haveTS {
				return verifyErr(ReasonMalformedHeader)
			}
			ts, err := strconv.ParseInt(val, 10, 64)
			if err != nil || ts <= 0 {
				return verifyErr(ReasonMalformedHeader)
			}
			h.timestamp, haveTS = ts, true
		case "v1":
			if h.n == maxSignatures {
				return verifyErr(ReasonMalformedHeader)
			}
			if len(val) != hex.EncodedLen(sha256.Size) {
				continue
			}
			if !decodeHex(h.sigs[h.n][:], val) {
				continue
			}
			h.n++
		}
	}
	if !haveTS {
		return verifyErr(ReasonMalformedHeader)
	}
	if h.n == 0 {
		return verifyErr(ReasonNoV1Signature)
	}
	return nil
}

// decodeHex decodes s into dst (len(s) == 2*len(dst)) without allocating.
func decodeHex(dst []byte, s string) bool {
	for i := range dst {
		hi, ok1 := fromHex(s[2*i])
		lo, ok2 := fromHex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
