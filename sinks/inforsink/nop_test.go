package inforsink

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/dedupe"
)

// Stand-ins for the config checks only; the behaviour tests use the real
// components (see harness_test.go).
type nopDecoder struct{}

func (nopDecoder) Decode(context.Context, []byte) (any, error) { return nil, nil }

type nopApplier struct{}

func (nopApplier) Apply(context.Context, command.Command) (Applied, error) { return Applied{}, nil }

type nopDedupe struct{}

func (nopDedupe) Acquire(context.Context, string, string) (dedupe.Claim, error) {
	return dedupe.Claim{}, nil
}
func (nopDedupe) AcquireBatch(context.Context, []string, string) ([]dedupe.Claim, error) {
	return nil, nil
}
func (nopDedupe) Extend(context.Context, string, string) (bool, error) { return true, nil }
func (nopDedupe) MarkDone(context.Context, string, string) error       { return nil }
func (nopDedupe) Release(context.Context, string, string) error        { return nil }
func (nopDedupe) Ping(context.Context) error                           { return nil }
func (nopDedupe) Lease() time.Duration                                 { return time.Minute }

func recAt(off int64) *kgo.Record { return &kgo.Record{Offset: off, LeaderEpoch: 1} }
