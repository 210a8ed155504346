package tui

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

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
