package tui

import "github.com/charmbracelet/lipgloss"

// Colours adapt to light and dark terminals; with NO_COLOR the colour
// profile is plain ASCII and lipgloss drops them.
var (
	colorAccent = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#9D8CFF"}
	colorMuted  = lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"}
	colorOK     = lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#5FD787"}
	colorBad    = lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF7B72"}
	colorWarn   = lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#E3B341"}
	// colorCode is inline code's, near the lessons' (glamour's) code colour.
	colorCode = lipgloss.AdaptiveColor{Light: "#C0365C", Dark: "#FF5F87"}
)

// styles groups the few styles the screens share. Values, not globals, so
// tests and screens cannot change each other's.
type styles struct {
	title, muted, ok, bad, warn, selected, statusBar, header lipgloss.Style
	// code is for inline code in plain text (styles.inline).
	code lipgloss.Style
}

func newStyles() styles {
	return styles{
		title:     lipgloss.NewStyle().Bold(true).Foreground(colorAccent),
		muted:     lipgloss.NewStyle().Foreground(colorMuted),
		ok:        lipgloss.NewStyle().Foreground(colorOK),
		bad:       lipgloss.NewStyle().Foreground(colorBad),
		warn:      lipgloss.NewStyle().Foreground(colorWarn),
		selected:  lipgloss.NewStyle().Bold(true).Foreground(colorAccent),
		statusBar: lipgloss.NewStyle().Foreground(colorMuted),
		header:    lipgloss.NewStyle().Bold(true),
		code:      lipgloss.NewStyle().Foreground(colorCode),
	}
}
