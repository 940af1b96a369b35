package dedupe

import "github.com/redis/go-redis/v9"

// Values stored under a command's key. Short on purpose: a busy sink keeps
// millions of done markers for 35 days.
const (
	doneValue     = "d"
	pendingPrefix = "p:"
)

// Codes returned by acquireScript; they match the State constants.
const (
	codeAcquired = 1
	codeDone     = 2
	codeHeld     = 3
)

// acquireScript claims KEYS[1] for the pending value ARGV[1] ("p:<owner>")
// with a lease of ARGV[2] ms, in one atomic step so two workers can never
// both see the key absent. It answers {code, wait_ms}:
//
//   - done                    → {2, 0}
//   - absent                  → set pending, {1, 0}
//   - pending by this owner   → renew the lease, {1, 0} (re-entrant: a
//     worker that crashed between Acquire and apply and restarted with the
//     same owner, or a retry of a lost answer, gets its claim back)
//   - pending by someone else → {3, PTTL}
//
// A pending key without a TTL (only possible by hand) would block its
// command forever, so the script gives it the lease instead. Any other value
// is not ours to interpret and is reported as an error.
var acquireScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, 0}
end
if v == 'd' then
  return {2, 0}
end
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, 0}
end
if string.sub(v, 1, 2) ~= 'p:' then
  return redis.error_reply('dedupe: unexpected value in command key')
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {3, ttl}
`)

// extendScript renews the lease on KEYS[1] to ARGV[2] ms if ARGV[1] still
// holds it: 1 renewed, 0 lost (expired and taken, expired and gone, or done).
var extendScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

// releaseScript deletes KEYS[1] only if ARGV[1] holds it, so a worker whose
// lease ran out cannot drop the lease of the worker that took over, nor a
// done marker: 1 released, 0 not held.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`)
