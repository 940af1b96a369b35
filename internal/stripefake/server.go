package stripefake

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxRequests bounds the request log: `stripe-infor dev` runs the fake for
// days, and a test needs only the last few. When full, the older half goes.
const maxRequests = 10000

// Request is one request the fake answered on Stripe's paths, for tests.
// It never holds the key, only the mode the key selected.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	// StripeAccount is the Stripe-Account header ("" the platform).
	StripeAccount string
	// Livemode is the mode of the key (false also when there was no valid
	// key; see Status).
	Livemode bool
	// Status is the HTTP status answered.
	Status int
}

// Server is the fake Stripe API, an http.Handler. It is safe for
// concurrent use: the ledger can be loaded while requests are served.
type Server struct {
	keys map[string]bool // nil: any sk_live_/sk_test_ key
	now  func() time.Time

	mu      sync.RWMutex
	byID    map[string]*entry
	ordered []*entry // newest first, as Stripe lists
	seq     uint64

	reqMu sync.Mutex
	reqs  []Request
}

// Option configures a Server.
type Option func(*Server)

// WithKeys accepts exactly these secret keys (sk_live_…, sk_test_…, rk_…);
// a key's mode comes from its prefix, and a key without a live prefix is a
// test-mode key. Without WithKeys any sk_live_/sk_test_ key is accepted,
// which is what a dev stack wants: whatever key a script holds works, and
// still selects its mode. WithKeys() with no key is the same as none.
func WithKeys(keys ...string) Option {
	return func(s *Server) {
		if len(keys) == 0 {
			s.keys = nil
			return
		}
		s.keys = make(map[string]bool, len(keys))
		for _, k := range keys {
			s.keys[k] = true
		}
	}
}

// withClock sets the time that tells an available entry from a pending
// one (tests).
func withClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New returns a fake with an empty ledger.
func New(opts ...Option) *Server {
	s := &Server{now: time.Now, byID: map[string]*entry{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Requests returns the requests answered on Stripe's paths (not /_fake/),
// oldest first, since New or Reset (at least the last 5 000).
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		r.Query = cloneValues(r.Query)
		out[i] = r
	}
	return out
}

func (s *Server) record(r Request) {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	if len(s.reqs) >= maxRequests {
		s.reqs = append(s.reqs[:0], s.reqs[maxRequests/2:]...)
	}
	s.reqs = append(s.reqs, r)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// statusWriter remembers the status written, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP answers Stripe's balance transaction endpoints and the admin
// endpoints under /_fake/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Request-Id", newRequestID())
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	version := r.Header.Get("Stripe-Version")
	if version == "" {
		version = defaultVersion
	}
	w.Header().Set("Stripe-Version", version)
	sw := &statusWriter{ResponseWriter: w}
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: cloneValues(r.URL.Query()), StripeAccount: r.Header.Get("Stripe-Account")}
	defer func() { rec.Status = sw.status; s.record(rec) }()

	live, ok := s.authenticate(sw, r)
	if !ok {
		return
	}
	rec.Livemode = live
	if rec.StripeAccount != "" && !accountPattern.MatchString(rec.StripeAccount) {
		writeError(sw, http.StatusForbidden, stripeError{Type: invalidRequest, Code: "account_invalid",
			Message: "The provided key does not have access to account '" + rec.StripeAccount + "' (or that account does not exist). Application access may have been revoked."})
		return
	}
	const list = "/v1/balance_transactions"
	switch {
	case r.Method == http.MethodGet && r.URL.Path == list:
		s.serveList(sw, r, view{live: live, account: rec.StripeAccount})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, list+"/") && !strings.Contains(r.URL.Path[len(list)+1:], "/") && len(r.URL.Path) > len(list)+1:
		s.serveRetrieve(sw, r, view{live: live, account: rec.StripeAccount}, r.URL.Path[len(list)+1:])
	default:
		writeError(sw, http.StatusNotFound, stripeError{Type: invalidRequest,
			Message: "Unrecognized request URL (" + r.Method + ": " + r.URL.Path + "). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."})
	}
}

// defaultVersion is the API version answered when the request names none:
// the one the pipeline is written for.
const defaultVersion = "2023-10-16"

const requestIDChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newRequestID makes an id shaped as Stripe's (req_ and 14 characters).
func newRequestID() string {
	var b [14]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = requestIDChars[int(b[i])%len(requestIDChars)]
	}
	return "req_" + string(b[:])
}
