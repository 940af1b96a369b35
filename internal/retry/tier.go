package retry

import "time"

// Tier returns the delay of the n-th visit to a retry topic (n is 1-based:
// the first failure that leaves the source topic is visit 1) and true, or
// false when the tiers are used up and the record belongs in the DLQ.
func Tier(tiers []time.Duration, n int) (time.Duration, bool) {
	if n < 1 || n > len(tiers) {
		return 0, false
	}
	return tiers[n-1], true
}

// TierRepeat is Tier with the last tier repeated once the others are used
// up: for failures that are retried until a deadline of their own rather
// than a number of tiers (a prerequisite that is not in the ERP yet). No
// tiers at all gives 0.
func TierRepeat(tiers []time.Duration, n int) time.Duration {
	if len(tiers) == 0 {
		return 0
	}
	if n < 1 {
		n = 1
	}
	return tiers[min(n, len(tiers))-1]
}
