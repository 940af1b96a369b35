package mapping

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// topKeys are the top-level keys of a mapping file.
var topKeys = []string{
	"version", "test_mode", "unknown_events", "customer_xref", "payment_methods", "items",
	"order_defaults", "order_rules", "gl_rules", "address", "deferral",
}

// Defaults of optional settings (docs/mapping.md lists them).
const (
	defaultXRefKey       = "erp_customer_id"
	defaultItemMetaKey   = "erp_item"
	defaultMinPeriodDays = 32
)

func load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: read %s: %w", path, err)
	}
	return parse(data, path)
}

// yamlLine picks the line out of yaml.v3's syntax errors ("yaml: line 7:
// did not find expected key") so that they read like every other problem.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are yaml.v3's parser error messages (parserc.go), whose
// line numbers are one short.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'": true, "did not find expected ',' or '}'": true,
	"did not find expected '-' indicator": true, "did not find expected <document start>": true,
	"did not find expected key": true, "did not find expected node content": true,
	"found incompatible YAML document": true, "found undefined tag handle": true,
}

func parse(data []byte, name string) (*Config, error) {
	p := &problems{file: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			if parserProblems[m[2]] {
				// yaml.v3 numbers the lines of parser (not scanner) errors
				// from 0; these name the line where the construct began.
				line++
			}
			p.add(line, "", "not valid YAML: %s", m[2])
		} else {
			p.add(1, "", "not valid YAML: %v", err)
		}
		return nil, p.err()
	}
	if len(doc.Content) == 0 {
		p.add(1, "", "the file is empty; start from the built-in default (docs/mapping.md)")
		return nil, p.err()
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		p.add(root.Line, "", "want a mapping of settings at the top, got %s", describe(root))
		return nil, p.err()
	}
	c := &config{
		name:          name,
		testMode:      TestModeSandbox,
		unknownEvents: UnknownSkip,
		xrefKey:       defaultXRefKey,
		deferral:      Deferral{Enabled: false, MinPeriodDays: defaultMinPeriodDays},
		address:       defaultAddressLimits,
	}
	sections := map[string]pair{}
	for _, pr := range p.pairs(root, "", "", "key", topKeys) {
		sections[pr.key] = pr
	}
	// Required sections: a mapping that silently posts to no account or
	// books every item as the default is worse than one that does not load.
	for _, k := range []string{"version", "payment_methods", "items", "gl_rules"} {
		if _, ok := sections[k]; !ok {
			p.add(root.Line, "", "%s is missing (see docs/mapping.md)", k)
		}
	}
	if s, ok := sections["version"]; ok {
		if v, good := p.integer(s.v, "", "version"); good && v != 1 {
			p.add(deref(s.v).Line, "", "version: this build reads version 1, got %d", v)
		}
	}
	if s, ok := sections["test_mode"]; ok {
		c.testMode, _ = p.oneOf(s.v, "", "test_mode", TestModeSandbox, TestModeDrop)
	}
	if s, ok := sections["unknown_events"]; ok {
		c.unknownEvents, _ = p.oneOf(s.v, "", "unknown_events", UnknownSkip, UnknownDLQ)
	}
	if s, ok := sections["customer_xref"]; ok {
		for _, pr := range p.pairs(s.v, "", "customer_xref", "key", []string{"metadata_key"}) {
			if key, good := p.nonEmpty(pr.v, "", "customer_xref.metadata_key"); good {
				c.xrefKey = key
			}
		}
	}
	if s, ok := sections["deferral"]; ok {
		c.deferral = p.deferral(s.v)
	}
	if s, ok := sections["address"]; ok {
		c.address = p.addressLimits(s.v)
	}
	if s, ok := sections["payment_methods"]; ok {
		c.payments = p.payments(s.k, s.v)
	}
	if s, ok := sections["items"]; ok {
		c.items = p.items(s.k, s.v)
	}
	if s, ok := sections["order_defaults"]; ok {
		c.orderDefaults = p.orderDefaults(s.v)
	}
	if s, ok := sections["order_rules"]; ok {
		c.orderRules = p.orderRules(s.v)
	}
	if s, ok := sections["gl_rules"]; ok {
		c.glRules, c.glDefault = p.glRules(s.k, s.v)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return &Config{impl: c}, nil
}

// deferral reads the deferral section.
func (p *problems) deferral(n *yaml.Node) Deferral {
	d := Deferral{MinPeriodDays: defaultMinPeriodDays}
	for _, pr := range p.pairs(n, "", "deferral", "key", []string{"enabled", "min_period_days"}) {
		switch pr.key {
		case "enabled":
			d.Enabled, _ = p.boolean(pr.v, "", "deferral.enabled")
		case "min_period_days":
			if v, ok := p.integer(pr.v, "", "deferral.min_period_days"); ok {
				if v < 0 {
					p.add(deref(pr.v).Line, "", "deferral.min_period_days: must not be negative, got %d", v)
				}
				d.MinPeriodDays = v
			}
		}
	}
	return d
}

// defaultConfig parses DefaultYAML once; an invalid embedded file is a
// programming error (a test guards it), so it panics.
func defaultConfig() *Config {
	defaultOnce.Do(func() {
		c, err := Parse(DefaultYAML, "default.yaml")
		if err != nil {
			panic(errors.Join(errors.New("mapping: the built-in default.yaml is invalid"), err))
		}
		defaultCfg = c
	})
	return defaultCfg
}
