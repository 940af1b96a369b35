package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures an Emulator. The zero value is a memory-only emulator
// for tenant DEV with generated credentials and the built-in seed.
type Config struct {
	// Tenant is the ION API tenant id (ti), the first path segment of every
	// URL. Default "DEV".
	Tenant string
	// DataDir keeps the state (state.json and state.journal, one line
	// appended per request that changed state, before it is answered; see
	// journal.go) and credentials.json. "" keeps everything in memory.
	DataDir string
	// TokenTTL is the lifetime of access tokens. Default 2h, as Infor's.
	TokenTTL time.Duration
	// SeedFile is an optional JSON file overriding the built-in master data;
	// see Seed for the format.
	SeedFile string
	// Logger receives request and fault logs; never a secret. Default: discard.
	Logger *slog.Logger
	// The ION API client's keys. Any left empty is taken from DataDir's
	// credentials.json, or generated once and stored there, so a .ionapi
	// file written earlier stays valid across restarts.
	ClientID, ClientSecret, ServiceAccountKey, ServiceAccountSecret string
}

// Emulator is an Infor ION API gateway with M3's MI REST API behind it. It
// is safe for concurrent use.
type Emulator struct {
	cfg      Config
	log      *slog.Logger
	seed     Seed
	md       masterData
	programs map[string]program
	auth     *authServer
	faults   *faultInjector
	handler  http.Handler
	now      func() time.Time

	mu sync.Mutex // guards st and the files of jr
	st *store
	jr *journal // nil without a DataDir

	// checkTransactions: verify every transaction's undo and journal
	// against full snapshots (selfcheck.go); tests only, it is O(state).
	checkTransactions bool

	done      chan struct{} // closed by Close
	closed    atomic.Bool
	closeOnce sync.Once
}

// New loads the seed, the credentials and, with a DataDir, the saved state,
// and returns an emulator ready to serve. A state.json that cannot be read
// is an error: the emulator never replaces data it cannot understand with
// an empty state.
func New(cfg Config) (*Emulator, error) {
	if cfg.Tenant == "" {
		cfg.Tenant = "DEV"
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 2 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	seed, err := loadSeed(cfg.SeedFile)
	if err != nil {
		return nil, fmt.Errorf("infor emulator: %w", err)
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("infor emulator: data dir: %w", err)
		}
	}
	creds, err := resolveCredentials(cfg)
	if err != nil {
		return nil, fmt.Errorf("infor emulator: %w", err)
	}
	e := &Emulator{
		cfg:      cfg,
		log:      cfg.Logger,
		seed:     seed,
		programs: allPrograms(),
		now:      time.Now,
		done:     make(chan struct{}),

		checkTransactions: checkTransactionsDefault,
	}
	e.md = masterData{&e.seed}
	e.auth = newAuthServer(creds, cfg.TokenTTL, func() time.Time { return e.now() })
	e.faults = newFaultInjector(func() time.Time { return e.now() })

	if err := e.loadState(); err != nil {
		return nil, fmt.Errorf("infor emulator: %w", err)
	}
	e.handler = e.routes()
	return e, nil
}

// Handler serves the whole HTTP surface: the token endpoints, MI REST and
// /_emulator.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Tenant is the tenant id the emulator serves (the URL's first segment).
func (e *Emulator) Tenant() string { return e.cfg.Tenant }

// SetFaults replaces the injected faults. Out-of-range values are clamped
// (rates into 0..1); POST /_emulator/faults refuses them instead.
func (e *Emulator) SetFaults(f Faults) {
	e.faults.set(f)
	e.log.Info("infor emulator: faults set", "faults", f.clamp())
}

// Faults returns the faults currently injected.
func (e *Emulator) Faults() Faults { return e.faults.get() }

// State returns a deep copy of the business data, as GET /_emulator/state
// shows it, for tests in other packages.
func (e *Emulator) State() State {
	b := e.stateJSON()
	var st State
	_ = json.Unmarshal(b, &st)
	return st
}

// Reset returns the business data to the seed state (seed customers only,
// number series restarted) and persists it. Tokens and faults are kept.
func (e *Emulator) Reset() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := newStore(seedState(&e.seed), &e.seed)
	if err != nil {
		return err
	}
	if e.jr != nil {
		if err := e.compactLocked(st); err != nil {
			return err
		}
	}
	e.st = st
	return nil
}

// Close stops serving: pending injected timeouts end, later requests get
// 503, and the state is compacted into state.json a last time (the journal
// is left empty). Call it before shutting the HTTP server down, so that
// requests hung by an injected timeout end and do not hold the shutdown
// up. It is safe to call twice.
func (e *Emulator) Close() error {
	var err error
	e.closeOnce.Do(func() {
		e.closed.Store(true)
		close(e.done)
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.jr == nil {
			return
		}
		err = e.compactLocked(e.st)
		if e.jr.f != nil {
			if cerr := e.jr.f.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("infor emulator: close journal: %w", cerr)
			}
			e.jr.f = nil
		}
	})
	return err
}

// loadState builds the store from DataDir (state.json, then the journal)
// or the seed, and with a DataDir compacts the two into a fresh state.json
// and an empty journal, which also drops a torn last line.
func (e *Emulator) loadState() error {
	st, seq := seedState(&e.seed), uint64(0)
	if e.cfg.DataDir != "" {
		var torn bool
		var err error
		if st, seq, torn, err = diskState(e.cfg.DataDir, &e.seed); err != nil {
			return err
		}
		if torn {
			e.log.Warn("infor emulator: ignored the journal's last line, cut short by a crash before it was answered")
		}
	}
	s, err := newStore(st, &e.seed)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	e.st = s
	if e.cfg.DataDir == "" {
		return nil
	}
	e.jr = &journal{dir: e.cfg.DataDir, seq: seq, minLimit: minJournalLimit, sync: newGroupSync()}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.compactLocked(e.st)
}

// routes builds the mux. Go's pattern routing checks methods, so a GET on
// the token endpoint is a 405, as on a real gateway.
func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/as/token.oauth2", e.tenantOnly(e.auth.handleToken))
	mux.HandleFunc("POST /{tenant}/as/revoke_token.oauth2", e.tenantOnly(e.auth.handleRevoke))
	mux.HandleFunc("GET /{tenant}/M3/m3api-rest/v2/execute/{program}/{transaction}", e.tenantOnly(e.auth.requireBearer(e.handleExecute)))
	mux.HandleFunc("POST /{tenant}/M3/m3api-rest/v2/execute", e.tenantOnly(e.auth.requireBearer(e.handleBulk)))
	mux.HandleFunc("GET /_emulator/state", e.handleState)
	mux.HandleFunc("POST /_emulator/reset", e.handleReset)
	mux.HandleFunc("GET /_emulator/faults", e.handleGetFaults)
	mux.HandleFunc("POST /_emulator/faults", e.handleSetFaults)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return e.accessLog(mux)
}

// tenantOnly answers 404 for any tenant but ours, and 503 once closed.
func (e *Emulator) tenantOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if e.closed.Load() {
			writeJSONError(w, http.StatusServiceUnavailable, "unavailable", "the emulator is shutting down")
			return
		}
		if t := r.PathValue("tenant"); t != e.cfg.Tenant {
			writeJSONError(w, http.StatusNotFound, "not_found", fmt.Sprintf("tenant %q is not served here; this emulator serves %q", t, e.cfg.Tenant))
			return
		}
		next(w, r)
	}
}

// accessLog logs each request at debug level: method, path without the
// query (it can carry customer data), status and duration.
func (e *Emulator) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		e.log.Debug("infor emulator: request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (Hijack for
// injected resets).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// writeJSON answers v as JSON. HTML escaping is off: these bodies are read
// by programs and people, and "<access_token>" reads better than
// "\u003caccess_token\u003e".
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error": code, "message": msg})
}
