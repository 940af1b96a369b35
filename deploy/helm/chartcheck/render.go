package chartcheck

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// KubeVersion is the Kubernetes version the chart is rendered for: the
// oldest its Chart.yaml accepts, so a field newer than that shows up. helm
// built with `go install` assumes v1.20 otherwise, which the chart refuses.
const KubeVersion = "1.27.0"

// HelmBinary returns the helm to run: $HELM, else helm on the PATH.
func HelmBinary() (string, error) {
	if h := os.Getenv("HELM"); h != "" {
		return h, nil
	}
	h, err := exec.LookPath("helm")
	if err != nil {
		return "", errors.New("helm not found: set HELM to the binary (make helm-test installs it in .bin/)")
	}
	return h, nil
}

// Render runs `helm template` for chartDir with release name release in
// namespace ns; extra are further helm arguments (-f file, --set k=v). The
// error carries helm's own message, e.g. a `required` or `fail` of the
// chart, or a values.schema.json violation.
func Render(helm, chartDir, release, ns string, extra ...string) ([]byte, error) {
	args := append([]string{"template", release, chartDir, "--namespace", ns, "--kube-version", KubeVersion}, extra...)
	cmd := exec.Command(helm, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("helm %v: %w\n%s", args, err, stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// RepoRoot is the repository's top directory, three levels above this
// package (deploy/helm/chartcheck).
func RepoRoot() (string, error) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "stripe-infor")); err != nil {
		return "", fmt.Errorf("repository root not found above %s: %w", root, err)
	}
	return root, nil
}
