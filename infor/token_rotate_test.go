package infor_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
)

// rotatingGateway is one address in front of two emulators of the same
// tenant with different keys: switching it is Infor rotating the tenant's
// keys (the old ones stop working, the new ones work).
type rotatingGateway struct {
	srv     *httptest.Server
	current atomic.Pointer[emulator.Emulator]
	a, b    *emulator.Emulator
}

func newRotatingGateway(t *testing.T) *rotatingGateway {
	t.Helper()
	g := &rotatingGateway{}
	for i, keys := range [][4]string{
		{"DEV~client-a", "secret-a-1234567890", "DEV#saak-a", "sask-a-0987654321"},
		{"DEV~client-b", "secret-b-1234567890", "DEV#saak-b", "sask-b-0987654321"},
	} {
		emu, err := emulator.New(emulator.Config{DataDir: t.TempDir(), TokenTTL: time.Hour,
			ClientID: keys[0], ClientSecret: keys[1], ServiceAccountKey: keys[2], ServiceAccountSecret: keys[3]})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = emu.Close() })
		if i == 0 {
			g.a = emu
		} else {
			g.b = emu
		}
	}
	g.current.Store(g.a)
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.current.Load().Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// writeIONAPI writes emu's .ionapi file over path in one rename, as the
// kubelet swaps a Secret.
func (g *rotatingGateway) writeIONAPI(t *testing.T, emu *emulator.Emulator, path string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := emu.WriteIONAPI(tmp, g.srv.URL); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestIONAPIFileRotation: the tenant's keys change at Infor and in the
// mounted .ionapi file; the running client's next token uses the new keys,
// with no restart and without waiting out the login backoff the refused
// old keys caused.
func TestIONAPIFileRotation(t *testing.T) {
	g := newRotatingGateway(t)
	path := filepath.Join(t.TempDir(), "live.ionapi")
	g.writeIONAPI(t, g.a, path)
	cfg, err := infor.LoadIONAPI(path)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedLog{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	cl, err := infor.NewClient(cfg, infor.WithTimeout(5*time.Second), infor.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go infor.WatchIONAPIFile(ctx, path, cl.TokenSource(), 5*time.Millisecond, log)

	lst := func() error {
		_, err := cl.Execute(ctx, "CRS055MI", "Lst", nil)
		return err
	}
	if err := lst(); err != nil {
		t.Fatalf("with the first keys: %v", err)
	}

	// Infor rotates: the old token and keys stop working.
	g.current.Store(g.b)
	err = lst()
	var ae *infor.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("old keys after the rotation: want an *AuthError, got %v", err)
	}

	// A broken file is ignored (the old keys stay, and still fail).
	if err := os.WriteFile(path, []byte(`{"ti":"DEV"`), 0o600); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return strings.Contains(logs.String(), "cannot be used") })

	// The new file arrives; the watcher applies it.
	g.writeIONAPI(t, g.b, path)
	waitUntil(t, func() bool { return strings.Contains(logs.String(), "ION API keys replaced") })
	if err := lst(); err != nil {
		t.Fatalf("with the rotated keys: %v", err)
	}
	for _, secret := range []string{"secret-a-1234567890", "sask-a-0987654321", "secret-b-1234567890", "sask-b-0987654321"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a secret reached the log: %s", logs.String())
		}
	}
}

// TestSetConfigRefusesAnotherTenant: a different tenant or gateway is not
// a rotation; the keys in use stay.
func TestSetConfigRefusesAnotherTenant(t *testing.T) {
	g := newRotatingGateway(t)
	path := filepath.Join(t.TempDir(), "live.ionapi")
	g.writeIONAPI(t, g.a, path)
	cfg, err := infor.LoadIONAPI(path)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := infor.NewClient(cfg, infor.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, change := range []func(c *infor.IONAPI){
		func(c *infor.IONAPI) { c.TenantID = "OTHER" },
		func(c *infor.IONAPI) { c.IONAPIURL = "https://elsewhere.example" },
	} {
		other := *cfg
		change(&other)
		other.ServiceAccountSecretKey = "would-be-new"
		if err := cl.TokenSource().SetConfig(&other); !errors.Is(err, infor.ErrTenantChanged) {
			t.Fatalf("SetConfig: %v, want ErrTenantChanged", err)
		}
	}
	if err := cl.TokenSource().SetConfig(&infor.IONAPI{}); err == nil {
		t.Fatal("an invalid configuration was accepted")
	}
	if _, err := cl.Execute(context.Background(), "CRS055MI", "Lst", nil); err != nil {
		t.Fatalf("the keys in use were disturbed: %v", err)
	}
	// The same configuration again is not a change: the token is kept.
	tok, err := cl.TokenSource().Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.TokenSource().SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if again, _ := cl.TokenSource().Token(context.Background()); again != tok {
		t.Fatal("an unchanged configuration dropped the token")
	}
}

// waitUntil polls cond; the watcher runs on its own ticker.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
