package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stripe-infor/stripe-infor/internal/alert"
	"github.com/stripe-infor/stripe-infor/internal/config"
)

// The sink's secrets that Kubernetes mounts as files and rotates in place:
// each is read through config.Watch, so STRIPE_API_KEY_FILE,
// STRIPE_TEST_API_KEY_FILE, ALERT_WEBHOOK_URL_FILE and REDIS_PASSWORD_FILE
// are re-read every second while the sink runs, and the clients ask for the
// current value when they use it (the Stripe client per request, Redis per
// new connection, the alerter per alert). The .ionapi files are watched by
// infor.WatchIONAPIFile (sinkStage.watchIONAPI).

// watchSinkSecrets replaces the plain values bindSinkFlags read with
// watched ones and returns the watchers, for runSink to run.
func watchSinkSecrets(s *sinkSettings, log *slog.Logger) ([]*config.Watched, error) {
	var ws []*config.Watched
	watch := func(name string, value *string, fn *func() string) error {
		w, err := config.Watch(name, "", false, nil, log)
		if err != nil {
			return err
		}
		*value = w.Get()
		if w.FromFile() {
			*fn = w.Get
			ws = append(ws, w)
		}
		return nil
	}
	for _, sec := range []struct {
		name  string
		value *string
		fn    *func() string
	}{
		{"STRIPE_API_KEY", &s.stripeKey, &s.stripeKeyFn},
		{"STRIPE_TEST_API_KEY", &s.stripeTestKey, &s.stripeTestKeyFn},
		{"ALERT_WEBHOOK_URL", &s.alertURL, &s.alertURLFn},
		{"REDIS_PASSWORD", &s.redisPassword, &s.redisPasswordFn},
	} {
		if err := watch(sec.name, sec.value, sec.fn); err != nil {
			return nil, err
		}
	}
	if s.redisPassword != "" && s.redisPasswordFn == nil {
		v := s.redisPassword
		s.redisPasswordFn = func() string { return v }
	}
	var err error
	if s.redisCAFile, err = config.String("REDIS_TLS_CA_FILE", ""); err != nil {
		return nil, err
	}
	return ws, nil
}

// rotatingAlerter is the sink's alert notifier when ALERT_WEBHOOK_URL may
// change: at each alert it compares the current URL with the one its
// notifier posts to, and on a change starts a notifier for the new URL
// and closes the old one (which sends what it had queued). The rate-limit
// windows start afresh with the new notifier; the metric series carry on.
// A URL that is not valid is logged and the previous notifier kept.
type rotatingAlerter struct {
	url func() string
	cfg alert.Config // URL filled per notifier
	log *slog.Logger

	mu  sync.RWMutex
	cur *alert.Notifier // nil: alerts off (no URL yet)
	at  string          // URL of cur
}

// newRotatingAlerter starts the notifier for the current URL; an invalid
// one is an error at start (alert.New never quotes the URL).
func newRotatingAlerter(url func() string, log *slog.Logger, reg prometheus.Registerer) (*rotatingAlerter, error) {
	r := &rotatingAlerter{url: url, cfg: alert.Config{Logger: log, Registerer: reg}, log: log}
	if u := url(); u != "" {
		n, err := r.notifier(u)
		if err != nil {
			return nil, err
		}
		r.cur, r.at = n, u
	}
	return r, nil
}

func (r *rotatingAlerter) notifier(url string) (*alert.Notifier, error) {
	c := r.cfg
	c.URL = url
	return alert.New(c)
}

// Notify posts a through the notifier of the current URL. It never blocks
// on the network: a swap only builds a notifier, and the old one drains in
// the background.
func (r *rotatingAlerter) Notify(a alert.Alert) {
	if u := r.url(); u != "" && u != r.current() {
		r.swap(u)
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	r.cur.Notify(a) // a nil Notifier does nothing
}

func (r *rotatingAlerter) current() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.at
}

func (r *rotatingAlerter) swap(url string) {
	r.mu.Lock()
	if url == r.at {
		r.mu.Unlock()
		return
	}
	n, err := r.notifier(url)
	if err != nil {
		r.at = url // do not retry the same bad value on every alert
		r.mu.Unlock()
		r.log.Warn("ALERT_WEBHOOK_URL changed to a value that is not usable; alerts keep going to the previous one", "err", err)
		return
	}
	old := r.cur
	r.cur, r.at = n, url
	r.mu.Unlock()
	r.log.Info("ALERT_WEBHOOK_URL changed; alerts go to the new webhook")
	if old != nil {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := old.Close(ctx); err != nil {
				r.log.Warn("alerts queued for the previous webhook not all sent", "err", err)
			}
		}()
	}
}

// Close closes the current notifier (see alert.Notifier.Close).
func (r *rotatingAlerter) Close(ctx context.Context) error {
	r.mu.Lock()
	n := r.cur
	r.mu.Unlock()
	return n.Close(ctx)
}
