package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// fittedFullHelp lays a screen's full help out in width h.Width and at most
// maxLines lines. bubbles' help drops every column past the window's edge,
// so on a narrow window keys vanish; here the columns that do not fit beside
// each other go below, tall columns are split to save lines, and only when
// the window is too small for every key does the help end with a mark.
func fittedFullHelp(h help.Model, groups [][]key.Binding, maxLines int) string {
	groups = enabledGroups(groups)
	if len(groups) == 0 {
		return ""
	}
	maxLines = max(1, maxLines)
	tallest := 0
	for _, g := range groups {
		tallest = max(tallest, len(g))
	}
	// Prefer whole columns; split them only as far as the lines require.
	for rows := tallest; rows >= 1; rows-- {
		lines := helpBands(h, groups, rows)
		if len(lines) <= maxLines && fitsWidth(lines, h.Width) {
			return strings.Join(lines, "\n")
		}
	}
	// Too many keys for the window: one key per column packs them
	// densest, so the most of them show before the mark.
	lines := helpBands(h, groups, 1)
	return strings.Join(markCut(lines, maxLines, h), "\n")
}

// enabledGroups drops disabled bindings, and groups left empty.
func enabledGroups(groups [][]key.Binding) [][]key.Binding {
	var out [][]key.Binding
	for _, g := range groups {
		var kept []key.Binding
		for _, b := range g {
			if b.Enabled() {
				kept = append(kept, b)
			}
		}
		if len(kept) > 0 {
			out = append(out, kept)
		}
	}
	return out
}

// helpBands splits the groups into columns of at most rows bindings and
// puts as many columns side by side as the width holds, band below band.
func helpBands(h help.Model, groups [][]key.Binding, rows int) []string {
	var cols []string
	for _, g := range groups {
		for start := 0; start < len(g); start += rows {
			cols = append(cols, helpColumn(h, g[start:min(len(g), start+rows)]))
		}
	}
	sep := h.Styles.FullSeparator.Inline(true).Render(h.FullSeparator)
	var lines, band []string
	bandWidth := 0
	flush := func() {
		if len(band) > 0 {
			lines = append(lines, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, band...), "\n")...)
		}
		band, bandWidth = nil, 0
	}
	for _, c := range cols {
		w := lipgloss.Width(c)
		if len(band) > 0 && h.Width > 0 && bandWidth+lipgloss.Width(sep)+w > h.Width {
			flush()
		}
		if len(band) > 0 {
			band = append(band, sep)
			bandWidth += lipgloss.Width(sep)
		}
		band = append(band, c)
		bandWidth += w
	}
	flush()
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return lines
}

// helpColumn is one column of keys and what they do, styled as bubbles'
// full help styles it.
func helpColumn(h help.Model, bindings []key.Binding) string {
	keys := make([]string, len(bindings))
	descs := make([]string, len(bindings))
	for i, b := range bindings {
		keys[i], descs[i] = b.Help().Key, b.Help().Desc
	}
	return lipgloss.JoinHorizontal(lipgloss.Top,
		h.Styles.FullKey.Render(strings.Join(keys, "\n")), " ",
		h.Styles.FullDesc.Render(strings.Join(descs, "\n")))
}

func fitsWidth(lines []string, width int) bool {
	if width <= 0 {
		return true
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > width {
			return false
		}
	}
	return true
}

// markCut keeps the first maxLines lines and ends them with bubbles' "…",
// so the learner sees that more keys exist; a line too wide is cut at the
// edge of a column, never inside a word where a key would read as another.
func markCut(lines []string, maxLines int, h help.Model) []string {
	cut := len(lines) > maxLines
	if cut {
		lines = append([]string(nil), lines[:maxLines]...)
	}
	mark := " " + h.Styles.Ellipsis.Inline(true).Render(h.Ellipsis)
	markW := ansi.StringWidth(mark)
	for i, l := range lines {
		if h.Width > 0 && ansi.StringWidth(l) > h.Width {
			lines[i] = cutAtSpace(l, h.Width-markW) + mark
			cut = false // this line carries the mark already
		}
	}
	if !cut {
		return lines
	}
	last := len(lines) - 1
	if h.Width > 0 && ansi.StringWidth(lines[last])+markW > h.Width {
		lines[last] = cutAtSpace(lines[last], h.Width-markW)
	}
	lines[last] += mark
	return lines
}

// cutAtSpace truncates s to at most width cells, at the last space.
func cutAtSpace(s string, width int) string {
	t := ansi.Truncate(s, max(0, width), "")
	if ansi.StringWidth(t) == ansi.StringWidth(s) {
		return t
	}
	plain := ansi.Strip(t)
	if i := strings.LastIndex(strings.TrimRight(plain, " "), " "); i > 0 {
		return strings.TrimRight(ansi.Truncate(t, ansi.StringWidth(plain[:i]), ""), " ")
	}
	return t
}

// fittedShortHelp is the one-line help in h.Width. bubbles' short help
// keeps a key that overflows the window when its "…" would not fit either,
// and the line wraps; here keys are dropped from the end until the line and
// its mark fit.
func fittedShortHelp(h help.Model, bindings []key.Binding) string {
	width := h.Width
	h.Width = 0 // measure whole; the cut is made here
	enabled := enabledGroups([][]key.Binding{bindings})
	if len(enabled) == 0 {
		return ""
	}
	bindings = enabled[0]
	mark := " " + h.Styles.Ellipsis.Inline(true).Render(h.Ellipsis)
	for n := len(bindings); n > 0; n-- {
		s := h.ShortHelpView(bindings[:n])
		if n < len(bindings) {
			s += mark
		}
		if width <= 0 || ansi.StringWidth(s) <= width {
			return s
		}
	}
	return ansi.Truncate(mark, max(0, width), "")
}
