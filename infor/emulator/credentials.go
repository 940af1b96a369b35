package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"path/filepath"
)

// credentials are the keys of the emulator's one ION API client: the OAuth
// client (ci/cs) and its service account (saak/sask). A backend client
// authenticates with all four, as against a real tenant.
type credentials struct {
	ClientID             string `json:"ci"`
	ClientSecret         string `json:"cs"`
	ServiceAccountKey    string `json:"saak"`
	ServiceAccountSecret string `json:"sask"`
}

// resolveCredentials picks each key from the Config if set, else from
// credentials.json in the data dir, else generates it, and writes the
// result back (0600) when it changed. Keeping generated keys on disk is
// what lets a .ionapi file written once keep working across restarts.
func resolveCredentials(cfg Config) (credentials, error) {
	var stored credentials
	path := ""
	if cfg.DataDir != "" {
		path = filepath.Join(cfg.DataDir, credentialsFile)
		if _, err := readJSONFile(path, &stored); err != nil {
			return credentials{}, fmt.Errorf("credentials: %w", err)
		}
	}
	pick := func(configured, saved, prefix string) string {
		switch {
		case configured != "":
			return configured
		case saved != "":
			return saved
		}
		return prefix + randomToken(24)
	}
	c := credentials{
		ClientID:             pick(cfg.ClientID, stored.ClientID, cfg.Tenant+"~"),
		ClientSecret:         pick(cfg.ClientSecret, stored.ClientSecret, ""),
		ServiceAccountKey:    pick(cfg.ServiceAccountKey, stored.ServiceAccountKey, cfg.Tenant+"#"),
		ServiceAccountSecret: pick(cfg.ServiceAccountSecret, stored.ServiceAccountSecret, ""),
	}
	if path != "" && c != stored {
		if err := writeJSONAtomic(path, c, 0o600); err != nil {
			return credentials{}, fmt.Errorf("credentials: %w", err)
		}
	}
	return c, nil
}

// randomToken is n random bytes, base64url without padding: unguessable
// secrets and tokens that are safe in form bodies and headers.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}
