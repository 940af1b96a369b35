package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// EnsureTopics creates the topics that do not exist yet and leaves the others
// alone, so it is safe to run at every start. Replication uses the broker's
// default (-1). A topic that exists with a different partition count is
// reported in the log, not altered.
func EnsureTopics(ctx context.Context, adm *kadm.Client, topics []string, parts Partitions, log *slog.Logger) (created []string, err error) {
	existing, err := adm.ListTopics(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	for _, t := range topics {
		td, ok := existing[t]
		if ok && td.Err == nil {
			if want := parts.For(t); int32(len(td.Partitions)) != want && log != nil {
				log.Warn("topic exists with a different partition count; leaving it as is",
					"topic", t, "partitions", len(td.Partitions), "configured", want)
			}
			continue
		}
		resp, err := adm.CreateTopic(ctx, parts.For(t), -1, nil, t)
		if err == nil {
			err = resp.Err
		}
		if errors.Is(err, kerr.TopicAlreadyExists) {
			continue // another instance created it between our list and create
		}
		if err != nil {
			return created, fmt.Errorf("create topic %s: %w", t, err)
		}
		created = append(created, t)
	}
	return created, nil
}
