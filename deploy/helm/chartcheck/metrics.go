package chartcheck

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The application declares its Prometheus metrics as
//
//	prometheus.CounterOpts{Namespace: "stripe_infor", Subsystem: "webhook", Name: "requests_total", …}
//
// with the namespace and subsystem as literals or as file-level constants
// (const ns, sub = "stripe_infor", "sink"). DefinedMetrics reads those from
// the source, so the alert rules and the dashboard are checked against the
// metrics the code really exports, not against a list that can go stale.
var (
	optsPattern  = regexp.MustCompile(`Namespace:\s*(\w+|"[^"]*")\s*,\s*(?:Subsystem:\s*(\w+|"[^"]*")\s*,\s*)?Name:\s*"([^"]+)"`)
	constPattern = regexp.MustCompile(`const\s+(\w+(?:\s*,\s*\w+)*)\s*=\s*("[^"]*"(?:\s*,\s*"[^"]*")*)`)
	stringLit    = regexp.MustCompile(`"([^"]*)"`)
	metricRef    = regexp.MustCompile(`\bstripe_infor_[a-z0-9_]+`)
)

// DefinedMetrics returns the full names of the stripe_infor_* metrics the
// non-test Go files under root declare.
func DefinedMetrics(root string) (map[string]bool, error) {
	found := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".data", ".bin", "bin", "deploy", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, name := range metricsInFile(string(src)) {
			found[name] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s for metrics: %w", root, err)
	}
	return found, nil
}

// metricsInFile resolves the metric declarations of one file.
func metricsInFile(src string) []string {
	consts := map[string]string{}
	for _, m := range constPattern.FindAllStringSubmatch(src, -1) {
		names := strings.Split(m[1], ",")
		values := stringLit.FindAllStringSubmatch(m[2], -1)
		for i, n := range names {
			if i < len(values) {
				consts[strings.TrimSpace(n)] = values[i][1]
			}
		}
	}
	resolve := func(tok string) string {
		if strings.HasPrefix(tok, `"`) {
			return strings.Trim(tok, `"`)
		}
		return consts[tok]
	}
	var out []string
	for _, m := range optsPattern.FindAllStringSubmatch(src, -1) {
		parts := []string{resolve(m[1])}
		if m[2] != "" {
			parts = append(parts, resolve(m[2]))
		}
		parts = append(parts, m[3])
		name := strings.Join(parts, "_")
		if strings.HasPrefix(name, "stripe_infor_") {
			out = append(out, name)
		}
	}
	return out
}

// ReferencedMetrics returns the stripe_infor_* metric names a PromQL
// expression uses, with a histogram's _bucket, _sum or _count suffix kept.
func ReferencedMetrics(expr string) []string {
	return metricRef.FindAllString(expr, -1)
}

// Known reports whether ref is a defined metric or one of a histogram's
// series (_bucket, _sum, _count).
func Known(defined map[string]bool, ref string) bool {
	if defined[ref] {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(ref, suffix); ok && defined[base] {
			return true
		}
	}
	return false
}
