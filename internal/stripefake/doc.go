// Package stripefake is a fake of the part of the Stripe API the pipeline
// reads: balance transactions (GET /v1/balance_transactions and
// GET /v1/balance_transactions/{id}), served from a ledger the caller
// loads, with Stripe's JSON shapes, pagination, error objects and key
// handling.
//
// Why a fake and not stripe-mock: a payout is reconciled from the balance
// transactions it paid out, and the books only balance when those are the
// ones of the scenario that was sent (the charges, refunds and fees of
// the events). stripe-mock answers every well-formed request with the same
// canned object, so it checks that our requests are well-formed but cannot
// serve a scenario's ledger. Tests, `make run` and `make demo` use this
// fake; the shape test keeps its objects' field names equal to
// stripe-mock's.
//
// What it does as Stripe does:
//   - Authorization: Bearer <key>, or Basic with the key as the user. The
//     key's prefix picks the mode (sk_live_/rk_live_ live, sk_test_/rk_test_
//     test) and a key sees only the ledger entries of its mode, and of the
//     account in Stripe-Account ("" the platform). A missing or unknown key
//     is a 401; the key is never echoed, not even masked in part.
//   - Lists are newest first (created descending; among equal created, the
//     entry added last first), paginated with limit (1–100, default 10),
//     starting_after and ending_before, filtered by payout, type, source,
//     currency and created (exact or gt/gte/lt/lte). An unknown parameter
//     is a 400 naming it, as Stripe's parameter_unknown.
//   - expand[]=data.source on the list and expand[]=source on a retrieve
//     put BalanceTransaction.SourceObject in place of the source id.
//   - exchange_rate is written as the JSON number token it was loaded
//     with, never through a float64, so "1.08765432109876" round-trips.
//   - Every answer has a Request-Id header.
//
// The admin endpoints under /_fake/ are not Stripe's and need no key: they
// exist so that `make demo` and people can load a ledger into a running
// `stripe-infor dev`. They are for development only; the fake holds its
// ledger in memory and must never face a network others can reach.
//
//	POST   /_fake/balance_transactions   JSON array of BalanceTransaction (all or none added; 400 on an invalid one)
//	GET    /_fake/balance_transactions   the ledger, in the order it was added
//	DELETE /_fake/balance_transactions   empty the ledger
package stripefake
