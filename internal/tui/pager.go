package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/course"
	"shipshape/internal/render"
	"shipshape/internal/termsafe"
)

// pager shows one rendered lesson in a viewport.
type pager struct {
	st    styles
	keys  pagerKeys
	vp    viewport.Model
	width int

	lesson *course.Lesson
	index  int
	total  int
	// shownID and shownWidth say what the viewport's content was rendered for.
	shownID    string
	shownWidth int
	content    string
	// pendingOffset is the scroll position to restore once content arrives.
	pendingOffset int
	rendering     bool
	// moveSeq counts scrolls so that only the last one of a burst saves.
	moveSeq int
	// canCheck is true when a checker is configured.
	canCheck bool
	// toBottom scrolls to the end once the next render arrives (a new hint).
	toBottom bool
	// blocks are the code blocks of the content shown.
	blocks []render.CodeBlock
	// notice is a one-line answer to the last key (what y copied).
	notice string
	// heading, when not empty, is the heading to scroll to once the
	// lesson's content is on screen (a check's "learn more" link).
	heading string
}

// openAtHeading scrolls to the heading named text once the content is
// shown, instead of to the saved offset.
func (p *pager) openAtHeading(text string) {
	p.heading = strings.TrimSpace(text)
}

// placeHeading scrolls to the pending heading if the content is shown: to
// the rendered line that is the heading's text (the renderer may mark it
// with a bar or "#" marks, or indent it), else the first line that holds it.
func (p *pager) placeHeading() {
	if p.heading == "" || !p.ready() {
		return
	}
	want := strings.ToLower(p.heading)
	lines := strings.Split(p.content, "\n")
	at := -1
	for i, line := range lines {
		text := strings.ToLower(strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(ansi.Strip(line)), "#█▌▏ ")))
		if text == want {
			at = i // the heading on a line of its own
			break
		}
		if at < 0 && strings.Contains(text, want) {
			at = i // a long heading wrapped, or styled differently
		}
	}
	if at >= 0 {
		p.vp.SetYOffset(at)
	}
	p.heading = ""
}

func newPager(st styles) pager {
	vp := viewport.New(0, 0)
	vp.MouseWheelEnabled = true
	vp.MouseWheelDelta = 3
	// Keys are ours (pagerKeys); the viewport's defaults would also claim
	// letters that mean something else here.
	vp.KeyMap = viewport.KeyMap{}
	return pager{st: st, keys: newPagerKeys(), vp: vp, pendingOffset: -1}
}

func (p *pager) open(l *course.Lesson, index, total, offset int) {
	p.lesson, p.index, p.total = l, index, total
	p.keys.Check.SetEnabled(l.Exercise != nil && p.canCheck)
	p.keys.Hint.SetEnabled(l.Exercise != nil)
	p.pendingOffset = offset
	p.shownID, p.shownWidth = "", 0
	p.blocks, p.notice = nil, ""
	p.vp.SetContent("")
	p.vp.SetYOffset(0)
}

func (p *pager) setSize(width, height int) {
	p.width = width
	p.vp.Width = width
	// One line below the text shows the position.
	p.vp.Height = max(1, height-1)
}

// contentWidth is the width lessons are rendered for; the renderer caps it
// at a readable maximum.
func (p pager) contentWidth() int { return p.width }

// ready reports whether the open lesson's content is on screen.
func (p pager) ready() bool { return p.lesson != nil && p.shownID == p.lesson.ID }

func (p pager) offset() int { return p.vp.YOffset }

func (p pager) atEnd() bool { return p.vp.AtBottom() }

// setContent shows a render. A render for a new width keeps the reader at
// the same relative place; the first render restores the saved offset.
func (p *pager) setContent(id string, width int, doc render.Doc) {
	prevTotal, prevOffset := p.vp.TotalLineCount(), p.vp.YOffset
	sameLesson := p.shownID == id
	p.vp.SetContent(strings.TrimRight(doc.Text, "\n"))
	p.blocks = doc.Blocks
	switch {
	case p.pendingOffset >= 0:
		p.vp.SetYOffset(p.pendingOffset)
		p.pendingOffset = -1
	case p.toBottom:
		p.vp.GotoBottom()
		p.toBottom = false
	case sameLesson && prevTotal > 0 && width != p.shownWidth:
		p.vp.SetYOffset(prevOffset * p.vp.TotalLineCount() / prevTotal)
	case sameLesson:
		p.vp.SetYOffset(prevOffset)
	}
	p.shownID, p.shownWidth = id, width
	p.content = doc.Text
	p.placeHeading()
}

// handleKey scrolls; it reports whether the position changed.
func (p *pager) handleKey(msg tea.KeyMsg) bool {
	if !p.ready() {
		return false
	}
	before := p.vp.YOffset
	switch {
	case key.Matches(msg, p.keys.Up):
		p.vp.ScrollUp(1)
	case key.Matches(msg, p.keys.Down):
		p.vp.ScrollDown(1)
	case key.Matches(msg, p.keys.PageUp):
		p.vp.PageUp()
	case key.Matches(msg, p.keys.PageDown):
		p.vp.PageDown()
	case key.Matches(msg, p.keys.HalfUp):
		p.vp.HalfPageUp()
	case key.Matches(msg, p.keys.HalfDown):
		p.vp.HalfPageDown()
	case key.Matches(msg, p.keys.Top):
		p.vp.GotoTop()
	case key.Matches(msg, p.keys.Bottom):
		p.vp.GotoBottom()
	}
	return p.vp.YOffset != before
}

func (p *pager) handleMouse(msg tea.MouseMsg) bool {
	if !p.ready() {
		return false
	}
	before := p.vp.YOffset
	p.vp, _ = p.vp.Update(msg)
	return p.vp.YOffset != before
}

func (p pager) headerView(width int) string {
	if p.lesson == nil {
		return ""
	}
	left := p.st.title.Render(termsafe.Line(p.lesson.Title))
	meta := fmt.Sprintf("lesson %d/%d · %d min", p.index+1, p.total, p.lesson.Minutes)
	if ex := p.lesson.Exercise; ex != nil {
		meta = "exercise " + termsafe.Line(ex.ID) + " · " + meta
	}
	right := p.st.muted.Render(meta)
	gap := width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		left = ansi.Truncate(left, max(0, width-ansi.StringWidth(right)-2), "…")
		gap = max(1, width-ansi.StringWidth(left)-ansi.StringWidth(right))
	}
	return ansi.Truncate(left+strings.Repeat(" ", gap)+right, width, "")
}

func (p pager) view() string {
	if !p.ready() {
		lines := make([]string, p.vp.Height+1)
		if p.lesson != nil {
			lines[0] = p.st.muted.Render("Rendering…")
		}
		return strings.Join(lines, "\n")
	}
	return p.markBlock(p.vp.View()) + "\n" + p.positionView()
}

// currentBlock is the code block y copies: the first one on screen.
func (p pager) currentBlock() (render.CodeBlock, bool) {
	top, bottom := p.vp.YOffset, p.vp.YOffset+p.vp.Height
	for _, b := range p.blocks {
		if b.End > top && b.Start < bottom {
			return b, true
		}
	}
	return render.CodeBlock{}, false
}

// markBlock draws a bar left of the screen lines of the current block,
// so the learner sees which block y copies. Code is indented, so the
// first column is a space there.
func (p pager) markBlock(view string) string {
	b, ok := p.currentBlock()
	if !ok {
		return view
	}
	lines := strings.Split(view, "\n")
	for i := max(b.Start-p.vp.YOffset, 0); i < min(b.End-p.vp.YOffset, len(lines)); i++ {
		if strings.HasPrefix(lines[i], " ") {
			lines[i] = p.st.muted.Render("▎") + lines[i][1:]
		}
	}
	return strings.Join(lines, "\n")
}

func (p pager) positionView() string {
	total := p.vp.TotalLineCount()
	first := p.vp.YOffset + 1
	last := min(total, p.vp.YOffset+p.vp.Height)
	pct := int(p.vp.ScrollPercent()*100 + 0.5)
	if total <= p.vp.Height {
		pct = 100
	}
	s := fmt.Sprintf("lines %d–%d of %d · %d%%", first, last, total, pct)
	if p.index+1 < p.total && p.vp.AtBottom() {
		s += " · n: next lesson"
	}
	left := p.notice
	if b, ok := p.currentBlock(); ok && left == "" {
		left = fmt.Sprintf("y: copy the %s ▎", blockName(termsafe.Line(b.Lang)))
	}
	if room := p.width - ansi.StringWidth(s) - 2; ansi.StringWidth(left) > room {
		left = ansi.Truncate(left, max(room, 0), "…")
	}
	return p.st.muted.Render(left + fmt.Sprintf("%*s", p.width-ansi.StringWidth(left), s))
}
