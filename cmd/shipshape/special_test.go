package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runWithin runs shipshape like run but fails the test instead of hanging
// when the command does not return in time.
func runWithin(t *testing.T, d time.Duration, args ...string) (string, string, int) {
	t.Helper()
	type res struct {
		out, errOut string
		code        int
	}
	ch := make(chan res, 1)
	go func() {
		out, errOut, code := run(t, "", args...)
		ch <- res{out, errOut, code}
	}()
	select {
	case r := <-ch:
		return r.out, r.errOut, r.code
	case <-time.After(d):
		t.Fatalf("shipshape %s did not return within %v", strings.Join(args, " "), d)
		return "", "", 0
	}
}

func newPackDir(t *testing.T) string {
	t.Helper()
	useDataDir(t)
	dir := filepath.Join(t.TempDir(), "pack")
	if _, errOut, code := run(t, "", "pack", "new", dir); code != 0 {
		t.Fatalf("pack new: %s", errOut)
	}
	return dir
}

// TestPackDirSymlinkOutsideIsRefused: a cloned pack whose starter is a
// link out of the pack must not make init copy the learner's files.
func TestPackDirSymlinkOutsideIsRefused(t *testing.T) {
	useStateDir(t)
	dir := newPackDir(t)
	outside := t.TempDir()
	write(t, outside, "secret.txt", "private")
	starter := filepath.Join(dir, "workspace", "starter")
	must(t, os.RemoveAll(starter))
	must(t, os.Symlink(outside, starter))

	dest := filepath.Join(t.TempDir(), "ws")
	_, errOut, code := run(t, "", "--pack", dir, "init", dest)
	if code == 0 || !strings.Contains(errOut, `"workspace/starter" is a symbolic link`) {
		t.Errorf("init: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dest, "secret.txt")); err == nil {
		t.Error("init copied a file from outside the pack")
	}
	if out, errOut, code := run(t, "", "pack", "validate", dir); code == 0 || !strings.Contains(out+errOut, "symbolic link") {
		t.Errorf("validate: exit %d: %s%s", code, out, errOut)
	}
}

// TestFifoLessonAndProgressDoNotHang: a named pipe where a lesson or the
// progress file should be is refused at once.
func TestFifoLessonAndProgressDoNotHang(t *testing.T) {
	dir := newPackDir(t)
	state := useStateDir(t)
	lesson := filepath.Join(dir, "01-welcome.md")
	must(t, os.Remove(lesson))
	must(t, syscall.Mkfifo(lesson, 0o644))
	for _, args := range [][]string{{"--pack", dir, "list"}, {"pack", "validate", dir}} {
		out, errOut, code := runWithin(t, 5*time.Second, args...)
		_ = out
		if code == 0 || !strings.Contains(out+errOut, "named pipe") {
			t.Errorf("%v: exit %d: %s%s", args, code, out, errOut)
		}
	}

	must(t, syscall.Mkfifo(filepath.Join(state, builtinID+".json"), 0o644))
	for _, args := range [][]string{{"list"}, {"progress", "reset", "--all", "--yes"}} {
		out, errOut, code := runWithin(t, 5*time.Second, args...)
		_ = out
		// list carries on without progress; reset cannot.
		if (code == 0 && args[0] != "list") || !strings.Contains(errOut, "not a regular file") {
			t.Errorf("%v: exit %d: %s%s", args, code, out, errOut)
		}
	}
}
