package mapping

import (
	_ "embed"
	"sync"
)

// DefaultYAML is the built-in mapping, used when MAPPING_FILE is not set.
// It is also the documented starting point for a merchant's own file
// (docs/mapping.md): copy it, change the codes and accounts, and check it
// with `stripe-infor mapping check FILE`.
//
//go:embed default.yaml
var DefaultYAML []byte

var (
	defaultOnce sync.Once
	defaultCfg  *Config
)
