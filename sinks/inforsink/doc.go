// Package inforsink is the Infor sink's runtime: it consumes the
// infor.*.commands topics and their .retry topics as one consumer group and
// applies each command to Infor once in effect, through an Applier
// (sinks/m3apply for M3).
//
// # Scheduling
//
// Records of one key on one partition form a FIFO: only its head is worked
// on, so one business key's commands apply one at a time, in offset order,
// while other keys go on. At most Config.Concurrency Apply calls run at once
// across all keys. Backpressure: at most Config.MaxBuffered records are
// fetched and unfinished at once (the poll asks for no more than the room
// left), so a slow Infor slows the fetching, not the memory.
//
// # Offsets
//
// Per partition the sink commits the lowest unfinished offset: everything
// before it was applied, skipped as already done, moved to the retry topic
// or dead-lettered (a move counts only once the broker acknowledged it). It
// commits every Config.CommitInterval, on a revoke (after giving running
// commands up to Config.DrainTimeout) and at shutdown. A crash re-reads from
// the last commit; Redis and the applier's lookups in Infor make that
// harmless.
//
// # Dedupe
//
// Each command id is claimed in Redis (Dedupe) before it is applied: done
// means skip, held means another worker's lease runs (wait, without holding
// other keys up), acquired means apply, with the lease renewed every
// Lease/3 while the call runs, then mark done only after Infor confirmed.
// Claims are batched (AcquireBatch) across workers. While Redis does not
// answer, claims wait and retry with capped backoff (never skipped, never
// applied without a claim), Ready reports not ready, and work resumes by
// itself when Redis answers.
//
// # Failures
//
// classify.go sorts Apply errors: a missing prerequisite (m3.ErrDependency)
// goes to the retry topic, tier after tier, until Config.DependencyDeadline;
// Infor's NOK and invalid commands go to the DLQ at once with Infor's
// message, code and field; timeouts, connection errors, 5xx, 429 and auth
// failures are retried in place (full-jitter exponential backoff, honouring
// Retry-After), then through the retry tiers, then the DLQ
// (transient-exhausted). A 429 with Retry-After closes a shared Gate: no
// Infor call of this sink leaves before the delay passed. Retry-topic
// records wait in a timer heap until their retry.not-before without
// blocking their partition; a restart re-reads them and honours the same
// time. A record that cannot be decoded goes to the DLQ (class decode):
// a poison record never stops a partition.
//
// See README.md for the metrics and the design decisions.
package inforsink
