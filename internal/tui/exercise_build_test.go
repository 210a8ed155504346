package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"shipshape/internal/course"
	"shipshape/internal/lab"
	"shipshape/internal/workspace"
)

// The fake workflow's dev build and image lookup (B).

func (f *fakeWorkflow) BuildDev(ctx context.Context, on func(lab.BuildEvent)) (lab.BuildResult, error) {
	f.mu.Lock()
	f.builds = append(f.builds, "dev from the starter")
	f.devExists = true
	f.mu.Unlock()
	on(lab.BuildEvent{Step: "Step 1/2 : FROM python:3.13-slim", Line: "Step 1/2 : FROM python:3.13-slim"})
	on(lab.BuildEvent{Line: "Step 2/2 : RUN pip install -r requirements.txt -r requirements-dev.txt"})
	return lab.BuildResult{ImageID: "sha256:dev", Duration: 2 * time.Second}, nil
}

func (f *fakeWorkflow) ImageExists(ctx context.Context, ref string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return ref == "task-api:dev" && f.devExists, nil
}

// sizes are the terminal sizes every screen of these tests is drawn at.
var sizes = [][2]int{{80, 24}, {200, 50}}

// eachSize runs fn in a subtest per size, with the exercise screen open;
// the goldens are named after the test and the size.
func eachSize(t *testing.T, fn func(t *testing.T, w, h int)) {
	for _, s := range sizes {
		t.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(t *testing.T) { fn(t, s[0], s[1]) })
	}
}

func openPassedExerciseAt(t *testing.T, cfg Config, w, h int) *teatest.TestModel {
	t.Helper()
	tm := openExerciseAt(t, cfg, w, h)
	tm.Send(press("c"))
	waitFor(t, tm, "passed")
	return tm
}

// requireGolden compares the screen with the golden and that no control
// sequence other than colour reached it.
func requireGolden(t *testing.T, m Model) {
	t.Helper()
	v := m.View()
	golden.RequireEqual(t, []byte(v))
	if strings.Contains(v, "\x1b]") || strings.Contains(v, "\a") {
		t.Error("a control sequence reached the screen")
	}
}

// B builds the dev image from the starter's Dockerfile, and asks before it
// replaces one that exists: it is the baseline 3.2 and 3.4 compare with.
func TestBuildDevAsksBeforeReplacingTheBaseline(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		wf := &fakeWorkflow{hasProj: true, devExists: true}
		tm := openPassedExerciseAt(t, exerciseConfig(t, wf, &fakeChecker{}), w, h)
		tm.Send(press("B"))
		waitFor(t, tm, "y: rebuild it")
		tm.Send(press("n"))
		waitFor(t, tm, "saw uid=10001") // the details again
		tm.Send(press("B"))
		waitFor(t, tm, "y: rebuild it")
		m := finalModel(t, tm)
		requireGolden(t, m)
		wf.mu.Lock()
		defer wf.mu.Unlock()
		if len(wf.builds) != 0 {
			t.Errorf("built %v before the learner said yes", wf.builds)
		}
	})
}

func TestBuildDevBuildsFromTheStarter(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		wf := &fakeWorkflow{hasProj: true, devExists: true}
		tm := openPassedExerciseAt(t, exerciseConfig(t, wf, &fakeChecker{}), w, h)
		tm.Send(press("B"))
		waitFor(t, tm, "y: rebuild it")
		tm.Send(press("y"))
		waitFor(t, tm, "Built task-api:dev")
		m := finalModel(t, tm)
		requireGolden(t, m)
		wf.mu.Lock()
		defer wf.mu.Unlock()
		if strings.Join(wf.builds, ",") != "dev from the starter" {
			t.Errorf("builds %v, want one dev build from the starter", wf.builds)
		}
	})
	// Without a dev image there is nothing to lose: B builds at once.
	wf := &fakeWorkflow{hasProj: true}
	tm := openPassedExerciseAt(t, exerciseConfig(t, wf, &fakeChecker{}), 80, 24)
	tm.Send(press("B"))
	waitFor(t, tm, "Built task-api:dev")
	finalModel(t, tm)
}

// pullFailWorkflow's builds pull first and find no registry.
type pullFailWorkflow struct{ *fakeWorkflow }

func (w pullFailWorkflow) Build(ctx context.Context, tag string, on func(lab.BuildEvent)) (lab.BuildResult, error) {
	step := "Pulling python:3.13-slim (--pull)"
	on(lab.BuildEvent{Step: step, Line: step})
	msg := "cannot pull python:3.13-slim: no answer from its registry for 1m0s; is a registry reachable from the Docker daemon? " +
		"Without a registry, build without --pull to use the copy the daemon has (shipshape doctor says which base images are present), " +
		"or name a local mirror or offline twin of the base in shipshape.yaml (build.args)."
	on(lab.BuildEvent{Line: "ERROR: " + msg})
	return lab.BuildResult{FailedStep: step, Error: msg}, nil
}

func TestPullWithoutRegistrySaysWhatToDo(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		cfg := exerciseConfig(t, &fakeWorkflow{hasProj: true}, &fakeChecker{})
		cfg.Workflow = pullFailWorkflow{&fakeWorkflow{hasProj: true}}
		tm := openPassedExerciseAt(t, cfg, w, h)
		tm.Send(press("b"))
		waitFor(t, tm, "failed step")
		requireGolden(t, finalModel(t, tm))
	})
}

// publishingWorkflow's container is published on the loopback.
type publishingWorkflow struct{ *fakeWorkflow }

func (w publishingWorkflow) Run(ctx context.Context, image string) (lab.Running, error) {
	r := &fakeRunning{events: make(chan lab.RunEvent, 8)}
	r.events <- lab.RunEvent{Address: "127.0.0.1:8000"}
	r.events <- lab.RunEvent{Health: "starting"}
	r.events <- lab.RunEvent{LogLine: `{"level":"info","message":"Uvicorn running on http://0.0.0.0:8000"}`}
	r.events <- lab.RunEvent{Health: "healthy"}
	return r, nil
}

func TestRunShowsTheURL(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		cfg := exerciseConfig(t, &fakeWorkflow{hasProj: true}, &fakeChecker{})
		cfg.Workflow = publishingWorkflow{&fakeWorkflow{hasProj: true}}
		tm := openPassedExerciseAt(t, cfg, w, h)
		tm.Send(press("r"))
		waitForAll(t, tm, "curl http://127.0.0.1:8000/health", "health: healthy")
		m := finalModel(t, tm)
		requireGolden(t, m)
		if m.ex.runURL != "http://127.0.0.1:8000" {
			t.Errorf("runURL %q", m.ex.runURL)
		}
	})
}

// e opens the file in $VISUAL/$EDITOR and the screen comes back after.
func TestEditOpensTheEditorAndResumes(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		dir := t.TempDir()
		edited := filepath.Join(dir, "edited")
		script := filepath.Join(dir, "editor.sh")
		if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" >> "+edited+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("VISUAL", "")
		t.Setenv("EDITOR", script)
		tm := openPassedExerciseAt(t, exerciseConfig(t, &fakeWorkflow{hasProj: true}, &fakeChecker{}), w, h)
		tm.Send(press("e"))
		waitFor(t, tm, "Back from editing Dockerfile")
		requireGolden(t, finalModel(t, tm))
		got, err := os.ReadFile(edited)
		if err != nil || strings.TrimSpace(string(got)) != "/work/ws/Dockerfile" {
			t.Errorf("editor got %q (%v), want the workspace's Dockerfile", got, err)
		}
	})
}

func TestEditorCommand(t *testing.T) {
	none := func(string) (string, error) { return "", os.ErrNotExist }
	nano := func(f string) (string, error) {
		if f == "nano" {
			return "/usr/bin/nano", nil
		}
		return "", os.ErrNotExist
	}
	for _, tc := range []struct {
		visual, editor string
		line           int
		look           func(string) (string, error)
		want           string
	}{
		{"", "vim", 12, none, "vim \"$@\" vim +12 /ws/Dockerfile"},
		{"code --wait", "vim", 12, none, "code --wait \"$@\" code --wait /ws/Dockerfile"},
		{"", "", 0, nano, "nano \"$@\" nano /ws/Dockerfile"},
		{"", "", 0, none, ""},
	} {
		cmd, err := editorCommand(tc.visual, tc.editor, "/ws/Dockerfile", tc.line, tc.look)
		got := ""
		if err == nil {
			got = strings.Join(cmd.Args[2:], " ")
		}
		if got != tc.want {
			t.Errorf("editorCommand(%q, %q, %d) = %q (%v), want %q", tc.visual, tc.editor, tc.line, got, err, tc.want)
		}
	}
}

// notesWorkflow's solution has notes, as the course's solutions do.
type notesWorkflow struct{ *fakeWorkflow }

func (w notesWorkflow) ApplySolution(ex *course.Exercise) (workspace.Result, error) {
	res, err := w.fakeWorkflow.ApplySolution(ex)
	res.Notes = "# Exercise 9.1: reference solution\n\nRuns as **UID 1000**, not root.\n\n" +
		strings.Repeat("A line of explanation.\n\n", 30) + "The last line.\n"
	return res, err
}

// s asks even after a pass, and the solution's notes are shown, not
// written into the workspace (the workflow returns them; see
// workspace.Apply).
func TestSolutionAsksAfterAPass(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		inner := &fakeWorkflow{hasProj: true}
		cfg := exerciseConfig(t, inner, &fakeChecker{})
		cfg.Workflow = notesWorkflow{inner}
		tm := openPassedExerciseAt(t, cfg, w, h)
		tm.Send(press("s"))
		waitFor(t, tm, "compare your files with the reference")
		m := finalModel(t, tm)
		requireGolden(t, m)
		inner.mu.Lock()
		if inner.solutions != 0 {
			t.Errorf("solution applied %d times without a yes", inner.solutions)
		}
		inner.mu.Unlock()
	})
}

func TestSolutionNotesAreShownNotWritten(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		inner := &fakeWorkflow{hasProj: true}
		cfg := exerciseConfig(t, inner, &fakeChecker{})
		cfg.Workflow = notesWorkflow{inner}
		tm := openPassedExerciseAt(t, cfg, w, h)
		tm.Send(press("s"))
		waitFor(t, tm, "compare your files with the reference")
		tm.Send(press("y"))
		waitForAll(t, tm, "UID 1000", "NOTES.md of the solution")
		m := finalModel(t, tm)
		requireGolden(t, m)
		if !m.ex.notesShown {
			t.Error("notes not shown")
		}
	})
	// Long notes scroll.
	inner := &fakeWorkflow{hasProj: true}
	cfg := exerciseConfig(t, inner, &fakeChecker{})
	cfg.Workflow = notesWorkflow{inner}
	tm := openPassedExerciseAt(t, cfg, 80, 24)
	tm.Send(press("s"))
	waitFor(t, tm, "compare your files with the reference")
	tm.Send(press("y"))
	waitFor(t, tm, "UID 1000")
	for range 8 {
		tm.Send(press("pgdown"))
	}
	waitFor(t, tm, "The last line.")
	finalModel(t, tm)
}
