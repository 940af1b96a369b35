package scenario

import (
	"math/rand/v2"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ids makes Stripe-shaped ids (prefix, underscore, base-62 tail) from the
// world's seed. Every id is new: a repeat is drawn again, so two objects
// never share one however many a world has.
type ids struct {
	r    *rand.Rand
	seen map[string]bool
}

func newIDs(seed int64) *ids {
	return &ids{r: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)), seen: map[string]bool{}}
}

// next returns prefix_<lead><tail>: lead is Stripe's first character ("1"
// for most objects, "3" for those made through a PaymentIntent), n the
// tail's length (24 for most objects, 14 for customers as Stripe's).
func (g *ids) next(prefix string, lead byte, n int) string {
	for {
		buf := make([]byte, 0, len(prefix)+2+n)
		buf = append(buf, prefix...)
		buf = append(buf, '_')
		if lead != 0 {
			buf = append(buf, lead)
		}
		for i := 0; i < n; i++ {
			buf = append(buf, base62[g.r.IntN(len(base62))])
		}
		id := string(buf)
		if !g.seen[id] {
			g.seen[id] = true
			return id
		}
	}
}

func (g *ids) customer() string      { return g.next("cus", 0, 14) }
func (g *ids) charge() string        { return g.next("ch", '3', 23) }
func (g *ids) paymentIntent() string { return g.next("pi", '3', 23) }
func (g *ids) refund() string        { return g.next("re", '3', 23) }
func (g *ids) txn() string           { return g.next("txn", '1', 23) }
func (g *ids) dispute() string       { return g.next("dp", '1', 23) }
func (g *ids) invoice() string       { return g.next("in", '1', 23) }
func (g *ids) subscription() string  { return g.next("sub", '1', 23) }
func (g *ids) payout() string        { return g.next("po", '1', 23) }
func (g *ids) event(pi bool) string {
	if pi {
		return g.next("evt", '3', 23)
	}
	return g.next("evt", '1', 23)
}
