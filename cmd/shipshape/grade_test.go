package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/grade"
	"shipshape/internal/report"
	"shipshape/internal/workspace"
)

// gradeWorkspace is a 3.1 workspace on the busybox base; slow makes its
// build take a while (after one step committed), root makes it fail.
func gradeWorkspace(base string, slow, root bool) string {
	var b strings.Builder
	b.WriteString("FROM " + base + "\n")
	if slow {
		// A step of its own each time: BuildKit would answer a sleep an
		// earlier test built from its cache at once.
		fmt.Fprintf(&b, "ENV STAGE=slow-%d\nRUN sleep 12\n", time.Now().UnixNano())
	}
	if !root {
		b.WriteString("USER 10001:10001\n")
	}
	b.WriteString(`HEALTHCHECK --interval=1s --timeout=2s --start-period=5s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/"]` + "\n")
	b.WriteString(`CMD ["httpd", "-f", "-p", "8000", "-h", "/www"]` + "\n")
	return b.String()
}

// TestGradeResumesAfterKill grades a CSV roster with `shipshape grade`,
// kills it with SIGKILL while the second student's build runs, and
// resumes: the first student is not graded again, the others are, the
// gradebook has one correct row each, and nothing of the killed run is
// left on the daemon.
func TestGradeResumesAfterKill(t *testing.T) {
	ctx, e := openDockerEnv(t, 6*time.Minute)
	useStateDir(t)
	root := t.TempDir()
	for name, df := range map[string]string{
		"ann": gradeWorkspace(e.Base, false, false),
		"bob": gradeWorkspace(e.Base, true, false),
		"cat": gradeWorkspace(e.Base, false, true),
	} {
		dir := filepath.Join(root, "subs", name)
		must(t, os.MkdirAll(dir, 0o755))
		must(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644))
	}
	roster := filepath.Join(root, "roster.csv")
	must(t, os.WriteFile(roster, []byte("student,path\nann,subs/ann\nbob,subs/bob\ncat,subs/cat\n"), 0o644))
	out := filepath.Join(root, "grades")
	imagesBefore, err := e.ImagesFromBase(ctx)
	must(t, err)

	args := []string{"grade", "3.1", roster, "--out", out, "--jobs", "1", "--timeout", "90s"}
	cmd, _, errb := shipshape(t, nil, "", "", args...)
	annRecord := filepath.Join(out, "results", "ann.json")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(annRecord); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ann was not graded in time:\n%s", errb)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// bob's build is in its RUN sleep by now, one step image committed.
	time.Sleep(4 * time.Second)
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	if !strings.Contains(errb.String(), "grading bob") {
		t.Fatalf("killed before bob started:\n%s", errb)
	}
	annBefore, err := os.ReadFile(annRecord)
	must(t, err)
	if _, err := os.Stat(filepath.Join(out, "results", "bob.json")); err == nil {
		t.Fatal("bob finished before the kill; the test proves nothing")
	}

	// Without --resume the run refuses to overwrite the first.
	if _, errOut, code := run(t, "", args...); code != 2 || !strings.Contains(errOut, "pass --resume") {
		t.Errorf("a second run without --resume: exit %d\n%s", code, errOut)
	}
	stdout, errOut, code := run(t, "", append(args, "--resume", "--jobs", "2")...)
	t.Logf("resumed:\n%s%s", stdout, errOut)
	if code != 0 {
		t.Fatalf("resume: exit %d", code)
	}
	if strings.Contains(errOut, "cannot clean up") {
		t.Errorf("the killed run's leftovers were not all removed:\n%s", errOut)
	}
	if !strings.Contains(errOut, "resuming: 1 of 3 students") || strings.Contains(errOut, "grading ann") {
		t.Errorf("ann graded again, or not said so:\n%s", errOut)
	}
	if annAfter, _ := os.ReadFile(annRecord); !bytes.Equal(annAfter, annBefore) {
		t.Errorf("ann's result was rewritten:\n%s\nthen\n%s", annBefore, annAfter)
	}

	var gb grade.Gradebook
	data, err := os.ReadFile(filepath.Join(out, grade.GradebookJSON))
	must(t, err)
	must(t, json.Unmarshal(data, &gb))
	got := map[string]grade.Row{}
	for _, r := range gb.Students {
		got[r.Student] = r
	}
	if len(gb.Students) != 3 || len(gb.Pending) != 0 || !got["ann"].Passed || !got["bob"].Passed || got["cat"].Passed ||
		got["cat"].Status != grade.StatusGraded || got["cat"].Score != gb.MaxScore-1 || got["bob"].Score != gb.MaxScore {
		t.Errorf("gradebook:\n%s", data)
	}
	for _, name := range []string{"ann.txt", "bob.txt", "cat.txt", grade.GradebookCSV} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}

	// The resumed run's first Docker call removed what the killed one
	// left (its ledger), and its own are gone too.
	if cs, err := e.ContainersFromBase(ctx); err != nil || len(cs) > 0 {
		t.Errorf("containers left: %v %v", cs, err)
	}
	if after, err := e.ImagesFromBase(ctx); err != nil || !slices.Equal(after, imagesBefore) {
		t.Errorf("images before %v, after %v (%v)", imagesBefore, after, err)
	}
}

// TestGradeInterrupt stops `shipshape grade` with SIGINT (Ctrl-C) while
// the second student's build runs: it exits 2 saying how to go on, has
// removed what it built by then, and its gradebook holds the finished
// student with the others pending.
func TestGradeInterrupt(t *testing.T) {
	ctx, e := openDockerEnv(t, 4*time.Minute)
	useStateDir(t)
	root := t.TempDir()
	for name, df := range map[string]string{"ann": gradeWorkspace(e.Base, false, false), "bob": gradeWorkspace(e.Base, true, false),
		"cat": gradeWorkspace(e.Base, false, false)} {
		must(t, os.MkdirAll(filepath.Join(root, name), 0o755))
		must(t, os.WriteFile(filepath.Join(root, name, "Dockerfile"), []byte(df), 0o644))
	}
	out := filepath.Join(t.TempDir(), "grades")
	imagesBefore, err := e.ImagesFromBase(ctx)
	must(t, err)
	cmd, _, errb := shipshape(t, nil, "", "", "grade", "3.1", root, "--out", out, "--jobs", "1")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(out, "results", "ann.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ann was not graded in time:\n%s", errb)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(4 * time.Second)
	must(t, cmd.Process.Signal(os.Interrupt))
	if code := waitExit(t, cmd, time.Minute); code != 2 || !strings.Contains(errb.String(), "interrupted with 1 of 3 students graded") ||
		!strings.Contains(errb.String(), "--resume") {
		t.Errorf("exit %d:\n%s", code, errb)
	}
	var gb grade.Gradebook
	data, err := os.ReadFile(filepath.Join(out, grade.GradebookJSON))
	must(t, err)
	must(t, json.Unmarshal(data, &gb))
	if len(gb.Students) != 1 || gb.Students[0].Student != "ann" || strings.Join(gb.Pending, ",") != "bob,cat" {
		t.Errorf("gradebook:\n%s", data)
	}
	// Nothing is left, without waiting for another shipshape to sweep.
	if cs, err := e.ContainersFromBase(ctx); err != nil || len(cs) > 0 {
		t.Errorf("containers left: %v %v", cs, err)
	}
	if after, err := e.ImagesFromBase(ctx); err != nil || !slices.Equal(after, imagesBefore) {
		t.Errorf("images before %v, after %v (%v)", imagesBefore, after, err)
	}
}

func TestGradeUsageErrors(t *testing.T) {
	useStateDir(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"grade", "3.1"}, "grade needs an EXERCISE and a ROSTER"},
		{[]string{"grade", "9.9", dir}, `no exercise "9.9"`},
		{[]string{"grade", "3.1", filepath.Join(dir, "nope.csv")}, "cannot use the roster"},
		{[]string{"grade", "3.1", dir, "--jobs", "0"}, "--jobs must be at least 1"},
		{[]string{"grade", "3.1", dir, "--format", "yaml"}, "yaml"},
		{[]string{"grade", "3.1", dir, "--build-arg", "NOEQUALS"}, "want KEY=VALUE"},
		{[]string{"grade", "3.1", dir}, "no subdirectories"},
	} {
		_, errOut, code := run(t, "", tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	must(t, os.Mkdir(filepath.Join(dir, "ann"), 0o755))
	if _, errOut, code := run(t, "", "--host", "unix:///nonexistent/docker.sock", "grade", "3.1", dir, "--out", filepath.Join(dir, "g")); code != 2 || errOut == "" {
		t.Errorf("no daemon: exit %d, %q", code, errOut)
	}
}

// TestGradeTaskAPI grades exercise 3.2 on the real Task API, built on the
// python:3.13-slim twin when it is cached (else the busybox stand-in, as
// the other end-to-end tests do): the reference solution passes, the
// unchanged starter fails, and the pack's starter is built once as the dev
// image the size comparison judges against, then removed like the rest.
func TestGradeTaskAPI(t *testing.T) {
	ctx, e := openDockerEnv(t, 12*time.Minute)
	useStateDir(t)
	base := pythonBase(t, ctx, e)
	pack, err := course.Builtin(course.Options{CheckKind: check.ValidateParams})
	must(t, err)
	ex, _ := pack.Exercise("3.2")
	root := t.TempDir()
	for _, name := range []string{"solved", "unchanged"} {
		ws := filepath.Join(root, name)
		if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, ws, false); err != nil {
			t.Fatal(err)
		}
		if name == "solved" {
			if _, err := workspace.Apply(pack.FS, ex.Solution, ws); err != nil {
				t.Fatal(err)
			}
		}
	}
	imagesBefore, err := e.ImagesFromBase(ctx)
	must(t, err)
	out := filepath.Join(t.TempDir(), "grades")
	start := time.Now()
	stdout, errOut, code := run(t, "", "grade", "3.2", root, "--out", out, "--format", "json", "--jobs", "2",
		"--build-arg", "PYTHON_IMAGE="+base.Ref)
	t.Logf("graded in %s:\n%s%s", time.Since(start).Round(time.Second), stdout, errOut)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var gb grade.Gradebook
	data, err := os.ReadFile(filepath.Join(out, grade.GradebookJSON))
	must(t, err)
	must(t, json.Unmarshal(data, &gb))
	rows := map[string]grade.Row{}
	for _, r := range gb.Students {
		rows[r.Student] = r
	}
	solved, unchanged := rows["solved"], rows["unchanged"]
	if !solved.Passed || solved.Score != solved.MaxScore || unchanged.Passed || unchanged.Status != grade.StatusGraded {
		t.Errorf("gradebook:\n%s", data)
	}
	for _, c := range unchanged.Checks {
		// The starter is the dev image: not smaller than itself.
		if c.ID == "smaller-than-dev" && c.Status != "fail" {
			t.Errorf("the unchanged starter against the dev image: %s", c.Status)
		}
	}
	var doc report.CheckDoc
	if data, err := os.ReadFile(filepath.Join(out, "solved.json")); err != nil || json.Unmarshal(data, &doc) != nil || !doc.Passed {
		t.Errorf("solved.json: %v\n%s", err, data)
	}
	if cs, err := e.ContainersFromBase(ctx); err != nil || len(cs) > 0 {
		t.Errorf("containers left: %v %v", cs, err)
	}
	if after, err := e.ImagesFromBase(ctx); err != nil || !slices.Equal(after, imagesBefore) {
		t.Errorf("images before %v, after %v (%v)", imagesBefore, after, err)
	}
}
