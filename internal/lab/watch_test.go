package lab_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"shipshape/internal/lab"
)

// TestWatch writes real files and checks what is reported: debounced into
// one call, relative paths, new directories followed, skipped directories
// and editor temp files ignored.
func TestWatch(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"app", ".git", ".venv/lib", "node_modules"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := make(chan []string, 10)
	done := make(chan error, 1)
	l := lab.New(nil)
	go func() {
		done <- l.Watch(ctx, dir, 200*time.Millisecond, func(p []string) { calls <- p })
	}()
	time.Sleep(300 * time.Millisecond) // let the watches be set up
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Noise only: nothing may be reported.
	write(".git/index", "x")
	write(".venv/lib/site.py", "x")
	write("node_modules/x.js", "x")
	write(".Dockerfile.swp", "x")
	write("Dockerfile~", "x")
	write("4913", "x")
	select {
	case p := <-calls:
		t.Fatalf("noise reported: %v", p)
	case <-time.After(600 * time.Millisecond):
	}

	// A burst of edits is one call.
	write("Dockerfile", "FROM a\n")
	write("Dockerfile", "FROM b\n")
	write("app/main.py", "print()\n")
	write("new/pkg/mod.py", "x\n") // a directory made during the watch
	got := next(t, calls)
	want := []string{"Dockerfile", "app/main.py", "new"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("got %v, want it to include %q", got, w)
		}
	}
	select {
	case p := <-calls:
		t.Errorf("one burst gave a second call: %v", p)
	case <-time.After(500 * time.Millisecond):
	}
	// The new directory is watched now.
	write("new/pkg/mod.py", "y\n")
	if got := next(t, calls); !slices.Equal(got, []string{"new/pkg/mod.py"}) {
		t.Errorf("edit in new dir: %v", got)
	}
	// Files the .dockerignore keeps out of the build, and a temporary
	// file that comes and goes within the window, are not changes.
	write(".dockerignore", "*.md\nreport.json\n")
	if got := next(t, calls); !slices.Equal(got, []string{".dockerignore"}) {
		t.Errorf("ignore file: %v", got)
	}
	write("README.md", "notes")
	write("report.json", "{}")
	write("XXJz3G60", "tmp")
	if err := os.Remove(filepath.Join(dir, "XXJz3G60")); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-calls:
		t.Fatalf("excluded or temporary files reported: %v", p)
	case <-time.After(600 * time.Millisecond):
	}
	// Removal counts as a change.
	if err := os.Remove(filepath.Join(dir, "app", "main.py")); err != nil {
		t.Fatal(err)
	}
	if got := next(t, calls); !slices.Equal(got, []string{"app/main.py"}) {
		t.Errorf("remove: %v", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("watch ended with %v", err)
	}
}

func next(t *testing.T, c <-chan []string) []string {
	t.Helper()
	select {
	case p := <-c:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no change reported")
		return nil
	}
}

func TestWatchMissingDir(t *testing.T) {
	err := lab.New(nil).Watch(context.Background(), filepath.Join(t.TempDir(), "nope"), time.Second, func([]string) {})
	if err == nil {
		t.Error("watching a missing directory worked")
	}
}
