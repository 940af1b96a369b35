// Package config reads the settings DESIGN.md promises: every setting X comes
// from the environment variable X or, for secrets mounted as files (Kubernetes
// Secrets, Docker secrets), from the file named by X_FILE. Values read from a
// file can be watched so that a rotated secret takes effect without a restart.
package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// FileSuffix is appended to a setting's name to give the variable naming a
// file that holds the value.
const FileSuffix = "_FILE"

// MissingError reports a required setting that is absent. Its message names
// the setting and both ways of providing it, so an operator knows what to fix.
type MissingError struct{ Name string }

func (e *MissingError) Error() string {
	return fmt.Sprintf("missing required setting %s (set %s, or %s%s to a file holding it)", e.Name, e.Name, e.Name, FileSuffix)
}

// Lookup returns the value of the setting name: the environment variable
// itself when set and non-empty, otherwise the trimmed content of the file
// named by name_FILE. ok is false when neither is set. An unreadable file is
// an error that names the variable and the path, never the content.
func Lookup(name string) (value string, ok bool, err error) {
	if v := os.Getenv(name); v != "" {
		return v, true, nil
	}
	path := os.Getenv(name + FileSuffix)
	if path == "" {
		return "", false, nil
	}
	v, err := readValueFile(path)
	if err != nil {
		return "", false, fmt.Errorf("%s%s: %w", name, FileSuffix, err)
	}
	// An empty file counts as unset, as Require and Watch see it, so a
	// default applies rather than an empty value.
	return v, v != "", nil
}

// Require is Lookup for settings without a default: a missing or empty value
// is a *MissingError.
func Require(name string) (string, error) {
	v, ok, err := Lookup(name)
	if err != nil {
		return "", err
	}
	if !ok || v == "" {
		return "", &MissingError{Name: name}
	}
	return v, nil
}

// String returns the setting or def when it is not set.
func String(name, def string) (string, error) {
	v, ok, err := Lookup(name)
	if err != nil || !ok {
		return def, err
	}
	return v, nil
}

// Duration returns the setting parsed by time.ParseDuration, or def when unset.
// A bare integer is read as seconds, the unit Stripe uses for its tolerance.
func Duration(name string, def time.Duration) (time.Duration, error) {
	v, ok, err := Lookup(name)
	if err != nil || !ok {
		return def, err
	}
	return ParseDuration(name, v)
}

// ParseDuration parses a duration setting; a bare integer means seconds.
// Negative durations are refused: no setting here has a use for one.
func ParseDuration(name, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		var secs int64
		if _, serr := fmt.Sscanf(v, "%d", &secs); serr != nil || fmt.Sprint(secs) != v {
			return 0, fmt.Errorf("%s: %q is not a duration (for example 300s or 5m)", name, v)
		}
		d = time.Duration(secs) * time.Second
	}
	if d < 0 {
		return 0, fmt.Errorf("%s: %q is negative", name, v)
	}
	return d, nil
}

// List splits a comma-separated setting, dropping blanks.
func List(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// readValueFile reads a setting's file. The error never includes the content.
func readValueFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return "", fmt.Errorf("read %s: %w", path, pe.Err)
		}
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return strings.TrimSpace(string(b)), nil
}
