package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
	"shipshape/internal/lab"
)

// The exercise screen records a check run through Progress.RecordAttempt
// once the check returns; the checker saves nothing.

func TestCancelledCheckIsNotRecorded(t *testing.T) {
	prog := newMemProgress("test-pack")
	cfg := testConfig(t, prog)
	fc := &fakeChecker{block: make(chan struct{})}
	cfg.Checker = fc
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "checks done")
	tm.Send(press("x"))
	eventually(t, func() bool { fc.mu.Lock(); defer fc.mu.Unlock(); return fc.ended })
	close(fc.block) // the next run goes through
	tm.Send(press("c"))
	eventually(t, func() bool { fc.mu.Lock(); defer fc.mu.Unlock(); return fc.calls == 2 })
	eventually(t, func() bool { return prog.State().Exercises["9.1"] != nil })
	finalModel(t, tm)
	ep := prog.State().Exercises["9.1"]
	if ep == nil || len(ep.Attempts) != 1 || !ep.Attempts[0].Passed {
		t.Errorf("recorded %+v, want only the run that was not cancelled", ep)
	}
}

// TestQuitRightAfterCheckKeepsTheAttempt: the verdict is saved in the
// background; quitting while that runs must wait for it.
func TestQuitRightAfterCheckKeepsTheAttempt(t *testing.T) {
	prog := newMemProgress("test-pack")
	prog.recordDelay = 300 * time.Millisecond
	cfg := testConfig(t, prog)
	cfg.Checker = &fakeChecker{}
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "exercise 9.1 passed")
	tm.Send(press("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if ep := prog.State().Exercises["9.1"]; ep == nil || ep.PassedAt == nil {
		t.Errorf("the program ended before the pass was saved: %+v", ep)
	}
}

func TestReadOnlyProgressRecordsSilently(t *testing.T) {
	prog := newMemProgress("test-pack")
	prog.readOnly = true
	cfg := testConfig(t, prog)
	cfg.Checker = &fakeChecker{}
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "exercise 9.1 passed")
	time.Sleep(50 * time.Millisecond) // let the refused save come back
	m := finalModel(t, tm)
	if v := m.View(); strings.Contains(v, "could not be saved") || strings.Contains(v, "not saved") {
		t.Errorf("another shipshape owning the progress is not an error to shout about:\n%s", v)
	}
	if len(prog.State().Exercises) != 0 {
		t.Error("a read-only progress was written")
	}
}

func TestAttemptNotSavedIsShown(t *testing.T) {
	prog := newMemProgress("test-pack")
	prog.recordErr = errors.New("cannot save progress: no space left on device\x1b[2J")
	cfg := testConfig(t, prog)
	cfg.Checker = &fakeChecker{}
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "the result could not be saved")
	m := finalModel(t, tm)
	if v := m.View(); !strings.Contains(v, "no space left") || !strings.Contains(v, "on device") || strings.Contains(v, "\x1b") {
		t.Errorf("the save error is missing or unsanitized:\n%s", v)
	}
}

func TestChecklistTickThroughIntent(t *testing.T) {
	prog := newMemProgress("test-pack")
	tm := startModel(t, testConfig(t, prog), 100, 40)
	tm.Send(press("D"))
	waitFor(t, tm, "Deployment checklist")
	tm.Send(press(" "))
	waitFor(t, tm, "1/11 ticked by you")
	tm.Send(press(" "))
	waitFor(t, tm, "0/11 ticked by you")
	finalModel(t, tm)
	if prog.State().Checklist["tests-pass"] {
		t.Error("ticked twice should leave the item unticked")
	}
}

// TestExerciseWorkGoesOnWhileReading: messages of the exercise screen's
// work reach it while the reader shows, and the screen shows their result
// when the learner comes back.
func TestExerciseWorkGoesOnWhileReading(t *testing.T) {
	wf := &gatedWorkflow{fakeWorkflow: &fakeWorkflow{hasProj: true}, gate: make(chan struct{})}
	cfg := testConfig(t, newMemProgress("test-pack"))
	cfg.Checker, cfg.Workflow = &fakeChecker{}, wf
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "passed")
	tm.Send(press("b"))
	waitFor(t, tm, "Building task-api:prod")
	tm.Send(press("esc"))
	waitFor(t, tm, "lesson 3/3")
	close(wf.gate)
	time.Sleep(100 * time.Millisecond)
	tm.Send(press("c"))
	waitFor(t, tm, "Built task-api:prod in 1.5s")
	finalModel(t, tm)
}

// gatedWorkflow builds only once its gate is opened.
type gatedWorkflow struct {
	*fakeWorkflow
	gate chan struct{}
}

func (w gatedWorkflow) Build(ctx context.Context, tag string, on func(lab.BuildEvent)) (lab.BuildResult, error) {
	<-w.gate
	return w.fakeWorkflow.Build(ctx, tag, on)
}

func TestMeasureShowsThePacksSizeBounds(t *testing.T) {
	builtin, err := course.Builtin(course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ex34 *course.Exercise
	for _, ex := range builtin.Exercises() {
		if ex.ID == "3.4" {
			ex34 = ex
		}
	}
	custom := sizePack(t, "max_bytes: 250000000, target_bytes: 150000000")
	loose := sizePack(t, "max_bytes: 1.5e9")
	m := lab.Measurement{Dev: lab.ImageFacts{Ref: "d", Size: 1e9}, Prod: lab.ImageFacts{Ref: "p", Size: 1e8}}
	for _, tc := range []struct {
		name string
		ex   *course.Exercise
		pack *course.Pack
		want string
	}{
		{"built-in 3.4", ex34, builtin, "prod is 10% of dev (bound 300 MB, target 200 MB)"},
		{"built-in, another exercise", builtin.Exercises()[0], builtin, "(bound 300 MB, target 200 MB)"},
		{"instructor's pack", custom.Exercises()[0], custom, "prod is 10% of dev (bound 250 MB, target 150 MB)"},
		{"bound only", loose.Exercises()[0], loose, "prod is 10% of dev (bound 1500 MB)"},
		{"no size check", testPack(t).Exercises()[0], testPack(t), "prod is 10% of dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(measureLines(m, sizeBoundsOf(tc.ex, tc.pack), 80, newStyles()), "\n")
			if !strings.Contains(got, tc.want) {
				t.Errorf("got\n%s\nwant a line with %q", got, tc.want)
			}
			if tc.name == "no size check" && strings.Contains(got, "bound") {
				t.Errorf("bounds shown for a pack that sets none:\n%s", got)
			}
		})
	}
}

func sizePack(t *testing.T, params string) *course.Pack {
	t.Helper()
	ex := "exercise:\n  id: \"1.1\"\n  title: Slim\n  tasks: [Slim it.]\n  hints: [Look.]\n  checks:\n" +
		"    - {id: size, kind: image.size_max, hint: Slim it., lesson: slim, params: {" + params + "}}\n"
	fsys := fstest.MapFS{
		"pack.yaml": {Data: []byte("format_version: 1\nid: sizes\ntitle: Sizes\nversion: \"1\"\nlessons: [a.md]\n")},
		"a.md":      {Data: []byte(testLesson("slim", "Slim", 1, ex))},
	}
	p, err := course.Load(fsys, "test", course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type failingChecklist struct{}

func (failingChecklist) RunChecklist(context.Context, func(check.Event)) ([]checklist.ItemResult, error) {
	return nil, errors.New("cannot reach the Docker daemon at unix:///nonexistent: start Docker")
}

// TestChecklistErrorShownOnSmallWindow: at 80x24 the items fill the screen;
// why the checks could not run must still be on it.
func TestChecklistErrorShownOnSmallWindow(t *testing.T) {
	cfg := testConfig(t, newMemProgress("test-pack"))
	cfg.Checklist = failingChecklist{}
	tm := startModel(t, cfg, 80, 24)
	tm.Send(press("D"))
	waitFor(t, tm, "Deployment checklist")
	tm.Send(press("c"))
	waitFor(t, tm, "Could not check")
	m := finalModel(t, tm)
	if v := m.View(); !strings.Contains(v, "cannot reach the Docker daemon") {
		t.Errorf("the reason is not on screen:\n%s", v)
	}
}
