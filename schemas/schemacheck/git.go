package schemacheck

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// CheckAppendOnly checks with git that no frozen version under dir was ever
// changed after it was added: no commit modified, deleted or renamed one
// (git log --diff-filter=MDR), and the work tree and index do not either
// (git diff HEAD). A released schema version is what records on Kafka were
// written with; editing it in place would make the history lie.
//
// When git is missing, dir is not in a work tree or there are no commits yet,
// it checks nothing and says so in notice; a shallow clone is checked as far
// as its history goes, with a notice.
func CheckAppendOnly(dir string) (notice string, problems []error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "git not found: the append-only check of the frozen versions was skipped", nil
	}
	// Run git from the nearest directory that exists: when every frozen
	// file was deleted, git rm took dir with them, and that must not turn
	// the check off.
	dir, pathspec, err := existingBase(dir)
	if err != nil {
		return "", []error{err}
	}
	if out, err := git(dir, "rev-parse", "--is-inside-work-tree"); err != nil || strings.TrimSpace(out) != "true" {
		return fmt.Sprintf("%s is not in a git work tree: the append-only check was skipped", dir), nil
	}
	if _, err := git(dir, "rev-parse", "--verify", "--quiet", "HEAD"); err != nil {
		return "no commits yet: the append-only check was skipped", nil
	}
	if out, err := git(dir, "rev-parse", "--is-shallow-repository"); err == nil && strings.TrimSpace(out) == "true" {
		notice = "shallow clone: the append-only check covers only the history present"
	}

	out, err := git(dir, "log", "--diff-filter=MDR", "--name-status", "--format=commit %h %s", "--", pathspec)
	if err != nil {
		return notice, []error{fmt.Errorf("git log of %s: %w", dir, err)}
	}
	commit := ""
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "commit "):
			commit = strings.TrimPrefix(line, "commit ")
		case strings.TrimSpace(line) != "":
			problems = append(problems, fmt.Errorf("frozen versions are append-only, but commit %s changed one: %s", commit, describeStatus(line)))
		}
	}

	out, err = git(dir, "diff", "HEAD", "--name-status", "--diff-filter=MDR", "--", pathspec)
	if err != nil {
		return notice, append(problems, fmt.Errorf("git diff of %s: %w", dir, err))
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimSpace(line) != "" {
			problems = append(problems, fmt.Errorf("frozen versions are append-only, but an uncommitted change alters one: %s "+
				"(restore it; record a new version with `make schemas-freeze` instead)", describeStatus(line)))
		}
	}
	return notice, problems
}

// existingBase returns the nearest existing directory at or above dir, and
// dir relative to it as a git pathspec.
func existingBase(dir string) (base, pathspec string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", fmt.Errorf("append-only check: %w", err)
	}
	base = abs
	for {
		if fi, err := os.Stat(base); err == nil && fi.IsDir() {
			break
		}
		parent := filepath.Dir(base)
		if parent == base {
			break
		}
		base = parent
	}
	rel, err := filepath.Rel(base, abs)
	if err != nil {
		return "", "", fmt.Errorf("append-only check: %w", err)
	}
	return base, filepath.ToSlash(rel), nil
}

// describeStatus renders a --name-status line ("M\tpath", "R100\told\tnew").
func describeStatus(line string) string {
	fields := strings.Split(line, "\t")
	if len(fields) < 2 {
		return line
	}
	switch fields[0][0] {
	case 'M':
		return fields[1] + " modified"
	case 'D':
		return fields[1] + " deleted"
	case 'R':
		if len(fields) >= 3 {
			return fields[1] + " renamed to " + fields[2]
		}
	}
	return line
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
