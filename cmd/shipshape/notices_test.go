package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shipshape/internal/check"
	"shipshape/internal/course"
)

const builtinID = "phase3-production-readiness"

// TestCheckTellsOfDamagedProgress: check records its result through
// recordAttempt; a damaged progress file is moved aside then, and the
// learner must hear where it went, once.
func TestCheckTellsOfDamagedProgress(t *testing.T) {
	dir := useStateDir(t)
	write(t, dir, builtinID+".json", "{not json")
	var errb bytes.Buffer
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &errb)
	pack, err := course.Builtin(course.Options{})
	must(t, err)
	recordAttempt(a, pack, "3.1", check.Report{})
	aside, _ := filepath.Glob(filepath.Join(dir, builtinID+".json.corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("moved aside: %v", aside)
	}
	if got := strings.Count(errb.String(), filepath.Base(aside[0])); got != 1 {
		t.Errorf("the new location is named %d times on stderr, want once:\n%s", got, errb.String())
	}
}

// TestNewerProgressIsNotBlamedOnAnotherShipshape: a file of a newer schema
// makes the store read-only; the messages must say so, not speak of a
// second shipshape holding the lock.
func TestNewerProgressIsNotBlamedOnAnotherShipshape(t *testing.T) {
	dir := useStateDir(t)
	newer, err := os.ReadFile("../../internal/progress/testdata/newer.json")
	must(t, err)
	write(t, dir, builtinID+".json", strings.ReplaceAll(string(newer), "production-readiness", builtinID))
	var errb bytes.Buffer
	a := newApp(strings.NewReader(""), &bytes.Buffer{}, &errb)
	pack, err := course.Builtin(course.Options{})
	must(t, err)
	recordAttempt(a, pack, "3.1", check.Report{})
	out := errb.String()
	if strings.Contains(out, "another shipshape") || !strings.Contains(out, "newer shipshape") ||
		!strings.Contains(out, "nothing will be written") || !strings.Contains(out, "Update shipshape") {
		t.Errorf("stderr:\n%s", out)
	}
	if strings.Count(out, "nothing will be written") != 1 {
		t.Errorf("notice printed more than once:\n%s", out)
	}

	_, errOut, code := run(t, "", "progress", "reset", "--all", "--yes")
	if code != 2 || strings.Contains(errOut, "another shipshape") || !strings.Contains(errOut, "newer shipshape") {
		t.Errorf("reset: exit %d:\n%s", code, errOut)
	}
}

// TestResetTellsOfDamagedProgress: every command that opens progress
// prints the store's notices.
func TestResetTellsOfDamagedProgress(t *testing.T) {
	dir := useStateDir(t)
	write(t, dir, builtinID+".json", "{not json")
	_, errOut, code := run(t, "", "progress", "reset", "--all", "--yes")
	if code != 0 || strings.Count(errOut, ".corrupt-") != 1 {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
}
