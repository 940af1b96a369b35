// Package dedupe keeps each command's state in Redis, so the sink applies a
// command once in effect: pending with a lease while a worker applies it (a
// crashed worker's lease runs out and another takes the command up), done
// with a long TTL once Infor confirmed it (Stripe retries events for up to
// 30 days, so done must outlive that).
package dedupe

import "time"

// State is the answer of Acquire.
type State int

const (
	// Acquired: the caller holds the lease and must apply the command, then
	// MarkDone (applied) or Release (not applied).
	Acquired State = iota + 1
	// Done: the command was applied before; skip it.
	Done
	// Held: another owner's lease runs; try again after Claim.Wait.
	Held
)

// Claim is the outcome of claiming one command id.
type Claim struct {
	State State
	// Wait is, for Held, how long the other owner's lease still runs.
	Wait time.Duration
}
