// Package processors is the processor stage's runtime: it consumes
// stripe.events.raw, turns each Stripe event into Avro Infor commands and an
// enriched event (processors/transform does the mapping), and writes them in
// Kafka transactions together with the consumed offsets
// (kgo.GroupTransactSession, read_committed). A batch's outputs and its
// offsets commit or abort together, so a crash or restart neither loses nor
// duplicates a command, and any number of instances in one consumer group
// share the raw topic's partitions.
//
// A record that cannot be transformed (not JSON, an amount that is not a
// whole number, a transform that panics, an output the Avro schema refuses)
// goes to stripe.events.raw.dlq, inside the same transaction, with the
// original key, value and headers plus DESIGN.md's error headers, and the
// partition keeps moving.
package processors
