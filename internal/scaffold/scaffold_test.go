package scaffold

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

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
	want := "01-welcome.md 02-non-root.md pack.yaml workspace/solutions/1.1/Dockerfile workspace/starter/Dockerfile workspace/starter/app.sh"
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
