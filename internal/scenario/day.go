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

// payoutCurrencies are the balances a Day pays out.
var payoutCurrencies = []string{"usd", "eur", "gbp", "jpy", "kwd", "isk"}

// mix is the currencies customers pay in, weighted like a US merchant
// selling abroad.
var mix = []string{"usd", "usd", "usd", "usd", "usd", "eur", "eur", "gbp", "jpy", "kwd", "isk"}

// Day is a realistic day of a merchant's Stripe account in live mode, for
// `make demo` and the benchmarks: customers customers pay once or twice in
// USD, EUR, GBP, JPY, KWD and ISK (some EUR and JPY charges converted to a
// USD balance), some cards are declined, about one charge in twenty is
// refunded (half of them in part), one charge is disputed and lost, a few
// customers start a quarterly subscription (deferred revenue) and one
// fails to pay for it. The days before left charges that today's payouts
// (one per currency) pay out; today's charges are still at Stripe.
func Day(seed int64, customers int) *World {
	b := New(seed)
	r := b.Rand()
	// Two days of earlier business: what today's payouts pay out.
	var early []*Charge
	for i := 0; i < max(customers/10, len(payoutCurrencies)+1); i++ {
		cur := payoutCurrencies[i%len(payoutCurrencies)]
		c := b.Customer(true, cur)
		var opts []ChargeOption
		if i == len(payoutCurrencies) { // a euro charge Stripe converts: the payout books the conversion
			cur, opts = "eur", []ChargeOption{SettledIn("usd", "1.0876")}
		}
		early = append(early, b.Charge(c, price(b, cur), cur, opts...))
		b.Advance(time.Duration(20+r.IntN(600)) * time.Second)
	}
	b.Advance(4 * 24 * time.Hour)
	for _, cur := range payoutCurrencies {
		b.Payout(true, cur)
	}

	var charges []*Charge
	for i := 0; i < customers; i++ {
		cur := mix[r.IntN(len(mix))]
		c := b.Customer(true, cur)
		n := 1 + r.IntN(2)
		for j := 0; j < n; j++ {
			switch k := r.IntN(100); {
			case k < 4:
				b.FailedCharge(c, price(b, cur), cur)
			case k < 10 && cur == "eur":
				charges = append(charges, b.Charge(c, price(b, cur), cur, SettledIn("usd", "1.0876")))
			case k < 10 && cur == "jpy":
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
		if i%20 != 3 {
			continue
		}
		amount := int64(0) // all of it
		if i%40 == 3 {
			amount = ch.Amount / 2 / unit(ch.Currency) * unit(ch.Currency)
		}
		b.Refund(ch, amount)
	}
	if len(early) > 0 {
		b.Dispute(early[0], false)
	}
	return b.World()
}
