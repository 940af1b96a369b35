// Package transform turns one raw Stripe event (a stripe.events.raw record:
// the webhook body, byte for byte) into what the processors write: Infor
// commands, customer notifications and the enriched event for the data
// team. It is a pure function of the event and the mapping (no clock, no
// I/O, no outbound calls), so replaying a record gives the same commands
// with the same ids, and the runtime can run it inside a Kafka transaction
// and dead-letter what it refuses.
//
// What each event type makes, which event is canonical for which money, the
// command ids and the DLQ rules are in docs/events.md. In short:
//
//   - charge.succeeded/captured book payments (and one-off orders);
//     invoices make the orders of subscriptions; refund.* book refunds
//     (charge.refunded only when it lists them); dispute events book the
//     dispute's balance transactions; payouts reconcile the bank.
//   - Command ids are business identities ("payment:ch_…"), never event ids,
//     so two events about one change make one effect in Infor.
//   - Every journal balances per currency, checked before it is emitted.
//
// Files: transformer.go (entry point and outcome), events.go (which type
// goes where), one file per family (charge.go, refund.go, dispute.go,
// invoice.go with deferral.go, customer.go, payout.go), journal.go,
// enriched.go; context.go (per-event state, flags, Meta), amounts.go
// (integers, money and their checks), facts.go (mapping facts, accounts,
// payment methods); and the decoder: stripe.go (the typed view of an
// event), stripedecode*.go and jsonread.go (a one-pass reader, see there
// for why not encoding/json), numbers.go, jsonpath.go (JSON paths for
// errors and flags, computed only when needed).
package transform
