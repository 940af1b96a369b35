package scenario

import (
	"time"
)

// price draws a realistic basket amount in currency's API minor units.
func price(b *Builder, currency string) int64 {
	r := b.Rand()
	switch currency {
	case "jpy":
		return int64(1000 + 100*r.IntN(300)) // ¥1,000 – ¥30,900
	case "kwd":
		return int64(2000 + 50*r.IntN(600)) // 2.000 – 31.950 KWD
	case "isk":
		return int64(1500+100*r.IntN(400)) * 100 // 1,500 – 41,400 ISK
	}
	return int64(500 + 5*r.IntN(3000)) // 5.00 – 154.95
}

// Currencies are the currencies of a Day, in the order a report shows
// them.
var Currencies = []string{"usd", "eur", "gbp", "jpy", "kwd", "isk"}

// mix is the currencies customers pay in, weighted like a US merchant
// selling abroad.
var mix = []string{"usd", "usd", "usd", "usd", "usd", "eur", "eur", "gbp", "jpy", "kwd", "isk"}

// Day is a realistic day of a merchant's Stripe account, for `make demo`,
// the end-to-end suite and the benchmarks: earlier this week, charges in every currency
// (two converted into USD), a partial refund and Stripe's monthly Radar
// fee, which today's payouts pay out; today, customers customers paying
// once or twice (about 4 % declined, some EUR and JPY converted into USD,
// the first customer's card declined for sure), a quarterly subscription
// every 40 customers and one that fails, a refund of one charge in
// twenty (every other one partial), a dispute of an earlier charge lost
// and one won; at the end of the day one payout per currency of what
// became available. Today's charges stay in clearing, as in real life.
func Day(seed int64, customers int, live bool) *World {
	b := New(seed)
	r := b.Rand()

	var early []*Charge
	pay := func(cur string, opts ...ChargeOption) {
		c := b.Customer(live, cur)
		early = append(early, b.Charge(c, price(b, cur), cur, opts...))
		b.Advance(time.Duration(60+r.IntN(1200)) * time.Second)
	}
	for _, cur := range Currencies {
		pay(cur)
	}
	pay("eur", SettledIn("usd", "1.0876"))
	pay("jpy", SettledIn("usd", "0.0067"))
	for i := len(early); i < customers/10; i++ {
		pay(mix[r.IntN(len(mix))])
	}
	b.Refund(early[0], half(early[0]))
	b.StripeFee(live, "usd", 500, "Radar for Fraud Teams (monthly)")
	b.Advance(4 * 24 * time.Hour)

	var charges []*Charge
	for i := 0; i < customers; i++ {
		cur := mix[r.IntN(len(mix))]
		c := b.Customer(live, cur)
		if i == 0 {
			b.FailedCharge(c, price(b, cur), cur)
		}
		for j := 1 + r.IntN(2); j > 0; j-- {
			switch k := r.IntN(100); {
			case k < 4:
				b.FailedCharge(c, price(b, cur), cur)
			case k < 12 && cur == "eur":
				charges = append(charges, b.Charge(c, price(b, cur), cur, SettledIn("usd", "1.0876")))
			case k < 12 && cur == "jpy":
				charges = append(charges, b.Charge(c, price(b, cur), cur, SettledIn("usd", "0.0067")))
			default:
				charges = append(charges, b.Charge(c, price(b, cur), cur))
			}
		}
		if i%40 == 7 {
			b.Subscription(c, 3*price(b, "usd"), "usd", 3)
		}
		if i == customers/2 {
			b.FailedInvoice(c, 2900, "usd", 3)
		}
		b.Advance(time.Duration(10+r.IntN(120)) * time.Second)
	}
	for i, ch := range charges {
		switch {
		case i%40 == 3:
			b.Refund(ch, half(ch))
		case i%20 == 3:
			b.Refund(ch, 0)
		}
	}
	b.Dispute(early[1], false)
	b.Dispute(early[2], true)
	b.Advance(3 * time.Hour)
	for _, cur := range Currencies {
		b.Payout(live, cur)
	}
	return b.World()
}

// half is about half of a charge, in an amount its currency can be
// refunded in (whole krónur for ISK).
func half(ch *Charge) int64 {
	u := unit(ch.Currency)
	return max(ch.Amount/2/u*u, u)
}
