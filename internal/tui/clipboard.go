package tui

import (
	"encoding/base64"
	"fmt"
	"io"

	tea "github.com/charmbracelet/bubbletea"

	"shipshape/internal/render"
)

// copiedMsg reports a code block copied to the clipboard.
type copiedMsg struct {
	lines int
	lang  string
	err   error
}

// osc52 is the sequence that asks the terminal to put text on the system
// clipboard. The text travels base64-encoded, so nothing in a lesson's
// code can end the sequence or start another one.
func osc52(text string) string {
	return "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\a"
}

// copyCmd writes block's code to the terminal's clipboard. It writes the
// whole sequence in one Write, so it cannot interleave with a frame.
func copyCmd(w io.Writer, block render.CodeBlock) tea.Cmd {
	return func() tea.Msg {
		_, err := io.WriteString(w, osc52(block.Code+"\n"))
		return copiedMsg{lines: block.Lines(), lang: block.Lang, err: err}
	}
}

// blockName names a code block for the learner: "bash block".
func blockName(lang string) string {
	if lang == "" {
		return "code block"
	}
	return lang + " block"
}

// copiedNotice says what a copy did.
func copiedNotice(msg copiedMsg) string {
	if msg.err != nil {
		return "could not copy: " + msg.err.Error()
	}
	unit := "lines"
	if msg.lines == 1 {
		unit = "line"
	}
	return fmt.Sprintf("copied %d %s of %s (OSC 52)", msg.lines, unit, blockName(msg.lang))
}
