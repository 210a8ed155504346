// Package tui is shipshape's terminal interface: the lesson list, the
// lesson reader, and the exercise, checklist and pack screens as
// components. It does no I/O in Update or View: rendering, progress saves,
// Docker work and the Docker probe run in commands that report back with
// messages.
package tui

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/checklist"
	"shipshape/internal/course"
	store "shipshape/internal/progress"
	"shipshape/internal/render"
	"shipshape/internal/summary"
	"shipshape/internal/termsafe"
)

// Renderer renders lesson Markdown for a width and style.
type Renderer interface {
	RenderDoc(lessonID, markdown string, width int, style render.Style) (render.Doc, error)
	CachedDoc(lessonID, markdown string, width int, style render.Style) (render.Doc, bool)
}

// DaemonStatus is the Docker daemon's state for the status bar.
type DaemonStatus struct {
	Connected bool
	// Version describes the engine when connected, e.g. "Engine 27.3.1 · API 1.47".
	Version string
	// Reason says in one line why the daemon cannot be used, and Advice
	// what to do about it. Problem is the reason in a few words, for a
	// window too narrow for both: "daemon unreachable".
	Reason, Advice, Problem string
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
	// Clipboard is the terminal that y copies code blocks to, with OSC 52;
	// nil means copying is not available.
	Clipboard io.Writer
}

type screen int

const (
	screenList screen = iota
	screenPager
	screenExercise
	screenChecklist
	screenPacks
)

// Model is the root Bubble Tea model. It draws the lesson list and the
// reader itself (reader.go), routes messages to the other screens, and
// owns the layout, the status bar, help and quitting.
type Model struct {
	cfg    Config
	common common
	width  int
	height int
	screen screen

	list     list.Model
	listKeys listKeys
	pager    pager
	ex       *exerciseScreen
	cl       *checklistScreen
	packs    *packPicker
	// checklistFrom is the screen the checklist returns to.
	checklistFrom screen
	// backToExercise is set while the reader shows a lesson a check of
	// the exercise screen linked to: esc goes back to that exercise, whose
	// lesson is exerciseLesson.
	backToExercise bool
	exerciseLesson int
	help           help.Model
	fullHelp       bool
	bar            progress.Model

	progress     store.State
	sum          summary.Summary
	notices      []string
	saveErr      string
	readOnly     bool
	daemon       DaemonStatus
	daemonProbed bool
	// quitting waits for the screens' work to clean up before the program ends.
	quitting bool
	// hints counts the hints revealed per lesson, as the progress keeps them.
	hints map[string]int
	// gen counts pack switches, so late saves of the old pack are ignored.
	gen int
}

// New builds the model. It reads the progress store's in-memory state,
// which the caller loaded before starting the program.
func New(cfg Config) Model {
	if cfg.PositionDelay == 0 {
		cfg.PositionDelay = 400 * time.Millisecond
	}
	c := common{st: newStyles(), renderer: cfg.Renderer, renderStyle: cfg.Style}
	m := Model{
		cfg:      cfg,
		common:   c,
		list:     newLessonList(c.st),
		listKeys: newListKeys(),
		help:     help.New(),
		bar:      progress.New(progress.WithSolidFill(string(colorOK.Dark)), progress.WithoutPercentage()),
	}
	m.listKeys.Packs.SetEnabled(cfg.Packs != nil)
	m.packs = newPackPicker(c, cfg.Packs)
	// New runs before the program starts, so it may ask the workflow.
	m.usePack(PackSession{Pack: cfg.Pack, Progress: cfg.Progress, Checker: cfg.Checker, Workflow: cfg.Workflow,
		Checklist: cfg.Checklist}, readWorkspaceFacts(cfg.Checker, cfg.Workflow))
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

// usePack sets up everything that depends on the pack: its progress, the
// reader and the screens that work on it.
func (m *Model) usePack(s PackSession, facts workspaceFacts) {
	m.cfg.Pack, m.cfg.Progress = s.Pack, s.Progress
	m.cfg.Checker, m.cfg.Workflow, m.cfg.Checklist = s.Checker, s.Workflow, s.Checklist
	// The progress store's state is in memory: reading it is no I/O.
	m.progress = s.Progress.State()
	m.notices = s.Progress.Notices()
	m.readOnly = s.Progress.ReadOnly()
	m.hints = revealedHints(s.Pack, m.progress)
	m.pager = newPager(m.common.st)
	m.pager.canCheck = s.Checker != nil
	deps := exerciseDeps{pack: s.Pack, checker: s.Checker, workflow: s.Workflow, save: m.saver(), workspaceFacts: facts}
	m.ex = newExerciseScreen(m.common, deps)
	m.cl = newChecklistScreen(m.common, checklist.FromPack(s.Pack), s.Checklist, m.saver(), m.progress.Checklist)
	m.refreshList()
}

// saver runs progress intents for the open pack.
func (m Model) saver() saver { return saver{p: m.cfg.Progress, gen: m.gen} }

// Init starts the Docker probe.
func (m Model) Init() tea.Cmd {
	return m.probeCmd()
}

// Messages of the root's own commands.
type (
	renderedMsg struct {
		lessonID string
		width    int
		// doc is the Markdown rendered: revealing a hint changes it, and
		// a render of the old text must not replace the new one.
		doc     string
		content render.Doc
		err     error
	}
	daemonMsg     DaemonStatus
	probeAgainMsg struct{}
	// positionSaveDueMsg says scrolling has paused; seq tells whether
	// another scroll came since.
	positionSaveDueMsg struct{ seq int }
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

// active is the component shown, or nil on the list and the reader, which
// the root draws itself.
func (m Model) active() component {
	switch m.screen {
	case screenExercise:
		return m.ex
	case screenChecklist:
		return m.cl
	case screenPacks:
		return m.packs
	}
	return nil
}

// Update handles a message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	// Keys typed faster than the terminal is read arrive as one message
	// ("jjj"); outside a text field each is a key of its own.
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyRunes && len(k.Runes) > 1 && !k.Paste && !m.typing() {
		var cmds []tea.Cmd
		next := m
		for _, r := range k.Runes {
			model, cmd := next.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: k.Alt})
			next = model.(Model)
			cmds = append(cmds, cmd)
		}
		return next, tea.Batch(cmds...)
	}
	next, cmd := m.route(msg)
	if next.quitting && !next.ex.Working() && !next.cl.Working() {
		// Nothing that made containers runs any more.
		return next, tea.Batch(cmd, tea.Quit)
	}
	return next, cmd
}

// typing reports whether a text field has the keys: the lesson filter or
// the exercise screen's report path.
func (m Model) typing() bool {
	switch m.screen {
	case screenList:
		return m.list.FilterState() == list.Filtering
	case screenExercise:
		return m.ex != nil && m.ex.importing
	}
	return false
}

func (m Model) route(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case streamMsg:
		next, cmd := m.route(msg.Msg)
		return next, tea.Batch(cmd, msg.Next)
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
		m.layout()
		if m.cfg.ProbeEvery > 0 {
			return m, tea.Tick(m.cfg.ProbeEvery, func(time.Time) tea.Msg { return probeAgainMsg{} })
		}
		return m, nil
	case probeAgainMsg:
		return m, m.probeCmd()
	case savedMsg:
		return m.onSaved(msg)
	case attemptSavedMsg:
		next, cmd := m.onSaved(msg.savedMsg)
		return next, tea.Batch(cmd, next.ex.Update(msg))
	case list.FilterMatchesMsg:
		// The list filters in the background only while the filter is
		// typed; once applied, its rows are filtered at once (refreshList,
		// openFromFilter), and a late answer for a shorter filter text
		// must not bring back rows the filter excludes.
		if !m.list.SettingFilter() {
			return m, nil
		}
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		return m, cmd
	case renderedMsg:
		return m.onRendered(msg)
	case copiedMsg:
		return m.onCopied(msg)
	case positionSaveDueMsg:
		if msg.seq == m.pager.moveSeq && m.screen == screenPager {
			return m, m.savePosition()
		}
		return m, nil
	case leaveMsg:
		return m.leaveScreen()
	case hintRevealedMsg:
		return m.hintRevealed(msg)
	case openLessonMsg:
		return m.openLessonAt(msg)
	case packChosenMsg:
		if m.ex.Working() || m.cl.Working() {
			m.packs.Fail("Finish or cancel the running exercise work first.")
			return m, nil
		}
		return m, m.packs.Switch(msg.ref)
	case packSwitchedMsg:
		if msg.err != nil {
			m.packs.Fail(msg.err.Error())
			return m, nil
		}
		return m.switchTo(msg.session, msg.facts)
	case tea.KeyMsg:
		return m.updateKey(msg)
	case tea.MouseMsg:
		if m.screen == screenPager {
			moved := m.pager.handleMouse(msg)
			return m.scrolled(moved)
		}
		if m.screen == screenList {
			var cmd tea.Cmd
			m.list, cmd = m.list.Update(msg)
			return m, cmd
		}
		return m, nil
	}
	// The screens' own messages: work goes on while another screen shows,
	// so every screen sees them; each ignores what is not its own.
	cmds := []tea.Cmd{m.ex.Update(msg), m.cl.Update(msg), m.packs.Update(msg)}
	if m.screen == screenList {
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// onSaved shows the progress a save left behind.
func (m Model) onSaved(msg savedMsg) (Model, tea.Cmd) {
	if msg.gen != m.gen {
		return m, nil
	}
	// Saves run concurrently; never let an older snapshot replace a newer one.
	if !msg.state.UpdatedAt.Before(m.progress.UpdatedAt) {
		m.progress = msg.state
		m.cl.SetTicked(m.progress.Checklist)
	}
	m.saveErr = ""
	if msg.err != nil && !m.readOnly {
		m.saveErr = termsafe.Line(msg.err.Error())
	}
	return m, m.refreshList()
}

func (m Model) updateKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	if key.Matches(msg, m.listKeys.ForceQuit) {
		return m, m.quit()
	}
	// q and ? mean the same on every screen, except while a key is being
	// typed into a filter or answers a question.
	typing := m.list.SettingFilter() || (m.screen == screenExercise && m.ex.InputActive())
	if !typing {
		switch {
		case key.Matches(msg, m.listKeys.Quit):
			return m, m.quit()
		case key.Matches(msg, m.listKeys.Help):
			m.fullHelp = !m.fullHelp
			m.layout()
			return m, nil
		}
	}
	switch m.screen {
	case screenList:
		return m.updateList(msg)
	case screenPager:
		return m.updatePager(msg)
	}
	return m, m.active().Update(msg)
}

// show makes s the screen shown, remembering where the checklist was
// opened from.
func (m Model) show(s screen) Model {
	if s == screenChecklist && m.screen != screenChecklist {
		m.checklistFrom = m.screen
	}
	m.screen = s
	m.layout()
	return m
}

// leaveScreen goes back from the screen shown, as its esc asks.
func (m Model) leaveScreen() (Model, tea.Cmd) {
	switch m.screen {
	case screenExercise:
		return m.backToPager()
	case screenChecklist:
		if m.checklistFrom == screenPager {
			return m.backToPager()
		}
		return m.show(m.checklistFrom), nil
	case screenPacks:
		return m.show(screenList), nil
	case screenPager:
		if m.backToExercise {
			m.backToExercise = false
			save := m.savePosition()
			next, cmd := m.openLesson(m.exerciseLesson, -1)
			return next.show(screenExercise), tea.Batch(save, cmd)
		}
		return m.backToList()
	}
	return m, nil
}

// openExercise shows the exercise screen of the open lesson.
func (m Model) openExercise() (Model, tea.Cmd) {
	l := m.pager.lesson
	if m.cfg.Checker == nil || l == nil || l.Exercise == nil {
		return m, nil
	}
	save := m.savePosition()
	open := m.ex.Open(l, m.exercisePassed(l.Exercise.ID), m.hints[l.ID])
	return m.show(screenExercise), tea.Batch(save, open)
}

func (m Model) exercisePassed(id string) bool {
	ep := m.progress.Exercises[id]
	return ep != nil && ep.PassedAt != nil
}

// quit saves the reading position first, so a restart returns to it. Work
// that made containers is cancelled, and the program ends once they are
// gone (see Update).
func (m *Model) quit() tea.Cmd {
	if m.quitting {
		// A second q while cleaning up: leave now. The command that
		// started the TUI still removes this session's containers.
		return tea.Quit
	}
	// The reading position is saved whatever else has to finish first.
	var save tea.Cmd
	switch {
	case m.screen == screenPager || m.screen == screenExercise || m.screen == screenChecklist:
		save = m.savePosition()
	case m.screen == screenList && m.progress.Current != "":
		// Back on the list: reopening starts on the list, not in a lesson.
		save = m.saver().save(func(p Progress) error { return p.CloseLesson() })
	}
	shutdown := tea.Batch(m.ex.Shutdown(), m.cl.Shutdown())
	if m.ex.Working() || m.cl.Working() {
		m.quitting = true
		return tea.Batch(save, shutdown)
	}
	if save != nil {
		return tea.Sequence(save, tea.Quit)
	}
	return tea.Quit
}

// switchTo replaces the pack and everything that depends on it.
func (m Model) switchTo(s PackSession, facts workspaceFacts) (Model, tea.Cmd) {
	// The picker refuses to switch while work runs; this only ends watching.
	stop := m.ex.Shutdown()
	m.gen++
	m.usePack(s, facts)
	m.list.ResetFilter()
	m.list.Select(0)
	cmd := m.refreshList()
	m.screen = screenList
	m.layout()
	return m, tea.Batch(stop, cmd)
}

// currentPackRef is the Ref of the open pack in the picker's terms.
func (m Model) currentPackRef() string {
	if m.cfg.Pack.Source == course.BuiltinSource {
		return ""
	}
	return m.cfg.Pack.ID
}

// layout gives each part its share of the window.
func (m *Model) layout() {
	if m.width == 0 {
		return
	}
	m.help.Width = m.width
	footer := m.footerHeight()
	// The status bar takes a second line for a daemon problem's advice.
	status := lipgloss.Height(m.statusView())
	switch m.screen {
	case screenList:
		// header (title + progress), notices, filter line, list,
		// pagination, help, status bar
		used := 2 + len(m.noticeLines()) + 1 + 1 + footer + status
		m.list.SetSize(m.width, max(2, m.height-used))
	case screenPager:
		m.pager.setSize(m.width, max(1, m.height-1-footer-status))
	case screenExercise, screenChecklist:
		m.active().SetSize(m.width, max(6, m.height-footer-status))
	case screenPacks:
		m.active().SetSize(m.width, max(4, m.height-footer-status))
	}
	m.bar.Width = min(30, max(10, m.width/4))
}

func (m Model) footerHeight() int {
	return lipgloss.Height(m.helpView())
}

func (m Model) helpView() string {
	var km help.KeyMap = m.listKeys
	switch c := m.active(); {
	case c != nil:
		km = c.KeyMap()
	case m.screen == screenPager:
		km = m.pager.keys
	case m.list.SettingFilter():
		// ? and q are letters of the filter now.
		km = m.listKeys.whileFiltering()
	}
	if m.fullHelp {
		return fittedFullHelp(m.help, km.FullHelp(), m.helpLines())
	}
	return fittedShortHelp(m.help, km.ShortHelp())
}

// helpLines is how tall the full help may be: a third of the window, so
// that on a small one the screen keeps its title and most of its lines.
func (m Model) helpLines() int { return max(1, m.height/3) }

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
	switch c := m.active(); {
	case c != nil:
		help := m.helpView()
		share := m.height - lipgloss.Height(help) - 1
		body = lipgloss.JoinVertical(lipgloss.Left, keepToHeight(c.View(), share), help)
	case m.screen == screenPager:
		body = lipgloss.JoinVertical(lipgloss.Left, m.pager.headerView(m.width), m.pager.view(), m.helpView())
	default:
		body = m.listView()
	}
	return lipgloss.JoinVertical(lipgloss.Left, body, m.statusView())
}

// keepToHeight cuts a screen that drew more lines than its share, keeping
// its first lines (the title) and its last (the screen's own status line):
// a view taller than the window scrolls the terminal and loses the title
// row for good.
func keepToHeight(view string, height int) string {
	lines := strings.Split(view, "\n")
	if height < 1 || len(lines) <= height {
		return view
	}
	return strings.Join(append(lines[:height-1:height-1], lines[len(lines)-1]), "\n")
}

// statusView is the bottom line: the Docker daemon's state and whether
// progress is being saved.
func (m Model) statusView() string {
	st := m.common.st
	var docker string
	switch {
	case m.cfg.Probe == nil:
		docker = st.muted.Render("docker: not checked")
	case !m.daemonProbed:
		docker = st.muted.Render("docker: checking…")
	case m.daemon.Connected:
		docker = st.ok.Render("● docker") + st.muted.Render(" connected · "+termsafe.Line(m.daemon.Version))
	}
	right := ""
	if m.readOnly {
		right = st.warn.Render("read-only progress")
	}
	room := m.width - ansi.StringWidth(right) - 1
	if m.cfg.Probe != nil && m.daemonProbed && !m.daemon.Connected {
		// Two lines at most: the reason or the problem, and the advice.
		lines := m.daemonProblemLines(room)
		if len(lines) > 1 {
			gap := max(1, m.width-ansi.StringWidth(lines[0])-ansi.StringWidth(right))
			return lines[0] + strings.Repeat(" ", gap) + right + "\n" + lines[1]
		}
		docker = lines[0]
	}
	docker = ansi.Truncate(docker, max(0, room), "…")
	gap := max(1, m.width-ansi.StringWidth(docker)-ansi.StringWidth(right))
	return ansi.Truncate(docker+strings.Repeat(" ", gap)+right, m.width, "")
}

// daemonProblemLines are why the daemon cannot be used and what to do, in
// lines of room columns: the reason and the adapter's advice when they fit
// in two, else the problem in a few words and the advice, which is what
// the learner acts on (the check panel shows the whole reason).
func (m Model) daemonProblemLines(room int) []string {
	st := m.common.st
	reason, advice := termsafe.Line(m.daemon.Reason), termsafe.Line(m.daemon.Advice)
	text := st.bad.Render("○ "+reason) + st.muted.Render(". "+advice)
	lines := strings.Split(ansi.Wrap(text, max(10, room), " "), "\n")
	if len(lines) > 2 && m.daemon.Problem != "" {
		text = st.bad.Render("○ "+termsafe.Line(m.daemon.Problem)) + st.muted.Render(": "+advice)
		lines = strings.Split(ansi.Wrap(text, max(10, room), " "), "\n")
	}
	if len(lines) > 2 {
		lines = []string{lines[0], ansi.Truncate(strings.Join(lines[1:], " "), room, "…")}
	}
	return lines
}
