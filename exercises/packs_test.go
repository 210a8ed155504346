package exercises_test

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/dockerfile"
)

// packDirs lists the lesson packs kept in the repository under packs/.
func packDirs(t *testing.T) []string {
	t.Helper()
	manifests, err := filepath.Glob(filepath.Join("packs", "*", course.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if len(manifests) == 0 {
		t.Fatal("no lesson packs found under packs/: expected at least packs/go-probes")
	}
	dirs := make([]string, len(manifests))
	for i, m := range manifests {
		dirs[i] = filepath.Dir(m)
	}
	sort.Strings(dirs)
	return dirs
}

// loadOptions validates check kinds and parameters against the check
// engine, as `shipshape pack validate` does.
func loadOptions(t *testing.T) course.Options {
	t.Helper()
	return course.Options{CheckKind: check.ValidateParams}
}

// TestPacksLoad loads every pack with the check engine's validation, then
// runs the lint-level validation that `shipshape pack validate` adds.
func TestPacksLoad(t *testing.T) {
	opts := loadOptions(t)
	for _, dir := range packDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p, err := course.LoadDir(dir, opts)
			if err != nil {
				var pe *course.Error
				if errors.As(err, &pe) {
					t.Fatalf("pack %s does not load:\n%s", dir, course.FormatProblems(pe.Problems))
				}
				t.Fatalf("pack %s does not load: %v", dir, err)
			}
			_, problems, err := course.Validate(os.DirFS(dir), dir, opts)
			if err != nil {
				t.Fatalf("cannot validate pack %s: %v", dir, err)
			}
			if len(problems) > 0 {
				t.Errorf("pack %s has lint problems:\n%s", dir, course.FormatProblems(problems))
			}
			checkExercises(t, dir, p)
		})
	}
}

// checkExercises holds packs in this repository to more than the format
// requires: a workspace, a solution for every exercise, and Dockerfiles
// that BuildKit would parse.
func checkExercises(t *testing.T, dir string, p *course.Pack) {
	t.Helper()
	if p.Workspace == nil {
		t.Errorf("pack %s has no workspace: packs in the repository ship a starter", dir)
		return
	}
	trees := []string{p.Workspace.Starter}
	for _, ex := range p.Exercises() {
		if ex.Solution == "" {
			t.Errorf("exercise %s has no solution", ex.ID)
			continue
		}
		trees = append(trees, ex.Solution)
	}
	for _, tree := range trees {
		err := fs.WalkDir(p.FS, tree, func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || path.Base(name) != "Dockerfile" {
				return err
			}
			if _, err := dockerfile.ParseFile(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			return nil
		})
		if err != nil {
			t.Errorf("cannot read %s of pack %s: %v", tree, dir, err)
		}
	}
}

// TestPackGoWorkspaces builds and tests the Go code of packs whose starter
// is a Go module: the starter alone, and each solution laid over a copy of
// the starter, as `shipshape init` and `pack validate --docker` do.
func TestPackGoWorkspaces(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet and go test on each workspace")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	opts := loadOptions(t)
	for _, dir := range packDirs(t) {
		p, err := course.LoadDir(dir, opts)
		if err != nil || p.Workspace == nil {
			continue // TestPacksLoad reports it
		}
		starter := filepath.Join(dir, filepath.FromSlash(p.Workspace.Starter))
		if _, err := os.Stat(filepath.Join(starter, "go.mod")); err != nil {
			continue
		}
		trees := map[string]string{"starter": ""}
		for _, ex := range p.Exercises() {
			if ex.Solution != "" {
				trees["solution-"+ex.ID] = filepath.Join(dir, filepath.FromSlash(ex.Solution))
			}
		}
		for name, solution := range trees {
			t.Run(filepath.Base(dir)+"/"+name, func(t *testing.T) {
				work := t.TempDir()
				if err := os.CopyFS(work, os.DirFS(starter)); err != nil {
					t.Fatal(err)
				}
				if solution != "" {
					if err := overlay(work, solution); err != nil {
						t.Fatal(err)
					}
				}
				for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
					cmd := exec.Command(goBin, args...)
					cmd.Dir = work
					// Offline and self-contained: no toolchain download, no
					// go.work of the surrounding checkout.
					cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
					}
				}
			})
		}
	}
}

// overlay copies the files under src over dst, replacing files that exist.
func overlay(dst, src string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
