package kafka

import (
	"fmt"
	"strconv"
	"strings"
)

// Partitions says how many partitions each topic gets when it is created.
// Topics already present are never changed: adding partitions to a keyed
// topic would move keys between partitions and break per-key ordering.
type Partitions struct {
	// Default applies to topics without their own entry.
	Default int32
	// ByTopic overrides Default for named topics.
	ByTopic map[string]int32
}

// DefaultPartitions is 12 for the raw topic (the webhook's fan-in, and the
// processors' unit of parallelism) and 6 for the others.
func DefaultPartitions() Partitions {
	return Partitions{Default: 6, ByTopic: map[string]int32{RawEvents: 12}}
}

// For returns the partition count for topic.
func (p Partitions) For(topic string) int32 {
	if n, ok := p.ByTopic[topic]; ok {
		return n
	}
	return p.Default
}

// ParsePartitions reads a spec such as "stripe.events.raw=24,default=3" on top
// of DefaultPartitions. An empty spec gives the defaults.
func ParsePartitions(spec string) (Partitions, error) {
	p := DefaultPartitions()
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, val, ok := strings.Cut(item, "=")
		if !ok {
			return p, fmt.Errorf("partitions: %q is not topic=count", item)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 32)
		if err != nil || n < 1 {
			return p, fmt.Errorf("partitions: %q: count must be a positive integer", item)
		}
		name = strings.TrimSpace(name)
		if name == "default" {
			p.Default = int32(n)
			continue
		}
		p.ByTopic[name] = int32(n)
	}
	return p, nil
}
