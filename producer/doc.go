// Package producer is the pipeline's front door: it takes Stripe's webhook
// deliveries, verifies their signature, and publishes the exact body to
// stripe.events.raw, answering 2xx only after the broker acknowledged it.
//
// Nothing accepted is ever lost: a 200 means the record is on every in-sync
// replica; every other answer makes Stripe retry. Anything that cannot be
// verified or is not a Stripe event is refused with 400 before it reaches
// Kafka, so the raw topic holds only authentic events.
package producer
