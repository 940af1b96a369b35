package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// ensureTopics creates the design's topics that are missing (idempotent),
// over a plaintext connection (dev's embedded broker).
func ensureTopics(ctx context.Context, brokers []string, partitionSpec string, log *slog.Logger) error {
	return ensureTopicsWith(ctx, brokers, nil, partitionSpec, log)
}

// ensureTopicsWith is ensureTopics connecting as sec says (SASL, TLS).
func ensureTopicsWith(ctx context.Context, brokers []string, sec *kafka.Security, partitionSpec string, log *slog.Logger) error {
	parts, err := kafka.ParsePartitions(partitionSpec)
	if err != nil {
		return err
	}
	cl, err := kafka.NewAdminClient(kafka.Config{Brokers: brokers, ClientID: "stripe-infor-admin", Logger: log, Security: sec})
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	created, err := kafka.EnsureTopics(ctx, kadm.NewClient(cl), kafka.DesignTopics(), parts, log)
	if err != nil {
		return fmt.Errorf("ensure topics: %w", err)
	}
	if len(created) > 0 {
		log.Info("topics created", "topics", created)
	}
	return nil
}

// kafkaSecurity reads the KAFKA_SASL_* and KAFKA_TLS_* settings of a
// production stage and logs how it connects (never a secret).
func kafkaSecurity(log *slog.Logger) (*kafka.Security, error) {
	sec, err := kafka.SecurityFromEnv(log)
	if err != nil {
		return nil, err
	}
	if _, err := sec.Opts(); err != nil { // reads the TLS files: a bad one stops the start
		return nil, err
	}
	log.Info("kafka connection", sec.Describe()...)
	return sec, nil
}

// kafkaPreflight connects once before the stage starts, so that refused
// credentials stop the start with an error naming the settings instead of
// leaving a stage that retries the same password forever. A cluster that is
// merely unreachable is only logged: the stage's clients keep retrying, and
// /readyz says so.
// Without SASL there is nothing it could refuse, so it does not run, and
// the health endpoint is not held back by an unreachable broker.
func kafkaPreflight(ctx context.Context, brokers []string, sec *kafka.Security, log *slog.Logger) error {
	if !sec.HasSASL() {
		return nil
	}
	cl, err := kafka.NewAdminClient(kafka.Config{Brokers: brokers, ClientID: "stripe-infor-preflight", Logger: log, Security: sec})
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = kafka.Ping(ctx, cl, sec)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, kafka.ErrAuthentication):
		return err
	}
	log.Warn("kafka not reachable yet; starting anyway", "err", err)
	return nil
}
