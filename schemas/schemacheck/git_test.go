package schemacheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// newRepo makes a git repository in a temp dir with a committed
// schemas/versions holding v1 of the test subject.
func newRepo(t *testing.T) (root, versions string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root = t.TempDir()
	versions = filepath.Join(root, "schemas", "versions")
	writeVersions(t, versions, v1)
	run(t, root, "init", "-q")
	run(t, root, "add", ".")
	run(t, root, "commit", "-q", "-m", "freeze v1")
	return root, versions
}

func run(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=test", "-c", "user.email=test@example.com",
		"-c", "commit.gpgsign=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestAppendOnlyAcceptsNewVersions(t *testing.T) {
	root, versions := newRepo(t)
	writeVersions(t, versions, v1, v2) // rewrites v1 identically, adds v2
	if notice, problems := CheckAppendOnly(versions); len(problems) > 0 {
		t.Fatalf("uncommitted new version: %v (%s)", problems, notice)
	}
	run(t, root, "add", ".")
	run(t, root, "commit", "-q", "-m", "freeze v2")
	if notice, problems := CheckAppendOnly(versions); len(problems) > 0 || notice != "" {
		t.Fatalf("committed new version: %v (%s)", problems, notice)
	}
}

func TestAppendOnlyRefusesEdits(t *testing.T) {
	root, versions := newRepo(t)
	v1path := filepath.Join(versions, subject, "v1.avsc")

	// An uncommitted edit of a frozen file.
	if err := os.WriteFile(v1path, []byte(v2), 0o644); err != nil {
		t.Fatal(err)
	}
	_, problems := CheckAppendOnly(versions)
	if got := joined(problems); !strings.Contains(got, "uncommitted change") || !strings.Contains(got, "v1.avsc modified") {
		t.Fatalf("uncommitted edit: %q", got)
	}

	// The same edit committed: found in the history.
	run(t, root, "commit", "-q", "-am", "edit v1 in place")
	_, problems = CheckAppendOnly(versions)
	if got := joined(problems); !strings.Contains(got, "edit v1 in place") || !strings.Contains(got, "v1.avsc modified") {
		t.Fatalf("committed edit: %q", got)
	}

	// A deletion, staged.
	run(t, root, "rm", "-q", v1path)
	_, problems = CheckAppendOnly(versions)
	if got := joined(problems); !strings.Contains(got, "v1.avsc deleted") {
		t.Fatalf("deletion: %q", got)
	}
}

func TestAppendOnlySkipsWithoutHistory(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	writeVersions(t, dir, v1)
	notice, problems := CheckAppendOnly(dir)
	if len(problems) > 0 || !strings.Contains(notice, "skipped") {
		t.Fatalf("outside a repository: notice %q, problems %v", notice, problems)
	}
	run(t, dir, "init", "-q")
	notice, problems = CheckAppendOnly(dir)
	if len(problems) > 0 || !strings.Contains(notice, "no commits") {
		t.Fatalf("no commits: notice %q, problems %v", notice, problems)
	}
}
