package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// demoDLQTopics are the dead-letter topics of every stage.
func demoDLQTopics() []string {
	out := []string{kafka.DLQTopic(kafka.RawEvents)}
	for _, t := range kafka.CommandTopics {
		out = append(out, kafka.DLQTopic(t))
	}
	return out
}

// dlqSizes returns the end offset of each dead-letter topic (summed over
// partitions), so the demo can say how many dead letters the day made.
func (d *demo) dlqSizes(ctx context.Context) (map[string]int64, error) {
	brokers := config.List(d.s.kafkaBrokers)
	if len(brokers) == 0 {
		return nil, errors.New("--kafka-brokers is empty")
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DialTimeout(2*time.Second))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, demoDLQTopics()...)
	if err != nil {
		return nil, fmt.Errorf("Kafka at %s: %w", strings.Join(brokers, ","), err)
	}
	if err := ends.Error(); err != nil {
		return nil, fmt.Errorf("Kafka at %s: %w", strings.Join(brokers, ","), err)
	}
	out := map[string]int64{}
	ends.Each(func(o kadm.ListedOffset) { out[o.Topic] += o.Offset })
	return out, nil
}

// reportDLQ says which dead-letter topics grew during the run, and where
// to look; it returns how many entries were added.
func (d *demo) reportDLQ(before, after map[string]int64) int64 {
	var total int64
	var parts []string
	for _, t := range demoDLQTopics() {
		if n := after[t] - before[t]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%s +%d", t, n))
		}
	}
	if total == 0 {
		d.printf("Dead letters during the run: none.\n")
		return 0
	}
	d.printf("DEAD LETTERS during the run: %s. See them with: %s\n", strings.Join(parts, ", "), d.dlqListCommand())
	return total
}

// dlqListCommand is the command that lists the dead letters of the last
// hour on the Kafka the demo counted them on.
func (d *demo) dlqListCommand() string {
	if d.s.kafkaBrokers == "" {
		return "stripe-infor dlq list --since 1h"
	}
	return "stripe-infor dlq list --kafka-brokers " + d.s.kafkaBrokers + " --since 1h"
}

// Formatting.
