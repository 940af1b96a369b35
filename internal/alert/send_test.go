package alert

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTransientFailuresAreRetried(t *testing.T) {
	h := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	n, _ := start(t, Config{URL: h.url()}, 0)
	n.Notify(sampleAlert(t0))
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := h.requests()
	if len(reqs) != 3 || count(n, ResultSent) != 1 || count(n, ResultFailed) != 0 {
		t.Fatalf("%d tries, sent %v failed %v; want 3 tries and one sent", len(reqs), count(n, ResultSent), count(n, ResultFailed))
	}
	for _, r := range reqs[1:] {
		if string(r.body) != string(reqs[0].body) {
			t.Fatalf("a retry changed the body")
		}
	}
}

func TestAClientErrorIsNotRetried(t *testing.T) {
	h := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("no_service"))
	})
	var l logs
	n, _ := start(t, Config{URL: h.url(), Logger: l.logger()}, 0)
	n.Notify(sampleAlert(t0))
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(h.requests()) != 1 || count(n, ResultFailed) != 1 {
		t.Fatalf("%d tries, failed %v; want 1 and 1", len(h.requests()), count(n, ResultFailed))
	}
	if !strings.Contains(l.String(), `"error":"HTTP 404: no_service"`) {
		t.Fatalf("log does not give the status and Slack's answer: %s", l.String())
	}
}

// The webhook URL is a credential: no failure, whatever its kind, may put
// it (or its secret path) in a log line or an error.
func TestTheURLIsNeverLoggedNorInErrors(t *testing.T) {
	// 500 that echoes the request path back, as some proxies do.
	echo := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("upstream failed for " + r.URL.Path))
	})
	// Never answers in time.
	slow := newHook(t, func(n int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	// Nothing listens.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + secretPath + "?token=querysecret"
	_ = ln.Close()

	cases := []struct {
		name, url string
		timeout   time.Duration
		want      string // in the log line, so the test sees a real failure line
	}{
		{"5xx", echo.url(), 0, "HTTP 500: upstream failed for [redacted]"},
		{"timeout", slow.url(), 20 * time.Millisecond, "timed out after 20ms"},
		{"refused", refused, 0, "connection refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l logs
			n, _ := start(t, Config{URL: c.url, Timeout: c.timeout, Logger: l.logger()}, 0)
			n.Notify(sampleAlert(t0))
			if err := n.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if count(n, ResultFailed) != 1 {
				t.Fatalf("failed = %v, want 1", count(n, ResultFailed))
			}
			out := l.String()
			if !strings.Contains(out, "alert webhook post failed") || !strings.Contains(out, c.want) || !strings.Contains(out, `"attempts":3`) {
				t.Fatalf("log lacks the failure line with %q after 3 attempts:\n%s", c.want, out)
			}
			for _, secret := range []string{"SECRET", "xoxsecrettoken42", "querysecret", c.url} {
				if strings.Contains(out, secret) {
					t.Fatalf("log holds %q:\n%s", secret, out)
				}
			}
		})
	}

	for _, bad := range []string{"ht!tp://hooks.example" + secretPath, "ftp://hooks.example" + secretPath, "hooks.example" + secretPath, "http://%zz" + secretPath} {
		_, err := New(Config{URL: bad})
		if err == nil {
			t.Fatalf("New accepted %q", bad)
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Fatalf("New's error quotes the URL: %v", err)
		}
	}
}
