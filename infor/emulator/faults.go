package emulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults is what can go wrong between a client and M3, injected on MI calls
// only (the token endpoint and /_emulator stay reliable, so a test can
// always set up and inspect). It is the body of POST /_emulator/faults; the
// zero value injects nothing.
type Faults struct {
	// LatencyMS is added to every call, plus a uniform random 0..JitterMS.
	LatencyMS int `json:"latency_ms"`
	JitterMS  int `json:"jitter_ms"`
	// ErrorRate is the fraction of calls answered 500, 502 or 503.
	ErrorRate float64 `json:"error_rate"`
	// TimeoutRate is the fraction of calls never answered: the request
	// hangs until the client gives up (or the emulator closes).
	TimeoutRate float64 `json:"timeout_rate"`
	// ResetRate is the fraction of calls whose connection is closed without
	// an answer (a TCP reset where the platform allows it).
	ResetRate float64 `json:"reset_rate"`
	// LostAnswerRate is the fraction of calls that M3 carries out (the
	// state change is made and persisted exactly as normal) but whose
	// answer never reaches the client: the connection is closed instead.
	// It is the "done, but the answer was lost" case a client that is
	// idempotent by lookup has to handle; the other rates fail a call
	// before it reaches M3.
	LostAnswerRate float64 `json:"lost_answer_rate"`
	// RateLimitRPS, when > 0, admits that many calls per second on average
	// (bursts of up to one second's worth); calls above it get 429 with
	// Retry-After in seconds.
	RateLimitRPS float64 `json:"rate_limit_rps"`
	// Programs limits the faults to these MI programs; empty means all.
	Programs []string `json:"programs,omitempty"`
	// Seed seeds the random source each time faults are set, so a run with
	// the same faults and calls injects the same failures.
	Seed uint64 `json:"seed,omitempty"`
}

// validate refuses settings that cannot mean anything, so a typo in a test
// is an error rather than a silent no-op.
func (f Faults) validate() error {
	switch {
	case f.LatencyMS < 0 || f.JitterMS < 0:
		return fmt.Errorf("latency_ms and jitter_ms must not be negative")
	case f.RateLimitRPS < 0 || math.IsNaN(f.RateLimitRPS) || math.IsInf(f.RateLimitRPS, 0):
		return fmt.Errorf("rate_limit_rps must be a number ≥ 0")
	}
	for name, r := range map[string]float64{"error_rate": f.ErrorRate, "timeout_rate": f.TimeoutRate, "reset_rate": f.ResetRate, "lost_answer_rate": f.LostAnswerRate} {
		if !(r >= 0 && r <= 1) {
			return fmt.Errorf("%s must be between 0 and 1", name)
		}
	}
	if f.ErrorRate+f.TimeoutRate+f.ResetRate+f.LostAnswerRate > 1 {
		return fmt.Errorf("error_rate + timeout_rate + reset_rate + lost_answer_rate must not exceed 1")
	}
	return nil
}

// clamp makes any Faults usable (SetFaults has no error to return): rates
// into 0..1 and their sum to at most 1, negatives to zero.
func (f Faults) clamp() Faults {
	c := func(v float64) float64 {
		if !(v > 0) {
			return 0
		}
		return min(v, 1)
	}
	f.ErrorRate, f.TimeoutRate, f.ResetRate, f.LostAnswerRate = c(f.ErrorRate), c(f.TimeoutRate), c(f.ResetRate), c(f.LostAnswerRate)
	if s := f.ErrorRate + f.TimeoutRate + f.ResetRate + f.LostAnswerRate; s > 1 {
		f.ErrorRate, f.TimeoutRate, f.ResetRate, f.LostAnswerRate = f.ErrorRate/s, f.TimeoutRate/s, f.ResetRate/s, f.LostAnswerRate/s
	}
	f.LatencyMS, f.JitterMS = max(f.LatencyMS, 0), max(f.JitterMS, 0)
	if !(f.RateLimitRPS > 0) || math.IsInf(f.RateLimitRPS, 0) {
		f.RateLimitRPS = 0
	}
	f.Programs = slices.Clone(f.Programs)
	return f
}

// faultInjector holds the current faults, the random source and the rate
// limiter's bucket.
type faultInjector struct {
	mu     sync.Mutex
	f      Faults
	rnd    *rand.Rand
	tokens float64   // rate limiter bucket
	last   time.Time // when tokens was last refilled
	now    func() time.Time
}

func newFaultInjector(now func() time.Time) *faultInjector {
	fi := &faultInjector{now: now}
	fi.set(Faults{})
	return fi
}

func (fi *faultInjector) set(f Faults) {
	f = f.clamp()
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.f = f
	fi.rnd = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	fi.tokens = max(f.RateLimitRPS, 1)
	fi.last = fi.now()
}

func (fi *faultInjector) get() Faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	f := fi.f
	f.Programs = slices.Clone(f.Programs)
	return f
}

// fault kinds decided for one call.
type faultKind int

const (
	faultNone faultKind = iota
	faultRateLimited
	faultError
	faultTimeout
	faultReset
	faultLostAnswer // carried out, then the connection is closed unanswered
)

// decide draws the fate of one call of prog: rate limit first (the gateway
// refuses before anything reaches M3), then one random draw split between
// reset, timeout, 5xx and lost answer so the rates are exact fractions and
// exclusive. The lost answer comes last so that adding it leaves the draws
// of the other faults, for a given seed, as they were.
func (fi *faultInjector) decide(prog string) (kind faultKind, delay time.Duration, retryAfter int, status int) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	f := fi.f
	if len(f.Programs) > 0 && !slices.ContainsFunc(f.Programs, func(p string) bool { return strings.EqualFold(p, prog) }) {
		return faultNone, 0, 0, 0
	}
	if f.RateLimitRPS > 0 {
		now := fi.now()
		fi.tokens = min(fi.tokens+now.Sub(fi.last).Seconds()*f.RateLimitRPS, max(f.RateLimitRPS, 1))
		fi.last = now
		if fi.tokens < 1 {
			return faultRateLimited, 0, max(1, int(math.Ceil((1-fi.tokens)/f.RateLimitRPS))), http.StatusTooManyRequests
		}
		fi.tokens--
	}
	delay = time.Duration(f.LatencyMS) * time.Millisecond
	if f.JitterMS > 0 {
		delay += time.Duration(fi.rnd.Int64N(int64(f.JitterMS)*int64(time.Millisecond) + 1))
	}
	switch p := fi.rnd.Float64(); {
	case p < f.ResetRate:
		return faultReset, delay, 0, 0
	case p < f.ResetRate+f.TimeoutRate:
		return faultTimeout, delay, 0, 0
	case p < f.ResetRate+f.TimeoutRate+f.ErrorRate:
		return faultError, delay, 0, []int{500, 502, 503}[fi.rnd.IntN(3)]
	case p < f.ResetRate+f.TimeoutRate+f.ErrorRate+f.LostAnswerRate:
		return faultLostAnswer, delay, 0, 0
	}
	return faultNone, delay, 0, 0
}

// apply carries out the faults for one MI call of prog that strike before
// M3 and reports whether the call should go on to M3 (proceed), and if so
// whether its answer is then to be lost (loseAnswer: the caller runs the
// call, persists it, and closes the connection with resetConnection instead
// of answering). done is closed when the emulator closes; it ends waits
// early so Close never hangs on an injected timeout.
func (fi *faultInjector) apply(w http.ResponseWriter, r *http.Request, prog string, done <-chan struct{}) (proceed, loseAnswer bool) {
	kind, delay, retryAfter, status := fi.decide(prog)
	if kind == faultRateLimited {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		writeJSONError(w, status, "rate_limited", fmt.Sprintf("too many requests; retry after %d s", retryAfter))
		return false, false
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false, false
		case <-done:
			panic(http.ErrAbortHandler)
		}
	}
	switch kind {
	case faultError:
		writeJSONError(w, status, "server_error", fmt.Sprintf("injected fault: HTTP %d", status))
		return false, false
	case faultTimeout:
		select {
		case <-r.Context().Done():
		case <-done:
		}
		// Whatever ended the wait, the call gets no answer.
		panic(http.ErrAbortHandler)
	case faultReset:
		resetConnection(w)
		return false, false
	}
	return true, kind == faultLostAnswer
}

// resetConnection drops the client's connection without an answer. With
// HTTP/1 it takes the connection over and closes it with SO_LINGER 0, so
// the client sees a TCP reset, the harshest ordinary network failure;
// otherwise (HTTP/2) it aborts the stream.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
