package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// ensureTopics creates the design's topics that are missing (idempotent).
func ensureTopics(ctx context.Context, brokers []string, partitionSpec string, log *slog.Logger) error {
	parts, err := kafka.ParsePartitions(partitionSpec)
	if err != nil {
		return err
	}
	cl, err := kafka.NewAdminClient(kafka.Config{Brokers: brokers, ClientID: "stripe-infor-admin", Logger: log})
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
