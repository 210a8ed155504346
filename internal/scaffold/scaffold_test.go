package scaffold

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"shipshape/internal/check"
	"shipshape/internal/course"
)

func TestID(t *testing.T) {
	for dir, want := range map[string]string{
		"mypack":                 "mypack",
		"/tmp/My Course_2/":      "my-course-2",
		"...":                    "my-pack",
		"☃":                      "my-pack",
		strings.Repeat("ab", 40): strings.Repeat("ab", 24),
	} {
		if got := ID(dir); got != want {
			t.Errorf("ID(%q) = %q, want %q", dir, got, want)
		}
	}
}

func TestFiles(t *testing.T) {
	files, err := Files("demo")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name, body := range files {
		names = append(names, name)
		if strings.Contains(body, placeholder) {
			t.Errorf("%s still has the placeholder %s", name, placeholder)
		}
	}
	sort.Strings(names)
	want := "01-welcome.md 02-non-root.md pack.yaml workspace/solutions/1.1/Dockerfile workspace/starter/.github/workflows/shipshape.yml " +
		"workspace/starter/.gitlab-ci.yml workspace/starter/Dockerfile workspace/starter/app.sh"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("files = %s\nwant %s", got, want)
	}
	if !strings.Contains(files["pack.yaml"], "id: demo\n") || !strings.Contains(files["02-non-root.md"], "shipshape --pack demo check 1.1") {
		t.Error("the id is not filled in where the template names it")
	}
}

// TestWriteMakesAValidPack holds the promise of `pack new`: the skeleton
// validates as it is, and its starter script is executable.
func TestWriteMakesAValidPack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if err := Write(dir, "demo"); err != nil {
		t.Fatal(err)
	}
	p, err := course.LoadDir(dir, course.Options{CheckKind: check.ValidateParams})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "demo" || len(p.Lessons) != 2 || p.Workspace == nil {
		t.Errorf("loaded %q with %d lessons, workspace %v", p.ID, len(p.Lessons), p.Workspace)
	}
	if probs := course.Lint(p); len(probs) > 0 {
		t.Errorf("lint: %v", probs)
	}
	for name, exec := range map[string]bool{"workspace/starter/app.sh": true, "pack.yaml": false} {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm()&0o111 != 0; got != exec {
			t.Errorf("%s executable = %v, want %v (mode %v)", name, got, exec, st.Mode())
		}
	}
}

// The CI files of the starter are YAML that runs the pack's own exercise
// against the pack's image in the CI's format.
func TestCIFiles(t *testing.T) {
	files, err := Files("demo")
	if err != nil {
		t.Fatal(err)
	}
	for name, format := range map[string]string{
		"workspace/starter/.github/workflows/shipshape.yml": "--format github",
		"workspace/starter/.gitlab-ci.yml":                  "--format junit",
	} {
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(files[name]), &doc); err != nil {
			t.Errorf("%s is not YAML: %v", name, err)
			continue
		}
		body := files[name]
		for _, want := range []string{"shipshape --pack demo check", format, "--format sarif", "demo-app:prod", `EXERCISE: "1.1"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
	p, err := course.LoadDir(writeTemp(t, files), course.Options{CheckKind: check.ValidateParams})
	if err != nil {
		t.Fatal(err)
	}
	if ex, _ := p.Exercise("1.1"); ex == nil || p.Workspace.Image != "demo-app:prod" {
		t.Error("the CI files name an exercise or image the pack does not have")
	}
}

func writeTemp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
