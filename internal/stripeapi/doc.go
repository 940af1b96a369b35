// Package stripeapi makes the few Stripe API calls the pipeline needs
// outside the webhook path: the sink fetches a payout's balance
// transactions before it reconciles the payout (the processors make no
// outbound calls, docs/events.md "Payouts"), and the backfill will list
// events.
//
// It is plain net/http and encoding/json rather than stripe-go's client:
// the calls are few, and money must never pass through a float, which
// stripe-go's BalanceTransaction.ExchangeRate (float64) would do. Amounts
// are read as integers, exchange rates as the exact decimal text of the
// JSON number.
//
// Keys: a live-mode object is read with Config.LiveKey, a test-mode object
// with Config.TestKey, or with LiveKey when that is itself a test key (one
// key for a test-only setup). Keys never appear in errors, logs or String
// output: Stripe echoes a rejected key in its message, so every message is
// scrubbed before it becomes an *Error.
//
// Errors are *Error. Transient reports what is worth retrying (429, 5xx,
// 409 lock_timeout, network errors and timeouts); RetryAfterHint carries a
// 429's Retry-After. The sink checks both through errors.As on the
// interfaces, so it needs no import of this package.
package stripeapi
