package tui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"shipshape/internal/check"
	"shipshape/internal/course"
	store "shipshape/internal/progress"
	"shipshape/internal/render"
	"shipshape/internal/summary"
)

func TestMain(m *testing.M) {
	// Golden files hold plain text: no colours, whatever the terminal.
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// memProgress is an in-memory progress store.
type memProgress struct {
	mu       sync.Mutex
	st       store.State
	readOnly bool
	saves    int
	// recordErr fails RecordAttempt, as a full disk would; recordDelay
	// makes it slow, as a busy disk would.
	recordErr   error
	recordDelay time.Duration
	// notices are what the store would say on opening (a damaged file).
	notices []string
}

func newMemProgress(packID string) *memProgress {
	return &memProgress{st: store.NewState(packID)}
}

func (p *memProgress) State() store.State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st.Clone()
}

// change applies an intent to the state, as the store does: one save each.
func (p *memProgress) change(fn func(*store.State)) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.readOnly {
		return store.ErrReadOnly
	}
	fn(&p.st)
	p.st.UpdatedAt = time.Now()
	p.saves++
	return nil
}

func (p *memProgress) lesson(s *store.State, id string) *store.LessonProgress {
	lp := s.Lessons[id]
	if lp == nil {
		lp = &store.LessonProgress{}
		s.Lessons[id] = lp
	}
	return lp
}

func (p *memProgress) OpenLesson(id string) error {
	return p.change(func(s *store.State) { p.lesson(s, id).LastOpened = time.Now(); s.Current = id })
}

func (p *memProgress) CloseLesson() error { return p.change(func(s *store.State) { s.Current = "" }) }

func (p *memProgress) MarkRead(id string) error {
	return p.change(func(s *store.State) {
		if lp := p.lesson(s, id); lp.ReadAt == nil {
			now := time.Now()
			lp.ReadAt = &now
		}
	})
}

func (p *memProgress) SetPosition(id string, offset int) error {
	return p.change(func(s *store.State) { p.lesson(s, id).Offset = offset; s.Current = id })
}

func (p *memProgress) ToggleTick(id string) error {
	return p.change(func(s *store.State) {
		if s.Checklist == nil {
			s.Checklist = map[string]bool{}
		}
		s.Checklist[id] = !s.Checklist[id]
	})
}

func (p *memProgress) RevealHints(id string, n int) error {
	return p.change(func(s *store.State) {
		ep := s.Exercises[id]
		if ep == nil {
			ep = &store.ExerciseProgress{}
			s.Exercises[id] = ep
		}
		ep.HintsRevealed = max(ep.HintsRevealed, n)
	})
}

// RecordAttempt keeps what the lesson list shows: attempts and the pass.
func (p *memProgress) RecordAttempt(id string, rep check.Report) error {
	time.Sleep(p.recordDelay)
	if p.recordErr != nil {
		return p.recordErr
	}
	return p.change(func(s *store.State) {
		ep := s.Exercises[id]
		if ep == nil {
			ep = &store.ExerciseProgress{}
			s.Exercises[id] = ep
		}
		ep.Attempts = append(ep.Attempts, store.Attempt{StartedAt: rep.StartedAt, Passed: rep.Passed()})
		if rep.Passed() && ep.PassedAt == nil {
			now := time.Now()
			ep.PassedAt = &now
		}
	})
}

func (p *memProgress) ReadOnly() bool    { return p.readOnly }
func (p *memProgress) Notices() []string { return p.notices }

func testLesson(id, title string, paragraphs int, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\nid: %s\ntitle: %s\nsummary: About %s.\nminutes: 3\n%s---\n# %s\n\n", id, title, strings.ToLower(title), extra, title)
	for i := 1; i <= paragraphs; i++ {
		fmt.Fprintf(&b, "## Part %d\n\nParagraph %d of %s explains one idea in a few words, enough to wrap.\n\n", i, i, id)
	}
	b.WriteString("```bash\ndocker run --rm task-api:prod id\n```\n\n- first point\n- second point\n")
	return b.String()
}

func testPack(t testing.TB) *course.Pack {
	t.Helper()
	ex := "exercise:\n  id: \"9.1\"\n  title: Try it\n  solution: ws/solution\n  tasks: [Build it.]\n  hints: [Look.]\n  checks:\n" +
		"    - {id: nonroot, kind: image.user_nonroot, hint: Add USER., lesson: \"alpha#part-1\"}\n"
	fsys := fstest.MapFS{
		"pack.yaml": {Data: []byte("format_version: 1\nid: test-pack\ntitle: Test course\nversion: \"0.1\"\nlessons: [a.md, b.md, c.md]\n" +
			"workspace: {starter: ws/starter}\n")},
		"ws/starter/Dockerfile":  {Data: []byte("FROM scratch\n")},
		"ws/solution/Dockerfile": {Data: []byte("FROM scratch\nUSER 1000\n")},
		"a.md":                   {Data: []byte(testLesson("alpha", "Alpha basics", 12, ""))},
		"b.md":                   {Data: []byte(testLesson("beta", "Beta details", 2, ""))},
		"c.md":                   {Data: []byte(testLesson("gamma", "Gamma exercise", 1, ex))},
	}
	p, err := course.Load(fsys, "test", course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The checklist screen's tests judge the built-in course's items.
	builtin, err := course.Builtin(course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p.Checklist = builtin.Checklist
	return p
}

func testConfig(t testing.TB, prog *memProgress) Config {
	return Config{
		Pack:     testPack(t),
		Progress: prog,
		Renderer: render.New(100),
		Style:    render.NoColor,
		Probe: func(context.Context) DaemonStatus {
			return DaemonStatus{Connected: true, Version: "Engine 20.10.24 · API 1.41"}
		},
		PositionDelay: 10 * time.Millisecond,
	}
}

// startModel starts the program and waits until the status bar shows the
// (fake) daemon's answer, so the screen is complete and keys sent next are
// never taken before the window size is known.
func startModel(t *testing.T, cfg Config, w, h int) *teatest.TestModel {
	t.Helper()
	tm := teatest.NewTestModel(t, New(cfg), teatest.WithInitialTermSize(w, h))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("docker connected")) || bytes.Contains(b, []byte("Docker daemon")) || bytes.Contains(b, []byte("○ docker"))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	return tm
}

func waitFor(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// waitForAll waits until every text has been drawn, in one frame or over
// several.
func waitForAll(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range texts {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func finalModel(t *testing.T, tm *teatest.TestModel) Model {
	t.Helper()
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
}

func press(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func TestListScreenGolden(t *testing.T) {
	prog := newMemProgress("test-pack")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	prog.st.Lessons["alpha"] = &store.LessonProgress{ReadAt: &now}
	prog.st.Lessons["beta"] = &store.LessonProgress{LastOpened: now}
	tm := startModel(t, testConfig(t, prog), 80, 24)
	m := finalModel(t, tm)
	golden.RequireEqual(t, []byte(m.View()))
}

func TestPagerGolden(t *testing.T) {
	for _, size := range readingSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			prog := newMemProgress("test-pack")
			tm := startModel(t, testConfig(t, prog), size[0], size[1])
			tm.Send(press("enter"))
			waitFor(t, tm, "lines 1")
			m := finalModel(t, tm)
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
}

func TestHelpToggle(t *testing.T) {
	tm := startModel(t, testConfig(t, newMemProgress("test-pack")), 80, 24)
	tm.Send(press("?"))
	waitFor(t, tm, "clear filter")
	m := finalModel(t, tm)
	golden.RequireEqual(t, []byte(m.View()))
}

func TestFilterFindsExercise(t *testing.T) {
	tm := startModel(t, testConfig(t, newMemProgress("test-pack")), 80, 24)
	tm.Send(press("/"))
	tm.Type("9.1")
	waitFor(t, tm, "› ○ 03  Gamma exercise") // filtered: the only row is selected
	tm.Send(press("enter"))                  // one enter applies the filter and opens the match
	waitFor(t, tm, "exercise 9.1")
	m := finalModel(t, tm)
	if m.pager.lesson == nil || m.pager.lesson.ID != "gamma" {
		t.Fatalf("opened %v, want gamma", m.pager.lesson)
	}
	if !strings.Contains(m.View(), "How exercise 9.1 is checked") {
		t.Errorf("exercise section missing:\n%s", m.View())
	}
}

func TestNavigationAndPositionSaved(t *testing.T) {
	prog := newMemProgress("test-pack")
	tm := startModel(t, testConfig(t, prog), 80, 24)
	tm.Send(press("enter"))
	waitFor(t, tm, "lines 1")
	tm.Send(press("pgdown"))
	waitFor(t, tm, "lines 21")
	tm.Send(press("n"))
	waitFor(t, tm, "Beta details")
	tm.Send(press("p"))
	waitFor(t, tm, "lesson 1/3")
	tm.Send(press("esc"))
	waitFor(t, tm, "filter")
	m := finalModel(t, tm)
	if m.screen != screenList {
		t.Fatalf("esc did not return to the list")
	}
	st := prog.State()
	if got := st.Lessons["alpha"].Offset; got != 20 {
		t.Errorf("saved offset of alpha = %d, want 20", got)
	}
	if st.Lessons["beta"] == nil {
		t.Errorf("opening beta was not recorded")
	}
	if st.Current != "" {
		t.Errorf("quitting from the list should clear the current lesson, got %q", st.Current)
	}
}

func TestReopenRestoresLessonAndOffset(t *testing.T) {
	prog := newMemProgress("test-pack")
	prog.st.Current = "alpha"
	prog.st.Lessons["alpha"] = &store.LessonProgress{Offset: 17}
	cfg := testConfig(t, prog)
	tm := startModel(t, cfg, 80, 24)
	// The lesson opens by itself; wait for its render before scrolling.
	eventually(t, func() bool {
		l := cfg.Pack.Lesson("alpha")
		_, ok := cfg.Renderer.CachedDoc(l.ID, l.Document(0), 80, render.NoColor)
		return ok
	})
	time.Sleep(100 * time.Millisecond)
	tm.Send(press("j"))
	waitFor(t, tm, "lines 19")
	m := finalModel(t, tm) // quitting saves the position before the program ends
	if m.pager.offset() != 18 {
		t.Errorf("offset = %d, want 18", m.pager.offset())
	}
	st := prog.State()
	if st.Current != "alpha" || st.Lessons["alpha"].Offset != 18 {
		t.Errorf("saved %q at %d, want alpha at 18", st.Current, st.Lessons["alpha"].Offset)
	}
}

func TestLessonMarkedReadAtItsEnd(t *testing.T) {
	prog := newMemProgress("test-pack")
	tm := startModel(t, testConfig(t, prog), 80, 24)
	tm.Send(press("enter"))
	waitFor(t, tm, "lines 1")
	if st := prog.State(); st.Lessons["alpha"] != nil && st.Lessons["alpha"].ReadAt != nil {
		t.Fatal("marked read before reaching the end")
	}
	tm.Send(press("end"))
	waitFor(t, tm, "n: next lesson")
	tm.Send(press("esc"))
	waitFor(t, tm, "● 01") // the list shows it read
	finalModel(t, tm)
	if st := prog.State(); st.Lessons["alpha"].ReadAt == nil {
		t.Error("alpha not marked read")
	}
}

func TestResizeRerenders(t *testing.T) {
	prog := newMemProgress("test-pack")
	cfg := testConfig(t, prog)
	tm := startModel(t, cfg, 80, 24)
	tm.Send(press("enter"))
	waitFor(t, tm, "lines 1")
	tm.Send(tea.WindowSizeMsg{Width: 50, Height: 20})
	// The new render arrives in the background: wait until it is cached,
	// then give the program a moment to take its message.
	eventually(t, func() bool {
		l := cfg.Pack.Lesson("alpha")
		_, ok := cfg.Renderer.CachedDoc(l.ID, l.Document(0), 50, render.NoColor)
		return ok
	})
	time.Sleep(100 * time.Millisecond)
	m := finalModel(t, tm)
	if m.pager.shownWidth != 50 {
		t.Fatalf("content rendered for width %d, want 50", m.pager.shownWidth)
	}
	for _, line := range strings.Split(m.View(), "\n") {
		if w := lipgloss.Width(line); w > 50 {
			t.Errorf("line wider than the window (%d): %q", w, line)
		}
	}
}

func TestDaemonUnreachableShownWithReason(t *testing.T) {
	cfg := testConfig(t, newMemProgress("test-pack"))
	cfg.Probe = func(context.Context) DaemonStatus {
		return DaemonStatus{Reason: "cannot reach the Docker daemon at unix:///var/run/docker.sock\x1b[2J", Advice: "Start Docker"}
	}
	tm := startModel(t, cfg, 120, 24)
	m := finalModel(t, tm)
	status := m.statusView()
	if !strings.Contains(status, "Start Docker") || strings.Contains(status, "\x1b") {
		t.Errorf("status line %q", status)
	}
}

func TestReadOnlyProgressStillNavigates(t *testing.T) {
	prog := newMemProgress("test-pack")
	prog.readOnly = true
	tm := startModel(t, testConfig(t, prog), 80, 24)
	tm.Send(press("enter"))
	waitFor(t, tm, "lines 1")
	m := finalModel(t, tm)
	if !strings.Contains(m.statusView(), "read-only progress") {
		t.Errorf("status bar does not say progress is read-only: %q", m.statusView())
	}
	if strings.Contains(m.View(), "progress not saved") {
		t.Errorf("read-only mode should not shout about failed saves:\n%s", m.View())
	}
}

func TestHostileLessonIsNeutralised(t *testing.T) {
	body := "---\nid: evil\ntitle: Evil\nsummary: s\nminutes: 1\n---\n# Evil \x1b]0;pwned\x07\n\n" +
		"Text \x1b[2J &#27;[31m red &#x1b;]52;c;aGk=&#7; \x1bP1$qm\x1b\\ \u009b2J [link](file:///etc/passwd)\n"
	fsys := fstest.MapFS{
		"pack.yaml": {Data: []byte("format_version: 1\nid: evil\ntitle: Evil\nversion: \"1\"\nlessons: [e.md]\n")},
		"e.md":      {Data: []byte(body)},
	}
	p, err := course.Load(fsys, "test", course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, newMemProgress("evil"))
	cfg.Pack = p
	tm := startModel(t, cfg, 80, 24)
	tm.Send(press("enter"))
	waitFor(t, tm, "lines 1")
	m := finalModel(t, tm)
	if v := m.View(); strings.ContainsAny(v, "\x1b\x07\u009b") {
		t.Errorf("control sequence reached the screen: %q", v)
	}
}

func TestListCursorOpensSelectedLesson(t *testing.T) {
	tm := startModel(t, testConfig(t, newMemProgress("test-pack")), 80, 24)
	tm.Send(press("j"))
	tm.Send(press("j"))
	tm.Send(press("enter"))
	waitFor(t, tm, "lesson 3/3")
	finalModel(t, tm)
}

func TestMouseWheelScrolls(t *testing.T) {
	tm := startModel(t, testConfig(t, newMemProgress("test-pack")), 80, 24)
	tm.Send(press("enter"))
	waitFor(t, tm, "lines 1")
	tm.Send(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	waitFor(t, tm, "lines 4")
	m := finalModel(t, tm)
	if m.pager.offset() != 3 {
		t.Errorf("offset after one wheel step = %d, want 3", m.pager.offset())
	}
}

// fakeChecker reports each declared check, failing the ones named in fail.
type fakeChecker struct {
	fail  map[string]bool
	err   error
	block chan struct{} // when set, Check waits on it or on cancellation
	calls int
	mu    sync.Mutex
	ended bool
}

func (f *fakeChecker) Describe() string { return "task-api:prod · ." }

func (f *fakeChecker) Check(ctx context.Context, ex *course.Exercise, onEvent func(check.Event)) (check.Report, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.ended = true; f.mu.Unlock() }()
	if f.err != nil {
		return check.Report{}, f.err
	}
	rep := check.Report{StartedAt: time.Now()}
	for i, c := range ex.Checks {
		spec := check.Spec{ID: c.ID, Kind: c.Kind, Required: c.Required(), Hint: c.Hint, Lesson: c.Lesson}
		onEvent(check.Event{Type: check.EventStarted, Index: i, Spec: spec, Title: "Title of " + c.ID})
		if f.block != nil {
			select {
			case <-f.block:
			case <-ctx.Done():
				return rep, nil
			}
		}
		res := check.Result{ID: c.ID, Kind: c.Kind, Title: "Title of " + c.ID, Status: check.StatusPass, Required: c.Required(),
			Evidence: []string{"saw uid=10001"}, Hint: c.Hint, Lesson: c.Lesson, Duration: time.Second}
		if f.fail[c.ID] {
			res.Status = check.StatusFail
			res.Evidence = []string{"id printed uid=0(root)\x1b[31m"}
		}
		rep.Results = append(rep.Results, res)
		onEvent(check.Event{Type: check.EventFinished, Index: i, Spec: spec, Result: res})
	}
	rep.Duration = 2 * time.Second
	return rep, nil
}

func openExercise(t *testing.T, cfg Config) *teatest.TestModel {
	t.Helper()
	return openExerciseAt(t, cfg, 80, 24)
}

// openExerciseAt is openExercise in a window of width x height.
func openExerciseAt(t *testing.T, cfg Config, width, height int) *teatest.TestModel {
	t.Helper()
	tm := startModel(t, cfg, width, height)
	tm.Send(press("j"))
	tm.Send(press("j"))
	tm.Send(press("enter"))
	waitFor(t, tm, "exercise 9.1")
	return tm
}

func TestCheckPanelShowsFailureEvidence(t *testing.T) {
	cfg := testConfig(t, newMemProgress("test-pack"))
	cfg.Checker = &fakeChecker{fail: map[string]bool{"nonroot": true}}
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "required check(s) not passed")
	m := finalModel(t, tm)
	golden.RequireEqual(t, []byte(m.View()))
	if v := m.View(); !strings.Contains(v, "uid=0(root)") || strings.Contains(v, "\x1b") || !strings.Contains(v, "hint: Add USER.") {
		t.Errorf("evidence or hint missing:\n%s", v)
	}
}

func TestCheckPanelPassUpdatesList(t *testing.T) {
	prog := newMemProgress("test-pack")
	cfg := testConfig(t, prog)
	cfg.Checker = &fakeChecker{}
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "exercise 9.1 passed")
	tm.Send(press("esc"))
	tm.Send(press("esc"))
	// The checker saves nothing: the list shows the pass the TUI recorded.
	waitFor(t, tm, "exercise 9.1 · passed")
	finalModel(t, tm)
	ep := prog.State().Exercises["9.1"]
	if ep == nil || len(ep.Attempts) != 1 || ep.PassedAt == nil {
		t.Errorf("recorded %+v, want one passing attempt", ep)
	}
}

func TestCheckPanelDaemonError(t *testing.T) {
	cfg := testConfig(t, newMemProgress("test-pack"))
	cfg.Checker = &fakeChecker{err: fmt.Errorf("cannot reach the Docker daemon at unix:///var/run/docker.sock: start Docker")}
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "not judged")
	m := finalModel(t, tm)
	if !strings.Contains(m.View(), "start Docker") {
		t.Errorf("advice missing:\n%s", m.View())
	}
}

func TestQuitDuringCheckWaitsForCleanup(t *testing.T) {
	cfg := testConfig(t, newMemProgress("test-pack"))
	fc := &fakeChecker{block: make(chan struct{})}
	cfg.Checker = fc
	tm := openExercise(t, cfg)
	tm.Send(press("c"))
	waitFor(t, tm, "checks done")
	tm.Send(press("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if !fc.ended {
		t.Error("the program ended before the check run returned (containers would be left behind)")
	}
}

func TestHintsRevealedOneAtATime(t *testing.T) {
	tm := openExercise(t, testConfig(t, newMemProgress("test-pack")))
	tm.Send(press("h"))
	waitFor(t, tm, "That was the last hint")
	m := finalModel(t, tm)
	if !strings.Contains(m.View(), "1. Look.") {
		t.Errorf("hint not shown at the bottom:\n%s", m.View())
	}
}

func TestFilterSurvivesProgressUpdate(t *testing.T) {
	prog := newMemProgress("test-pack")
	tm := startModel(t, testConfig(t, prog), 80, 24)
	tm.Send(press("/"))
	tm.Type("beta")
	waitFor(t, tm, "› ○ 02  Beta details") // filtered: the only row is selected
	tm.Send(press("enter"))                // open beta; this saves progress
	waitFor(t, tm, "lesson 2/3")
	// The save refilters the list while the reader shows: wait until it is
	// on disk, then go back.
	eventually(t, func() bool { return prog.State().Lessons["beta"] != nil })
	tm.Send(press("esc"))
	// The row comes back with its new state (beta is short: read at
	// once), and it is still the only row: the filter outlived the refresh.
	waitFor(t, tm, "› ● 02  Beta details")
	m := finalModel(t, tm)
	if m.list.FilterState() != list.FilterApplied || m.list.FilterValue() != "beta" {
		t.Errorf("filter %v %q, want beta still applied", m.list.FilterState(), m.list.FilterValue())
	}
	var rows []string
	for _, it := range m.list.VisibleItems() {
		rows = append(rows, it.(lessonItem).title)
	}
	if len(rows) != 1 || rows[0] != "Beta details" {
		t.Errorf("rows shown %q, want only Beta details", rows)
	}
	if v := m.View(); strings.Contains(v, "Alpha basics") || strings.Contains(v, "Gamma exercise") {
		t.Errorf("rows the filter excludes are shown:\n%s", v)
	}
}

// TestFilterRefreshedWhileAnotherScreenShows: a save that arrives while
// another screen shows must still refresh the filtered rows, or the list
// keeps showing them as they were before the save.
func TestFilterRefreshedWhileAnotherScreenShows(t *testing.T) {
	prog := newMemProgress("test-pack")
	var tm tea.Model = New(testConfig(t, prog))
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m := tm.(Model)
	m.list.SetFilterText("beta")
	m = m.show(screenChecklist)

	now := time.Now()
	st := prog.State()
	st.Lessons["beta"] = &store.LessonProgress{ReadAt: &now, LastOpened: now}
	st.UpdatedAt = now
	tm, _ = m.Update(savedMsg{gen: m.gen, state: st}) // arrives while the checklist shows
	tm, _ = tm.Update(leaveMsg{})                     // back to the list, with no save of its own
	m = tm.(Model)
	if m.screen != screenList {
		t.Fatalf("screen %d, want the list", m.screen)
	}
	rows := m.list.VisibleItems()
	if len(rows) != 1 {
		t.Fatalf("%d rows, want beta only", len(rows))
	}
	if got := rows[0].(lessonItem).standing.State; got != summary.Read {
		t.Errorf("beta shown as %v, want read (the state the save brought)", got)
	}
}

// eventually waits up to 10s for cond, for work that ends in the background.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStaleRenderIsDropped: a render superseded by a newer one of the same
// lesson, or made from text that has changed since (a hint revealed), must
// not replace what the reader asked for.
func TestStaleRenderIsDropped(t *testing.T) {
	cfg := testConfig(t, newMemProgress("test-pack"))
	var tm tea.Model = New(cfg)
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	tm, _ = tm.Update(press("enter"))
	m := tm.(Model)
	l := m.pager.lesson
	w := m.pager.contentWidth()
	tm, _ = m.Update(renderedMsg{lessonID: l.ID, width: w, doc: m.document(l), err: fmt.Errorf("cannot render: %w", render.ErrSuperseded)})
	if strings.Contains(tm.View(), "could not be rendered") {
		t.Errorf("a superseded render was shown as a failure:\n%s", tm.View())
	}
	tm, _ = tm.Update(renderedMsg{lessonID: l.ID, width: w, doc: "old text", content: render.Doc{Text: "STALE CONTENT"}})
	if strings.Contains(tm.View(), "STALE CONTENT") {
		t.Errorf("a render of old text was shown:\n%s", tm.View())
	}
}
