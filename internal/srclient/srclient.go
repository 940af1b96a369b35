// Package srclient builds the schema registry client every stage and tool
// uses, so credentials are read one way everywhere: a managed registry
// (Confluent Cloud, Aiven, Redpanda Cloud) wants HTTP basic auth with an
// API key and secret, over HTTPS with the system roots.
package srclient

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/stripe-infor/stripe-infor/internal/config"
)

// Settings read by New, each also as X_FILE (a mounted Secret).
const (
	EnvUsername = "SCHEMA_REGISTRY_USERNAME"
	EnvPassword = "SCHEMA_REGISTRY_PASSWORD"
)

// New returns a client for the registry at url, with basic auth when
// SCHEMA_REGISTRY_USERNAME is set. A username without a password (or the
// reverse) is refused: it is a half-configured Secret, and the registry's
// 401 later would say less.
func New(url string, extra ...sr.ClientOpt) (*sr.Client, error) {
	user, _, err := config.Lookup(EnvUsername)
	if err != nil {
		return nil, err
	}
	pass, _, err := config.Lookup(EnvPassword)
	if err != nil {
		return nil, err
	}
	opts := []sr.ClientOpt{sr.URLs(url)}
	switch {
	case user != "" && pass != "":
		opts = append(opts, sr.BasicAuth(user, pass))
	case user != "":
		return nil, fmt.Errorf("%s is set but %s is not", EnvUsername, EnvPassword)
	case pass != "":
		return nil, fmt.Errorf("%s is set but %s is not", EnvPassword, EnvUsername)
	}
	cl, err := sr.NewClient(append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("SCHEMA_REGISTRY_URL: %w", err)
	}
	return cl, nil
}
