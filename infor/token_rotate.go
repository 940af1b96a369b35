package infor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// ErrTenantChanged is SetConfig's answer to a configuration for another
// tenant or gateway: the client's M3 URLs are built from ti and iu, so
// switching tenants takes a new Client (a restart), not a key rotation.
var ErrTenantChanged = errors.New("infor: the .ionapi file names another tenant (ti) or ION API URL (iu); a restart is needed to switch")

// SetConfig replaces the OAuth client and service-account keys (ci, cs,
// saak, sask) and the provider URLs (pu, ot, or) with cfg's, as after the
// tenant's .ionapi file was rotated. The next token is obtained with the
// new keys: the cached access and refresh tokens are dropped (both belong
// to the old client, and keys are often rotated because the old ones must
// stop working), a token being fetched with the old keys is not cached, and
// a login refused with the old keys no longer holds new logins back. The
// old secrets stay known to the redactor. A cfg equal to the current one
// changes nothing.
func (ts *TokenSource) SetConfig(cfg *IONAPI) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("infor: ION API configuration: %w", err)
	}
	ts.cfgMu.Lock()
	defer ts.cfgMu.Unlock()
	if cfg.TenantID != ts.cfg.TenantID || cfg.IONAPIURL != ts.cfg.IONAPIURL {
		return ErrTenantChanged
	}
	if *cfg == ts.cfg {
		return nil
	}
	ts.red.addSecrets(cfg.ClientSecret, cfg.ServiceAccountAccessKey, cfg.ServiceAccountSecretKey)
	ts.cfg = *cfg
	ts.tokenURL = cfg.TokenURL()
	ts.revokeURL = cfg.RevokeURL()

	ts.mu.Lock()
	ts.gen++
	ts.cur = nil
	ts.loginRetryAt, ts.loginFailErr = time.Time{}, nil
	ts.mu.Unlock()
	ts.log.LogAttrs(context.Background(), slog.LevelInfo, "infor: ION API keys replaced; new tokens use them",
		slog.String("tenant", cfg.TenantID), slog.String("client_id", cfg.ClientID))
	return nil
}

// addSecrets makes the redactor hide more secrets (rotated keys), keeping
// the old ones: a late error body may still echo them.
func (r *redactor) addSecrets(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if s != "" {
			r.secrets = append(r.secrets, s)
		}
	}
}

// DefaultIONAPIWatchInterval is how often WatchIONAPIFile looks at the
// file: the same second as every other watched setting (config.Watched),
// for the same reasons (Kubernetes swaps Secret files under a symlink;
// polling a small file costs nothing).
const DefaultIONAPIWatchInterval = time.Second

// WatchIONAPIFile re-reads the .ionapi file at path every interval until
// ctx ends, and hands a changed file to ts.SetConfig, so keys rotated in
// the mounted Secret are used for the next token without a restart. A file
// that cannot be read or parsed, or that names another tenant, is logged
// (without its content) and the keys in use are kept; the next change is
// tried again. interval <= 0 means DefaultIONAPIWatchInterval.
func WatchIONAPIFile(ctx context.Context, path string, ts *TokenSource, interval time.Duration, log *slog.Logger) {
	if interval <= 0 {
		interval = DefaultIONAPIWatchInterval
	}
	if log == nil {
		log = slog.Default()
	}
	last, _ := os.ReadFile(path) // the content the client was built from, normally
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		data, err := os.ReadFile(path)
		if err != nil {
			log.Warn("infor: cannot re-read the .ionapi file; keeping the keys in use", "file", path, "err", errors.Unwrap(err))
			continue
		}
		if bytes.Equal(data, last) {
			continue
		}
		last = data
		if err := reloadIONAPI(data, ts); err != nil {
			log.Warn("infor: the .ionapi file changed but cannot be used; keeping the keys in use", "file", path, "err", err)
		}
	}
}

// reloadIONAPI parses a changed file and applies it.
func reloadIONAPI(data []byte, ts *TokenSource) error {
	cfg, err := ParseIONAPI(data)
	if err != nil {
		return err
	}
	return ts.SetConfig(cfg)
}
