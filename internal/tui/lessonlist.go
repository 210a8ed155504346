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
// status bar and help are off because the root model draws those.
func newLessonList(st styles) list.Model {
	l := list.New(nil, lessonDelegate{st: st}, 0, 0)
	l.SetShowTitle(false)
	l.SetShowHelp(false)
	l.SetShowStatusBar(false)
	l.SetShowPagination(true)
	l.SetFilteringEnabled(true)
	l.DisableQuitKeybindings()
	l.FilterInput.Prompt = "Filter: "
	return l
}

// The lesson list's part of the root model.

func (m Model) updateList(msg tea.KeyMsg) (Model, tea.Cmd) {
	// While the filter is being typed, every key belongs to it.
	if m.list.SettingFilter() {
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		return m, cmd
	}
	switch {
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

// refreshList rebuilds the rows from the progress; the command it returns
// re-applies an active filter to the new rows.
func (m *Model) refreshList() tea.Cmd {
	m.sum = summary.Of(m.cfg.Pack, m.progress)
	items := lessonItems(m.sum)
	if m.list.FilterState() == list.Unfiltered || len(items) != len(m.list.Items()) {
		sel := m.list.Index()
		cmd := m.list.SetItems(items)
		m.list.Select(sel)
		return cmd
	}
	// Filtered: SetItems would empty the rows shown until the refilter
	// comes back. Replace them one by one instead; the last refilter sees
	// every new row, so it is the only one needed.
	var refilter tea.Cmd
	for i, it := range items {
		refilter = m.list.SetItem(i, it)
	}
	return refilter
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
	parts = append(parts, m.list.View(), m.helpView())
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
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
