package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/scenario"
)

// inforBooks reads the books out of the emulator's state.
func (d *demo) inforBooks(ctx context.Context) (scenario.Books, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(d.s.inforURL, "/")+"/_emulator/state", nil)
	if err != nil {
		return scenario.Books{}, err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return scenario.Books{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return scenario.Books{}, fmt.Errorf("GET %s: %s", req.URL, resp.Status)
	}
	st, err := scenario.ReadState(resp.Body)
	if err != nil {
		return scenario.Books{}, err
	}
	return scenario.InforBooks(st, d.s.livemode, scenario.DefaultAccounts)
}

// waitForBooks polls Infor until the day's difference in its books agrees
// with Stripe's figures on two reads in a row (nothing still moving), or
// the context ends. It returns the day's difference as last read.
func (d *demo) waitForBooks(ctx context.Context, expected, before scenario.Books) (scenario.Books, error) {
	d.printf("Waiting for Infor M3 to book the day\n")
	start := time.Now()
	var (
		last       scenario.Books
		lastKey    string
		lastAgree  = -1
		lastPrint  time.Time
		matchedKey string
	)
	for {
		after, err := d.inforBooks(ctx)
		if err != nil {
			if ctx.Err() != nil && lastKey != "" {
				d.gaveUp(ctx, start)
				return last, nil
			}
			return last, fmt.Errorf("reading Infor's books: %w", err)
		}
		last = diffBooks(after, before)
		key := booksKey(last)
		total, bad := figureCount(expected, last), len(scenario.Compare(expected, last))
		if bad == 0 && key == matchedKey {
			d.printf("  all %d figures agree after %s\n", total, time.Since(start).Round(100*time.Millisecond))
			return last, nil
		}
		matchedKey = ""
		if bad == 0 {
			matchedKey = key // agree once more, unchanged, and it is done
		}
		if agree := total - bad; agree != lastAgree || time.Since(lastPrint) >= 5*time.Second {
			d.printf("  %s: %d of %d figures agree\n", time.Since(start).Round(time.Second), agree, total)
			lastAgree, lastPrint = agree, time.Now()
		}
		lastKey = key
		select {
		case <-ctx.Done():
			d.gaveUp(ctx, start)
			return last, nil
		case <-time.After(demoPoll):
		}
	}
}

// gaveUp says why the wait ended before the books agreed.
func (d *demo) gaveUp(ctx context.Context, start time.Time) {
	why := "interrupted"
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		why = "--timeout " + d.s.timeout.String()
	}
	d.printf("  stopped waiting after %s (%s); the books as they stand:\n", time.Since(start).Round(time.Second), why)
}

// diffBooks is what after adds to before, per currency; currencies the
// day did not touch are left out.
func diffBooks(after, before scenario.Books) scenario.Books {
	out := scenario.NewBooks(after.Livemode)
	seen := map[string]bool{}
	for c := range after.Currencies {
		seen[c] = true
	}
	for c := range before.Currencies {
		seen[c] = true
	}
	for c := range seen {
		a, b := after.Get(c), before.Get(c)
		f := scenario.Figures{
			Charged: a.Charged - b.Charged, Refunded: a.Refunded - b.Refunded, Disputed: a.Disputed - b.Disputed,
			Fees: a.Fees - b.Fees, PaidOut: a.PaidOut - b.PaidOut, Clearing: a.Clearing - b.Clearing,
			Receivable: a.Receivable - b.Receivable, FX: a.FX - b.FX,
		}
		if f != (scenario.Figures{}) {
			*out.In(c) = f
		}
	}
	return out
}

// booksKey is a canonical text of books, to tell whether they moved.
func booksKey(b scenario.Books) string {
	var sb strings.Builder
	for _, c := range sortedCurrencies(b.Currencies) {
		fmt.Fprintf(&sb, "%s%+v;", c, *b.Currencies[c])
	}
	return sb.String()
}

// figureCount is how many figures the summary shows: each currency's
// figures that are not zero on both sides.
func figureCount(stripe, infor scenario.Books) int {
	n := 0
	seen := map[string]bool{}
	for _, books := range []scenario.Books{stripe, infor} {
		for c := range books.Currencies {
			if seen[c] {
				continue
			}
			seen[c] = true
			s, i := stripe.Get(c), infor.Get(c)
			for _, pair := range [][2]int64{{s.Charged, i.Charged}, {s.Refunded, i.Refunded}, {s.Disputed, i.Disputed},
				{s.Fees, i.Fees}, {s.PaidOut, i.PaidOut}, {s.Clearing, i.Clearing}, {s.Receivable, i.Receivable}, {s.FX, i.FX}} {
				if pair[0] != 0 || pair[1] != 0 {
					n++
				}
			}
		}
	}
	return n
}

// Dead letters.
