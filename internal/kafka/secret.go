package kafka

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/stripe-infor/stripe-infor/internal/config"
)

// secretSource is a SASL credential given either as a value or as a file.
// A file is read again each time the credential is needed (once per new
// broker connection, a handful per minute at most), so a rotated Secret
// applies to the next connection. A file that cannot be read or is empty
// keeps the last good value, as config.Watched does: a Secret caught half
// way through an update must not break every reconnect.
type secretSource struct {
	setting string // e.g. KAFKA_SASL_PASSWORD; messages name its _FILE
	value   string
	path    string
	log     *slog.Logger

	mu   sync.Mutex
	last string
}

func newSecretSource(setting, value, path string, log *slog.Logger) *secretSource {
	return &secretSource{setting: setting, value: value, path: path, log: log}
}

// get returns the credential. Errors name the setting and path, never the
// content.
func (s *secretSource) get() (string, error) {
	if s.path == "" {
		if s.value == "" {
			return "", &config.MissingError{Name: s.setting}
		}
		return s.value, nil
	}
	b, err := os.ReadFile(s.path)
	v := strings.TrimSpace(string(b))
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || v == "" {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if err == nil {
			err = errors.New("file is empty")
		}
		if s.last == "" {
			return "", fmt.Errorf("%s%s: read %s: %w", s.setting, config.FileSuffix, s.path, err)
		}
		s.log.Warn("cannot re-read credential file; using the previous value", "setting", s.setting+config.FileSuffix, "err", err)
		return s.last, nil
	}
	if s.last != "" && v != s.last {
		s.log.Info("credential file changed; new connections use the new value", "setting", s.setting+config.FileSuffix)
	}
	s.last = v
	return v, nil
}
