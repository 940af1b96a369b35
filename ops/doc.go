// Package ops is the home of the SRE tools behind `stripe-infor replay`,
// `stripe-infor dlq` and `stripe-infor backfill`. The work lives in the
// sub-packages; the binary only parses flags and prints.
//
//   - kscan reads bounded offset ranges of a topic (shared by all three).
//   - replay re-produces a range to a topic, or moves a group's offsets.
//   - dlqtool lists, shows and redrives dead letters.
//   - backfill fetches missed events from Stripe's Events API.
//   - progress draws the progress line of long work; timespec reads the
//     times and durations the flags take.
//
// Imports point down only: ops may import producer, schemas and internal,
// and nothing below cmd/stripe-infor imports ops.
package ops
