package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"sort"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/stripe-infor/stripe-infor/internal/atomicfile"
)

const (
	snapshotFile = "schemas.json"
	// snapshotFormat is bumped on incompatible changes to state, so an old
	// binary refuses a newer file instead of misreading it.
	snapshotFormat = 1
)

// state is the on-disk form of the registry.
//
// Only active (not deleted) subject versions are kept, as srfake's GET
// /schemas?deleted=false lists them. A deleted schema is therefore forgotten
// on restart, and if it held the highest id that id can be handed out again.
// The dev stack never deletes schemas, so this is accepted for simplicity.
type state struct {
	Format int `json:"format"`
	// Compatibility is the global compatibility level.
	Compatibility sr.CompatibilityLevel `json:"compatibility,omitempty"`
	// SubjectCompatibility holds per-subject overrides only.
	SubjectCompatibility map[string]sr.CompatibilityLevel `json:"subjectCompatibility,omitempty"`
	// Schemas lists every active subject version with its id, ordered by
	// subject then version (srfake's order).
	Schemas []sr.SubjectSchema `json:"schemas"`
}

// snapshot writes the current state to <Dir>/schemas.json atomically.
//
// The state is read through srfake's REST API in several requests, so a
// concurrent change may land between them; that change triggers its own
// snapshot afterwards, and snapMu orders the two, so the file always ends up
// reflecting the latest state.
func (r *Registry) snapshot() error {
	r.snapMu.Lock()
	defer r.snapMu.Unlock()

	st, err := r.capture()
	if err != nil {
		return fmt.Errorf("schema registry: snapshot: %w", err)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("schema registry: snapshot: encode: %w", err)
	}
	if err := atomicfile.WriteFile(r.path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("schema registry: snapshot: %w", err)
	}
	return nil
}

// capture reads the whole registry state through srfake's own handler.
func (r *Registry) capture() (state, error) {
	st := state{Format: snapshotFormat}
	if err := r.get("/schemas?deleted=false", &st.Schemas); err != nil {
		return st, err
	}
	var global struct {
		Level sr.CompatibilityLevel `json:"compatibilityLevel"`
	}
	if err := r.get("/config", &global); err != nil {
		return st, err
	}
	st.Compatibility = global.Level

	var subjects []string
	if err := r.get("/subjects", &subjects); err != nil {
		return st, err
	}
	for _, s := range subjects {
		var sub struct {
			Level sr.CompatibilityLevel `json:"compatibilityLevel"`
		}
		path := "/config/" + url.PathEscape(s) + "?defaultToGlobal=false"
		code, err := r.call(http.MethodGet, path, nil, &sub)
		switch {
		case err != nil:
			return st, err
		case code == http.StatusNotFound: // no override for this subject
		case code != http.StatusOK:
			return st, fmt.Errorf("GET %s answered %d", path, code)
		default:
			if st.SubjectCompatibility == nil {
				st.SubjectCompatibility = map[string]sr.CompatibilityLevel{}
			}
			st.SubjectCompatibility[s] = sub.Level
		}
	}
	return st, nil
}

// get is call for GETs that must answer 200.
func (r *Registry) get(path string, out any) error {
	code, err := r.call(http.MethodGet, path, nil, out)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("GET %s answered %d", path, code)
	}
	return nil
}

// load restores <Dir>/schemas.json into the fresh srfake registry, if the file
// exists, and returns how many subject versions it restored.
func (r *Registry) load() (int, error) {
	b, err := os.ReadFile(r.path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("schema registry: read state: %w", err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return 0, fmt.Errorf("schema registry: restore %s: %w", r.path, err)
	}
	if st.Format != snapshotFormat {
		return 0, fmt.Errorf("schema registry: restore %s: unsupported format %d (want %d)", r.path, st.Format, snapshotFormat)
	}
	if err := restoreSchemas(r.fake, st.Schemas); err != nil {
		return 0, fmt.Errorf("schema registry: restore %s: %w", r.path, err)
	}
	if st.Compatibility != 0 {
		body := map[string]sr.CompatibilityLevel{"compatibility": st.Compatibility}
		code, err := r.call(http.MethodPut, "/config", body, nil)
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("PUT /config answered %d", code)
		}
		if err != nil {
			return 0, fmt.Errorf("schema registry: restore %s: global compatibility: %w", r.path, err)
		}
	}
	for subject, level := range st.SubjectCompatibility {
		if err := r.fake.SetCompat(subject, level); err != nil {
			return 0, fmt.Errorf("schema registry: restore %s: compatibility of %q: %w", r.path, subject, err)
		}
	}
	return len(st.Schemas), nil
}

// restoreSchemas recreates every subject version under its original id.
//
// srfake offers two ways in: SeedSchema places a schema at an exact
// subject/version/id but panics if the id is taken, and RegisterSchema, which
// reuses an existing id for identical content but always appends the next
// version of the subject. So the first version restored for an id is seeded
// and any other subject version sharing that id is registered. For that to
// yield the original version number, each subject's versions are restored in
// version order; among the subjects' next versions the lowest id goes first
// (the order the ids were handed out in), and a version only goes once the
// schemas it references are back. Any result that differs from the snapshot
// is an error rather than a silently renumbered registry.
func restoreSchemas(fake *srfake.Registry, entries []sr.SubjectSchema) error {
	type key struct {
		subject string
		version int
	}
	pending := map[string][]sr.SubjectSchema{}
	for _, s := range entries {
		if s.Subject == "" || s.Version < 1 || s.ID < 1 {
			return fmt.Errorf("invalid entry: subject %q version %d id %d", s.Subject, s.Version, s.ID)
		}
		pending[s.Subject] = append(pending[s.Subject], s)
	}
	for subject, vs := range pending {
		sort.Slice(vs, func(i, j int) bool { return vs[i].Version < vs[j].Version })
		for i := 1; i < len(vs); i++ {
			if vs[i].Version == vs[i-1].Version {
				return fmt.Errorf("subject %q version %d listed twice", subject, vs[i].Version)
			}
		}
	}

	restored := map[key]bool{}
	ids := map[int]bool{}
	for range entries {
		var next *sr.SubjectSchema
		for _, vs := range pending {
			if len(vs) == 0 {
				continue
			}
			head := &vs[0]
			ready := true
			for _, ref := range head.References {
				ready = ready && restored[key{ref.Subject, ref.Version}]
			}
			if ready && (next == nil || head.ID < next.ID || head.ID == next.ID && head.Subject < next.Subject) {
				next = head
			}
		}
		if next == nil {
			return errors.New("some schemas reference subject versions that are missing or form a cycle")
		}
		s := *next
		pending[s.Subject] = pending[s.Subject][1:]

		if !ids[s.ID] {
			if err := seed(fake, s); err != nil {
				return fmt.Errorf("seed subject %q version %d id %d: %w", s.Subject, s.Version, s.ID, err)
			}
			ids[s.ID] = true
		} else {
			id, version, err := fake.RegisterSchema(s.Subject, s.Schema)
			if err != nil {
				return fmt.Errorf("register subject %q version %d id %d: %w", s.Subject, s.Version, s.ID, err)
			}
			if id != s.ID || version != s.Version {
				return fmt.Errorf("subject %q: restored as version %d id %d, want version %d id %d (schema text differs from id %d's, or versions are missing)",
					s.Subject, version, id, s.Version, s.ID, s.ID)
			}
		}
		restored[key{s.Subject, s.Version}] = true
	}
	return nil
}

// seed is SeedSchema with its panics (id or version taken, invalid schema or
// references) turned into errors, so a bad file fails Start instead of
// crashing the process.
func seed(fake *srfake.Registry, s sr.SubjectSchema) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	fake.SeedSchema(s.Subject, s.Version, s.ID, s.Schema)
	return nil
}
