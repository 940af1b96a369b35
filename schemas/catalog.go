package schemas

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/hamba/avro/v2"
	"github.com/linkedin/goavro/v2"
)

// avroFiles holds the record files: avro/<dir>/<Name>.avsc, the record's
// namespace being stripeinfor.<dir>.
//
//go:embed avro
var avroFiles embed.FS

// NamespacePrefix starts every namespace: a record in avro/<dir>/ has
// namespace NamespacePrefix + <dir>.
const NamespacePrefix = "stripeinfor."

// Catalog is a validated set of record files. Each file defines one named
// type and refers to the others by full name, so a shared type (Money, Meta)
// is written once; the catalog assembles the self-contained schemas the
// registry stores, in which each named type is defined inline at its first
// use and referred to by name after. Self-contained schemas need no registry
// references, which older clients (Debian's python3-confluent-kafka 1.7)
// cannot follow.
type Catalog struct {
	defs  map[string]*jnode   // full name → definition
	short map[string][]string // short name → full names
	names []string            // full names, sorted
}

var embedded = sync.OnceValues(func() (*Catalog, error) {
	sub, err := fs.Sub(avroFiles, "avro")
	if err != nil {
		return nil, err
	}
	return LoadCatalog(sub)
})

// Embedded returns the catalog of the .avsc files compiled into the binary
// (schemas/avro). It is loaded and validated once.
func Embedded() (*Catalog, error) {
	c, err := embedded()
	if err != nil {
		return nil, fmt.Errorf("schemas: embedded .avsc files: %w", err)
	}
	return c, nil
}

// LoadCatalog reads every <dir>/<Name>.avsc of fsys and validates the set:
// each file is one record (or enum) named after the file, in namespace
// stripeinfor.<dir>, with a doc on the type and on every field; references
// are full names of types in the set; and every record, assembled
// self-contained, parses with both goavro (which encodes and decodes) and
// hamba/avro (which checks compatibility). All problems are reported at once.
func LoadCatalog(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{defs: map[string]*jnode{}, short: map[string][]string{}}
	var errs []error
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".avsc") {
			return nil
		}
		if e := c.add(fsys, p); e != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, e))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read .avsc files: %w", err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(c.defs) == 0 {
		return nil, errors.New("no .avsc files found")
	}
	for name := range c.defs {
		c.names = append(c.names, name)
	}
	sort.Strings(c.names)
	for _, name := range c.names {
		text, err := c.RecordSchema(name)
		if err == nil {
			err = ValidateSchema(text)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// add reads and checks one file.
func (c *Catalog) add(fsys fs.FS, p string) error {
	dir, file := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" || strings.Contains(dir, "/") {
		return errors.New("a record file belongs in <dir>/<Name>.avsc, one level down")
	}
	b, err := fs.ReadFile(fsys, p)
	if err != nil {
		return err
	}
	def, err := parseJSON(b)
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if def.kind != 'o' {
		return errors.New("not a JSON object")
	}
	typ, name, ns := def.getStr("type"), def.getStr("name"), def.getStr("namespace")
	if typ != "record" && typ != "enum" {
		return fmt.Errorf("type is %q, want a record or an enum", typ)
	}
	if name == "" || strings.Contains(name, ".") {
		return fmt.Errorf("name %q must be a simple name", name)
	}
	if want := strings.TrimSuffix(file, ".avsc"); name != want {
		return fmt.Errorf("name %q does not match the file name %q", name, want)
	}
	if want := NamespacePrefix + dir; ns != want {
		return fmt.Errorf("namespace %q, want %q for a file in %s/", ns, want, dir)
	}
	if strings.TrimSpace(def.getStr("doc")) == "" {
		return fmt.Errorf("%s has no doc", name)
	}
	if typ == "record" {
		fields := def.get("fields")
		if fields == nil || fields.kind != 'a' {
			return errors.New("a record needs a fields array")
		}
		for i, f := range fields.vals {
			fname := f.getStr("name")
			if fname == "" {
				return fmt.Errorf("field %d has no name", i+1)
			}
			if f.get("type") == nil {
				return fmt.Errorf("field %s has no type", fname)
			}
			if strings.TrimSpace(f.getStr("doc")) == "" {
				return fmt.Errorf("field %s has no doc", fname)
			}
		}
	}
	full := ns + "." + name
	if _, dup := c.defs[full]; dup {
		return fmt.Errorf("%s is defined twice", full)
	}
	c.defs[full] = def
	c.short[name] = append(c.short[name], full)
	return nil
}

// Names returns the full names of the catalog's types, sorted.
func (c *Catalog) Names() []string { return append([]string(nil), c.names...) }

// FullName resolves a short ("ApplyPayment") or full
// ("stripeinfor.commands.ApplyPayment") type name.
func (c *Catalog) FullName(name string) (string, error) {
	if _, ok := c.defs[name]; ok {
		return name, nil
	}
	switch full := c.short[name]; len(full) {
	case 1:
		return full[0], nil
	case 0:
		return "", fmt.Errorf("schemas: no type named %q", name)
	default:
		return "", fmt.Errorf("schemas: %q is ambiguous (%s); use the full name", name, strings.Join(full, ", "))
	}
}

// RecordSchema returns the self-contained schema (compact JSON) of one
// type, e.g. "ApplyPayment" or "stripeinfor.common.Money".
func (c *Catalog) RecordSchema(name string) (string, error) {
	full, err := c.FullName(name)
	if err != nil {
		return "", err
	}
	n, err := c.inlineNamed(full, map[string]bool{})
	if err != nil {
		return "", fmt.Errorf("schemas: assemble %s: %w", full, err)
	}
	return string(n.compact()), nil
}

// UnionSchema returns the self-contained schema of a union of the named
// records, in the order given: the value schema of a topic that carries
// several record types. Types shared by the branches are defined in the
// first branch that uses them.
func (c *Catalog) UnionSchema(names ...string) (string, error) {
	u := &jnode{kind: 'a'}
	defined := map[string]bool{}
	for _, name := range names {
		full, err := c.FullName(name)
		if err != nil {
			return "", err
		}
		if defined[full] {
			return "", fmt.Errorf("schemas: %s appears twice in the union", full)
		}
		n, err := c.inlineNamed(full, defined)
		if err != nil {
			return "", fmt.Errorf("schemas: assemble %s: %w", full, err)
		}
		u.vals = append(u.vals, n)
	}
	return string(u.compact()), nil
}

// inlineNamed returns the definition of full with every type it uses defined
// inline at first use (defined records what the document already defines).
func (c *Catalog) inlineNamed(full string, defined map[string]bool) (*jnode, error) {
	def, ok := c.defs[full]
	if !ok {
		return nil, fmt.Errorf("unknown type %q", full)
	}
	defined[full] = true
	if def.getStr("type") != "record" {
		return def, nil
	}
	fields := def.get("fields")
	out := &jnode{kind: 'a', vals: make([]*jnode, len(fields.vals))}
	for i, f := range fields.vals {
		t, err := c.inlineType(f.get("type"), defined)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.getStr("name"), err)
		}
		out.vals[i] = f.with("type", t)
	}
	return def.with("fields", out), nil
}

// primitives are Avro's primitive type names.
var primitives = map[string]bool{
	"null": true, "boolean": true, "int": true, "long": true,
	"float": true, "double": true, "bytes": true, "string": true,
}

// inlineType rewrites one type expression: a reference to a type not yet
// defined becomes its definition.
func (c *Catalog) inlineType(t *jnode, defined map[string]bool) (*jnode, error) {
	switch t.kind {
	case 's':
		name, ok := t.str()
		if !ok {
			return nil, fmt.Errorf("type %s is not a name", t.raw)
		}
		if primitives[name] {
			return t, nil
		}
		if !strings.Contains(name, ".") {
			return nil, fmt.Errorf("refer to %q by its full name (%s<dir>.%s)", name, NamespacePrefix, name)
		}
		if defined[name] {
			return t, nil
		}
		return c.inlineNamed(name, defined)
	case 'a':
		out := &jnode{kind: 'a', vals: make([]*jnode, len(t.vals))}
		for i, b := range t.vals {
			nb, err := c.inlineType(b, defined)
			if err != nil {
				return nil, err
			}
			out.vals[i] = nb
		}
		return out, nil
	}
	switch typ := t.getStr("type"); typ {
	case "array":
		items, err := c.inlineType(t.get("items"), defined)
		if err != nil {
			return nil, err
		}
		return t.with("items", items), nil
	case "map":
		values, err := c.inlineType(t.get("values"), defined)
		if err != nil {
			return nil, err
		}
		return t.with("values", values), nil
	case "record", "enum", "fixed", "error":
		return nil, fmt.Errorf("define %s %q in its own file and refer to it by full name", typ, t.getStr("name"))
	default:
		if !primitives[typ] {
			return nil, fmt.Errorf("unsupported type expression %s", t.compact())
		}
		return t, nil // a primitive with attributes, e.g. a logical type
	}
}

// ValidateSchema checks that a self-contained schema parses with goavro and
// with hamba/avro (each with its own, empty name cache, so a reference to a
// type the text does not define is an error).
func ValidateSchema(schema string) error {
	if _, err := goavro.NewCodec(schema); err != nil {
		return fmt.Errorf("goavro: %w", err)
	}
	if _, err := parseHamba(schema); err != nil {
		return err
	}
	return nil
}

// parseHamba parses with a fresh cache: hamba's default cache is global, and
// would let one schema resolve names another one defined.
func parseHamba(schema string) (avro.Schema, error) {
	s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("hamba/avro: %w", err)
	}
	return s, nil
}
