package dedupe

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestCluster(t *testing.T) {
	nodes := startCluster(t)
	// Two of the three nodes in the URL: the client discovers the third.
	c := newTestClient(t, "redis-cluster://"+nodes[0].addr()+","+nodes[1].addr())
	if _, ok := c.(*redis.ClusterClient); !ok {
		t.Fatalf("NewClient gave %T for a redis-cluster:// URL", c)
	}
	ctx := testCtx(t)
	s := newStore(t, c, Options{})
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	t.Run("states", func(t *testing.T) { exerciseStates(t, c) })
	t.Run("batch across slots", func(t *testing.T) {
		ids := exerciseBatch(t, c)
		// The batch must really have spanned the three masters.
		batch := newStore(t, c, Options{Prefix: "batch:"})
		perNode := [3]int{}
		for _, id := range ids {
			slot, err := c.ClusterKeySlot(ctx, batch.key(id)).Result()
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range slotRanges {
				if int(slot) >= r[0] && int(slot) <= r[1] {
					perNode[i]++
				}
			}
		}
		for i, n := range perNode {
			if n == 0 {
				t.Fatalf("no batch id on node %d (per node: %v): the test does not cover cross-slot batches", i, perNode)
			}
		}
		t.Logf("batch ids per master: %v", perNode)
	})
	t.Run("concurrent", func(t *testing.T) { exerciseConcurrent(t, c) })
}
