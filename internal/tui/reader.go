package tui

import (
	"errors"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"shipshape/internal/course"
	store "shipshape/internal/progress"
	"shipshape/internal/render"
	"shipshape/internal/termsafe"
)

// The lesson reader's part of the root model: opening lessons, rendering
// them in the background, hints, and saving where the learner is.

// document is the Markdown shown for l, with the hints revealed so far.
func (m Model) document(l *course.Lesson) string {
	return l.Document(m.hints[l.ID])
}

func (m Model) renderCmd(l *course.Lesson, width int) tea.Cmd {
	r, style := m.common.renderer, m.common.renderStyle
	doc := m.document(l)
	return func() tea.Msg {
		out, err := r.RenderDoc(l.ID, doc, width, style)
		return renderedMsg{lessonID: l.ID, width: width, doc: doc, content: out, err: err}
	}
}

func (m Model) updatePager(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.pager.keys
	m.pager.notice = ""
	switch {
	case key.Matches(msg, k.Copy):
		return m.copyBlock()
	case key.Matches(msg, k.Back):
		return m.leaveScreen()
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
	case key.Matches(msg, k.Checklist):
		save := m.savePosition()
		return m.show(screenChecklist), save
	}
	moved := m.pager.handleKey(msg)
	return m.scrolled(moved)
}

// backToList leaves the reader for the list, on the lesson just read.
func (m Model) backToList() (Model, tea.Cmd) {
	save := m.savePosition()
	m.selectLesson(m.pager.index)
	return m.show(screenList), save
}

// backToPager shows the reader again; the window may have changed size
// while another screen showed, so the lesson is rendered for it (from the
// cache when it has not).
func (m Model) backToPager() (Model, tea.Cmd) {
	m = m.show(screenPager)
	cmd := m.requestRender()
	return m, cmd
}

// revealHint shows the next hint of an exercise lesson and scrolls to it.
func (m Model) revealHint() (Model, tea.Cmd) {
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
	return m, tea.Batch(cmd, m.saveHints(l.Exercise.ID, hints[l.ID]))
}

// hintRevealedMsg says the exercise screen revealed a hint.
type hintRevealedMsg struct {
	lessonID, exerciseID string
	n                    int
}

// hintRevealed keeps a hint the exercise screen revealed, for the reader
// and for the next start.
func (m Model) hintRevealed(msg hintRevealedMsg) (Model, tea.Cmd) {
	if msg.n <= m.hints[msg.lessonID] {
		return m, nil
	}
	hints := make(map[string]int, len(m.hints))
	for k, v := range m.hints {
		hints[k] = v
	}
	hints[msg.lessonID] = msg.n
	m.hints = hints
	return m, m.saveHints(msg.exerciseID, msg.n)
}

func (m Model) saveHints(exerciseID string, n int) tea.Cmd {
	return m.saver().save(func(p Progress) error { return p.RevealHints(exerciseID, n) })
}

// revealedHints are the hints the progress says were revealed, by lesson.
func revealedHints(pack *course.Pack, st store.State) map[string]int {
	out := map[string]int{}
	for _, l := range pack.Lessons {
		if l.Exercise == nil {
			continue
		}
		if ep := st.Exercises[l.Exercise.ID]; ep != nil && ep.HintsRevealed > 0 {
			out[l.ID] = min(ep.HintsRevealed, len(l.Exercise.Hints))
		}
	}
	return out
}

// openLessonAt opens the lesson a check links to, at the heading named.
func (m Model) openLessonAt(msg openLessonMsg) (Model, tea.Cmd) {
	i := m.cfg.Pack.Index(msg.lessonID)
	if i < 0 {
		return m, nil
	}
	save := m.savePosition()
	from, fromExercise := m.pager.index, m.screen == screenExercise
	next, cmd := m.openLesson(i, 0)
	next.backToExercise, next.exerciseLesson = fromExercise, from
	next.pager.openAtHeading(msg.heading)
	// A cached render is on screen already: place it now.
	next.pager.placeHeading()
	return next, tea.Batch(save, cmd)
}

// scrolled follows a scroll: it marks the lesson read at its end and saves
// the position once scrolling pauses, not on every line.
func (m Model) scrolled(moved bool) (Model, tea.Cmd) {
	if !moved {
		return m, nil
	}
	m.pager.moveSeq++
	seq := m.pager.moveSeq
	due := tea.Tick(m.cfg.PositionDelay, func(time.Time) tea.Msg { return positionSaveDueMsg{seq: seq} })
	return m, tea.Batch(due, m.markReadIfAtEnd())
}

func (m Model) switchLesson(i int) (Model, tea.Cmd) {
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
	m.pager.open(l, i, len(m.cfg.Pack.Lessons), offset)
	m = m.show(screenPager)
	id := l.ID
	opened := m.saver().save(func(p Progress) error { return p.OpenLesson(id) })
	return m, tea.Batch(opened, m.requestRender())
}

// requestRender shows a cached render at once, or asks for one in the
// background while the previous content stays on screen.
func (m *Model) requestRender() tea.Cmd {
	l := m.pager.lesson
	if l == nil || m.pager.contentWidth() <= 0 {
		return nil
	}
	w := m.pager.contentWidth()
	if out, ok := m.common.renderer.CachedDoc(l.ID, m.document(l), w, m.common.renderStyle); ok {
		m.pager.setContent(l.ID, w, out)
		return m.markReadIfAtEnd()
	}
	m.pager.rendering = true
	return m.renderCmd(l, w)
}

func (m Model) onRendered(msg renderedMsg) (Model, tea.Cmd) {
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
		m.pager.setContent(msg.lessonID, msg.width, render.Doc{Text: m.common.st.bad.Render("This lesson could not be rendered: " + termsafe.Line(msg.err.Error()))})
		return m, nil
	}
	m.pager.setContent(msg.lessonID, msg.width, msg.content)
	return m, m.markReadIfAtEnd()
}

// copyBlock copies the code block the reader marks (the first one on
// screen) to the clipboard; copiedMsg says how it went.
func (m Model) copyBlock() (Model, tea.Cmd) {
	b, ok := m.pager.currentBlock()
	switch {
	case !ok:
		m.pager.notice = "no code block on screen to copy"
		return m, nil
	case m.cfg.Clipboard == nil:
		m.pager.notice = "copying is not available here"
		return m, nil
	}
	return m, copyCmd(m.cfg.Clipboard, b)
}

func (m Model) onCopied(msg copiedMsg) (Model, tea.Cmd) {
	m.pager.notice = termsafe.Line(copiedNotice(msg))
	return m, nil
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
	return m.saver().save(func(p Progress) error { return p.MarkRead(id) })
}

// savePosition saves where the open lesson is scrolled to.
func (m Model) savePosition() tea.Cmd {
	l := m.pager.lesson
	if l == nil || !m.pager.ready() {
		return nil
	}
	id, offset := l.ID, m.pager.offset()
	return m.saver().save(func(p Progress) error { return p.SetPosition(id, offset) })
}
