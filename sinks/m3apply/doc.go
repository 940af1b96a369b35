// Package m3apply carries a decoded command out in Infor M3: it is the
// inforsink.Applier of the Infor sink. It picks the tenant by the command's
// mode, hands the command to the M3 adapter (package infor/m3, which is
// idempotent by lookup), fetches what a command leaves for the sink to
// fetch (a payout's balance transactions), and reports what Infor did with
// Infor's own numbers.
//
// # Tenants
//
// Live-mode commands (meta.livemode true) go to Config.Live, the tenant of
// INFOR_IONAPI_FILE; test-mode commands to Config.Sandbox, the tenant of
// INFOR_SANDBOX_IONAPI_FILE. Without a sandbox a test-mode command is an
// invalid command (m3.ErrInvalidCommand, so the sink dead-letters it as a
// validation error instead of retrying it forever), unless
// Config.AllowTestModeOnLive lets one tenant take both (development, with
// the emulator). Stripe test data never reaches a production ledger by
// accident.
//
// # Payouts
//
// Processors make no outbound calls, so a ReconcilePayout of a paid payout
// arrives without its balance transactions (docs/events.md "Payouts"); the
// applier fetches them from Stripe (Config.Payouts, with the command's
// Connect account and mode) unless the command already carries them (a
// backfill). Stripe errors keep their type (wrapped with the command's
// context), so the sink's errors.As checks see Transient and
// RetryAfterHint: a transient one (429, 5xx, 409 lock_timeout, network) is
// retried, a permanent one (an unknown payout, a manual payout, whose
// transactions Stripe does not list by payout, no key for the mode) is
// dead-lettered with Stripe's message. No Stripe client at all is an
// invalid command.
//
// A failed (or canceled) payout: it never stayed in the bank, so the
// command books nothing new and undoes what its paid command booked. The
// applier does not call Stripe for it (the transactions Stripe lists for a
// failed payout are irrelevant: what has to be undone is what M3 holds).
// The adapter (m3.Adapter.ReconcilePayout with status failed) writes a
// reversal bank statement that negates every line of the paid statement,
// line by line; when nothing was booked (the payout failed before it was
// paid, or the failure arrived first: Stripe does not order events) the
// reversal statement is written without lines, as a marker, and a paid
// command applied after it books nothing. Either order of the two events
// leaves paid + failed summing to zero on the payout bank account. The
// money returns to the Stripe balance as a payout_failure balance
// transaction and is booked with the later payout that pays it out.
//
// # Results
//
// Applied.Created is false when Infor already had everything (a duplicate
// caught by the adapter's lookup, not by Redis); Applied.Detail names what
// was written with M3's numbers (CUNO, ORNO, CINO, STNB, BCHN).
package m3apply
