// Package schemacheck keeps the Avro schemas' evolution honest: every
// version ever released is frozen in git (schemas/versions/<subject>/vN.avsc),
// each version must be BACKWARD compatible with the one before it, and the
// current schema (assembled from schemas/avro) must be the latest frozen
// version. It is the logic of `make schemas-check` and `make schemas-freeze`
// (schemas/cmd/schemas-check); the functions work on any directory so that
// they can be tested on temporary ones.
package schemacheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"github.com/stripe-infor/stripe-infor/schemas"
)

// Version is one frozen schema version of a subject.
type Version struct {
	Subject string
	N       int
	Path    string
	Schema  string
}

// History holds the frozen versions of each subject, oldest first.
type History map[string][]Version

// Latest returns a subject's newest frozen version.
func (h History) Latest(subject string) (Version, bool) {
	vs := h[subject]
	if len(vs) == 0 {
		return Version{}, false
	}
	return vs[len(vs)-1], true
}

var versionFile = regexp.MustCompile(`^v([1-9][0-9]*)\.avsc$`)

// Load reads dir/<subject>/vN.avsc. A missing dir is an empty history. Any
// other file in a subject directory, or a gap in the numbering, is an error:
// a typo (v01.avsc, V2.avsc) must not silently leave a version out.
func Load(dir string) (History, error) {
	h := History{}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read frozen versions: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			if filepath.Ext(e.Name()) == ".avsc" {
				return nil, fmt.Errorf("%s: a frozen version belongs in <subject>/vN.avsc", filepath.Join(dir, e.Name()))
			}
			continue
		}
		subject := e.Name()
		files, err := os.ReadDir(filepath.Join(dir, subject))
		if err != nil {
			return nil, fmt.Errorf("read frozen versions of %s: %w", subject, err)
		}
		var vs []Version
		for _, f := range files {
			path := filepath.Join(dir, subject, f.Name())
			m := versionFile.FindStringSubmatch(f.Name())
			if m == nil || f.IsDir() {
				return nil, fmt.Errorf("%s: not a frozen version (want v1.avsc, v2.avsc, …)", path)
			}
			n, _ := strconv.Atoi(m[1])
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", path, err)
			}
			vs = append(vs, Version{Subject: subject, N: n, Path: path, Schema: string(b)})
		}
		sort.Slice(vs, func(i, j int) bool { return vs[i].N < vs[j].N })
		for i, v := range vs {
			if v.N != i+1 {
				return nil, fmt.Errorf("%s: versions must be v1…vN without gaps; v%d is missing", filepath.Join(dir, subject), i+1)
			}
		}
		if len(vs) > 0 {
			h[subject] = vs
		}
	}
	return h, nil
}

// Current returns the current value schema of every Avro topic, by subject,
// as the catalog assembles it.
func Current(c *schemas.Catalog) (map[string]string, error) {
	out := map[string]string{}
	for _, topic := range schemas.Topics {
		s, err := c.TopicSchema(topic)
		if err != nil {
			return nil, err
		}
		out[schemas.Subject(topic)] = s
	}
	return out, nil
}

// CheckHistory checks that every frozen version parses (goavro and hamba)
// and is BACKWARD compatible with the version before it.
func CheckHistory(h History) []error {
	var problems []error
	for _, subject := range sortedKeys(h) {
		vs := h[subject]
		for i, v := range vs {
			if err := schemas.ValidateSchema(v.Schema); err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", v.Path, err))
				continue
			}
			if i == 0 {
				continue
			}
			if err := schemas.BackwardCompatible(v.Schema, vs[i-1].Schema); err != nil {
				problems = append(problems, fmt.Errorf("%s: v%d is not BACKWARD compatible with v%d: %w", subject, v.N, vs[i-1].N, err))
			}
		}
	}
	return problems
}

// CheckCurrent checks each current schema against its subject's history: it
// must be BACKWARD compatible with the latest frozen version, and equal to
// it (as JSON documents; see schemas.Normalize), so that every schema the
// code registers is one that is frozen in git. A subject whose topic is gone
// is a problem too: a topic's schema history is never dropped.
func CheckCurrent(current map[string]string, h History) []error {
	var problems []error
	for _, subject := range sortedKeys(current) {
		schema := current[subject]
		latest, ok := h.Latest(subject)
		if !ok {
			problems = append(problems, fmt.Errorf("%s has no frozen version: run `make schemas-freeze` to record it as v1", subject))
			continue
		}
		same, err := sameSchema(schema, latest.Schema)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", latest.Path, err))
			continue
		}
		if same {
			continue
		}
		if err := schemas.BackwardCompatible(schema, latest.Schema); err != nil {
			problems = append(problems, fmt.Errorf("schema of %s is not BACKWARD compatible with v%d (%s): %w; "+
				"add fields only with defaults, never remove, rename or retype one (schemas/README.md)", subject, latest.N, latest.Path, err))
			continue
		}
		problems = append(problems, fmt.Errorf("schema of %s changed: run `make schemas-freeze` to record it as v%d", subject, latest.N+1))
	}
	for _, subject := range sortedKeys(h) {
		if _, ok := current[subject]; !ok {
			problems = append(problems, fmt.Errorf("%s has frozen versions but no current schema: a topic's schema is never removed", subject))
		}
	}
	return problems
}

// Freeze writes v<N+1> (v1 for a new subject) of every subject whose current
// schema differs from its latest frozen version, provided the history is
// sound and the new version is BACKWARD compatible. It never overwrites a
// file. It returns the paths written; on any problem it writes nothing.
func Freeze(dir string, current map[string]string, h History) ([]string, []error) {
	if problems := CheckHistory(h); len(problems) > 0 {
		return nil, problems
	}
	type pending struct {
		path   string
		schema string
	}
	var todo []pending
	var problems []error
	for _, subject := range sortedKeys(current) {
		schema := current[subject]
		n := 1
		if latest, ok := h.Latest(subject); ok {
			same, err := sameSchema(schema, latest.Schema)
			if err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", latest.Path, err))
				continue
			}
			if same {
				continue
			}
			if err := schemas.BackwardCompatible(schema, latest.Schema); err != nil {
				problems = append(problems, fmt.Errorf("%s: not frozen: the current schema is not BACKWARD compatible with v%d: %w", subject, latest.N, err))
				continue
			}
			n = latest.N + 1
		}
		todo = append(todo, pending{filepath.Join(dir, subject, fmt.Sprintf("v%d.avsc", n)), schema})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var written []string
	for _, p := range todo {
		if err := writeNew(p.path, p.schema); err != nil {
			return written, []error{err}
		}
		written = append(written, p.path)
	}
	return written, nil
}

// writeNew writes a frozen version in its indented form, refusing to
// replace an existing file.
func writeNew(path, schema string) error {
	b, err := schemas.Indent(schema)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("freeze: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("freeze: write %s: %w", path, err)
	}
	return nil
}

func sameSchema(a, b string) (bool, error) {
	na, err := schemas.Normalize(a)
	if err != nil {
		return false, err
	}
	nb, err := schemas.Normalize(b)
	if err != nil {
		return false, err
	}
	return na == nb, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
