package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func packFS() fstest.MapFS {
	return fstest.MapFS{
		"ws/starter/Dockerfile":          {Data: []byte("FROM python:3.13-slim\n")},
		"ws/starter/main.py":             {Data: []byte("app = 1\n")},
		"ws/starter/tests/test_api.py":   {Data: []byte("def test(): pass\n")},
		"ws/solutions/3.1/Dockerfile":    {Data: []byte("FROM python:3.13-slim\nUSER 10001:10001\n")},
		"ws/solutions/3.1/.dockerignore": {Data: []byte(".git\n")},
		"ws/solutions/3.1/NOTES.md":      {Data: []byte("# Why USER 10001\n")},
	}
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestInitWritesStarterAndRefusesNonEmpty(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "ws")
	res, err := Init(packFS(), "ws/starter", dest, false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Written, ",") != "Dockerfile,main.py,tests/test_api.py" {
		t.Errorf("written %v", res.Written)
	}
	if _, err := Init(packFS(), "ws/starter", dest, false); !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "--force") {
		t.Errorf("second init: %v", err)
	}
	// The learner edits the Dockerfile; --force keeps their version as a backup.
	os.WriteFile(filepath.Join(dest, "Dockerfile"), []byte("FROM mine\n"), 0o644)
	res, err = Init(packFS(), "ws/starter", dest, true)
	if err != nil {
		t.Fatal(err)
	}
	backup := res.BackedUp["Dockerfile"]
	if backup == "" || read(t, dest, backup) != "FROM mine\n" || read(t, dest, "Dockerfile") != "FROM python:3.13-slim\n" {
		t.Errorf("backup %q; result %+v", backup, res)
	}
	if strings.Join(res.Unchanged, ",") != "main.py,tests/test_api.py" {
		t.Errorf("unchanged %v", res.Unchanged)
	}
}

// TestInitBesideShipshapeYAML: a workspace holding only its shipshape.yaml
// (the build arguments a classroom hands out first) takes the starter,
// and keeps the file; anything more is "not empty".
func TestInitBesideShipshapeYAML(t *testing.T) {
	dest := t.TempDir()
	cfg := "build:\n  args:\n    PYTHON_IMAGE: mirror/python:3.13-slim\n"
	os.WriteFile(filepath.Join(dest, ConfigName), []byte(cfg), 0o644)
	res, err := Init(packFS(), "ws/starter", dest, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 3 || read(t, dest, ConfigName) != cfg {
		t.Errorf("written %v; %s now %q", res.Written, ConfigName, read(t, dest, ConfigName))
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, ConfigName), []byte(cfg), 0o644)
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if _, err := Init(packFS(), "ws/starter", other, false); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("init beside another file: %v", err)
	}
}

func TestApplySolutionAndResetFile(t *testing.T) {
	dest := t.TempDir()
	if _, err := Init(packFS(), "ws/starter", dest, false); err != nil {
		t.Fatal(err)
	}
	res, err := Apply(packFS(), "ws/solutions/3.1", dest)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 2 || res.BackedUp["Dockerfile"] == "" {
		t.Errorf("apply: %+v", res)
	}
	if !strings.Contains(read(t, dest, "Dockerfile"), "USER 10001") {
		t.Error("solution not applied")
	}
	// NOTES.md explains the solution; it is shown, never written.
	if res.Notes != "# Why USER 10001\n" {
		t.Errorf("notes %q", res.Notes)
	}
	if _, err := os.Stat(filepath.Join(dest, NotesName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("NOTES.md written into the workspace: %v", err)
	}
	res, err = ResetFile(packFS(), "ws/starter", dest, "Dockerfile")
	if err != nil || len(res.Written) != 1 || read(t, dest, "Dockerfile") != "FROM python:3.13-slim\n" {
		t.Errorf("reset: %+v %v", res, err)
	}
	for _, bad := range []string{"../etc/passwd", "/etc/passwd", "nope.txt", "."} {
		if _, err := ResetFile(packFS(), "ws/starter", dest, bad); err == nil {
			t.Errorf("reset %q accepted", bad)
		}
	}
}

func TestSymlinkInWorkspaceIsNotFollowedOutside(t *testing.T) {
	dest := t.TempDir()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dest, "tests")); err != nil {
		t.Skip(err)
	}
	_, err := Init(packFS(), "ws/starter", dest, true)
	if err == nil {
		t.Error("writing through a symlink that leaves the workspace was allowed")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote outside the workspace: %v", entries)
	}
}
