package stripeapi

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

// TestKeyFuncsRotateWithoutRestart: with LiveKeyFunc and TestKeyFunc the
// key sent is the one current at each request, so a rotated key file
// applies to the next call; a rotated test key that is not a test key is
// refused rather than sent.
func TestKeyFuncsRotateWithoutRestart(t *testing.T) {
	const newLive = "rk_live_51RotatedRestrictedKeyABCDEFGHIJKLMN"
	const newTest = "sk_test_51RotatedTestKeyABCDEFGHIJKLMNOPQRS"
	var live, test atomic.Pointer[string]
	set := func(p *atomic.Pointer[string], v string) { p.Store(&v) }
	set(&live, liveKey)
	set(&test, testKey)
	f := &fakeStripe{txns: []map[string]any{txn("txn_1", "charge", "ch_1", 500, 30, "usd", "null")}}
	c := newFake(t, f, Config{
		LiveKeyFunc: func() string { return *live.Load() },
		TestKeyFunc: func() string { return *test.Load() },
	})
	call := func(livemode bool) error {
		_, err := c.PayoutTransactions(tctx(t), "po_1", "", livemode)
		return err
	}
	for _, livemode := range []bool{true, false} {
		if err := call(livemode); err != nil {
			t.Fatal(err)
		}
	}
	set(&live, newLive)
	set(&test, newTest)
	for _, livemode := range []bool{true, false} {
		if err := call(livemode); err != nil {
			t.Fatal(err)
		}
	}
	var auth []string
	for _, r := range f.requests() {
		auth = append(auth, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}
	want := []string{liveKey, testKey, newLive, newTest}
	if strings.Join(auth, ",") != strings.Join(want, ",") {
		t.Fatalf("keys sent %q, want %q", auth, want)
	}
	if s := c.String(); strings.Contains(s, "Rotated") || !strings.Contains(s, "rk_live_") {
		t.Errorf("String() = %q", s)
	}

	set(&test, liveKey) // a live key put in the test key's file by mistake
	err := call(false)
	var se *Error
	if !errors.As(err, &se) || se.Type != TypeConfiguration || strings.Contains(err.Error(), liveKey) {
		t.Fatalf("a live key as test key: %v", err)
	}
	if n := len(f.requests()); n != 4 {
		t.Fatalf("%d requests: the misplaced live key was sent", n)
	}
}

// TestKeyFuncsCheckedAtNew: New checks what the functions return now.
func TestKeyFuncsCheckedAtNew(t *testing.T) {
	empty := func() string { return "" }
	if _, err := New(Config{LiveKeyFunc: empty, TestKeyFunc: empty}); err == nil {
		t.Fatal("no key accepted")
	}
	if _, err := New(Config{TestKeyFunc: func() string { return liveKey }}); err == nil || strings.Contains(err.Error(), liveKey) {
		t.Fatalf("live key as test key: %v", err)
	}
	// A function wins over the plain field.
	c, err := New(Config{LiveKey: "sk_live_ignored", LiveKeyFunc: func() string { return testKey }})
	if err != nil {
		t.Fatal(err)
	}
	if live, test := c.keys(); live != testKey || test != testKey {
		t.Fatalf("keys() = %q, %q", live, test)
	}
}
