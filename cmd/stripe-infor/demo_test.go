package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/internal/scenario"
	"github.com/stripe-infor/stripe-infor/internal/stripefake"
)

// TestDemoAgainstDev is `make demo` twice against one running dev (a real
// stack on free ports, with a temp data dir): each run exits 0 with every
// currency of the day in its summary and nothing marked; the second run
// shows its own day's figures, not the sum of both days, which only the
// difference logic gives since dev keeps the first day's books. Then a
// day already sent is refused before anything is sent, and a day whose
// balance transactions dev's sink cannot fetch ends in a MISMATCH and exit
// 1, pointing at the dead letters.
func TestDemoAgainstDev(t *testing.T) {
	ports := devPorts{freePort(t), freePort(t), freePort(t), freePort(t), freePort(t)}
	fakeAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	p := start(t, baseEnv(), append(ports.args(filepath.Join(t.TempDir(), "data")), "--stripe-fake-addr", fakeAddr)...)
	waitHTTP(t, p, fmt.Sprintf("http://127.0.0.1:%d/readyz", ports.web), 200)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dev's log:\n%s", tail(p.errOut(), 40))
		}
	})

	flags := func(fake string, extra ...string) []string {
		return append([]string{"demo",
			"--webhook-url", ports.webhook(),
			"--secret", DevWebhookSecret,
			"--stripe-fake-url", fake,
			"--infor-url", fmt.Sprintf("http://127.0.0.1:%d", ports.infor),
			"--kafka-brokers", fmt.Sprintf("127.0.0.1:%d", ports.kafka),
		}, extra...)
	}
	demo := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(args, &out, &errOut)
		t.Logf("stripe-infor %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
		return code, out.String(), errOut.String()
	}
	fake := "http://" + fakeAddr

	for _, seed := range []int64{11, 12} {
		code, out, errOut := demo(flags(fake, "--customers", "20", "--seed", fmt.Sprint(seed), "--timeout", "45s")...)
		if code != 0 {
			t.Fatalf("demo seed %d: exit %d\nstdout:\n%s\nstderr:\n%s", seed, code, out, errOut)
		}
		for _, cur := range []string{"EUR", "GBP", "ISK", "JPY", "KWD", "USD"} {
			if !regexp.MustCompile(`(?m)^` + cur + ` +Stripe +Infor M3$`).MatchString(out) {
				t.Errorf("demo seed %d: the summary has no %s section:\n%s", seed, cur, out)
			}
		}
		if strings.Contains(out, "MISMATCH") || !strings.Contains(out, "All figures agree") {
			t.Errorf("demo seed %d: the summary does not agree:\n%s", seed, out)
		}
		// The figures shown are this day's: Stripe's column is the day's
		// world, and with exit 0 Infor's column equals it.
		want := scenario.Day(seed, 20, false).Expected(false).Get("USD")
		for label, v := range map[string]int64{"Charged": want.Charged, "Paid out": want.PaidOut, "Still in clearing": want.Clearing} {
			a := regexp.QuoteMeta(scenario.FormatAmount(v, "USD"))
			re := regexp.MustCompile(`(?m)^USD.*\n(?:  .*\n)*?  ` + label + ` +` + a + ` +` + a + `$`)
			if v == 0 || !re.MatchString(out) {
				t.Errorf("demo seed %d: USD %s should read %s on both sides:\n%s", seed, label, scenario.FormatAmount(v, "USD"), out)
			}
		}
		if !strings.Contains(out, "Dead letters during the run: none.") {
			t.Errorf("demo seed %d: dead letters not counted, or some were written:\n%s", seed, out)
		}
	}

	// The same day again: refused before anything is sent.
	code, out, errOut := demo(flags(fake, "--customers", "20", "--seed", "11")...)
	if code != 1 || !strings.Contains(errOut, "the day of seed 11 was already sent") || strings.Contains(out, "Sending") {
		t.Fatalf("a day sent twice: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	// A day whose ledger went to another fake: dev's sink cannot fetch the
	// payouts' balance transactions, so the payouts are not booked.
	other := httptest.NewServer(stripefake.New())
	defer other.Close()
	code, out, errOut = demo(flags(other.URL, "--customers", "3", "--seed", "13", "--timeout", "15s")...)
	if code != 1 {
		t.Fatalf("a day Infor cannot book: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !regexp.MustCompile(`(?m)^  Paid out .*<< MISMATCH: Infor .* less$`).MatchString(out) || !strings.Contains(out, "DO NOT AGREE") {
		t.Errorf("the unbooked payouts are not marked:\n%s", out)
	}
	if !strings.Contains(errOut, "differ between Stripe and Infor M3") {
		t.Errorf("the error does not say the books differ:\n%s", errOut)
	}
	if !strings.Contains(out, "DEAD LETTERS during the run: infor.bank.commands.dlq +") || !strings.Contains(errOut, "stripe-infor dlq list") {
		t.Errorf("the dead-lettered payouts are not pointed at:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}

	if err := p.stop(t, os.Interrupt); err != nil {
		t.Fatalf("dev did not exit cleanly: %v\n%s", err, p.errOut())
	}
}

// The day holds the story the brief asks for, in the mode asked, and is
// the same for the same seed.
func TestDemoDay(t *testing.T) {
	w := scenario.Day(5, 20, false)
	charged := map[string]bool{}
	converted := map[string]bool{}
	declined := 0
	for _, ch := range w.Charges {
		switch {
		case !ch.Succeeded:
			declined++
		case ch.ExchangeRate != "":
			converted[ch.Currency+">"+ch.SettlementCurrency] = true
		default:
			charged[ch.Currency] = true
		}
	}
	for _, cur := range scenario.Currencies {
		if !charged[cur] {
			t.Errorf("no charge in %s", cur)
		}
	}
	if !converted["eur>usd"] || !converted["jpy>usd"] {
		t.Errorf("conversions: %v, want EUR and JPY settled in USD", converted)
	}
	if declined == 0 {
		t.Error("no declined charge")
	}
	full, partial := 0, 0
	for _, re := range w.Refunds {
		for _, ch := range w.Charges {
			if ch.ID == re.Charge {
				if re.Amount == ch.Amount {
					full++
				} else {
					partial++
				}
			}
		}
	}
	if full == 0 || partial == 0 {
		t.Errorf("refunds: %d full, %d partial; want both", full, partial)
	}
	if len(w.Disputes) != 2 || w.Disputes[0].Won || !w.Disputes[1].Won {
		t.Errorf("disputes: %+v, want one lost and one won", w.Disputes)
	}
	books := w.Expected(false)
	paidOut := map[string]bool{}
	for _, po := range w.Payouts {
		paidOut[po.Currency] = true
	}
	for _, cur := range scenario.Currencies {
		f := books.Get(cur)
		if !paidOut[cur] || f.PaidOut <= 0 {
			t.Errorf("%s: no payout (%d)", cur, f.PaidOut)
		}
		if f.Clearing <= 0 {
			t.Errorf("%s: nothing left in clearing (%d): today's charges should still be at Stripe", cur, f.Clearing)
		}
	}
	for _, e := range w.Events {
		if e.Livemode {
			t.Fatalf("event %s is live mode in a test-mode day", e.ID)
		}
	}
	if live := scenario.Day(5, 20, true); len(live.Mode(true).Events) != len(live.Events) {
		t.Error("a live-mode day has test-mode events")
	}

	again := scenario.Day(5, 20, false)
	if len(again.Events) != len(w.Events) || !bytes.Equal(again.Events[len(w.Events)-1].Body, w.Events[len(w.Events)-1].Body) {
		t.Error("the same seed gave another day")
	}
	if other := scenario.Day(6, 20, false); other.Customers[0].ID == w.Customers[0].ID {
		t.Error("another seed gave the same ids: a second run would book nothing new")
	}
}

// The day's difference: after minus before, per figure and currency; a
// currency the day did not move is left out.
func TestDiffBooks(t *testing.T) {
	before, after := scenario.NewBooks(false), scenario.NewBooks(false)
	*before.In("usd") = scenario.Figures{Charged: 1000, Fees: 30, Clearing: 970, FX: -5}
	*before.In("eur") = scenario.Figures{Charged: 500, Clearing: 500}
	*after.In("usd") = scenario.Figures{Charged: 1500, Refunded: 200, Fees: 30, Clearing: 1270, FX: -5}
	*after.In("eur") = scenario.Figures{Charged: 500, Clearing: 500}
	*after.In("jpy") = scenario.Figures{Charged: 3000, Clearing: 3000}
	d := diffBooks(after, before)
	if got, want := d.Get("USD"), (scenario.Figures{Charged: 500, Refunded: 200, Clearing: 300}); got != want {
		t.Errorf("USD: %+v, want %+v", got, want)
	}
	if got, want := d.Get("JPY"), (scenario.Figures{Charged: 3000, Clearing: 3000}); got != want {
		t.Errorf("JPY: %+v, want %+v", got, want)
	}
	if _, ok := d.Currencies["EUR"]; ok || len(d.Currencies) != 2 {
		t.Errorf("currencies: %v, want USD and JPY only", d.Currencies)
	}
}

func TestDemoCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1318: "1,318", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}

// Flags that cannot make a day are usage errors (exit 2), before any
// network call.
func TestDemoFlags(t *testing.T) {
	for _, args := range [][]string{{"--customers", "0"}, {"--timeout", "0s"}, {"--concurrency", "0"}, {"--bogus"}} {
		var out, errOut bytes.Buffer
		if code := run(append([]string{"demo"}, args...), &out, &errOut); code != 2 {
			t.Errorf("demo %v: exit %d, want 2\n%s", args, code, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"demo", "-h"}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "-webhook-url") {
		t.Errorf("demo -h: exit %d\n%s", code, errOut.String())
	}
}
