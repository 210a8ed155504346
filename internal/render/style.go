// Package render turns lesson Markdown into terminal text with glamour.
//
// Lesson packs are untrusted input, so Markdown is sanitized before and after
// rendering (see package termsafe). Rendering is costly, so results are
// cached by lesson, content, wrap width and style, and the TUI can ask for a
// cached result without rendering.
package render

import (
	"fmt"
	"os"
	"strings"

	gansi "github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Style is a rendering style: the colour scheme used for lessons.
type Style string

// The rendering styles.
const (
	// Dark is for terminals with a dark background.
	Dark Style = "dark"
	// Light is for terminals with a light background.
	Light Style = "light"
	// NoColor renders without any escape sequences, for NO_COLOR, dumb
	// terminals, pipes and tests.
	NoColor Style = "notty"
)

// DetectStyle picks a style for the current terminal: NoColor when the
// NO_COLOR environment variable is set to a non-empty value, otherwise Dark
// or Light from the terminal's background colour.
//
// It queries the terminal (an OSC 11 round trip on stdin/stdout), so call it
// once at start-up, before the Bubble Tea program starts and owns the
// terminal, and pass the result along; never call it from Update or View.
func DetectStyle() Style {
	if os.Getenv("NO_COLOR") != "" {
		return NoColor
	}
	if lipgloss.HasDarkBackground() {
		return Dark
	}
	return Light
}

// ParseStyle parses the value of a style override flag: "auto", "dark",
// "light" or "notty". Case and surrounding spaces are ignored and the empty
// string means auto. For auto it calls DetectStyle, so the same start-up
// rule applies: parse the flag before the Bubble Tea program starts.
func ParseStyle(s string) (Style, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return DetectStyle(), nil
	case "dark":
		return Dark, nil
	case "light":
		return Light, nil
	case "notty":
		return NoColor, nil
	}
	return "", fmt.Errorf("unknown style %q: use auto, dark, light or notty", s)
}

// Choose is the style the --style flag asks for (ParseStyle), and sets
// lipgloss to plain output for NO_COLOR and notty, so the rest of the
// screen has no colour either. Like DetectStyle it may query the terminal:
// call it before the program takes the terminal over.
func Choose(flag string) (Style, error) {
	s, err := ParseStyle(flag)
	if err != nil {
		return "", err
	}
	if os.Getenv("NO_COLOR") != "" || s == NoColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	return s, nil
}

func (s Style) valid() bool {
	return s == Dark || s == Light || s == NoColor
}

// styleConfig is glamour's style sheet for s without the Markdown heading
// markers ("## ") glamour prints before headings: with colour a heading
// is marked by its colour and weight. Without colour a bar marks it, its
// width the heading's level.
func styleConfig(s Style) gansi.StyleConfig {
	var c gansi.StyleConfig
	switch s {
	case Light:
		c = styles.LightStyleConfig
	case NoColor:
		c = styles.NoTTYStyleConfig
	default:
		c = styles.DarkStyleConfig
	}
	prefixes := [6]string{"", "", "", "", "", ""}
	if s == NoColor {
		prefixes = [6]string{"█ ", "▌ ", "▏ ", "▏ ", "▏ ", "▏ "}
	}
	// Inline code's padding must not be where a line breaks: a word
	// after the code would be left alone on the next line.
	for _, pad := range []*string{&c.Code.Prefix, &c.Code.Suffix} {
		if *pad == " " {
			*pad = string(keepSpace)
		}
	}
	for i, h := range []*gansi.StyleBlock{&c.H1, &c.H2, &c.H3, &c.H4, &c.H5, &c.H6} {
		if s == NoColor || i > 0 {
			// The colour styles' H1 prefix is the padding of its banner.
			h.Prefix = prefixes[i]
		}
	}
	return c
}
