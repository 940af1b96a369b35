package inforsink

import (
	"context"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/alert"
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/dedupe"
)

// Applier carries one command out in Infor. It must be idempotent: the
// sink applies a command again after a crash, a lost answer or a lost
// Redis, and relies on the applier to look the command's reference up in
// Infor before creating anything. *m3apply.Applier implements it.
//
// Errors are classified by the sink (classify.go): an m3.ErrDependency is a
// missing prerequisite (retry topic until the dependency deadline), an
// m3.ErrInvalidCommand or an Infor NOK is a validation error (DLQ at once,
// with Infor's message, code and field), timeouts, connection failures,
// 5xx and 429 are transient (retried in place, then through the retry
// topic tiers).
type Applier interface {
	Apply(ctx context.Context, cmd command.Command) (Applied, error)
}

// Applied is what the applier did, for the log line and the metrics.
type Applied struct {
	// Created is false when everything already existed in Infor (a
	// duplicate caught by Infor's lookup rather than by Redis).
	Created bool
	// Detail names what was written, with Infor's numbers
	// ("CUNO S4Q2…", "ORNO 1000123, invoice 300045").
	Detail string
}

// Dedupe is the command-state store; *dedupe.Store implements it.
type Dedupe interface {
	// Acquire claims id for owner: Acquired (a lease runs), Done (already
	// applied: skip) or Held (another worker's lease, Claim.Wait left).
	Acquire(ctx context.Context, id, owner string) (dedupe.Claim, error)
	// AcquireBatch is Acquire for many ids in one round trip.
	AcquireBatch(ctx context.Context, ids []string, owner string) ([]dedupe.Claim, error)
	// Extend renews owner's lease on id; false when the lease was lost.
	Extend(ctx context.Context, id, owner string) (bool, error)
	// MarkDone records id as applied, for the store's done TTL.
	MarkDone(ctx context.Context, id, owner string) error
	// Release drops owner's pending lease on id (the command was not
	// applied: it moves to a retry topic or the DLQ).
	Release(ctx context.Context, id, owner string) error
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
	// Lease is how long a claim stays pending without Extend; the sink
	// renews a running apply's lease well before it runs out.
	Lease() time.Duration
}

// Decoder reads a command record's value (Confluent wire format, Avro);
// *schemas.Serde implements it. The value is a command.Command value.
type Decoder interface {
	Decode(ctx context.Context, b []byte) (any, error)
}

// Alerter posts an alert for a dead-lettered command; *alert.Notifier
// implements it. Notify must not block the caller.
type Alerter interface {
	Notify(a alert.Alert)
}
