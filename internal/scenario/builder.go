package scenario

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/stripefake"
)

// DefaultStart is when a Builder's clock starts: a Monday morning, UTC.
var DefaultStart = time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)

// Stripe's timings the builder keeps (compressed where waiting adds
// nothing to the story).
const (
	day = 24 * 60 * 60
	// availableAfter is when a charge's funds become available for a
	// payout: Stripe's standard two-day rolling schedule.
	availableAfter = 2 * day
	// payoutLead is how long before its arrival a payout is created; it
	// pays out what was available at its creation.
	payoutLead = 2 * day
	// step is the pause after each action, so every event has its own
	// second.
	step = 7
)

// Builder plays Stripe for one world. Each action happens at the
// builder's clock and moves it forward; Advance moves it further. A
// Builder is not safe for concurrent use.
type Builder struct {
	w    *World
	ids  *ids
	rnd  *rand.Rand
	now  int64
	seq  int64
	byID map[string]*Charge
}

// New starts a world at DefaultStart. The same seed and the same actions
// give the same world, byte for byte.
func New(seed int64) *Builder {
	return &Builder{
		w:    &World{Seed: seed},
		ids:  newIDs(seed),
		rnd:  rand.New(rand.NewPCG(uint64(seed), 0x2545f4914f6cdd1d)),
		now:  DefaultStart.Unix(),
		seq:  1 + int64(uint64(seed)%100000)*10,
		byID: map[string]*Charge{},
	}
}

// Now is the builder's clock.
func (b *Builder) Now() time.Time { return time.Unix(b.now, 0).UTC() }

// Advance moves the clock forward by d.
func (b *Builder) Advance(d time.Duration) {
	if d > 0 {
		b.now += int64(d / time.Second)
	}
}

// Rand is the builder's deterministic random source, for callers that
// draw amounts or choices (Day does).
func (b *Builder) Rand() *rand.Rand { return b.rnd }

// World returns what was built. The builder may go on; the world returned
// shares its facts.
func (b *Builder) World() *World { return b.w }

// emit gives an envelope its id and time and appends the event.
func (b *Builder) emit(env jsonObj, typ string, created int64, pi bool) Event {
	env["id"] = b.ids.event(pi)
	env["type"] = typ
	env["created"] = created
	live, _ := env["livemode"].(bool)
	e := Event{ID: env["id"].(string), Type: typ, Livemode: live, Created: created, Body: encode(env)}
	b.w.Events = append(b.w.Events, e)
	return e
}

// book adds a ledger entry.
func (b *Builder) book(bt stripefake.BalanceTransaction) {
	if bt.Net != bt.Amount-bt.Fee {
		panic(fmt.Sprintf("scenario: ledger entry %s: net %d is not amount %d - fee %d", bt.ID, bt.Net, bt.Amount, bt.Fee))
	}
	bt.Currency = strings.ToLower(bt.Currency)
	b.w.Ledger = append(b.w.Ledger, bt)
}

// Customer creates a customer (customer.created); currency is where the
// customer lives (it picks the person's country), not a limit on what the
// customer pays in.
func (b *Builder) Customer(livemode bool, currency string) *Customer {
	b.seq++
	c := &Customer{ID: b.ids.customer(), Livemode: livemode, seq: b.seq, home: strings.ToLower(currency)}
	env, o := template("customer.created", c.seq, livemode, c.home, 0, b.now)
	o["id"] = c.ID
	b.emit(env, "customer.created", b.now, false)
	b.w.Customers = append(b.w.Customers, c)
	b.now += step
	return c
}
