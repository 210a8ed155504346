package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/termsafe"
)

// Checker runs an exercise's checks against the learner's image and
// records the attempt in their progress. onEvent reports each check as it
// starts and finishes. An error means nothing could be judged at all (no
// daemon, say); it should read as advice.
type Checker interface {
	Check(ctx context.Context, ex *course.Exercise, onEvent func(check.Event)) (check.Report, error)
	// Describe says what is checked, e.g. "task-api:prod · ./Dockerfile".
	Describe() string
}

// checkKeys are the check panel's bindings.
type checkKeys struct {
	Up, Down, Run, Cancel, Back, Help, Quit key.Binding
}

func newCheckKeys() checkKeys {
	return checkKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous check")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/↑", "select check")),
		Run:    key.NewBinding(key.WithKeys("r", "c"), key.WithHelp("r", "run again")),
		Cancel: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel run")),
		Back:   key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back to lesson")),
		Help:   key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:   key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp implements help.KeyMap.
func (k checkKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.Run, k.Back, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k checkKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down}, {k.Run, k.Cancel}, {k.Back, k.Help, k.Quit}}
}

// checkRow is one declared check and what is known of it so far.
type checkRow struct {
	decl    course.Check
	title   string
	running bool
	done    bool
	result  check.Result
}

// checkPanel shows the live verdict of an exercise's checks.
type checkPanel struct {
	st       styles
	keys     checkKeys
	spin     spinner.Model
	width    int
	height   int
	exercise *course.Exercise
	lesson   *course.Lesson
	pack     *course.Pack
	rows     []checkRow
	selected int

	running bool
	cancel  context.CancelFunc
	events  chan tea.Msg
	// runID tells the messages of a cancelled run from the current one.
	runID    int
	started  time.Time
	report   *check.Report
	runErr   string
	canceled bool
}

func newCheckPanel(st styles, pack *course.Pack) checkPanel {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	return checkPanel{st: st, keys: newCheckKeys(), spin: sp, pack: pack}
}

// Messages of a check run.
type (
	checkEventMsg struct {
		runID int
		ev    check.Event
	}
	checkDoneMsg struct {
		runID  int
		report check.Report
		err    error
	}
)

// start resets the panel for ex and returns the command that runs it.
func (c *checkPanel) start(checker Checker, l *course.Lesson) tea.Cmd {
	if c.cancel != nil {
		c.cancel()
	}
	ex := l.Exercise
	c.exercise, c.lesson = ex, l
	c.rows = make([]checkRow, len(ex.Checks))
	for i, d := range ex.Checks {
		c.rows[i] = checkRow{decl: d, title: d.ID}
	}
	if c.selected >= len(c.rows) {
		c.selected = 0
	}
	c.running, c.report, c.runErr, c.canceled = true, nil, "", false
	c.started = time.Now()
	c.runID++
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	events := make(chan tea.Msg, len(ex.Checks)*2+1)
	c.events = events
	id := c.runID
	go func() {
		defer cancel()
		rep, err := checker.Check(ctx, ex, func(ev check.Event) { events <- checkEventMsg{runID: id, ev: ev} })
		events <- checkDoneMsg{runID: id, report: rep, err: err}
		close(events)
	}()
	return tea.Batch(waitForCheck(events), c.spin.Tick)
}

// waitForCheck delivers the next message of a run.
func waitForCheck(events chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-events
		if !ok {
			return nil
		}
		return msg
	}
}

// stop cancels a run in progress; the engine removes its containers.
func (c *checkPanel) stop() {
	if c.running && c.cancel != nil {
		c.cancel()
		c.canceled = true
	}
}

func (c *checkPanel) onEvent(msg checkEventMsg) tea.Cmd {
	if msg.runID != c.runID {
		return nil
	}
	ev := msg.ev
	if ev.Index >= 0 && ev.Index < len(c.rows) {
		row := &c.rows[ev.Index]
		if ev.Title != "" {
			row.title = ev.Title
		}
		switch ev.Type {
		case check.EventStarted:
			row.running = true
		case check.EventFinished:
			row.running, row.done, row.result = false, true, ev.Result
		}
	}
	return waitForCheck(c.events)
}

func (c *checkPanel) onDone(msg checkDoneMsg) bool {
	if msg.runID != c.runID {
		return false
	}
	c.running = false
	if msg.err != nil {
		c.runErr = termsafe.Line(msg.err.Error())
		return false
	}
	rep := msg.report
	c.report = &rep
	for i, r := range rep.Results {
		if i < len(c.rows) {
			c.rows[i].done, c.rows[i].running, c.rows[i].result = true, false, r
			if r.Title != "" {
				c.rows[i].title = r.Title
			}
		}
	}
	// Show the first thing to fix.
	for i, row := range c.rows {
		if row.result.Status == check.StatusFail || row.result.Status == check.StatusError {
			c.selected = i
			break
		}
	}
	return true
}

func (c *checkPanel) move(delta int) {
	if len(c.rows) == 0 {
		return
	}
	c.selected = (c.selected + delta + len(c.rows)) % len(c.rows)
}

func (c checkPanel) mark(row checkRow) string {
	switch {
	case row.running:
		return c.spin.View()
	case !row.done:
		return c.st.muted.Render("·")
	}
	switch row.result.Status {
	case check.StatusPass:
		return c.st.ok.Render("✓")
	case check.StatusFail:
		return c.st.bad.Render("✗")
	case check.StatusWarn:
		return c.st.warn.Render("!")
	case check.StatusSkip:
		return c.st.muted.Render("-")
	default:
		return c.st.warn.Render("?")
	}
}

func (c checkPanel) headerView() string {
	left := c.st.title.Render(fmt.Sprintf("Exercise %s · %s", termsafe.Line(c.exercise.ID), termsafe.Line(c.exercise.Title)))
	return ansi.Truncate(left, c.width, "…")
}

// view draws the checks, the selected check's evidence and hint, and the
// overall verdict, in height lines.
func (c checkPanel) view(target string) string {
	w := c.width
	lines := []string{c.headerView(), c.st.muted.Render(ansi.Truncate("checking "+target, w, "…")), ""}
	for i, row := range c.rows {
		cursor := "  "
		if i == c.selected {
			cursor = c.st.selected.Render("› ")
		}
		level := "required"
		if !row.decl.Required() {
			level = "advisory"
		}
		right := level
		if row.done {
			right = fmt.Sprintf("%s · %s", level, row.result.Duration.Round(100*time.Millisecond))
		}
		title := termsafe.Line(row.title)
		if i == c.selected {
			title = c.st.selected.Render(title)
		}
		left := cursor + c.mark(row) + " " + title
		right = c.st.muted.Render(right)
		gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
		if gap < 1 {
			left = ansi.Truncate(left, max(0, w-ansi.StringWidth(right)-2), "…")
			gap = max(1, w-ansi.StringWidth(left)-ansi.StringWidth(right))
		}
		lines = append(lines, left+strings.Repeat(" ", gap)+right)
	}
	lines = append(lines, c.st.muted.Render(strings.Repeat("─", w)))
	footer := c.verdictView()
	room := c.height - len(lines) - lipgloss.Height(footer)
	detail := c.detailLines()
	if len(detail) > room {
		detail = append(detail[:max(0, room-1)], c.st.muted.Render("  … (widen the window or run `shipshape check "+c.exercise.ID+"` for everything)"))
	}
	lines = append(lines, detail...)
	for len(lines) < c.height-lipgloss.Height(footer) {
		lines = append(lines, "")
	}
	lines = append(lines, footer)
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], w, "")
	}
	return strings.Join(lines, "\n")
}

// detailLines are the selected check's evidence, hint and lesson.
func (c checkPanel) detailLines() []string {
	if c.runErr != "" {
		return wrapLines(c.st.bad.Render("Could not check: ")+c.runErr, c.width, "")
	}
	if len(c.rows) == 0 {
		return nil
	}
	row := c.rows[c.selected]
	var out []string
	out = append(out, c.st.header.Render(termsafe.Line(row.title))+c.st.muted.Render(" ("+row.decl.Kind+")"))
	if !row.done {
		if row.running {
			return append(out, c.st.muted.Render("  running…"))
		}
		return append(out, c.st.muted.Render("  waiting…"))
	}
	for _, e := range row.result.Evidence {
		out = append(out, wrapLines("• "+termsafe.Line(e), c.width-2, "  ")...)
	}
	if row.result.Status != check.StatusPass && row.result.Hint != "" {
		out = append(out, wrapLines(c.st.warn.Render("hint: ")+termsafe.Line(row.result.Hint), c.width-2, "  ")...)
	}
	if row.result.Status != check.StatusPass && row.decl.Lesson != "" {
		out = append(out, c.st.muted.Render("  learn: "+c.lessonRef(row.decl)))
	}
	return out
}

// lessonRef names the lesson a check links to by its title and heading.
func (c checkPanel) lessonRef(d course.Check) string {
	id, anchor := d.LessonRef()
	if c.pack == nil {
		return termsafe.Line(d.Lesson)
	}
	i := c.pack.Index(id)
	if i < 0 {
		return termsafe.Line(d.Lesson)
	}
	ref := fmt.Sprintf("lesson %d, %q", i+1, termsafe.Line(c.pack.Lessons[i].Title))
	if anchor != "" {
		ref += " › " + termsafe.Line(anchor)
	}
	return ref
}

func (c checkPanel) verdictView() string {
	switch {
	case c.running && c.canceled:
		return c.st.warn.Render("cancelling: removing the containers this run made…")
	case c.running:
		done := 0
		for _, r := range c.rows {
			if r.done {
				done++
			}
		}
		return c.st.muted.Render(fmt.Sprintf("%s %d of %d checks done · %s", c.spin.View(), done, len(c.rows), time.Since(c.started).Round(time.Second)))
	case c.runErr != "":
		return c.st.bad.Render("not judged: fix the problem above, then press r")
	case c.report == nil:
		return ""
	}
	failed, warned := 0, 0
	for _, r := range c.report.Results {
		switch {
		case r.Required && r.Status != check.StatusPass:
			failed++
		case r.Status == check.StatusWarn:
			warned++
		}
	}
	dur := c.report.Duration.Round(100 * time.Millisecond)
	switch c.report.Outcome() {
	case check.OutcomePassed:
		msg := fmt.Sprintf("✓ exercise %s passed in %s", c.exercise.ID, dur)
		if warned > 0 {
			msg += fmt.Sprintf(" · %d advisory note(s)", warned)
		}
		return c.st.ok.Render(msg)
	case check.OutcomeFailed:
		return c.st.bad.Render(fmt.Sprintf("✗ %d required check(s) not passed · %s · fix and press r", failed, dur))
	default:
		return c.st.warn.Render(fmt.Sprintf("? %d required check(s) could not be judged · %s", failed, dur))
	}
}

// wrapLines wraps s to width and indents continuation lines.
func wrapLines(s string, width int, indent string) []string {
	if width < 10 {
		width = 10
	}
	wrapped := ansi.Wrap(s, width-len(indent), " ")
	out := strings.Split(wrapped, "\n")
	for i := range out {
		out[i] = indent + out[i]
	}
	return out
}
