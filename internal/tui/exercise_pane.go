package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/termsafe"
)

// The exercise screen's lower pane and its full-window detail view. Both
// wrap their text to the width and scroll, so that nothing that matters
// (the cause at the end of a daemon error, the last Trivy install step)
// is cut at the terminal's edge. Their content is set after every Update
// and SetSize (syncPanes); View only draws it.

// minPaneLines is the least the lower pane keeps on a small window: the
// rows of checks scroll before the evidence goes.
const minPaneLines = 3

// detailKeys are the detail view's bindings.
type detailKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Lesson, Back, Help, Quit key.Binding
}

func newDetailKeys() detailKeys {
	return detailKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", " ", "f"), key.WithHelp("pgdn", "page")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Lesson:   key.NewBinding(key.WithKeys("enter", "l"), key.WithHelp("enter", "open lesson")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp implements help.KeyMap.
func (k detailKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.PageDown, k.Lesson, k.Back, k.Help}
}

// FullHelp implements help.KeyMap.
func (k detailKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Top, k.Bottom, k.Lesson}, {k.Back, k.Help, k.Quit}}
}

// openLessonMsg asks the root to open a lesson at a heading.
type openLessonMsg struct {
	lessonID, heading string
}

// exerciseLayout is how the screen's height is shared: which check rows
// show (all, or a window around the selected one) and the pane's height.
type exerciseLayout struct {
	blank       bool
	first, last int
	pane        int
}

func (e *exerciseScreen) layout() exerciseLayout {
	// title, subtitle, the rule under the rows and the verdict line
	avail := e.height - 4
	l := exerciseLayout{blank: true, first: 0, last: len(e.rows)}
	if avail-1-len(e.rows) < minPaneLines {
		l.blank = false
	}
	rowsRoom := avail - minPaneLines
	if l.blank {
		rowsRoom--
	}
	if len(e.rows) > rowsRoom {
		n := max(1, rowsRoom)
		l.first = min(max(0, e.selected-n/2), len(e.rows)-n)
		l.last = l.first + n
	}
	l.pane = avail - (l.last - l.first)
	if l.blank {
		l.pane--
	}
	l.pane = max(1, l.pane)
	return l
}

// paneSubject names what the lower pane shows, so that a change of
// subject starts it at its top (or, for a log, its newest line).
func (e *exerciseScreen) paneSubject() string {
	switch {
	case e.confirm != confirmNone:
		return "confirm"
	case e.importing:
		return "import"
	case e.showTasks:
		return "tasks"
	case e.showLog():
		return "log:" + e.activityTitle
	}
	return fmt.Sprintf("detail:%d", e.selected)
}

func (e *exerciseScreen) showLog() bool {
	return e.showActivity || (e.op != opNone && e.op != opCheck)
}

// syncPanes gives the pane and the detail view their size and content.
func (e *exerciseScreen) syncPanes() {
	if e.width <= 0 || e.exercise == nil {
		return
	}
	l := e.layout()
	height := l.pane
	log := e.showLog() && e.confirm == confirmNone && !e.importing && !e.showTasks
	if log {
		height-- // the log's title stays above it
	}
	subject := e.paneSubject()
	wasAtBottom := e.pane.AtBottom()
	e.pane.Width, e.pane.Height = e.width, max(1, height)
	e.pane.SetContent(strings.Join(e.paneLines(), "\n"))
	switch {
	case subject != e.paneShown && log && !e.readsFromTop():
		e.pane.GotoBottom()
	case subject != e.paneShown:
		e.pane.GotoTop()
	case log && !e.readsFromTop() && wasAtBottom:
		// A log follows its newest line unless the learner scrolled back.
		e.pane.GotoBottom()
	}
	e.paneShown = subject
	if e.hintToView {
		e.pane.GotoBottom()
		e.hintToView = false
	}
	if e.detailOpen {
		e.detail.Width, e.detail.Height = e.width, max(1, e.height-3)
		e.detail.SetContent(strings.Join(e.detailContent(), "\n"))
	}
}

// paneLines is the lower pane's content, wrapped to the width.
func (e *exerciseScreen) paneLines() []string {
	switch {
	case e.confirm != confirmNone:
		return e.confirmLines()
	case e.importing:
		return e.importLines()
	case e.showTasks:
		return e.taskLines()
	case e.showLog():
		return e.activityLines()
	}
	return e.detailLines()
}

// paneRule is the rule above the pane; it says when the rows or the pane
// hold more than they show, and how to see it.
func (e *exerciseScreen) paneRule(l exerciseLayout) string {
	var parts []string
	if l.first > 0 || l.last < len(e.rows) {
		parts = append(parts, fmt.Sprintf("checks %d–%d of %d", l.first+1, l.last, len(e.rows)))
	}
	if e.pane.TotalLineCount() > e.pane.Height {
		parts = append(parts, fmt.Sprintf("%d%% · pgup/pgdn", int(e.pane.ScrollPercent()*100+0.5)))
	}
	if e.paneSubject() == fmt.Sprintf("detail:%d", e.selected) && len(e.rows) > 0 && e.rows[e.selected].done {
		parts = append(parts, "enter: details")
	}
	if len(parts) == 0 {
		return e.st.muted.Render(strings.Repeat("─", e.width))
	}
	label := " " + strings.Join(parts, " · ") + " "
	rule := max(2, e.width-ansi.StringWidth(label)-2)
	return e.st.muted.Render(ansi.Truncate(strings.Repeat("─", rule)+label+"──", e.width, ""))
}

// updatePaneKey scrolls the pane; it reports whether the key was its.
func (e *exerciseScreen) updatePaneKey(msg tea.KeyMsg) bool {
	switch {
	case key.Matches(msg, e.keys.PageUp):
		e.pane.PageUp()
	case key.Matches(msg, e.keys.PageDown):
		e.pane.PageDown()
	default:
		return false
	}
	return true
}

// openDetail shows the selected check in the full window.
func (e *exerciseScreen) openDetail() {
	if len(e.rows) == 0 {
		return
	}
	e.detailOpen = true
	e.detail = viewport.New(e.width, max(1, e.height-3))
	e.detail.KeyMap = viewport.KeyMap{}
	e.detail.SetContent(strings.Join(e.detailContent(), "\n"))
}

// updateDetail handles a key in the detail view.
func (e *exerciseScreen) updateDetail(msg tea.KeyMsg) tea.Cmd {
	k := e.dkeys
	switch {
	case key.Matches(msg, k.Back):
		e.detailOpen = false
	case key.Matches(msg, k.Up):
		e.detail.ScrollUp(1)
	case key.Matches(msg, k.Down):
		e.detail.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		e.detail.PageUp()
	case key.Matches(msg, k.PageDown):
		e.detail.PageDown()
	case key.Matches(msg, k.Top):
		e.detail.GotoTop()
	case key.Matches(msg, k.Bottom):
		e.detail.GotoBottom()
	case key.Matches(msg, k.Lesson):
		row := e.rows[e.selected]
		id, anchor := row.decl.LessonRef()
		if id == "" || e.pack == nil || e.pack.Index(id) < 0 {
			e.notice = "This check links to no lesson."
			return nil
		}
		e.detailOpen = false
		heading := e.headings[row.decl.ID]
		if heading == "" {
			heading = anchor
		}
		return func() tea.Msg { return openLessonMsg{lessonID: id, heading: heading} }
	}
	return nil
}

// detailView draws the detail view in the screen's height.
func (e *exerciseScreen) detailView() string {
	row := e.rows[e.selected]
	title := e.st.title.Render(fmt.Sprintf("Exercise %s · check %d of %d", termsafe.Line(e.exercise.ID), e.selected+1, len(e.rows)))
	lines := []string{joinEnds(title, e.st.muted.Render(row.decl.Kind), e.width), e.st.muted.Render(strings.Repeat("─", e.width))}
	lines = append(lines, strings.Split(e.detail.View(), "\n")...)
	for len(lines) < e.height-1 {
		lines = append(lines, "")
	}
	total := e.detail.TotalLineCount()
	first, last := e.detail.YOffset+1, min(total, e.detail.YOffset+e.detail.Height)
	pos := fmt.Sprintf("lines %d–%d of %d", first, last, total)
	lines = append(lines[:e.height-1], e.st.muted.Render(fmt.Sprintf("%*s", e.width, pos)))
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], e.width, "")
	}
	return strings.Join(lines, "\n")
}

// detailContent is everything known of the selected check: its verdict,
// all its evidence, its hint and the lesson it links to.
func (e *exerciseScreen) detailContent() []string {
	row := e.rows[e.selected]
	w := e.width
	out := []string{e.st.header.Render(termsafe.Line(row.title)) + " " + e.statusWord(row)}
	level := "required"
	if !row.decl.Required() {
		level = "advisory"
	}
	out = append(out, e.st.muted.Render(level+" · "+termsafe.Line(row.decl.ID)), "")
	switch {
	case row.running:
		return append(out, e.st.muted.Render("Running…"))
	case !row.done:
		return append(out, e.st.muted.Render("Not checked yet: press esc, then c."))
	}
	if len(row.result.Evidence) > 0 {
		out = append(out, e.st.header.Render("Evidence"))
	}
	for _, ev := range row.result.Evidence {
		out = append(out, wrapLines("• "+termsafe.Line(ev), w-2, "  ")...)
	}
	if row.result.Status != check.StatusPass && row.result.Hint != "" {
		out = append(out, "", e.st.header.Render("Hint"))
		out = append(out, wrapLines(termsafe.Line(row.result.Hint), w-2, "  ")...)
	}
	if row.decl.Lesson != "" {
		out = append(out, "", e.st.header.Render("Learn more"))
		out = append(out, wrapLines(e.lessonRef(row.decl)+" (enter opens it)", w-2, "  ")...)
	}
	return out
}

// statusWord is a check's verdict in a word, for the detail view.
func (e *exerciseScreen) statusWord(row checkRow) string {
	mark, word, style := e.verdict(row)
	if row.running || !row.done {
		return style.Render(word)
	}
	return style.Render(mark + " " + word)
}

// linkedHeadings names the headings ex's checks link to, by check id:
// the learner reads "› Switch to the user with USER", not its slug.
func linkedHeadings(pack *course.Pack, ex *course.Exercise) map[string]string {
	out := map[string]string{}
	if pack == nil || ex == nil {
		return out
	}
	for _, c := range ex.Checks {
		id, anchor := c.LessonRef()
		l := pack.Lesson(id)
		if l == nil || anchor == "" {
			continue
		}
		for _, h := range course.Headings(l.Body) {
			if h.Slug == anchor {
				out[c.ID] = h.Text
				break
			}
		}
	}
	return out
}
