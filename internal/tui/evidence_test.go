package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
	"shipshape/internal/lab"
)

// The screens of issue 11's "errors and evidence": nothing that matters is
// cut at the terminal's edge, at the sizes a learner has.

// atSizes runs fn at 80x24 and 200x50, each a subtest (and golden) of its own.
func atSizes(t *testing.T, fn func(t *testing.T, w, h int)) {
	for _, s := range []struct{ w, h int }{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", s.w, s.h), func(t *testing.T) { fn(t, s.w, s.h) })
	}
}

// flat is a view with its wrapping undone, to find a sentence in it.
func flat(view string) string { return strings.Join(strings.Fields(view), " ") }

// sixChecks is the shape of exercise 3.1: six checks, the first two
// Dockerfile checks, each linking to a heading of lesson alpha.
const sixChecks = "exercise:\n  id: \"9.1\"\n  title: Try it\n  tasks: [Build it.]\n  hints: [Look., Look harder.]\n  checks:\n" +
	"    - {id: build-checks, kind: dockerfile.build_checks, level: advisory, hint: Use the exec form., lesson: \"alpha#part-7\"}\n" +
	"    - {id: stages, kind: dockerfile.multistage, hint: Add a builder stage., lesson: \"alpha#part-2\"}\n" +
	"    - {id: nonroot, kind: image.user_nonroot, hint: Add USER., lesson: \"alpha#part-7\"}\n" +
	"    - {id: health, kind: image.healthcheck_defined, hint: Add HEALTHCHECK., lesson: \"alpha#part-3\"}\n" +
	"    - {id: healthy, kind: container.healthy, hint: Read docker logs., lesson: \"alpha#part-4\"}\n" +
	"    - {id: readonly, kind: container.readonly_rootfs, level: advisory, hint: Use --tmpfs /tmp., lesson: \"alpha#part-5\"}\n"

func sixCheckPack(t *testing.T) *course.Pack {
	t.Helper()
	fsys := fstest.MapFS{
		"pack.yaml": {Data: []byte("format_version: 1\nid: test-pack\ntitle: Test course\nversion: \"0.1\"\nlessons: [a.md, b.md, c.md]\n")},
		"a.md":      {Data: []byte(testLesson("alpha", "Alpha basics", 12, ""))},
		"b.md":      {Data: []byte(testLesson("beta", "Beta details", 2, ""))},
		"c.md":      {Data: []byte(testLesson("gamma", "Gamma exercise", 1, sixChecks))},
	}
	p, err := course.Load(fsys, "test", course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// scriptedChecker returns one report (and error) for every check run.
type scriptedChecker struct {
	mu      sync.Mutex
	results map[string]check.Result
	err     error
	calls   int
}

func (s *scriptedChecker) Describe() string { return "task-api:prod · Dockerfile in /work/ws" }

func (s *scriptedChecker) Check(ctx context.Context, ex *course.Exercise, onEvent func(check.Event)) (check.Report, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	rep := check.Report{StartedAt: time.Now(), Duration: 1500 * time.Millisecond}
	for i, c := range ex.Checks {
		res, ok := s.results[c.ID]
		if !ok {
			res = check.Result{Status: check.StatusPass, Evidence: []string{"looks right"}}
		}
		res.ID, res.Kind, res.Required, res.Lesson, res.Duration = c.ID, c.Kind, c.Required(), c.Lesson, 200*time.Millisecond
		if res.Title == "" {
			res.Title = "Title of " + c.ID
		}
		if res.Hint == "" {
			res.Hint = c.Hint
		}
		rep.Results = append(rep.Results, res)
		onEvent(check.Event{Type: check.EventFinished, Index: i, Result: res})
	}
	return rep, s.err
}

func (s *scriptedChecker) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// openFailingExerciseAt opens the six-check exercise whose checks fail
// with long evidence, checked, in a w x h window.
func openFailingExerciseAt(t *testing.T, w, h int) *teatest.TestModel {
	t.Helper()
	cfg := testConfig(t, newMemProgress("test-pack"))
	cfg.Pack = sixCheckPack(t)
	cfg.Checker = &scriptedChecker{results: longEvidence()}
	tm := openExerciseScreenAt(t, cfg, w, h)
	waitFor(t, tm, "not passed")
	return tm
}

func openExerciseScreenAt(t *testing.T, cfg Config, w, h int) *teatest.TestModel {
	t.Helper()
	tm := openExerciseAt(t, cfg, w, h)
	tm.Send(press("c"))
	return tm
}

// The cause of a run error is at its end: "executable file not found".
const shimError = `Error response from daemon: failed to create task for container: failed to create shim task: ` +
	`OCI runtime create failed: runc create failed: unable to start container process: error during container init: ` +
	`exec: "uvicorn": executable file not found in $PATH: unknown`

type runFailWorkflow struct{ *fakeWorkflow }

func (runFailWorkflow) Run(context.Context, string) (lab.Running, error) {
	return nil, errors.New(shimError)
}

func (runFailWorkflow) Scan(context.Context, string) (lab.ScanResult, error) {
	return lab.ScanResult{}, errors.New("no Trivy found: no trivy on PATH and no aquasec/trivy image on the daemon.\n" +
		"Debian or Ubuntu: sudo apt-get install wget gnupg; wget -qO - https://aquasecurity.github.io/trivy-repo/deb/public.key | gpg --dearmor | sudo tee /usr/share/keyrings/trivy.gpg > /dev/null\n" +
		"macOS: brew install trivy\n" +
		"Or scan elsewhere and press I to import the JSON report (the last step, never to be cut).")
}

func TestRunErrorShowsWholeCause(t *testing.T) {
	atSizes(t, func(t *testing.T, w, h int) {
		cfg := testConfig(t, newMemProgress("test-pack"))
		cfg.Checker, cfg.Workflow = &fakeChecker{}, runFailWorkflow{&fakeWorkflow{hasProj: true}}
		tm := openExerciseScreenAt(t, cfg, w, h)
		waitFor(t, tm, "passed")
		tm.Send(press("r"))
		waitFor(t, tm, "Could not run")
		m := finalModel(t, tm)
		golden.RequireEqual(t, []byte(m.View()))
		if !strings.Contains(flat(m.View()), "executable file not found in $PATH: unknown") {
			t.Errorf("the cause of the run error is cut:\n%s", m.View())
		}
	})
}

func TestScanErrorShowsEveryInstallStep(t *testing.T) {
	atSizes(t, func(t *testing.T, w, h int) {
		cfg := testConfig(t, newMemProgress("test-pack"))
		cfg.Checker, cfg.Workflow = &fakeChecker{}, runFailWorkflow{&fakeWorkflow{hasProj: true}}
		tm := openExerciseScreenAt(t, cfg, w, h)
		waitFor(t, tm, "passed")
		tm.Send(press("t"))
		waitFor(t, tm, "Could not scan")
		m := finalModel(t, tm)
		golden.RequireEqual(t, []byte(m.View()))
		if v := flat(m.View()); !strings.Contains(v, "sudo tee /usr/share/keyrings/trivy.gpg > /dev/null") || !strings.Contains(v, "never to be cut)") {
			t.Errorf("an install step is cut:\n%s", m.View())
		}
	})
}

// longEvidence is a failed check with more evidence than any pane holds,
// one token longer than the widest window.
func longEvidence() map[string]check.Result {
	ev := []string{"USER is not set; the process runs as uid=0(root)",
		"/" + strings.Repeat("very-long-path-segment/", 10) + "entrypoint.sh runs first"}
	for i := 1; i <= 30; i++ {
		ev = append(ev, fmt.Sprintf("evidence line %d of 30", i))
	}
	return map[string]check.Result{"nonroot": {Status: check.StatusFail, Evidence: ev,
		Hint: "Create a user with a fixed UID, then add USER 10001:10001 near the end of the Dockerfile, after the last step that needs root."}}
}

func TestCheckDetailViewAndLessonLink(t *testing.T) {
	atSizes(t, func(t *testing.T, w, h int) {
		tm := openFailingExerciseAt(t, w, h)
		tm.Send(press("enter"))
		waitFor(t, tm, "check 3 of 6")
		tm.Send(press("G")) // keys are taken in order: the final model has scrolled
		m := finalModel(t, tm)
		golden.RequireEqual(t, []byte(m.View()))
		v := m.View()
		if !strings.Contains(v, "evidence line 30 of 30") || !strings.Contains(v, `lesson 1, "Alpha basics" › Part 7`) {
			t.Errorf("the end of the details is missing:\n%s", v)
		}
		if strings.Contains(v, "more with `shipshape check") {
			t.Errorf("the details send the learner elsewhere:\n%s", v)
		}
	})
}

func TestLessonLinkOpensAtHeading(t *testing.T) {
	atSizes(t, func(t *testing.T, w, h int) {
		tm := openFailingExerciseAt(t, w, h)
		tm.Send(press("enter"))
		waitFor(t, tm, "check 3 of 6")
		tm.Send(press("enter"))
		waitFor(t, tm, "Paragraph 7 of alpha")
		m := finalModel(t, tm)
		golden.RequireEqual(t, []byte(m.View()))
		if m.screen != screenPager || m.pager.lesson.ID != "alpha" {
			t.Fatalf("screen %d, want the reader on alpha", m.screen)
		}
		// The heading is the first line, or, near the end of the lesson,
		// on screen with the lesson scrolled as far as it goes.
		shown := m.pager.vp.View()
		first := strings.Split(shown, "\n")[0]
		if !strings.Contains(first, "Part 7") && !(m.pager.atEnd() && strings.Contains(shown, "Part 7")) {
			t.Errorf("the reader opened at %q, want the heading Part 7", first)
		}
	})
}

// Without a daemon the Dockerfile's checks are judged and shown; the
// others say why they were not, and nothing is recorded.
func TestNoDaemonStillShowsDockerfileChecks(t *testing.T) {
	reason := "cannot reach the Docker daemon at unix:///tmp/nosock.sock (DOCKER_HOST). Start Docker (Docker Desktop, or `sudo systemctl start docker`), or point --host or DOCKER_HOST at a running engine."
	unjudged := check.Result{Status: check.StatusError, Evidence: []string{"could not check: " + reason}}
	atSizes(t, func(t *testing.T, w, h int) {
		prog := newMemProgress("test-pack")
		cfg := testConfig(t, prog)
		cfg.Pack = sixCheckPack(t)
		cfg.Probe = func(context.Context) DaemonStatus {
			return DaemonStatus{Reason: "cannot reach the Docker daemon at unix:///tmp/nosock.sock (DOCKER_HOST)",
				Advice:  "Start Docker (Docker Desktop, or `sudo systemctl start docker`), or point --host or DOCKER_HOST at a running engine.",
				Problem: "docker: daemon unreachable"}
		}
		cfg.Checker = &scriptedChecker{err: errors.New(reason), results: map[string]check.Result{
			"build-checks": {Status: check.StatusWarn, Evidence: []string{"JSONArgsRecommended (Dockerfile:12): JSON arguments recommended for CMD to prevent unintended behavior related to OS signals"}},
			"stages":       {Status: check.StatusFail, Evidence: []string{"one stage: FROM python:3.13-slim"}},
			"nonroot":      unjudged, "health": unjudged, "healthy": unjudged, "readonly": unjudged,
		}}
		tm := openExerciseScreenAt(t, cfg, w, h)
		waitFor(t, tm, "could not run")
		tm.Send(press("j"))
		tm.Send(press("j"))
		waitFor(t, tm, "could not check: cannot reach")
		m := finalModel(t, tm)
		golden.RequireEqual(t, []byte(m.View()))
		if v := flat(m.View()); !strings.Contains(v, "at a running engine.") {
			t.Errorf("the advice is cut:\n%s", m.View())
		}
		if n := len(prog.State().Exercises); n != 0 {
			t.Errorf("%d exercise(s) recorded for an attempt that could not be checked", n)
		}
	})
}

// A 60x15 window keeps three lines of evidence: the rows scroll instead.
func TestSmallWindowKeepsEvidence(t *testing.T) {
	tm := openFailingExerciseAt(t, 60, 15)
	m := finalModel(t, tm)
	golden.RequireEqual(t, []byte(m.View()))
	v := m.View()
	for _, want := range []string{"Title of nonroot (image.user_nonroot)", "• USER is not set", "/very-long-path-segment"} {
		if !strings.Contains(v, want) {
			t.Errorf("%q missing at 60x15:\n%s", want, v)
		}
	}
}

func TestDaemonAdviceInStatusBar(t *testing.T) {
	atSizes(t, func(t *testing.T, w, h int) {
		cfg := testConfig(t, newMemProgress("test-pack"))
		cfg.Probe = func(context.Context) DaemonStatus {
			return DaemonStatus{Reason: "cannot reach the Docker daemon at unix:///run/user/1000/docker.sock (DOCKER_HOST)",
				Advice:  "Start Docker (Docker Desktop, or `sudo systemctl start docker`), or point --host or DOCKER_HOST at a running engine.",
				Problem: "docker: daemon unreachable"}
		}
		tm := startModel(t, cfg, w, h)
		m := finalModel(t, tm)
		golden.RequireEqual(t, []byte(m.View()))
		status := m.statusView()
		if !strings.Contains(status, "Start Docker") {
			t.Errorf("status %q does not give the advice", status)
		}
		if strings.Contains(status, "%2F") || !strings.Contains(flat(status), "at a running engine.") ||
			!(strings.Contains(status, "daemon unreachable") || strings.Contains(status, "cannot reach the Docker daemon")) {
			t.Errorf("status %q: want the problem and the whole advice in the adapter's words", status)
		}
	})
}

func TestImportPromptAndRecheck(t *testing.T) {
	atSizes(t, func(t *testing.T, w, h int) {
		fc := &scriptedChecker{}
		cfg := testConfig(t, newMemProgress("test-pack"))
		cfg.Checker, cfg.Workflow = fc, &fakeWorkflow{hasProj: true}
		tm := openExerciseScreenAt(t, cfg, w, h)
		waitFor(t, tm, "passed")
		tm.Send(press("I"))
		waitFor(t, tm, "(type the path of a trivy JSON report)")
		tm.Type("report.json")
		tm.Send(press("enter"))
		waitFor(t, tm, "checking again")
		eventually(t, func() bool { return fc.count() == 2 })
		m := finalModel(t, tm)
		golden.RequireEqual(t, []byte(m.View()))
	})
}

func TestImportPromptPlaceholderGolden(t *testing.T) {
	atSizes(t, func(t *testing.T, w, h int) {
		cfg := testConfig(t, newMemProgress("test-pack"))
		cfg.Checker, cfg.Workflow = &scriptedChecker{}, &fakeWorkflow{hasProj: true}
		tm := openExerciseScreenAt(t, cfg, w, h)
		waitFor(t, tm, "passed")
		tm.Send(press("I"))
		waitFor(t, tm, "(type the path of a trivy JSON report)")
		m := finalModel(t, tm)
		golden.RequireEqual(t, []byte(m.View()))
		if m.ex.input.Value() != "" {
			t.Errorf("the prompt starts with the value %q", m.ex.input.Value())
		}
	})
}

func TestHintsKeptInProgress(t *testing.T) {
	prog := newMemProgress("test-pack")
	cfg := testConfig(t, prog)
	cfg.Checker = &fakeChecker{}
	tm := openExerciseScreenAt(t, cfg, 80, 24)
	waitFor(t, tm, "passed")
	tm.Send(press("h"))
	waitFor(t, tm, "hint 1/1: Look.")
	finalModel(t, tm)
	eventually(t, func() bool { ep := prog.State().Exercises["9.1"]; return ep != nil && ep.HintsRevealed == 1 })

	// A new start shows the hint again, in the exercise and in the lesson.
	cfg = testConfig(t, prog)
	cfg.Checker = &fakeChecker{}
	tm = openExerciseScreenAt(t, cfg, 80, 24)
	waitFor(t, tm, "hint 1/1: Look.")
	m := finalModel(t, tm)
	if m.hints["gamma"] != 1 {
		t.Errorf("reader hints %v, want gamma's one hint revealed", m.hints)
	}
}

type erringChecklist struct{ err error }

func (f erringChecklist) RunChecklist(context.Context, func(check.Event)) ([]checklist.ItemResult, error) {
	return nil, f.err
}

func TestChecklistCouldNotCheckOnce(t *testing.T) {
	reason := "cannot reach the Docker daemon at unix:///tmp/nosock.sock (DOCKER_HOST). Start Docker (Docker Desktop, or `sudo systemctl start docker`), or point --host or DOCKER_HOST at a running engine."
	atSizes(t, func(t *testing.T, w, h int) {
		cfg := testConfig(t, newMemProgress("test-pack"))
		cfg.Checklist = erringChecklist{err: errors.New(reason)}
		tm := startModel(t, cfg, w, h)
		tm.Send(press("D"))
		waitFor(t, tm, "Deployment checklist")
		tm.Send(press("c"))
		waitFor(t, tm, "not judged: fix the problem above")
		m := finalModel(t, tm)
		golden.RequireEqual(t, []byte(m.View()))
		v := m.View()
		if n := strings.Count(v, "Could not check"); n != 1 {
			t.Errorf("\"Could not check\" shown %d times:\n%s", n, v)
		}
		if !strings.Contains(flat(v), "at a running engine.") {
			t.Errorf("the reason is cut:\n%s", v)
		}
	})
}

func TestDamagedProgressNoticeWraps(t *testing.T) {
	atSizes(t, func(t *testing.T, w, h int) {
		prog := newMemProgress("test-pack")
		prog.notices = []string{"your progress file /home/learner/.local/state/shipshape/test-pack.json was damaged (invalid character at offset 812); " +
			"it was kept as test-pack.json.damaged-20261203T053100 and a new one started: copy lessons back from it by hand if you need them"}
		tm := startModel(t, testConfig(t, prog), w, h)
		m := finalModel(t, tm)
		golden.RequireEqual(t, []byte(m.View()))
		if !strings.Contains(flat(m.View()), "copy lessons back from it by hand if you need them") {
			t.Errorf("the notice is cut:\n%s", m.View())
		}
	})
}

// TestEscFromLinkedLessonBackToExercise: the lesson a check links to is a
// detour; esc there goes back to the exercise, and from it to its lesson.
func TestEscFromLinkedLessonBackToExercise(t *testing.T) {
	tm := openFailingExerciseAt(t, 80, 24)
	tm.Send(press("enter"))
	waitFor(t, tm, "check 3 of 6")
	tm.Send(press("enter"))
	waitFor(t, tm, "Paragraph 7 of alpha")
	tm.Send(press("esc"))
	waitFor(t, tm, "not passed")
	m := finalModel(t, tm)
	if m.screen != screenExercise {
		t.Fatalf("esc from the linked lesson shows screen %d, want the exercise", m.screen)
	}
	if l := m.pager.lesson; l == nil || l.Exercise == nil {
		t.Errorf("behind the exercise the reader holds %v, want the exercise's lesson", l)
	}
}

// TestHintShownWhenRevealed: h on a small window scrolls the pane to the
// hint it revealed, below a long evidence list.
func TestHintShownWhenRevealed(t *testing.T) {
	tm := openFailingExerciseAt(t, 80, 24)
	tm.Send(press("h"))
	waitFor(t, tm, "hint 1/")
	finalModel(t, tm)
}
