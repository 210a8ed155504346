// Package tui is shipshape's terminal interface: the lesson list and the
// lesson reader. It does no I/O in Update or View: rendering, progress saves
// and the Docker probe run in commands that report back with messages.
package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/course"
	store "shipshape/internal/progress"
	"shipshape/internal/render"
	"shipshape/internal/summary"
	"shipshape/internal/termsafe"
)

// Progress is what the TUI needs of the progress store. The methods are
// called only from commands, never from Update or View.
type Progress interface {
	State() store.State
	Update(func(*store.State)) error
	ReadOnly() bool
	Notices() []string
}

// Renderer renders lesson Markdown for a width and style.
type Renderer interface {
	Render(lessonID, markdown string, width int, style render.Style) (string, error)
	Cached(lessonID, markdown string, width int, style render.Style) (string, bool)
}

// DaemonStatus is the Docker daemon's state for the status bar.
type DaemonStatus struct {
	Connected bool
	// Version describes the engine when connected, e.g. "Engine 27.3.1 · API 1.47".
	Version string
	// Reason says in one line why the daemon cannot be used, and Advice
	// what to do about it.
	Reason, Advice string
}

// Config is what the TUI is started with.
type Config struct {
	Pack     *course.Pack
	Progress Progress
	Renderer Renderer
	Style    render.Style
	// Probe asks the Docker daemon for its state; nil means "not probed".
	Probe func(context.Context) DaemonStatus
	// ProbeEvery re-probes the daemon so the status bar follows it; 0 means once.
	ProbeEvery time.Duration
	// PositionDelay is how long scrolling must pause before the position is saved.
	PositionDelay time.Duration
	// Checker runs exercise checks; nil hides the exercise screen.
	Checker Checker
	// Workflow builds, runs, scans and measures for the exercise screen;
	// nil leaves only the checks.
	Workflow Workflow
	// Checklist judges the deployment checklist; nil hides its checks
	// (the learner can still tick items).
	Checklist ChecklistRunner
	// Packs lists and opens lesson packs; nil hides the pack picker.
	Packs PackCatalog
}

type screen int

const (
	screenList screen = iota
	screenPager
	screenExercise
	screenChecklist
	screenPacks
)

// Model is the root Bubble Tea model.
type Model struct {
	cfg    Config
	st     styles
	width  int
	height int
	screen screen

	list     list.Model
	listKeys listKeys
	pager    pager
	ex       exerciseScreen
	cl       checklistScreen
	packs    packPicker
	help     help.Model
	fullHelp bool
	bar      progress.Model

	progress     store.State
	sum          summary.Summary
	notices      []string
	saveErr      string
	readOnly     bool
	daemon       DaemonStatus
	daemonProbed bool
	// quitting waits for a check run to clean up before the program ends.
	quitting bool
	// hints counts the hints revealed per lesson in this session.
	hints map[string]int
	// gen counts pack switches, so late saves of the old pack are ignored.
	gen int
}

// document is the Markdown shown for l, with the hints revealed so far.
func (m Model) document(l *course.Lesson) string {
	return l.Document(m.hints[l.ID])
}

// New builds the model. It reads the progress store's in-memory state,
// which the caller loaded before starting the program.
func New(cfg Config) Model {
	if cfg.PositionDelay == 0 {
		cfg.PositionDelay = 400 * time.Millisecond
	}
	st := newStyles()
	m := Model{
		cfg:      cfg,
		st:       st,
		list:     newLessonList(st),
		listKeys: newListKeys(),
		pager:    newPager(st),
		ex:       newExerciseScreen(st, cfg.Pack, cfg.Workflow != nil),
		cl:       newChecklistScreen(st),
		packs:    packPicker{st: st, keys: newPackKeys()},
		help:     help.New(),
		bar:      progress.New(progress.WithSolidFill(string(colorOK.Dark)), progress.WithoutPercentage()),
		progress: cfg.Progress.State(),
		notices:  cfg.Progress.Notices(),
		readOnly: cfg.Progress.ReadOnly(),
		hints:    map[string]int{},
	}
	m.pager.canCheck = cfg.Checker != nil
	m.listKeys.Packs.SetEnabled(cfg.Packs != nil)
	m.refreshList()
	// Return to where the learner was: the list positioned on the last
	// lesson, and that lesson open at its saved offset.
	if i := cfg.Pack.Index(m.progress.Current); i >= 0 {
		m.list.Select(i)
		m.screen = screenPager
		offset := 0
		if lp := m.progress.Lessons[m.progress.Current]; lp != nil {
			offset = lp.Offset
		}
		m.pager.open(cfg.Pack.Lessons[i], i, len(cfg.Pack.Lessons), offset)
	}
	return m
}

// Init starts the Docker probe and, when a lesson is open, its render.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.probeCmd()}
	return tea.Batch(cmds...)
}

// Messages from commands.
type (
	renderedMsg struct {
		lessonID string
		width    int
		// doc is the Markdown rendered: revealing a hint changes it, and
		// a render of the old text must not replace the new one.
		doc     string
		content string
		err     error
	}
	savedMsg struct {
		// gen is the pack generation the save belongs to; saves of a pack
		// switched away from are ignored.
		gen   int
		state store.State
		err   error
	}
	daemonMsg      DaemonStatus
	probeAgainMsg  struct{}
	positionTickMs struct{ seq int }
)

func (m Model) probeCmd() tea.Cmd {
	if m.cfg.Probe == nil {
		return nil
	}
	probe := m.cfg.Probe
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return daemonMsg(probe(ctx))
	}
}

// saveCmd applies fn to the stored progress in the background and reports
// the new state, so the list and the reader show what is on disk.
func (m Model) saveCmd(fn func(*store.State)) tea.Cmd {
	p, gen := m.cfg.Progress, m.gen
	return func() tea.Msg {
		err := p.Update(fn)
		return savedMsg{gen: gen, state: p.State(), err: err}
	}
}

func (m Model) renderCmd(l *course.Lesson, width int) tea.Cmd {
	r, style := m.cfg.Renderer, m.cfg.Style
	doc := m.document(l)
	return func() tea.Msg {
		out, err := r.Render(l.ID, doc, width, style)
		return renderedMsg{lessonID: l.ID, width: width, doc: doc, content: out, err: err}
	}
}

// Update handles a message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		if m.screen == screenPager {
			cmd := m.requestRender()
			return m, cmd
		}
		return m, nil
	case daemonMsg:
		m.daemon, m.daemonProbed = DaemonStatus(msg), true
		if m.cfg.ProbeEvery > 0 {
			return m, tea.Tick(m.cfg.ProbeEvery, func(time.Time) tea.Msg { return probeAgainMsg{} })
		}
		return m, nil
	case probeAgainMsg:
		cmd := m.probeCmd()
		return m, cmd
	case savedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		// Saves run concurrently; never let an older snapshot replace a newer one.
		if !msg.state.UpdatedAt.Before(m.progress.UpdatedAt) {
			m.progress = msg.state
		}
		m.saveErr = ""
		if msg.err != nil && !m.readOnly {
			m.saveErr = termsafe.Line(msg.err.Error())
		}
		cmd := m.refreshList()
		return m, cmd
	case list.FilterMatchesMsg:
		// Refiltering after a save may finish while another screen shows.
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		return m, cmd
	case renderedMsg:
		return m.onRendered(msg)
	case projectMsg:
		if msg.lesson != m.ex.lesson {
			return m, nil // an answer for an exercise no longer open
		}
		m.ex.hasProject, m.ex.starterFiles = msg.has, msg.starterFiles
		if msg.autoCheck && msg.has && !m.ex.busy() && m.screen == screenExercise {
			cmd := m.ex.startCheck(m.cfg.Checker)
			return m, cmd
		}
		return m, nil
	case reportImportedMsg, checkEventMsg, checkDoneMsg, buildEventMsg, buildDoneMsg, scanDoneMsg, measureProgressMsg,
		measureDoneMsg, filesDoneMsg, runStartedMsg, runEventMsg, runStoppedMsg, fileChangedMsg, watchStoppedMsg:
		return m.updateExerciseMsg(msg)
	case packChoicesMsg:
		m.packs.loading = false
		m.packs.choices = msg.choices
		if msg.err != nil {
			m.packs.err = termsafe.Line(msg.err.Error())
		}
		m.packs.selected = 0
		for i, c := range m.packs.choices {
			if c.Ref == m.currentPackRef() {
				m.packs.selected = i
			}
		}
		return m, nil
	case packSwitchedMsg:
		m.packs.loading = false
		if msg.err != nil {
			m.packs.err = termsafe.Line(msg.err.Error())
			return m, nil
		}
		next, cmd := m.switchTo(msg.session)
		return next, cmd
	case checklistEventMsg:
		cmd := m.cl.onEvent(msg)
		return m, cmd
	case checklistDoneMsg:
		m.cl.onDone(msg)
		cmd := m.finishQuit()
		return m, cmd
	case spinner.TickMsg:
		var cmds []tea.Cmd
		if m.ex.busy() {
			var cmd tea.Cmd
			m.ex.spin, cmd = m.ex.spin.Update(msg)
			cmds = append(cmds, cmd)
		}
		if m.cl.running && msg.ID == m.cl.spin.ID() {
			var cmd tea.Cmd
			m.cl.spin, cmd = m.cl.spin.Update(msg)
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	case positionTickMs:
		if msg.seq == m.pager.moveSeq && m.screen == screenPager {
			cmd := m.savePosition()
			return m, cmd
		}
		return m, nil
	case tea.KeyMsg:
		if msg.String() == "ctrl+c" {
			cmd := m.quit()
			return m, cmd
		}
		// q and ? mean the same on every screen, except while a key is
		// being typed into a filter or answers a question.
		if !m.list.SettingFilter() && m.ex.confirm == confirmNone && !(m.screen == screenExercise && m.ex.importing) {
			switch {
			case key.Matches(msg, m.listKeys.Quit):
				cmd := m.quit()
				return m, cmd
			case key.Matches(msg, m.listKeys.Help):
				m.fullHelp = !m.fullHelp
				m.layout()
				return m, nil
			}
		}
		switch m.screen {
		case screenPager:
			return m.updatePager(msg)
		case screenExercise:
			return m.updateExercise(msg)
		case screenChecklist:
			return m.updateChecklist(msg)
		case screenPacks:
			return m.updatePacks(msg)
		}
		return m.updateList(msg)
	case tea.MouseMsg:
		if m.screen == screenPager {
			moved := m.pager.handleMouse(msg)
			return m.scrolled(moved)
		}
	}
	if m.screen == screenList {
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m Model) updateList(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	// While the filter is being typed, every key belongs to it.
	if m.list.SettingFilter() {
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		return m, cmd
	}
	switch {
	case key.Matches(msg, m.listKeys.Checklist):
		return m.openChecklist()
	case key.Matches(msg, m.listKeys.Packs):
		return m.openPacks()
	case key.Matches(msg, m.listKeys.Open):
		if it, ok := m.list.SelectedItem().(lessonItem); ok {
			return m.openLesson(it.index, -1)
		}
		return m, nil
	}
	var cmd tea.Cmd
	m.list, cmd = m.list.Update(msg)
	return m, cmd
}

func (m Model) updatePager(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.pager.keys
	switch {
	case key.Matches(msg, k.Back):
		save := m.savePosition()
		m.screen = screenList
		m.list.Select(m.pager.index)
		m.layout()
		return m, save
	case key.Matches(msg, k.Next):
		if m.pager.index+1 < len(m.cfg.Pack.Lessons) {
			return m.switchLesson(m.pager.index + 1)
		}
		return m, nil
	case key.Matches(msg, k.Prev):
		if m.pager.index > 0 {
			return m.switchLesson(m.pager.index - 1)
		}
		return m, nil
	case key.Matches(msg, k.Check):
		return m.openExercise()
	case key.Matches(msg, k.Hint):
		return m.revealHint()
	}
	moved := m.pager.handleKey(msg)
	return m.scrolled(moved)
}

// revealHint shows the next hint of an exercise lesson and scrolls to it.
func (m Model) revealHint() (tea.Model, tea.Cmd) {
	l := m.pager.lesson
	if l == nil || l.Exercise == nil || m.hints[l.ID] >= len(l.Exercise.Hints) {
		return m, nil
	}
	hints := make(map[string]int, len(m.hints))
	for k, v := range m.hints {
		hints[k] = v
	}
	hints[l.ID]++
	m.hints = hints
	m.pager.toBottom = true
	cmd := m.requestRender()
	return m, cmd
}

// openExercise shows the exercise screen of the open lesson and, the
// first time, runs its checks.
func (m Model) openExercise() (tea.Model, tea.Cmd) {
	l := m.pager.lesson
	if m.cfg.Checker == nil || l == nil || l.Exercise == nil {
		return m, nil
	}
	save := m.savePosition()
	first := m.ex.lesson != l
	m.ex.open(l, m.exercisePassed(l.Exercise.ID))
	m.screen = screenExercise
	m.layout()
	if m.cfg.Workflow == nil {
		if first && !m.ex.busy() {
			cmd := tea.Batch(save, m.ex.startCheck(m.cfg.Checker))
			return m, cmd
		}
		return m, save
	}
	// Whether the workspace has a project is a file system question: ask
	// in the background, and check once the answer is in.
	return m, tea.Batch(save, projectCmd(m.cfg.Workflow, l, first))
}

func (m Model) exercisePassed(id string) bool {
	ep := m.progress.Exercises[id]
	return ep != nil && ep.PassedAt != nil
}

// reloadCmd reads the progress after someone else (the checker) saved it.
func (m Model) reloadCmd() tea.Cmd {
	p := m.cfg.Progress
	gen := m.gen
	return func() tea.Msg { return savedMsg{gen: gen, state: p.State()} }
}

// scrolled follows a scroll: it marks the lesson read at its end and saves
// the position once scrolling pauses, not on every line.
func (m Model) scrolled(moved bool) (tea.Model, tea.Cmd) {
	if !moved {
		return m, nil
	}
	m.pager.moveSeq++
	seq := m.pager.moveSeq
	cmds := []tea.Cmd{tea.Tick(m.cfg.PositionDelay, func(time.Time) tea.Msg { return positionTickMs{seq: seq} })}
	cmds = append(cmds, m.markReadIfAtEnd())
	return m, tea.Batch(cmds...)
}

func (m Model) switchLesson(i int) (tea.Model, tea.Cmd) {
	save := m.savePosition()
	next, cmd := m.openLesson(i, -1)
	return next, tea.Batch(save, cmd)
}

// openLesson shows lesson i at offset (-1: its saved offset).
func (m Model) openLesson(i, offset int) (Model, tea.Cmd) {
	l := m.cfg.Pack.Lessons[i]
	if offset < 0 {
		offset = 0
		if lp := m.progress.Lessons[l.ID]; lp != nil {
			offset = lp.Offset
		}
	}
	m.screen = screenPager
	m.pager.open(l, i, len(m.cfg.Pack.Lessons), offset)
	m.layout()
	id := l.ID
	now := time.Now().UTC()
	opened := m.saveCmd(func(s *store.State) {
		s.Current = id
		lp := s.Lessons[id]
		if lp == nil {
			lp = &store.LessonProgress{}
			s.Lessons[id] = lp
		}
		lp.LastOpened = now
	})
	cmd := tea.Batch(opened, m.requestRender())
	return m, cmd
}

// requestRender shows a cached render at once, or asks for one in the
// background while the previous content stays on screen.
func (m *Model) requestRender() tea.Cmd {
	l := m.pager.lesson
	if l == nil || m.pager.contentWidth() <= 0 {
		return nil
	}
	w := m.pager.contentWidth()
	if out, ok := m.cfg.Renderer.Cached(l.ID, m.document(l), w, m.cfg.Style); ok {
		m.pager.setContent(l.ID, w, out)
		return m.markReadIfAtEnd()
	}
	m.pager.rendering = true
	return m.renderCmd(l, w)
}

func (m Model) onRendered(msg renderedMsg) (tea.Model, tea.Cmd) {
	if m.pager.lesson == nil || msg.lessonID != m.pager.lesson.ID || msg.width != m.pager.contentWidth() ||
		msg.doc != m.document(m.pager.lesson) {
		return m, nil // a render for a lesson, width or text no longer shown
	}
	if errors.Is(msg.err, render.ErrSuperseded) {
		// The renderer runs one render per lesson; the newer request that
		// replaced this one brings the content.
		return m, nil
	}
	m.pager.rendering = false
	if msg.err != nil {
		m.pager.setContent(msg.lessonID, msg.width, m.st.bad.Render("This lesson could not be rendered: "+termsafe.Line(msg.err.Error())))
		return m, nil
	}
	m.pager.setContent(msg.lessonID, msg.width, msg.content)
	cmd := m.markReadIfAtEnd()
	return m, cmd
}

// markReadIfAtEnd marks the open lesson read once its end is on screen.
func (m Model) markReadIfAtEnd() tea.Cmd {
	l := m.pager.lesson
	if l == nil || !m.pager.ready() || !m.pager.atEnd() {
		return nil
	}
	if lp := m.progress.Lessons[l.ID]; lp != nil && lp.ReadAt != nil {
		return nil
	}
	id := l.ID
	now := time.Now().UTC()
	return m.saveCmd(func(s *store.State) {
		lp := s.Lessons[id]
		if lp == nil {
			lp = &store.LessonProgress{LastOpened: now}
			s.Lessons[id] = lp
		}
		if lp.ReadAt == nil {
			lp.ReadAt = &now
		}
	})
}

func (m Model) savePosition() tea.Cmd {
	l := m.pager.lesson
	if l == nil || !m.pager.ready() {
		return nil
	}
	id, offset := l.ID, m.pager.offset()
	return m.saveCmd(func(s *store.State) {
		s.Current = id
		lp := s.Lessons[id]
		if lp == nil {
			lp = &store.LessonProgress{}
			s.Lessons[id] = lp
		}
		lp.Offset = offset
	})
}

// quit saves the reading position first, so a restart returns to it. A
// check run is cancelled and the program ends once its containers are gone.
func (m *Model) quit() tea.Cmd {
	if m.quitting {
		// A second q while cleaning up: leave now. The command that
		// started the TUI still removes this session's containers.
		return tea.Quit
	}
	// The reading position is saved whatever else has to finish first.
	var save tea.Cmd
	if m.screen == screenPager || m.screen == screenExercise || m.screen == screenChecklist {
		save = m.savePosition()
	} else if m.screen == screenList && m.progress.Current != "" {
		// Back on the list: reopening starts on the list, not in a lesson.
		save = m.saveCmd(func(s *store.State) { s.Current = "" })
	}
	m.ex.stopWatch()
	if m.cl.running || m.ex.busy() || m.ex.running != nil {
		// Containers must be gone before the program ends; the messages
		// that report them gone end the program (see finishQuit).
		m.quitting = true
		m.cl.stop()
		m.ex.cancelOp()
		if m.ex.running != nil && !m.ex.runStopping {
			m.ex.runStopping = true
			return tea.Batch(save, stopRunCmd(m.ex.running, m.ex.runID))
		}
		return save
	}
	if save != nil {
		return tea.Sequence(save, tea.Quit)
	}
	return tea.Quit
}

// finishQuit ends the program once nothing that made containers runs.
func (m *Model) finishQuit() tea.Cmd {
	if !m.quitting || m.cl.running || m.ex.busy() {
		return nil
	}
	if m.ex.running != nil {
		if !m.ex.runStopping {
			m.ex.runStopping = true
			return stopRunCmd(m.ex.running, m.ex.runID)
		}
		return nil
	}
	return tea.Quit
}

// refreshList rebuilds the rows from the progress; the command it returns
// re-applies an active filter to the new rows.
func (m *Model) refreshList() tea.Cmd {
	m.sum = summary.Of(m.cfg.Pack, m.progress)
	sel := m.list.Index()
	cmd := m.list.SetItems(lessonItems(m.sum))
	m.list.Select(sel)
	return cmd
}

// layout gives each part its share of the window.
func (m *Model) layout() {
	if m.width == 0 {
		return
	}
	m.help.Width = m.width
	footer := m.footerHeight()
	switch m.screen {
	case screenList:
		// header (title + progress), notices, list, help, status bar
		used := 2 + len(m.visibleNotices()) + footer + 1
		m.list.SetSize(m.width, max(2, m.height-used))
	case screenPager:
		m.pager.setSize(m.width, max(1, m.height-1-footer-1))
	case screenExercise:
		m.ex.width, m.ex.height = m.width, max(6, m.height-footer-1)
	case screenChecklist:
		m.cl.width, m.cl.height = m.width, max(6, m.height-footer-1)
	case screenPacks:
		m.packs.width, m.packs.height = m.width, max(4, m.height-footer-1)
	}
	m.bar.Width = min(30, max(10, m.width/4))
}

func (m Model) footerHeight() int {
	return lipgloss.Height(m.helpView())
}

func (m Model) helpView() string {
	var km help.KeyMap = m.listKeys
	switch m.screen {
	case screenPager:
		km = m.pager.keys
	case screenExercise:
		km = m.ex.keys
	case screenChecklist:
		km = m.cl.keys
	case screenPacks:
		km = m.packs.keys
	}
	if m.fullHelp {
		return m.help.FullHelpView(km.FullHelp())
	}
	return m.help.ShortHelpView(km.ShortHelp())
}

func (m Model) visibleNotices() []string {
	var out []string
	for _, n := range m.notices {
		out = append(out, termsafe.Line(n))
	}
	if m.saveErr != "" {
		out = append(out, "progress not saved: "+m.saveErr)
	}
	return out
}

// View draws the current screen.
func (m Model) View() string {
	if m.width == 0 {
		return ""
	}
	var body string
	switch m.screen {
	case screenPager:
		body = lipgloss.JoinVertical(lipgloss.Left, m.pager.headerView(m.width), m.pager.view(), m.helpView())
	case screenExercise:
		body = lipgloss.JoinVertical(lipgloss.Left, m.ex.view(m.cfg.Workflow, m.cfg.Checker), m.helpView())
	case screenChecklist:
		body = lipgloss.JoinVertical(lipgloss.Left, m.cl.view(m.progress.Checklist), m.helpView())
	case screenPacks:
		body = lipgloss.JoinVertical(lipgloss.Left, m.packs.view(m.currentPackRef()), m.helpView())
	default:
		body = m.listView()
	}
	return lipgloss.JoinVertical(lipgloss.Left, body, m.statusView())
}

func (m Model) listView() string {
	title := m.st.title.Render(termsafe.Line(m.cfg.Pack.Title))
	right := fmt.Sprintf("%s %d/%d done", m.bar.ViewAs(m.sum.Percent()), m.sum.Done, m.sum.Total)
	gap := max(1, m.width-ansi.StringWidth(title)-ansi.StringWidth(right))
	header := ansi.Truncate(title+strings.Repeat(" ", gap)+right, m.width, "")
	sub := m.st.muted.Render(ansi.Truncate(fmt.Sprintf("%s · %s · pack %s %s",
		plural(len(m.cfg.Pack.Lessons), "lesson"), plural(len(m.cfg.Pack.Exercises()), "exercise"),
		termsafe.Line(m.cfg.Pack.ID), termsafe.Line(m.cfg.Pack.Version)), m.width, "…"))
	parts := []string{header, sub}
	for _, n := range m.visibleNotices() {
		parts = append(parts, m.st.warn.Render(ansi.Truncate("! "+n, m.width, "…")))
	}
	parts = append(parts, m.list.View(), m.helpView())
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// statusView is the bottom line: the Docker daemon's state and whether
// progress is being saved.
func (m Model) statusView() string {
	var docker string
	switch {
	case m.cfg.Probe == nil:
		docker = m.st.muted.Render("docker: not checked")
	case !m.daemonProbed:
		docker = m.st.muted.Render("docker: checking…")
	case m.daemon.Connected:
		docker = m.st.ok.Render("● docker") + m.st.muted.Render(" connected · "+termsafe.Line(m.daemon.Version))
	default:
		// The reason names the daemon and the problem; the advice follows
		// when the window is wide enough (the check panel always shows it).
		docker = m.st.bad.Render("○ "+termsafe.Line(m.daemon.Reason)) + m.st.muted.Render(". "+termsafe.Line(m.daemon.Advice))
	}
	right := ""
	if m.readOnly {
		right = m.st.warn.Render("read-only progress")
	}
	room := m.width - ansi.StringWidth(right) - 1
	docker = ansi.Truncate(docker, max(0, room), "…")
	gap := max(1, m.width-ansi.StringWidth(docker)-ansi.StringWidth(right))
	return ansi.Truncate(docker+strings.Repeat(" ", gap)+right, m.width, "")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
