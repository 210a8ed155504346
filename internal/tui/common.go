package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/render"
)

// component is one screen below the root model. The root routes messages
// to it and gives it its share of the window; the screen owns its state and
// its keys, and asks the root for anything beyond itself (leaving, saving
// progress) with commands.
type component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	KeyMap() help.KeyMap
}

// common is what every screen shares: styles, the lesson renderer, and the
// size of the part of the window the screen draws in.
type common struct {
	st          styles
	renderer    Renderer
	renderStyle render.Style
	width       int
	height      int
}

// SetSize implements component for screens that only need their size.
func (c *common) SetSize(width, height int) { c.width, c.height = width, height }

// leaveMsg asks the root to leave the screen shown, as esc does.
type leaveMsg struct{}

func leave() tea.Msg { return leaveMsg{} }

// joinEnds puts left and right on one line of width, truncating left.
func joinEnds(left, right string, width int) string {
	gap := width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		left = ansi.Truncate(left, max(0, width-ansi.StringWidth(right)-2), "…")
		gap = max(1, width-ansi.StringWidth(left)-ansi.StringWidth(right))
	}
	return left + strings.Repeat(" ", gap) + right
}

// wrapLines wraps s to width and indents every line. The hyphens that
// begin a word are no place to break: the wrapper would split a command's
// "-b" into "-" and "b", so they are kept while it wraps; a hyphen inside
// a word ("test-pack", a long path) still breaks.
func wrapLines(s string, width int, indent string) []string {
	if width < 10 {
		width = 10
	}
	wrapped := ansi.Wrap(keepFlags(s), width-len(indent), " ")
	out := strings.Split(strings.ReplaceAll(wrapped, nonBreakingHyphen, "-"), "\n")
	for i := range out {
		out[i] = indent + out[i]
	}
	return out
}

// nonBreakingHyphen stands in for "-" while wrapLines wraps; it is as wide.
const nonBreakingHyphen = "\u2011"

// keepFlags swaps the hyphens at the start of a word (after a space or
// another such hyphen) for nonBreakingHyphen.
func keepFlags(s string) string {
	if !strings.Contains(s, "-") {
		return s
	}
	var b strings.Builder
	atStart := true
	for _, r := range s {
		switch {
		case r == '-' && atStart:
			b.WriteString(nonBreakingHyphen)
			continue
		case r == ' ':
			atStart = true
		default:
			atStart = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
