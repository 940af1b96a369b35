package infor

import (
	"strings"
	"sync"
)

// maxRememberedTokens bounds how many issued tokens the redactor keeps: the
// current access and refresh tokens plus a few predecessors is enough, as
// older ones are no longer sent anywhere.
const maxRememberedTokens = 16

// redactor removes secrets from text that came from the network (OAuth error
// descriptions, error bodies, M3 messages) before it becomes part of an error
// or a log line. Our own messages never format a secret; this guards against
// a gateway or proxy that echoes the request back.
type redactor struct {
	mu      sync.Mutex
	secrets []string // cs, saak, sask: for the life of the client
	tokens  []string // recently issued access and refresh tokens
}

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		if s != "" {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// remember adds issued tokens, forgetting the oldest beyond the bound.
func (r *redactor) remember(tokens ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range tokens {
		if t != "" {
			r.tokens = append(r.tokens, t)
		}
	}
	if n := len(r.tokens) - maxRememberedTokens; n > 0 {
		r.tokens = append(r.tokens[:0:0], r.tokens[n:]...)
	}
}

// scrub returns s with every known secret and token replaced.
func (r *redactor) scrub(s string) string {
	if s == "" {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, list := range [][]string{r.secrets, r.tokens} {
		for _, secret := range list {
			if strings.Contains(s, secret) {
				s = strings.ReplaceAll(s, secret, redacted)
			}
		}
	}
	return s
}
