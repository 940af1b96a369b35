package processors_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/processors"
)

func TestNewRefusesIncompleteConfig(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		mod  func(*processors.Config)
		want string
	}{
		{"no brokers", func(c *processors.Config) { c.Brokers = nil }, "KAFKA_BROKERS"},
		{"no transformer", func(c *processors.Config) { c.Transformer = nil }, "Transformer"},
		{"no encoder", func(c *processors.Config) { c.Encoder = nil }, "Encoder"},
		{"negative batch", func(c *processors.Config) { c.MaxRecordsPerTxn = -1 }, "MaxRecordsPerTxn"},
	} {
		cfg := e.config("tx-config")
		tc.mod(&cfg)
		if _, err := processors.New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: err %v, want one naming %s", tc.name, err, tc.want)
		}
	}
}

func TestDefaultTransactionalIDIsPerHost(t *testing.T) {
	h, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	if got := processors.DefaultTransactionalID(); got != "stripe-infor-processor-"+h {
		t.Fatalf("DefaultTransactionalID() = %q, want the hostname %q in it", got, h)
	}
}
