package dockerfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeIgnore(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckIgnore(t *testing.T) {
	tests := []struct {
		name    string
		content string
		status  Status
		missing []string
		want    []string
	}{
		{"complete", ".git\n.env\n.venv\n**/__pycache__\n**/*.pyc\n", Pass, nil, []string{"excludes .git"}},
		{"trailing slashes and comments", "# ours\n.git/\n/.env\n.venv/\n**/__pycache__/\n**/*.py[cod]\n", Pass, nil, nil},
		{"syllabus list misses nested caches", "__pycache__\n*.pyc\n*.pyo\n.git\n.env\n.venv\nvenv/\n", Fail,
			[]string{"Python caches (__pycache__)", "compiled Python files (*.pyc)"},
			[]string{`app/__pycache__/m.cpython-313.pyc would be sent): add "**/__pycache__"`, `add "**/*.pyc"`}},
		{"pyc pattern covers caches", ".git\n.env\n.venv\n**/*.pyc\n", Pass, nil, nil},
		{"exception re-includes .env", ".git\n.env\n!.env\n.venv\n**/__pycache__\n**/*.pyc\n", Fail, []string{".env"}, nil},
		{"exception inside .git", ".git\n!.git/config\n.env\n.venv\n**/__pycache__\n**/*.pyc\n", Fail, []string{".git"}, []string{".git/config would be sent"}},
		{"only venv/", ".git\n.env\nvenv/\n**/__pycache__\n**/*.pyc\n", Fail, []string{"virtual environment .venv"}, []string{`add ".venv"`}},
		{"allow-list re-includes caches", "*\n!app\n!requirements.txt\n", Fail, []string{"Python caches (__pycache__)"}, nil},
		{"allow-list with cache rules after", "*\n!app\n!requirements.txt\n**/__pycache__\n**/*.pyc\n", Pass, nil, nil},
		{"empty", "", Fail, []string{".git", ".env", "virtual environment .venv"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeIgnore(t, dir, ".dockerignore", tt.content)
			got := CheckIgnore(dir)
			checkFinding(t, got.Finding, tt.status, 0, tt.want)
			for _, m := range tt.missing {
				found := false
				for _, g := range got.Missing {
					found = found || g == m
				}
				if !found {
					t.Errorf("missing = %q, want it to contain %q", got.Missing, m)
				}
			}
			if len(tt.missing) == 0 && len(got.Missing) != 0 {
				t.Errorf("missing = %q", got.Missing)
			}
			if len(got.Missing) != len(got.Suggestions) {
				t.Errorf("suggestions %q do not match missing %q", got.Suggestions, got.Missing)
			}
			if got.Path != filepath.Join(dir, ".dockerignore") {
				t.Errorf("path = %q", got.Path)
			}
		})
	}
}

func TestCheckIgnoreMissing(t *testing.T) {
	dir := t.TempDir()
	got := CheckIgnore(dir)
	checkFinding(t, got.Finding, Fail, 0, []string{".dockerignore not found in " + dir, "create it with at least: .git, .env, .venv"})
	if got.Path != "" || len(got.Missing) != len(IgnoreRules) {
		t.Errorf("got %+v", got)
	}
}

func TestCheckIgnoreVenvDirPresent(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "venv"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeIgnore(t, dir, ".dockerignore", ".git\n.env\n.venv\n**/__pycache__\n**/*.pyc\n")
	got := CheckIgnore(dir)
	checkFinding(t, got.Finding, Fail, 0, []string{"virtual environment venv", `add "venv"`})
	writeIgnore(t, dir, ".dockerignore", ".git\n.env\n.venv\nvenv\n**/__pycache__\n**/*.pyc\n")
	checkFinding(t, CheckIgnore(dir).Finding, Pass, 0, nil)
}

func TestCheckIgnoreDockerfileSpecific(t *testing.T) {
	dir := t.TempDir()
	writeIgnore(t, dir, ".dockerignore", ".git\n.env\n.venv\n**/__pycache__\n**/*.pyc\n")
	writeIgnore(t, dir, "Dockerfile.dockerignore", ".git\n")
	got := CheckIgnore(dir)
	checkFinding(t, got.Finding, Fail, 0, []string{"Dockerfile.dockerignore is used instead of .dockerignore by BuildKit"})
	if got.Path != filepath.Join(dir, "Dockerfile.dockerignore") {
		t.Errorf("path = %q", got.Path)
	}
	// A different Dockerfile name has no specific file, so .dockerignore rules.
	got = CheckIgnoreFor(dir, filepath.Join(dir, "prod.Dockerfile"))
	checkFinding(t, got.Finding, Pass, 0, nil)
}

func TestCheckIgnorePatternsInvalid(t *testing.T) {
	got := CheckIgnorePatterns([]string{"["}, IgnoreRules)
	if got.Status != Fail || !strings.Contains(evidence(got.Finding), "invalid pattern") {
		t.Errorf("got %+v", got)
	}
}
