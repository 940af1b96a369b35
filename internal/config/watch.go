package config

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"
)

// DefaultWatchInterval is how often a file-backed setting is re-read.
//
// Polling rather than inotify is deliberate: Kubernetes updates mounted
// Secrets by swapping a symlink two levels up, NFS and overlay filesystems do
// not deliver events reliably, and reading a small file once a second costs
// nothing measurable.
const DefaultWatchInterval = time.Second

// Watched is a setting whose value may change while the process runs. When it
// comes from name_FILE, Run re-reads the file and calls the change hook each
// time the content differs. When it comes from the environment it never
// changes.
type Watched struct {
	name     string
	path     string // empty when the value came from the environment
	value    atomic.Pointer[string]
	onChange func(string)
	log      *slog.Logger
}

// Watch reads the setting name (see Lookup) and returns a Watched holding it.
// def is used when the setting is absent; required makes absence an error.
// onChange, if not nil, is called once now with the initial value and again
// after every change, from the goroutine running Run.
func Watch(name, def string, required bool, onChange func(string), log *slog.Logger) (*Watched, error) {
	if log == nil {
		log = slog.Default()
	}
	w := &Watched{name: name, onChange: onChange, log: log}
	v := os.Getenv(name)
	if v != "" && os.Getenv(name+FileSuffix) != "" {
		log.Warn("both a setting and its file are set; the environment value wins and the file is not watched",
			"setting", name, "file_setting", name+FileSuffix)
	}
	if v == "" {
		if path := os.Getenv(name + FileSuffix); path != "" {
			w.path = path
			var err error
			if v, err = readValueFile(path); err != nil {
				return nil, fmt.Errorf("%s%s: %w", name, FileSuffix, err)
			}
		}
	}
	if v == "" {
		if required {
			return nil, &MissingError{Name: name}
		}
		v = def
	}
	w.set(v)
	return w, nil
}

// Get returns the current value.
func (w *Watched) Get() string { return *w.value.Load() }

// FromFile reports whether the value is re-read from a file.
func (w *Watched) FromFile() bool { return w.path != "" }

// Run re-reads the file every interval until ctx ends. It returns at once when
// the value did not come from a file. A read error keeps the last good value
// (a half-written Secret must not lock every webhook out) and is logged
// without the content.
func (w *Watched) Run(ctx context.Context, interval time.Duration) {
	if w.path == "" {
		return
	}
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.Reload()
		}
	}
}

// Reload re-reads the file once; Run calls it on every tick.
func (w *Watched) Reload() {
	if w.path == "" {
		return
	}
	v, err := readValueFile(w.path)
	if err != nil {
		w.log.Warn("cannot re-read setting file; keeping the previous value", "setting", w.name+FileSuffix, "err", err)
		return
	}
	if v == "" {
		w.log.Warn("setting file is empty; keeping the previous value", "setting", w.name+FileSuffix)
		return
	}
	if v == w.Get() {
		return
	}
	w.set(v)
	w.log.Info("setting reloaded from file", "setting", w.name+FileSuffix)
}

func (w *Watched) set(v string) {
	w.value.Store(&v)
	if w.onChange != nil {
		w.onChange(v)
	}
}
