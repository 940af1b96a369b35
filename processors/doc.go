// Package processors will turn raw Stripe events into Avro Infor commands and
// enriched events (consume-transform-produce in Kafka transactions). It is
// empty until the issue "Processors: Stripe events to Avro Infor commands"
// lands; the producer already fills stripe.events.raw for it.
package processors
