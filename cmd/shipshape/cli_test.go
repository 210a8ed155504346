package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/progress"
	"shipshape/internal/report"
)

// run executes shipshape with args and returns stdout, stderr and the exit code.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := newApp(strings.NewReader(stdin), &out, &errb)
	root := newRootCmd(a)
	root.SetArgs(args)
	code := exitCode(a, root.Execute())
	return out.String(), errb.String(), code
}

func useStateDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(progress.EnvStateDir, dir)
	return dir
}

func TestListJSONHasEveryLessonAndExercise(t *testing.T) {
	useStateDir(t)
	out, errOut, code := run(t, "", "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc report.ListDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Lessons) < 12 || doc.Total != len(doc.Lessons) {
		t.Errorf("%d lessons, total %d", len(doc.Lessons), doc.Total)
	}
	var ids []string
	for _, e := range doc.Exercises {
		ids = append(ids, e.ID)
		if len(e.Checks) == 0 || e.State != "not-attempted" {
			t.Errorf("exercise %s: %d checks, state %s", e.ID, len(e.Checks), e.State)
		}
	}
	if got := strings.Join(ids, ","); got != "3.1,3.2,3.3,3.4" {
		t.Errorf("exercises %s", got)
	}
	for _, l := range doc.Lessons {
		if l.State != "not-started" {
			t.Errorf("lesson %s state %s on a fresh machine", l.ID, l.State)
		}
	}
}

func TestProgressShowsStoredState(t *testing.T) {
	dir := useStateDir(t)
	s, err := progress.Open(dir, "phase3-production-readiness")
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.MarkRead("non-root"))
	must(t, s.SetPosition("base-image", 12))
	must(t, s.RecordAttempt("3.1", progress.Attempt{StartedAt: time.Now(), Passed: true,
		Checks: []progress.CheckRecord{{ID: "runs-as-nonroot", Status: "pass", Required: true}}}))
	must(t, s.Close())

	out, _, code := run(t, "", "progress")
	if code != 0 || !strings.Contains(out, "last lesson:   Choose a base image") || !strings.Contains(out, "3.1") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	out, _, _ = run(t, "", "progress", "--json")
	var doc report.ProgressDoc
	must(t, json.Unmarshal([]byte(out), &doc))
	if doc.CurrentLesson != "base-image" || doc.Exercises[0].State != "passed" || doc.Done != 2 {
		t.Errorf("progress json: current %q, 3.1 %s, done %d", doc.CurrentLesson, doc.Exercises[0].State, doc.Done)
	}
	out, _, _ = run(t, "", "list")
	if !strings.Contains(out, "2 of 19 lessons done") {
		t.Errorf("list:\n%s", out)
	}
}

func TestResetAsksAndHonoursYes(t *testing.T) {
	dir := useStateDir(t)
	s, err := progress.Open(dir, "phase3-production-readiness")
	must(t, err)
	must(t, s.MarkRead("non-root"))
	must(t, s.MarkRead("base-image"))
	must(t, s.Close())

	// Without a terminal and without --yes nothing is reset.
	_, errOut, code := run(t, "y\n", "progress", "reset", "non-root")
	if code != 2 || !strings.Contains(errOut, "--yes") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	out, errOut, code := run(t, "", "progress", "reset", "2", "--yes")
	if code != 0 || !strings.Contains(out, "Reset progress of lesson") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	st, _, err := progress.Load(dir, "phase3-production-readiness")
	must(t, err)
	if st.Lessons["non-root"] != nil || st.Lessons["base-image"] == nil {
		t.Errorf("reset the wrong lesson: %+v", st.Lessons)
	}
	if _, _, code := run(t, "", "progress", "reset", "--all", "--yes"); code != 0 {
		t.Fatal("reset --all failed")
	}
	st, _, _ = progress.Load(dir, "phase3-production-readiness")
	if len(st.Lessons) != 0 {
		t.Errorf("reset --all left %v", st.Lessons)
	}
	for _, args := range [][]string{{"progress", "reset"}, {"progress", "reset", "nope", "--yes"}, {"progress", "reset", "x", "--all"}} {
		if _, errOut, code := run(t, "", args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestBadPackExitsTwoWithFileAndLine(t *testing.T) {
	useStateDir(t)
	dir := t.TempDir()
	write(t, dir, "pack.yaml", "format_version: 1\nid: p\ntitle: P\nversion: \"1\"\nlessons: [a.md]\n")
	write(t, dir, "a.md", "---\nid: a\ntitle: A\nsummary: s\nminutes: lots\n---\n# A\n")
	_, errOut, code := run(t, "", "list", "--pack", dir)
	if code != 2 || !strings.Contains(errOut, "a.md:5:") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	write(t, dir, "pack.yaml", "format_version: 7\nid: p\n")
	_, errOut, code = run(t, "", "list", "--pack", dir)
	if code != 2 || !strings.Contains(errOut, "update shipshape") {
		t.Errorf("newer format: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = run(t, "", "list", "--pack", filepath.Join(dir, "missing"))
	if code != 2 || !strings.Contains(errOut, "cannot open lesson pack") {
		t.Errorf("missing dir: exit %d, stderr %q", code, errOut)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	useStateDir(t)
	for _, args := range [][]string{{"list", "--nope"}, {"nope"}, {"version", "extra"}} {
		if _, errOut, code := run(t, "", args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	useStateDir(t)
	root := newRootCmd(newApp(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}))
	for _, c := range root.Commands() {
		names := []string{c.Name()}
		for _, sub := range c.Commands() {
			names = append(names, c.Name()+" "+sub.Name())
		}
		for _, n := range names {
			out, _, code := run(t, "", append(strings.Fields(n), "--help")...)
			if code != 0 || !strings.Contains(out, "Usage:") {
				t.Errorf("%s --help: exit %d\n%s", n, code, out)
			}
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, code := run(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "shipshape ") {
		t.Errorf("exit %d: %q", code, out)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	must(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
}
