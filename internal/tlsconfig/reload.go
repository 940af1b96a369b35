package tlsconfig

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// watchedPEM is a value parsed from one or more files, re-read when it is
// asked for and the last read is older than interval.
//
// Changes are found by comparing content, not modification times: Kubernetes
// replaces a mounted Secret by swapping a symlink, which may keep or even
// move back an mtime, and a few kilobytes read every few seconds cost
// nothing. A file that cannot be read or parsed keeps the previous value
// (logged): a rotation caught half way, with the new certificate next to the
// old key, must not take the stage down, and the next read sees both new.
type watchedPEM struct {
	name     string // the settings, for messages
	paths    []string
	parse    func(raw [][]byte) (any, error)
	interval time.Duration
	log      *slog.Logger

	mu   sync.Mutex
	raw  [][]byte // content behind val
	val  any
	next time.Time // no re-read before this
}

func newWatchedPEM(name string, paths []string, parse func([][]byte) (any, error), interval time.Duration, log *slog.Logger) *watchedPEM {
	return &watchedPEM{name: name, paths: paths, parse: parse, interval: interval, log: log}
}

// load reads and parses the files; a failure is the caller's error.
func (w *watchedPEM) load() error {
	raw, err := w.read()
	if err != nil {
		return err
	}
	v, err := w.parse(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", w.name, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.raw, w.val, w.next = raw, v, time.Now().Add(w.interval)
	return nil
}

// current returns the value, re-reading the files first when due.
func (w *watchedPEM) current() any {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if now.Before(w.next) {
		return w.val
	}
	w.next = now.Add(w.interval)
	raw, err := w.read()
	if err != nil {
		w.log.Warn("cannot re-read TLS file; keeping the previous one", "setting", w.name, "err", err)
		return w.val
	}
	if sameContent(raw, w.raw) {
		return w.val
	}
	v, err := w.parse(raw)
	if err != nil {
		w.log.Warn("TLS file changed but does not parse; keeping the previous one until it does", "setting", w.name, "err", err)
		return w.val
	}
	w.raw, w.val = raw, v
	w.log.Info("TLS file reloaded; new connections use it", append([]any{"setting", w.name}, describe(v)...)...)
	return w.val
}

// read returns every file's content; errors name the path, never content.
func (w *watchedPEM) read() ([][]byte, error) {
	raw := make([][]byte, len(w.paths))
	for i, p := range w.paths {
		b, err := os.ReadFile(p)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("%s: read %s: %w", w.name, p, err)
		}
		raw[i] = b
	}
	return raw, nil
}

func sameContent(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// caPool is a parsed CA bundle.
type caPool struct {
	pool  *x509.CertPool
	count int
}

// parseCAPool reads every CERTIFICATE block. A bundle during a CA rotation
// holds the old and the new CA, and both must be trusted. A block that does
// not parse is an error rather than skipped, so a truncated bundle is not
// mistaken for a smaller one.
func parseCAPool(raw [][]byte) (any, error) {
	pool := x509.NewCertPool()
	n := 0
	rest := raw[0]
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d of the bundle: %w", n+1, err)
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, errors.New("no PEM CERTIFICATE found")
	}
	return &caPool{pool: pool, count: n}, nil
}

// parseKeyPair parses a client certificate chain and its key.
func parseKeyPair(raw [][]byte) (any, error) {
	cert, err := tls.X509KeyPair(raw[0], raw[1])
	if err != nil {
		return nil, err
	}
	return &cert, nil
}

// describe gives log attributes of a parsed value (public facts only).
func describe(v any) []any {
	switch v := v.(type) {
	case *caPool:
		return []any{"certificates", v.count}
	case *tls.Certificate:
		if v.Leaf != nil {
			return []any{"subject", v.Leaf.Subject.String(), "not_after", v.Leaf.NotAfter.UTC().Format(time.RFC3339)}
		}
	}
	return nil
}
