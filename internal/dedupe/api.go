// Package dedupe keeps each command's state in Redis, so the sink applies a
// command once in effect: pending with a lease while a worker applies it (a
// crashed worker's lease runs out and another takes the command up), done
// with a long TTL once Infor confirmed it (Stripe retries events for up to
// 30 days, so done must outlive that).
//
// Redis is the first line of dedupe only. The applier looks each command's
// reference up in Infor before creating anything, so a lost or flushed Redis,
// an expired lease or an evicted key costs extra lookups, never a duplicate.
//
// # Keys
//
// One key per command id, "<prefix>{<id>}" (prefix default
// "stripe-infor:cmd:"), holding "d" (done, expiring after Options.DoneTTL,
// default 35 days) or "p:<owner>" (pending, expiring after Options.Lease,
// default 60 s). The braces make the id the key's Cluster hash tag. Every
// operation reads and writes that one key atomically (a single SET, or a Lua
// script run by EVALSHA, with EVAL when the server lost its script cache),
// so single node, Sentinel and Cluster behave alike. Redis should run with
// maxmemory-policy noeviction (or volatile-*, since every key has a TTL);
// allkeys-* policies would evict done markers early.
//
// # REDIS_URL
//
// NewClient accepts:
//
//	redis://[[user]:password@]host[:6379][/db][?options]          single node
//	rediss://…                                                    single node over TLS
//	redis-sentinel://[[user]:password@]h1[:26379],h2[:26379][/db]?master=mymaster[&options]
//	rediss-sentinel://…                                           Sentinel, TLS to sentinels and servers
//	redis-cluster://[[user]:password@]h1[:6379],h2[:6379][?options]
//	rediss-cluster://…                                            Cluster over TLS
//
// For Sentinel the hosts are the sentinels; the user and password are those
// of the Redis servers, and sentinel_username / sentinel_password (query
// options) those of the sentinels, if they require auth. For Cluster any
// subset of the nodes will do; the client discovers the others. IPv6 hosts
// are written [::1]:6379. Reserved characters in the password ('/', '?',
// '#', '@' …) must be percent-encoded (%2F, %3F, %23, %40); a URL that
// cannot be split without guessing where the password ends is refused.
// Other options: dial_timeout (default 2s), read_timeout (1s),
// write_timeout (1s), max_retries (1), pool_size (connections per node;
// go-redis' default is 10 per CPU, 5 per CPU on Cluster), client_name.
// Unknown options are an error. The short timeouts are deliberate: the sink notices an outage
// within seconds, pauses and resumes by itself.
//
// No error or String() of this package contains a password;
// RedactURL makes a URL safe to log.
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
