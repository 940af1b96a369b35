// Package scenario builds a consistent Stripe world from a seed and reads
// the books back out of Infor, so that the end-to-end suite, `make demo`
// and the latency benchmark all drive the pipeline with the same story and
// check it with the same arithmetic.
//
// A Builder plays Stripe: customers pay (one-off charges in several
// currencies, some presented in one currency and settled in another),
// charges fail, refunds and disputes happen, subscriptions are invoiced
// for a service period, payouts pay out what became available. Each action
// yields the webhook events Stripe would send (API version 2023-10-16
// bodies, rendered from internal/stripefixture's objects with the world's
// ids and amounts put in) and the balance transactions Stripe's ledger
// would hold (stripefake.BalanceTransaction, with Stripe-like fees and
// exchange rates). Everything follows from the seed: the same seed gives
// the same bytes.
//
// World.Expected computes what the books must say per currency once every
// event is applied (the accounting model of docs/accounting.md: who posts
// what, per currency); ReadState
// and InforBooks read the same figures out of Infor M3's state (the
// emulator's GET /_emulator/state); Compare lists the differences and
// Summary prints them for a finance reader. Sender delivers events as
// Stripe does, signed, optionally each twice and in a shuffled order.
//
// Money is integer minor units in Stripe's API convention (ISK and UGX
// with their two always-zero decimals) throughout; Infor's decimal strings
// are parsed exactly, never through a float.
package scenario
