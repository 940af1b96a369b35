package chartcheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A typo in a template must fail this check without a cluster. The chart is
// copied, one template is broken the way a hand edit breaks it, and the
// render must then fail strict decoding, naming the field.
func TestTemplateTypoFailsTheCheck(t *testing.T) {
	for name, tc := range map[string]struct {
		file, from, to, want string
	}{
		"misspelt Deployment field": {"templates/_deployment.tpl", "terminationGracePeriodSeconds:", "terminationGracePeriodSecond:", `unknown field "spec.template.spec.terminationGracePeriodSecond"`},
		"misspelt pod field":        {"templates/_deployment.tpl", "enableServiceLinks: false", "enableServicesLinks: false", "enableServicesLinks"},
		"duplicated key":            {"templates/pdb.yaml", "  unhealthyPodEvictionPolicy: AlwaysAllow", "  selector: {}\n  unhealthyPodEvictionPolicy: AlwaysAllow", `key "selector" already set`},
		"field at the wrong level":  {"templates/_deployment.tpl", "          imagePullPolicy:", "          automountServiceAccountToken: false\n          imagePullPolicy:", `unknown field "spec.template.spec.containers[0].automountServiceAccountToken"`},
		"KEDA value unquoted":       {"templates/keda.yaml", `lagThreshold: {{ $cfg.keda.lagThreshold | toString | quote }}`, `lagThreshold: {{ $cfg.keda.lagThreshold }}`, "ScaledObject"},
		"misspelt ServiceMonitor":   {"templates/servicemonitor.yaml", "scrapeTimeout:", "scrapeTimout:", "scrapeTimout"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := copyChart(t)
			path := filepath.Join(dir, tc.file)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(src), tc.from) {
				t.Fatalf("%s no longer contains %q: update this test", tc.file, tc.from)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(string(src), tc.from, tc.to, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := Render(helm(t), dir, release, namespace, "-f", filepath.Join(dir, "ci", "all-features-values.yaml"))
			if err != nil {
				t.Fatalf("helm itself refused the broken chart (fine, but this test wants the decoder to catch it): %v", err)
			}
			_, err = Decode(out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("decode err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func copyChart(t *testing.T) string {
	t.Helper()
	src := chartDir(t)
	dst := filepath.Join(t.TempDir(), "stripe-infor")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
