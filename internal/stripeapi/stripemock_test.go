package stripeapi

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// stripeMock starts Stripe's own API mock (stripe-mock) on free ports and
// returns its HTTP base URL. Without the binary the test is skipped, unless
// STRIPE_INFOR_REQUIRE_STRIPE_MOCK=1 (CI), where it fails. Install:
//
//	go install github.com/stripe/stripe-mock@v0.203.0
func stripeMock(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		home, _ := os.UserHomeDir()
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			gopath = filepath.Join(home, "go")
		}
		bin = filepath.Join(gopath, "bin", "stripe-mock")
		if _, serr := os.Stat(bin); serr != nil {
			msg := "stripe-mock is not installed (go install github.com/stripe/stripe-mock@v0.203.0)"
			if os.Getenv("STRIPE_INFOR_REQUIRE_STRIPE_MOCK") == "1" {
				t.Fatal(msg)
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
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(20 * time.Second):
		t.Fatal("stripe-mock did not say where it listens")
	}
	return ""
}

// stripe-mock validates the request against Stripe's OpenAPI spec (an
// unknown or malformed parameter is a 400) and answers with its fixture
// balance transaction: the request is well-formed and the answer decodes.
func TestPayoutTransactionsAgainstStripeMock(t *testing.T) {
	base := stripeMock(t)
	c, err := New(Config{Base: base, LiveKey: "sk_test_123", RatePerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, account := range []string{"", "acct_1Connected"} {
		got, err := c.PayoutTransactions(tctx(t), "po_1MockPayout", account, false)
		if err != nil {
			t.Fatalf("account %q: %v", account, err)
		}
		if len(got) == 0 {
			t.Fatalf("account %q: no transactions", account)
		}
		for _, bt := range got {
			if !strings.HasPrefix(bt.ID, "txn_") || bt.Type == "" || bt.Amount.Currency == "" ||
				bt.Amount.Currency != strings.ToUpper(bt.Amount.Currency) || bt.Net.Minor != bt.Amount.Minor-bt.Fee.Minor {
				t.Fatalf("account %q: %+v", account, bt)
			}
		}
	}

	// A live-mode object with a live key: stripe-mock accepts test keys only
	// and quotes the Authorization header it got in its message; the error
	// is not transient and does not carry the key.
	live := "sk_live_51ThisMustNeverBePrinted0123456789"
	c, err = New(Config{Base: base, LiveKey: live, RatePerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PayoutTransactions(tctx(t), "po_1MockPayout", "", true)
	var se *Error
	if !errors.As(err, &se) || se.StatusCode != 401 || se.Transient() {
		t.Fatalf("live key at stripe-mock: %v", err)
	}
	if strings.Contains(err.Error(), live) || strings.Contains(err.Error(), "ThisMustNever") {
		t.Fatalf("the key is in the error: %v", err)
	}
	t.Logf("stripe-mock's answer to a live key: %v", err)
}
