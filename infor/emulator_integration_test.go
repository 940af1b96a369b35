package infor_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
)

// The client against the emulator over real HTTP, configured only from the
// .ionapi file the emulator writes, as for a real tenant.
func startEmulator(t *testing.T, ttl time.Duration) (*emulator.Emulator, *infor.Client) {
	emu, cl, _ := startEmulatorCfg(t, ttl)
	return emu, cl
}

func startEmulatorCfg(t *testing.T, ttl time.Duration) (*emulator.Emulator, *infor.Client, *infor.IONAPI) {
	t.Helper()
	emu, err := emulator.New(emulator.Config{DataDir: t.TempDir(), TokenTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() { _ = emu.Close(); srv.Close() })
	path := filepath.Join(t.TempDir(), "DEV.ionapi")
	if err := emu.WriteIONAPI(path, srv.URL); err != nil {
		t.Fatal(err)
	}
	cfg, err := infor.LoadIONAPI(path)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := infor.NewClient(cfg, infor.WithTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return emu, cl, cfg
}

func TestClientAgainstEmulator(t *testing.T) {
	emu, cl := startEmulator(t, time.Hour)
	ctx := context.Background()

	// OK: list currencies; JPY has no decimals in the seed.
	res, err := cl.Execute(ctx, "CRS055MI", "Lst", nil)
	if err != nil || len(res.Records) == 0 {
		t.Fatalf("CRS055MI Lst: %v, %d records", err, len(res.Records))
	}

	// NOK: an unknown customer comes back as HTTP 200 with an error the
	// client turns into a validation error carrying M3's message and field.
	_, err = cl.Execute(ctx, "CRS610MI", "GetBasicData", map[string]string{"CUNO": "NOSUCH"})
	var nok *infor.NOKError
	if !errors.As(err, &nok) || infor.Classify(err) != infor.ClassValidation || nok.Message == "" || nok.Field != "CUNO" {
		t.Fatalf("unknown customer: %v (%+v), class %v", err, nok, infor.Classify(err))
	}

	// 5xx from the gateway is transient.
	emu.SetFaults(emulator.Faults{ErrorRate: 1, Seed: 1})
	_, err = cl.Execute(ctx, "CRS055MI", "Lst", nil)
	if infor.Classify(err) != infor.ClassTransient {
		t.Fatalf("5xx: %v classified %v, want transient", err, infor.Classify(err))
	}

	// Above the rate limit: 429 with a Retry-After the caller can honour.
	emu.SetFaults(emulator.Faults{RateLimitRPS: 1, Seed: 1})
	var limited error
	for range 10 {
		if _, err = cl.Execute(ctx, "CRS055MI", "Lst", nil); infor.Classify(err) == infor.ClassRateLimited {
			limited = err
			break
		}
	}
	if d, ok := infor.RetryAfter(limited); limited == nil || !ok || d <= 0 {
		t.Fatalf("rate limit: %v, Retry-After %v %v", limited, d, ok)
	}

	// A connection reset is transient too.
	emu.SetFaults(emulator.Faults{ResetRate: 1, Seed: 1})
	if _, err = cl.Execute(ctx, "CRS055MI", "Lst", nil); infor.Classify(err) != infor.ClassTransient {
		t.Fatalf("reset: %v classified %v", err, infor.Classify(err))
	}
	emu.SetFaults(emulator.Faults{})
}

func TestClientRecoversFromExpiredTokens(t *testing.T) {
	_, cl := startEmulator(t, 1500*time.Millisecond)
	ctx := context.Background()
	deadline := time.Now().Add(4 * time.Second)
	calls := 0
	for time.Now().Before(deadline) { // spans two token lifetimes
		if _, err := cl.Execute(ctx, "CRS055MI", "Lst", nil); err != nil {
			t.Fatalf("call %d after %d tokens' lifetime: %v", calls, calls, err)
		}
		calls++
		time.Sleep(50 * time.Millisecond)
	}
	if calls < 10 {
		t.Fatalf("only %d calls made", calls)
	}
}

func TestNoSecretInClientErrors(t *testing.T) {
	emu, cl, cfg := startEmulatorCfg(t, time.Hour)
	ctx := context.Background()
	var errs []error
	_, err := cl.Execute(ctx, "NOSUCHMI", "Nothing", nil)
	errs = append(errs, err)
	_, err = cl.Execute(ctx, "CRS610MI", "GetBasicData", map[string]string{"CUNO": strings.Repeat("X", 11)})
	errs = append(errs, err)
	emu.SetFaults(emulator.Faults{ErrorRate: 1, Seed: 2})
	_, err = cl.Execute(ctx, "CRS055MI", "Lst", nil)
	errs = append(errs, err)
	// A client with the wrong service-account secret fails to log in.
	bad := *cfg
	bad.ServiceAccountSecretKey = "wrong-" + cfg.ServiceAccountSecretKey
	badClient, err := infor.NewClient(&bad)
	if err != nil {
		t.Fatal(err)
	}
	_, err = badClient.Execute(ctx, "CRS055MI", "Lst", nil)
	if infor.Classify(err) != infor.ClassAuth {
		t.Fatalf("wrong keys: %v classified %v, want auth", err, infor.Classify(err))
	}
	errs = append(errs, err)
	for _, e := range errs {
		if e == nil {
			t.Fatal("expected an error")
		}
		for _, secret := range []string{cfg.ClientSecret, cfg.ServiceAccountSecretKey, bad.ServiceAccountSecretKey, cfg.ServiceAccountAccessKey} {
			if strings.Contains(e.Error(), secret) {
				t.Fatalf("error %q contains a secret", e)
			}
		}
	}
}

func TestTransportErrorsCarryNoCustomerData(t *testing.T) {
	emu, cl := startEmulator(t, time.Hour)
	emu.SetFaults(emulator.Faults{ResetRate: 1, Seed: 3})
	_, err := cl.Execute(context.Background(), "CRS610MI", "Add", map[string]string{"CUNO": "ADA", "CUNM": "Ada Lovelace", "MAIL": "ada@example.com"})
	if infor.Classify(err) != infor.ClassTransient {
		t.Fatalf("reset: %v classified %v", err, infor.Classify(err))
	}
	for _, s := range []string{"Lovelace", "example.com", "CUNM"} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("transport error carries the request's fields (%s): %v", s, err)
		}
	}
}
