package stripefake

import (
	"net/http"
	"regexp"
	"strings"
)

var accountPattern = regexp.MustCompile(`^acct_[A-Za-z0-9]+$`)

// authenticate reads the key as Stripe does (Bearer, or Basic with the key
// as the user and no password) and returns its mode. A missing or
// unaccepted key is answered with Stripe's 401 here; the message never
// quotes the key, where Stripe quotes a masked one, so that no part of a
// secret reaches a log that records answers.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (live, ok bool) {
	key := ""
	if user, _, basic := r.BasicAuth(); basic {
		key = user
	} else if h := r.Header.Get("Authorization"); len(h) > len("bearer ") && strings.EqualFold(h[:len("bearer ")], "bearer ") {
		key = strings.TrimSpace(h[len("bearer "):])
	}
	if key == "" {
		writeError(w, http.StatusUnauthorized, stripeError{Type: invalidRequest,
			Message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."})
		return false, false
	}
	if !s.accepts(key) {
		writeError(w, http.StatusUnauthorized, stripeError{Type: invalidRequest,
			Message: "Invalid API Key provided: " + maskedKind(key)})
		return false, false
	}
	return strings.HasPrefix(key, "sk_live_") || strings.HasPrefix(key, "rk_live_"), true
}

// accepts reports whether key is one of WithKeys, or without WithKeys a
// secret key of either mode.
func (s *Server) accepts(key string) bool {
	if s.keys != nil {
		return s.keys[key]
	}
	for _, p := range []string{"sk_live_", "sk_test_"} {
		if strings.HasPrefix(key, p) && len(key) > len(p) {
			return true
		}
	}
	return false
}

// maskedKind names the kind of key without any of its secret characters.
func maskedKind(key string) string {
	for _, p := range []string{"sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_"} {
		if strings.HasPrefix(key, p) {
			return p + "****"
		}
	}
	return "****"
}
