package tui

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/human"
	"shipshape/internal/summary"
	"shipshape/internal/termsafe"
)

// lessonItem is one row of the lesson list.
type lessonItem struct {
	index    int
	standing summary.Lesson
	// title and summary are sanitized once here, not on every frame.
	title, summary string
}

// FilterValue implements list.Item: filtering matches titles, summaries and
// exercise ids such as "3.2".
func (i lessonItem) FilterValue() string {
	v := i.title + " " + i.summary
	if ex := i.standing.Lesson.Exercise; ex != nil {
		v += " " + ex.ID
	}
	return v
}

// lessonItems builds the list rows for a pack's standing.
func lessonItems(sum summary.Summary) []list.Item {
	items := make([]list.Item, len(sum.Lessons))
	for i, ls := range sum.Lessons {
		items[i] = lessonItem{index: i, standing: ls,
			title: termsafe.Line(ls.Lesson.Title), summary: termsafe.Line(ls.Lesson.Summary)}
	}
	return items
}

// lessonDelegate draws a row in two lines: state, number and title; then
// the summary.
type lessonDelegate struct{ st styles }

func (d lessonDelegate) Height() int                         { return 2 }
func (d lessonDelegate) Spacing() int                        { return 0 }
func (d lessonDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }

func (d lessonDelegate) Render(w io.Writer, m list.Model, index int, item list.Item) {
	it, ok := item.(lessonItem)
	if !ok {
		return
	}
	width := m.Width()
	selected := index == m.Index()
	cursor := "  "
	if selected {
		cursor = d.st.selected.Render("› ")
	}
	mark, label := d.stateMark(it.standing)
	title := fmt.Sprintf("%02d  %s", it.index+1, it.title)
	if selected {
		title = d.st.selected.Render(title)
	}
	right := label
	if ex := it.standing.Lesson.Exercise; ex != nil {
		right = "exercise " + ex.ID + " · " + label
	}
	right = d.st.muted.Render(right)
	left := cursor + mark + " " + title
	gap := width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		left = ansi.Truncate(left, max(0, width-ansi.StringWidth(right)-2), "…")
		gap = max(1, width-ansi.StringWidth(left)-ansi.StringWidth(right))
	}
	line1 := left + strings.Repeat(" ", gap) + right
	sub := fmt.Sprintf("%s · %d min", it.summary, it.standing.Lesson.Minutes)
	line2 := "       " + d.st.muted.Render(ansi.Truncate(sub, max(0, width-8), "…"))
	fmt.Fprint(w, ansi.Truncate(line1, width, "")+"\n"+ansi.Truncate(line2, width, ""))
}

// stateMark is the glyph and word for a lesson's state. For an exercise
// lesson the checks say more than the reading does.
func (d lessonDelegate) stateMark(ls summary.Lesson) (string, string) {
	if ls.Lesson.Exercise != nil {
		switch {
		case ls.State == summary.Passed:
			return d.st.ok.Render("✓"), "passed"
		case ls.Attempts > 0:
			return d.st.warn.Render("◐"), "checked · not passed yet"
		}
	}
	switch ls.State {
	case summary.Read:
		if ls.Lesson.Exercise != nil {
			return d.st.ok.Render("●"), "read · not checked"
		}
		return d.st.ok.Render("●"), "read"
	case summary.Opened:
		return d.st.warn.Render("◐"), "started"
	default:
		return d.st.muted.Render("○"), "not started"
	}
}

// newLessonList makes the bubbles list with our delegate; its own title,
// filter line, status bar, pagination and help are off because the root
// model draws those. The list's own filter line and pagination change
// height with the filter's state, and the list sizes its pages from the
// height they had before the change: after a filter was cleared the list
// was one line taller than its share and pushed the title off the screen.
// Drawn here, each is always one line.
func newLessonList(st styles) list.Model {
	l := list.New(nil, lessonDelegate{st: st}, 0, 0)
	l.SetShowTitle(false)
	l.SetShowFilter(false)
	l.SetShowHelp(false)
	l.SetShowStatusBar(false)
	l.SetShowPagination(false)
	l.SetFilteringEnabled(true)
	l.DisableQuitKeybindings()
	l.FilterInput.Prompt = "Filter: "
	return l
}

// The lesson list's part of the root model.

func (m Model) updateList(msg tea.KeyMsg) (Model, tea.Cmd) {
	// While the filter is being typed, every key belongs to it but enter,
	// which opens the lesson selected.
	if m.list.SettingFilter() {
		if key.Matches(msg, m.listKeys.Open) {
			return m.openFromFilter()
		}
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		return m, cmd
	}
	switch {
	case key.Matches(msg, m.listKeys.ClearFilter) && m.list.FilterState() == list.FilterApplied:
		// Showing every lesson again keeps the cursor on the lesson it was on.
		it, _ := m.list.SelectedItem().(lessonItem)
		m.list.ResetFilter()
		m.list.Select(it.index)
		return m, nil
	case key.Matches(msg, m.listKeys.Checklist):
		return m.show(screenChecklist), nil
	case key.Matches(msg, m.listKeys.Packs):
		if m.cfg.Packs == nil {
			return m, nil
		}
		cmd := m.packs.Open(m.currentPackRef())
		return m.show(screenPacks), cmd
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

// openFromFilter applies the filter being typed and opens the lesson
// selected, in one key. The matches are computed here, not by the list's
// background filter: the learner may press enter before it answered.
func (m Model) openFromFilter() (Model, tea.Cmd) {
	if value := m.list.FilterValue(); value == "" {
		m.list.ResetFilter()
	} else {
		m.list.SetFilterText(value)
		if len(m.list.VisibleItems()) == 0 {
			// Nothing to open: the learner goes on typing.
			m.list.SetFilterState(list.Filtering)
			return m, nil
		}
		m.list.FilterInput.Blur()
	}
	if it, ok := m.list.SelectedItem().(lessonItem); ok {
		return m.openLesson(it.index, -1)
	}
	return m, nil
}

// selectLesson puts the list's cursor on lesson i. A filter that hides the
// lesson is cleared: the learner comes back to where they were.
func (m *Model) selectLesson(i int) {
	if m.list.FilterState() != list.Unfiltered {
		for pos, it := range m.list.VisibleItems() {
			if li, ok := it.(lessonItem); ok && li.index == i {
				m.list.Select(pos)
				return
			}
		}
		m.list.ResetFilter()
	}
	m.list.Select(i)
}

// refreshList rebuilds the rows from the progress. An active filter is
// applied to the new rows here: SetItems alone would empty the rows shown
// until its background refilter came back, and SetItem writes, in place,
// the rows a refilter still running reads (a data race).
func (m *Model) refreshList() tea.Cmd {
	m.sum = summary.Of(m.cfg.Pack, m.progress)
	items := lessonItems(m.sum)
	state := m.list.FilterState()
	if state == list.Unfiltered {
		sel := m.list.Index()
		cmd := m.list.SetItems(items)
		m.list.Select(sel)
		return cmd
	}
	selected, _ := m.list.SelectedItem().(lessonItem)
	_ = m.list.SetItems(items) // its background refilter is not needed
	m.list.SetFilterText(m.list.FilterValue())
	if state == list.Filtering {
		m.list.SetFilterState(list.Filtering) // the learner is still typing
	}
	for pos, it := range m.list.VisibleItems() {
		if it.(lessonItem).index == selected.index {
			m.list.Select(pos)
		}
	}
	return nil
}

func (m Model) listView() string {
	st := m.common.st
	title := st.title.Render(termsafe.Line(m.cfg.Pack.Title))
	right := fmt.Sprintf("%s %d/%d done", m.bar.ViewAs(m.sum.Percent()), m.sum.Done, m.sum.Total)
	gap := max(1, m.width-ansi.StringWidth(title)-ansi.StringWidth(right))
	header := ansi.Truncate(title+strings.Repeat(" ", gap)+right, m.width, "")
	sub := st.muted.Render(ansi.Truncate(fmt.Sprintf("%s · %s · pack %s %s",
		human.Count(len(m.cfg.Pack.Lessons), "lesson"), human.Count(len(m.cfg.Pack.Exercises()), "exercise"),
		termsafe.Line(m.cfg.Pack.ID), termsafe.Line(m.cfg.Pack.Version)), m.width, "…"))
	parts := []string{header, sub}
	parts = append(parts, m.noticeLines()...)
	parts = append(parts, m.filterLine(), m.list.View(), m.paginationLine(), m.helpView())
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// filterLine is the line above the rows: the filter being typed, the filter
// applied (so a short list never looks like the whole course), or blank.
func (m Model) filterLine() string {
	st := m.common.st
	var s string
	switch m.list.FilterState() {
	case list.Filtering:
		s = m.list.FilterInput.View()
		if len(m.list.VisibleItems()) == 0 {
			s += st.warn.Render("  no lesson matches")
		}
	case list.FilterApplied:
		s = st.muted.Render(fmt.Sprintf("Filter: %s · %d of %s · esc shows all",
			termsafe.Line(m.list.FilterValue()), len(m.list.VisibleItems()), human.Count(len(m.list.Items()), "lesson")))
	}
	return ansi.Truncate(s, m.width, "…")
}

// paginationLine shows the list's pages when there is more than one.
func (m Model) paginationLine() string {
	p := m.list.Paginator
	if p.TotalPages < 2 {
		return ""
	}
	s := "  " + p.View()
	if ansi.StringWidth(s) > m.width {
		s = fmt.Sprintf("  page %d/%d", p.Page+1, p.TotalPages)
	}
	return m.common.st.muted.Render(ansi.Truncate(s, m.width, ""))
}

// noticeLines are the notices (a damaged progress file, a read-only
// window), wrapped: what to do is at their end.
func (m Model) noticeLines() []string {
	var out []string
	for _, n := range m.visibleNotices() {
		out = append(out, wrapLines(m.common.st.warn.Render("! "+n), m.width, "")...)
	}
	return out
}
