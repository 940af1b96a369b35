package e2e

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/scenario"
)

const requireStripeMockEnv = "STRIPE_INFOR_REQUIRE_STRIPE_MOCK"

// stripeMock starts Stripe's API mock on a free port and returns its base
// URL; skipped when it is not installed, unless
// STRIPE_INFOR_REQUIRE_STRIPE_MOCK=1. Install: go install
// github.com/stripe/stripe-mock@v0.203.0
func stripeMock(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, _ := os.UserHomeDir()
			gopath = filepath.Join(home, "go")
		}
		bin = filepath.Join(gopath, "bin", "stripe-mock")
		if _, serr := os.Stat(bin); serr != nil {
			msg := "stripe-mock is not installed (go install github.com/stripe/stripe-mock@v0.203.0)"
			if os.Getenv(requireStripeMockEnv) == "1" {
				t.Fatalf("%s and %s=1", msg, requireStripeMockEnv)
			}
			t.Skip(msg)
		}
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout // it logs to either, depending on the version
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`Listening for HTTP at address: (\S+)`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(20 * time.Second):
		t.Fatal("stripe-mock did not say where it listens")
	}
	return ""
}

// The sink's Stripe API calls during a scenario, replayed against
// stripe-mock (which checks every request against Stripe's OpenAPI
// specification: an unknown parameter or a malformed value is a 400), must
// all be answered 200. stripe-mock takes test-mode keys only, so every
// call is replayed with one; the path, query, Stripe-Account and
// Stripe-Version are the sink's.
func TestStripeAPICallsAreWellFormed(t *testing.T) {
	mock := stripeMock(t)
	s := getStack(t)
	b := scenario.New(112)
	live, test := b.Customer(true, "usd"), b.Customer(false, "usd")
	b.Charge(live, 5000, "usd")
	b.Charge(live, 3000, "eur", scenario.SettledIn("usd", "1.0876"))
	b.Charge(test, 4000, "usd")
	b.Advance(5 * days)
	b.Payout(true, "usd")
	b.Payout(false, "usd")
	s.runWorld(t, b.World())

	reqs := s.stripeLog.take()
	if len(reqs) < 2 {
		t.Fatalf("the sink made %d Stripe API calls, want at least one per payout", len(reqs))
	}
	for _, r := range reqs {
		if r.Status != http.StatusOK {
			t.Errorf("the fake answered %s %s?%s with %d", r.Method, r.Path, r.RawQuery, r.Status)
		}
		req, err := http.NewRequest(r.Method, mock+r.Path+"?"+r.RawQuery, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer sk_test_123")
		if r.Account != "" {
			req.Header.Set("Stripe-Account", r.Account)
		}
		if r.Version != "" {
			req.Header.Set("Stripe-Version", r.Version)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("stripe-mock: %v", err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("stripe-mock refused %s %s?%s (Stripe-Version %q): %s %s", r.Method, r.Path, r.RawQuery, r.Version, resp.Status, body)
		}
	}
	t.Logf("%d Stripe API calls replayed against stripe-mock, e.g. %s %s?%s", len(reqs), reqs[0].Method, reqs[0].Path, reqs[0].RawQuery)
}
