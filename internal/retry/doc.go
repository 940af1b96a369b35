// Package retry is the retry policy shared by the sinks: how long to wait
// before trying a failed call again, what to do with a server's Retry-After,
// which delay tier of a retry topic a record enters, and a Gate that holds
// back every call to an upstream that answered 429.
//
// # Backoff
//
// Backoff is exponential with "full jitter": the wait before the next try is
// drawn uniformly from [0, min(max, base·2^(attempt-1))]. Randomizing the
// whole interval, not a fraction of it, is what spreads many workers that
// failed at the same moment (an Infor outage hits all of them at once) over
// the interval instead of having them come back in lock-step waves.
//
// # Retry-After
//
// A server's Retry-After is a floor: Wait never returns less than it. A hint
// longer than the in-place cap (InPlace false) is not worth holding a worker
// for; the caller parks the record on a retry topic with at least that delay.
//
// # Tiers
//
// A retry topic has delay tiers (10 s, 1 min, 10 min, 1 h by default).
// Tier(tiers, n) is the delay of the n-th visit (1-based) and false once the
// tiers are used up (transient failures then go to the DLQ); TierRepeat keeps
// using the last tier (a missing dependency waits until its own deadline).
package retry
