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

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
	"shipshape/internal/lab"
	"shipshape/internal/workspace"
)

// fakeWorkflow records what the exercise screen asked for.
type fakeWorkflow struct {
	mu        sync.Mutex
	builds    []string
	failBuild bool
	changes   chan []string
	runs      int
	solutions int
	resets    []string
	hasProj   bool
	inits     int
	run       *fakeRunning
	// slowMeasure makes Measure wait until it is cancelled.
	slowMeasure bool
	// devExists says the dev image is there (B asks before replacing it).
	devExists bool
}

func (f *fakeWorkflow) Dir() string              { return "/work/ws" }
func (f *fakeWorkflow) Images() (string, string) { return "task-api:prod", "task-api:dev" }
func (f *fakeWorkflow) HasProject() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hasProj
}
func (f *fakeWorkflow) StarterFiles() []string { return []string{"Dockerfile", "main.py"} }
func (f *fakeWorkflow) Init() (workspace.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inits++
	f.hasProj = true
	return workspace.Result{Written: []string{"Dockerfile", "main.py"}}, nil
}
func (f *fakeWorkflow) ApplySolution(*course.Exercise) (workspace.Result, error) {
	f.mu.Lock()
	f.solutions++
	f.mu.Unlock()
	return workspace.Result{Written: []string{"Dockerfile"}, BackedUp: map[string]string{"Dockerfile": "Dockerfile.backup-1"}}, nil
}
func (f *fakeWorkflow) ResetFile(name string) (workspace.Result, error) {
	f.mu.Lock()
	f.resets = append(f.resets, name)
	f.mu.Unlock()
	return workspace.Result{Written: []string{name}}, nil
}

func (f *fakeWorkflow) Build(ctx context.Context, tag string, on func(lab.BuildEvent)) (lab.BuildResult, error) {
	f.mu.Lock()
	f.builds = append(f.builds, tag)
	fail := f.failBuild
	f.mu.Unlock()
	on(lab.BuildEvent{Step: "Step 1/2 : FROM python:3.13-slim", Line: "Step 1/2 : FROM python:3.13-slim"})
	on(lab.BuildEvent{Line: " ---> 1234abcd"})
	on(lab.BuildEvent{Step: "Step 2/2 : RUN pip install -r requirements.txt", Line: "Step 2/2 : RUN pip install -r requirements.txt"})
	on(lab.BuildEvent{Line: "Collecting fastapi\x1b]0;title\x07"})
	if fail {
		return lab.BuildResult{FailedStep: "Step 2/2 : RUN pip install -r requirements.txt", Error: "The command '/bin/sh -c pip install' returned a non-zero code: 1"}, nil
	}
	return lab.BuildResult{ImageID: "sha256:abc", Duration: 1500 * time.Millisecond}, nil
}

type fakeRunning struct {
	events chan lab.RunEvent
	once   sync.Once
}

func (r *fakeRunning) ID() string                  { return "c0ffee" }
func (r *fakeRunning) Events() <-chan lab.RunEvent { return r.events }
func (r *fakeRunning) Stop(context.Context) error {
	r.once.Do(func() {
		r.events <- lab.RunEvent{Exited: true, ExitCode: 0}
		close(r.events)
	})
	return nil
}

func (f *fakeWorkflow) Run(ctx context.Context, image string) (lab.Running, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs++
	r := &fakeRunning{events: make(chan lab.RunEvent, 8)}
	r.events <- lab.RunEvent{Health: "starting"}
	r.events <- lab.RunEvent{LogLine: `{"level":"info","message":"started"}`}
	r.events <- lab.RunEvent{Health: "healthy"}
	f.run = r
	return r, nil
}

func (f *fakeWorkflow) ImportReport(image, path string) error {
	if path != "report.json" {
		return errors.New("cannot open " + path)
	}
	return nil
}

func (f *fakeWorkflow) Scan(ctx context.Context, image string) (lab.ScanResult, error) {
	return lab.ScanResult{}, errors.New("no Trivy found.\nLinux: install it from your package manager\nmacOS: brew install trivy")
}

func (f *fakeWorkflow) Measure(ctx context.Context, on func(string)) (lab.Measurement, error) {
	on("starting task-api:dev")
	if f.slowMeasure {
		<-ctx.Done()
		return lab.Measurement{Cancelled: true, Dev: lab.ImageFacts{Ref: "task-api:dev", Err: ctx.Err().Error()},
			Prod: lab.ImageFacts{Ref: "task-api:prod", Err: ctx.Err().Error()}}, nil
	}
	return lab.Measurement{
		Dev: lab.ImageFacts{Ref: "task-api:dev", Size: 1_100_000_000, LayerCount: 9, Measured: true,
			StartupToHealthy: 1400 * time.Millisecond, ProbeFrom: "task-api:prod",
			Idle: lab.Stats{MemoryBytes: 80e6, CPUPercent: 37.8, PIDs: 3}, IdleWindow: time.Second, ProbedWhileIdle: true,
			Stopped: true, StopTime: 310 * time.Millisecond},
		Prod: lab.ImageFacts{Ref: "task-api:prod", Size: 180_000_000, LayerCount: 12, Measured: true,
			StartupToHealthy: 1200 * time.Millisecond, ReportedHealthy: 30 * time.Second,
			ReportedRule: "Engine 20.10.24 has no start interval: the first probe waits one --interval",
			Idle:         lab.Stats{MemoryBytes: 60e6, CPUPercent: 0.2, PIDs: 2}, IdleWindow: 500 * time.Millisecond,
			Stopped: true, StopTime: 10 * time.Second, ExitCode: 137,
			Layers: []check.Layer{{Size: 90e6, CreatedBy: "COPY /opt/venv /opt/venv # buildkit"}, {Size: 80e6, CreatedBy: "/bin/sh -c #(nop) ADD file:abc in /"}}},
	}, nil
}

func (f *fakeWorkflow) Watch(ctx context.Context, onChange func([]string)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case p := <-f.changes:
			onChange(p)
		}
	}
}

func exerciseConfig(t *testing.T, wf *fakeWorkflow, fc *fakeChecker) Config {
	cfg := testConfig(t, newMemProgress("test-pack"))
	cfg.Checker = fc
	cfg.Workflow = wf
	return cfg
}

func TestExerciseBuildLogGolden(t *testing.T) {
	wf := &fakeWorkflow{hasProj: true, failBuild: true}
	tm := openExercise(t, exerciseConfig(t, wf, &fakeChecker{}))
	tm.Send(press("c"))
	waitFor(t, tm, "passed")
	tm.Send(press("b"))
	waitFor(t, tm, "failed step")
	m := finalModel(t, tm)
	golden.RequireEqual(t, []byte(m.View()))
	if strings.Contains(m.View(), "\x1b]") || strings.Contains(m.View(), "\a") {
		t.Error("a control sequence from the build log reached the screen")
	}
}

func TestExerciseRunShowsHealthAndStops(t *testing.T) {
	wf := &fakeWorkflow{hasProj: true}
	tm := openExercise(t, exerciseConfig(t, wf, &fakeChecker{}))
	tm.Send(press("c"))
	waitFor(t, tm, "passed")
	tm.Send(press("r"))
	waitFor(t, tm, "health: healthy")
	tm.Send(press("r"))
	waitFor(t, tm, "removed")
	m := finalModel(t, tm)
	if m.ex.running != nil {
		t.Error("container still tracked after stop")
	}
}

// orderLog records what happened, in order, across goroutines.
type orderLog struct {
	mu     sync.Mutex
	events []string
}

func (l *orderLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *orderLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.events, " → ")
}

// slowStopRunning is a container whose removal takes a while, as a real
// one's does (SIGTERM, the stop timeout, the removal).
type slowStopRunning struct {
	*fakeRunning
	log *orderLog
}

func (r slowStopRunning) Stop(ctx context.Context) error {
	r.log.add("stop started")
	time.Sleep(200 * time.Millisecond)
	err := r.fakeRunning.Stop(ctx)
	r.log.add("container removed")
	return err
}

type slowStopWorkflow struct {
	*fakeWorkflow
	log *orderLog
}

func (w slowStopWorkflow) Run(ctx context.Context, image string) (lab.Running, error) {
	r, err := w.fakeWorkflow.Run(ctx, image)
	return slowStopRunning{fakeRunning: r.(*fakeRunning), log: w.log}, err
}

func TestQuitStopsRunningContainerFirst(t *testing.T) {
	log := &orderLog{}
	cfg := testConfig(t, newMemProgress("test-pack"))
	cfg.Checker = &fakeChecker{}
	cfg.Workflow = slowStopWorkflow{fakeWorkflow: &fakeWorkflow{hasProj: true}, log: log}
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "passed")
	tm.Send(press("r"))
	waitFor(t, tm, "health: healthy")
	tm.Send(press("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	log.add("program ended")
	if got, want := log.String(), "stop started → container removed → program ended"; got != want {
		t.Errorf("order %q, want %q: the program must end only once the container is gone", got, want)
	}
}

func TestWatchRebuildsAndChecksOnSave(t *testing.T) {
	wf := &fakeWorkflow{hasProj: true, changes: make(chan []string, 1)}
	fc := &fakeChecker{}
	tm := openExercise(t, exerciseConfig(t, wf, fc))
	tm.Send(press("c"))
	waitFor(t, tm, "passed")
	tm.Send(press("w"))
	waitFor(t, tm, "watching")
	wf.changes <- []string{"Dockerfile"}
	waitFor(t, tm, "changed: Dockerfile")
	eventually(t, func() bool { fc.mu.Lock(); defer fc.mu.Unlock(); return fc.calls == 2 && fc.ended })
	m := finalModel(t, tm)
	wf.mu.Lock()
	defer wf.mu.Unlock()
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if len(wf.builds) != 1 || wf.builds[0] != "task-api:prod" || fc.calls != 2 {
		t.Errorf("builds %v, checks %d; want one prod build and a second check", wf.builds, fc.calls)
	}
	_ = m
}

func TestSolutionNeedsConfirmationBeforeAPass(t *testing.T) {
	wf := &fakeWorkflow{hasProj: true}
	tm := openExercise(t, exerciseConfig(t, wf, &fakeChecker{fail: map[string]bool{"nonroot": true}}))
	tm.Send(press("c"))
	waitFor(t, tm, "not passed")
	tm.Send(press("s"))
	waitFor(t, tm, "working it out yourself")
	tm.Send(press("n"))
	tm.Send(press("s"))
	tm.Send(press("y"))
	waitFor(t, tm, "Dockerfile.backup-1")
	finalModel(t, tm)
	wf.mu.Lock()
	defer wf.mu.Unlock()
	if wf.solutions != 1 {
		t.Errorf("solution applied %d times, want 1", wf.solutions)
	}
}

func TestResetFileAsksWhichFile(t *testing.T) {
	wf := &fakeWorkflow{hasProj: true}
	tm := openExercise(t, exerciseConfig(t, wf, &fakeChecker{}))
	tm.Send(press("c"))
	waitFor(t, tm, "passed")
	tm.Send(press("f"))
	waitFor(t, tm, "Reset Dockerfile")
	tm.Send(tea.KeyMsg{Type: tea.KeyRight})
	waitFor(t, tm, "Reset main.py")
	tm.Send(press("y"))
	waitFor(t, tm, "wrote main.py")
	finalModel(t, tm)
	if strings.Join(wf.resets, ",") != "main.py" {
		t.Errorf("resets %v", wf.resets)
	}
}

func TestMeasureAndScanScreens(t *testing.T) {
	wf := &fakeWorkflow{hasProj: true}
	tm := openExercise(t, exerciseConfig(t, wf, &fakeChecker{}))
	tm.Send(press("c"))
	waitFor(t, tm, "passed")
	tm.Send(press("m"))
	waitFor(t, tm, "exit code 137")
	m := finalModel(t, tm)
	golden.RequireEqual(t, []byte(m.View()))

	tm = openExercise(t, exerciseConfig(t, wf, &fakeChecker{}))
	tm.Send(press("c"))
	waitFor(t, tm, "passed")
	tm.Send(press("t"))
	waitFor(t, tm, "brew install trivy")
	finalModel(t, tm)
}

// TestMeasureShowsWhatTheExerciseRecords: the measure view has every
// number exercise 3.4 asks for (size, layers, time to /health for both,
// Docker's own healthy, idle use, stop time and exit code), at 80x24 and
// 200x50; cancelled, it says so instead of showing errors and empty bars.
func TestMeasureShowsWhatTheExerciseRecords(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			wf := &fakeWorkflow{hasProj: true}
			tm := openExerciseAt(t, exerciseConfig(t, wf, &fakeChecker{}), size[0], size[1])
			tm.Send(press("c"))
			waitFor(t, tm, "passed")
			tm.Send(press("m"))
			waitForAll(t, tm, "12 layers", "/health answers after 1.4s", "exit code 137")
			golden.RequireEqual(t, []byte(finalModel(t, tm).View()))
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		wf := &fakeWorkflow{hasProj: true, slowMeasure: true}
		tm := openExercise(t, exerciseConfig(t, wf, &fakeChecker{}))
		tm.Send(press("c"))
		waitFor(t, tm, "passed")
		tm.Send(press("m"))
		waitFor(t, tm, "Measuring dev against prod")
		tm.Send(press("x"))
		waitFor(t, tm, "Measuring cancelled")
		view := finalModel(t, tm).View()
		if strings.Contains(view, "context canceled") || strings.Contains(view, "░") {
			t.Errorf("a cancelled measurement shows errors or bars:\n%s", view)
		}
		golden.RequireEqual(t, []byte(view))
	})
}

func TestNoProjectOffersInit(t *testing.T) {
	wf := &fakeWorkflow{}
	fc := &fakeChecker{}
	tm := openExercise(t, exerciseConfig(t, wf, fc))
	tm.Send(press("c")) // the exercise screen
	waitFor(t, tm, "press i to write the starter")
	tm.Send(press("i"))
	// Written, the workspace is read again: the screen now says what it
	// checks, and a second i does not write over the learner's files.
	waitForAll(t, tm, "2 file(s) written", "checking task-api:prod")
	tm.Send(press("i"))
	waitFor(t, tm, "already has a Dockerfile")
	m := finalModel(t, tm)
	wf.mu.Lock()
	defer wf.mu.Unlock()
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if wf.inits != 1 {
		t.Errorf("starter written %d times, want once", wf.inits)
	}
	// Nothing to check in an empty workspace: opening it must not check.
	if fc.calls != 0 {
		t.Errorf("checked %d times without a project, want none", fc.calls)
	}
	if strings.Contains(m.View(), "no Dockerfile in") {
		t.Errorf("still offers the starter after writing it:\n%s", m.View())
	}
}

type fakeChecklist struct{}

func (fakeChecklist) RunChecklist(ctx context.Context, on func(check.Event)) ([]checklist.ItemResult, error) {
	var out []checklist.ItemResult
	builtin, err := course.Builtin(course.Options{})
	if err != nil {
		return nil, err
	}
	for _, it := range checklist.FromPack(builtin) {
		st := checklist.Pass
		switch {
		case len(it.Kinds) == 0:
			st = checklist.Manual
		case it.ID == "non-root":
			st = checklist.Fail
		}
		out = append(out, checklist.ItemResult{Item: it, Status: st, Evidence: []string{"observed " + it.ID}, Hint: "fix " + it.ID})
	}
	return out, nil
}

func TestChecklistScreenJudgesAndTicks(t *testing.T) {
	prog := newMemProgress("test-pack")
	cfg := testConfig(t, prog)
	cfg.Checklist = fakeChecklist{}
	tm := startModel(t, cfg, 100, 40)
	tm.Send(press("D"))
	waitFor(t, tm, "Deployment checklist")
	tm.Send(press("c"))
	waitFor(t, tm, "judged items pass")
	tm.Send(press(" ")) // first item: "All tests pass", a check-yourself item
	waitFor(t, tm, "1/11 ticked by you")
	m := finalModel(t, tm)
	golden.RequireEqual(t, []byte(m.View()))
	if !prog.State().Checklist["tests-pass"] {
		t.Error("tick not saved in progress")
	}
}

type fakeCatalog struct {
	t        *testing.T
	other    *course.Pack
	progress *memProgress
}

func (c fakeCatalog) Choices() ([]PackChoice, error) {
	return []PackChoice{
		{Ref: "", Title: "Test course", Version: "0.1", Where: "built-in"},
		{Ref: "other", Title: "Other pack", Version: "2.0", Where: "/data/packs/other"},
		{Ref: "broken", Title: "broken", Where: "/data/packs/broken", Err: "pack.yaml:3: field titel not found"},
	}, nil
}

func (c fakeCatalog) Switch(ref string) (PackSession, error) {
	if ref != "other" {
		return PackSession{}, errors.New("unexpected " + ref)
	}
	return PackSession{Pack: c.other, Progress: c.progress}, nil
}

func TestPackPickerSwitchesPack(t *testing.T) {
	cfg := testConfig(t, newMemProgress("test-pack"))
	fsys := fstest.MapFS{
		"pack.yaml": {Data: []byte("format_version: 1\nid: other\ntitle: Other pack\nversion: \"2.0\"\nlessons: [o.md]\n")},
		"o.md":      {Data: []byte(testLesson("omega", "Omega only", 1, ""))},
	}
	other, err := course.Load(fsys, "/data/packs/other", course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Packs = fakeCatalog{t: t, other: other, progress: newMemProgress("other")}
	tm := startModel(t, cfg, 80, 24)
	tm.Send(press("P"))
	waitFor(t, tm, "Other pack")
	tm.Send(press("j"))
	tm.Send(press("j"))
	waitFor(t, tm, "field titel not found")
	tm.Send(press("k"))
	tm.Send(press("enter"))
	waitFor(t, tm, "Omega only")
	m := finalModel(t, tm)
	if m.cfg.Pack.ID != "other" || m.screen != screenList {
		t.Errorf("pack %s, screen %d", m.cfg.Pack.ID, m.screen)
	}
}

// exitingRunning is a container whose process ends by itself.
type exitingRunning struct {
	events chan lab.RunEvent
	mu     sync.Mutex
	stops  int
}

func (r *exitingRunning) ID() string                  { return "dead" }
func (r *exitingRunning) Events() <-chan lab.RunEvent { return r.events }
func (r *exitingRunning) Stop(context.Context) error {
	r.mu.Lock()
	r.stops++
	r.mu.Unlock()
	return nil
}

type exitingWorkflow struct {
	fakeWorkflow
	run *exitingRunning
}

func (w *exitingWorkflow) Run(context.Context, string) (lab.Running, error) {
	w.run.events <- lab.RunEvent{LogLine: "uvicorn: error: cannot open database"}
	w.run.events <- lab.RunEvent{Exited: true, ExitCode: 3}
	close(w.run.events)
	return w.run, nil
}

func TestContainerThatExitsIsRemoved(t *testing.T) {
	wf := &exitingWorkflow{fakeWorkflow: fakeWorkflow{hasProj: true}, run: &exitingRunning{events: make(chan lab.RunEvent, 4)}}
	cfg := testConfig(t, newMemProgress("test-pack"))
	cfg.Checker, cfg.Workflow = &fakeChecker{}, wf
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "passed")
	tm.Send(press("r"))
	waitFor(t, tm, "its container was removed")
	m := finalModel(t, tm)
	wf.run.mu.Lock()
	defer wf.run.mu.Unlock()
	if wf.run.stops != 1 || m.ex.running != nil {
		t.Errorf("Stop called %d times, running %v; want the exited container removed once", wf.run.stops, m.ex.running)
	}
	if !strings.Contains(strings.Join(m.ex.activity, "\n"), "exited with code 3") {
		t.Errorf("exit not shown: %v", m.ex.activity)
	}
}

func TestExerciseTasksAndReportImport(t *testing.T) {
	wf := &fakeWorkflow{hasProj: true}
	tm := openExercise(t, exerciseConfig(t, wf, &fakeChecker{block: make(chan struct{})}))
	tm.Send(press("c"))
	waitFor(t, tm, "1. Build it.") // the tasks show while the checks run
	tm.Send(press("x"))
	tm.Send(press("I"))
	waitFor(t, tm, "Import a Trivy JSON report")
	tm.Type("report.json")
	tm.Send(press("enter"))
	waitFor(t, tm, "Using report.json for the scan check")
	finalModel(t, tm)
}

// A pack without a deployment checklist says so; its keys do nothing
// (they used to index an empty list).
func TestChecklistScreenWithoutItems(t *testing.T) {
	prog := newMemProgress("test-pack")
	cfg := testConfig(t, prog)
	cfg.Pack.Checklist = nil
	cfg.Checklist = fakeChecklist{}
	tm := startModel(t, cfg, 100, 40)
	tm.Send(press("D"))
	waitFor(t, tm, "no deployment checklist")
	for _, k := range []string{"j", "k", " ", "c"} {
		tm.Send(press(k))
	}
	tm.Send(press("q"))
	m := finalModel(t, tm)
	if !strings.Contains(m.View(), "Deployment checklist") && !strings.Contains(m.View(), "Test course") {
		t.Errorf("unexpected screen:\n%s", m.View())
	}
}
