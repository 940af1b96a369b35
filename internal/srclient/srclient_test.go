package srclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// A registry that wants basic auth (as Confluent Cloud's does) is reached
// with the key and secret from the settings, and refused without them.
func TestBasicAuthReachesAProtectedRegistry(t *testing.T) {
	reg := srfake.New()
	defer reg.Close()
	const user, pass = "SRKEY123", "s3cr3t/with+chars"
	guard := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error_code":401,"message":"Unauthorized"}`))
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, reg.URL()+r.URL.RequestURI(), r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			_, _ = w.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}))
	defer guard.Close()

	t.Setenv(EnvUsername, "")
	t.Setenv(EnvPassword, "")
	cl, err := New(guard.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Subjects(context.Background()); err == nil {
		t.Fatal("a protected registry answered without credentials")
	}

	t.Setenv(EnvUsername, user)
	t.Setenv(EnvPassword+"_FILE", "")
	t.Setenv(EnvPassword, pass)
	cl, err = New(guard.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Subjects(context.Background()); err != nil {
		t.Fatalf("with credentials: %v", err)
	}
}

func TestHalfConfiguredCredentialsAreRefused(t *testing.T) {
	t.Setenv(EnvUsername, "key")
	t.Setenv(EnvPassword, "")
	_, err := New("http://127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), EnvPassword) {
		t.Fatalf("got %v, want an error naming %s", err, EnvPassword)
	}
	t.Setenv(EnvUsername, "")
	t.Setenv(EnvPassword, "secret")
	_, err = New("http://127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), EnvUsername) || strings.Contains(err.Error(), "secret") {
		t.Fatalf("got %v, want an error naming %s and not the secret", err, EnvUsername)
	}
}
