package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
)

// logBuffer collects the stages' JSON log lines.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
	part  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part.Write(p)
	for {
		line, err := l.part.ReadString('\n')
		if err != nil {
			l.part.Reset()
			l.part.WriteString(line)
			return len(p), nil
		}
		l.lines = append(l.lines, strings.TrimSpace(line))
	}
}

func (l *logBuffer) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// since returns at most n of the lines written after mark, the last ones.
func (l *logBuffer) since(mark, n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := l.lines[min(mark, len(l.lines)):]
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// requestLog records what the fake Stripe API was asked (never the key:
// only its mode), for the stripe-mock test.
type requestLog struct {
	next http.Handler
	mu   sync.Mutex
	reqs []stripeRequest
}

type stripeRequest struct {
	Method, Path, RawQuery, Account, Version string
	Live                                     bool
	Status                                   int
}

func (l *requestLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rw := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	l.next.ServeHTTP(rw, r)
	auth := r.Header.Get("Authorization")
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, stripeRequest{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Account: r.Header.Get("Stripe-Account"), Version: r.Header.Get("Stripe-Version"),
		Live: strings.Contains(auth, "_live_"), Status: rw.status})
}

func (l *requestLog) take() []stripeRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.reqs
	l.reqs = nil
	return out
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
