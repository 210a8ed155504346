package tui

import (
	"strings"

	"shipshape/internal/termsafe"
)

// inline makes one line of a pack's plain text (a task, a hint, a note)
// terminal-safe and shows its `code` spans in the code style instead of
// with their backticks, as the lessons show them. A backtick without a
// partner stays as it is.
func (s styles) inline(text string) string {
	text = termsafe.Line(text)
	if !strings.Contains(text, "`") {
		return text
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '`')
		if open < 0 {
			break
		}
		n := len(text[open:]) - len(strings.TrimLeft(text[open:], "`"))
		fence := text[open : open+n]
		end := strings.Index(text[open+n:], fence)
		if end < 0 || strings.HasPrefix(text[open+n+end+n:], "`") {
			b.WriteString(text[:open+n])
			text = text[open+n:]
			continue
		}
		b.WriteString(text[:open])
		b.WriteString(s.code.Render(text[open+n : open+n+end]))
		text = text[open+n+end+n:]
	}
	b.WriteString(text)
	return b.String()
}
