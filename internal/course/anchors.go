package course

import (
	"strconv"
	"strings"
	"unicode"
)

// Slug turns heading text into a GitHub-style anchor: lowercase, every
// character that is not a letter, digit, space, hyphen or underscore
// dropped, spaces turned into hyphens. Authors link to headings with it.
func Slug(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(text)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Heading is an ATX heading ("## Title") of a lesson body.
type Heading struct {
	Level int
	Text  string
	Slug  string
	// Line counts from the first line of the body, starting at 1.
	Line int
}

// Headings lists the ATX headings of Markdown outside fenced code blocks.
// Repeated slugs get "-1", "-2" suffixes as on GitHub.
func Headings(markdown string) []Heading {
	var out []Heading
	seen := map[string]int{}
	fence := ""
	for i, raw := range strings.Split(markdown, "\n") {
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimLeft(line, " ")
		if len(line)-len(trimmed) > 3 {
			continue // indented code
		}
		if f := fenceMarker(trimmed); f != "" {
			switch {
			case fence == "":
				fence = f
			case strings.HasPrefix(f, fence[:1]) && len(f) >= len(fence) && strings.TrimLeft(trimmed, f[:1]) == "":
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		level := 0
		for level < len(trimmed) && trimmed[level] == '#' {
			level++
		}
		if level == 0 || level > 6 || (level < len(trimmed) && trimmed[level] != ' ' && trimmed[level] != '\t') {
			continue
		}
		text := strings.TrimSpace(trimmed[level:])
		// A closing run of #s is not part of the heading.
		if t := strings.TrimRight(text, "#"); t != text && (t == "" || strings.HasSuffix(t, " ")) {
			text = strings.TrimSpace(t)
		}
		slug := Slug(stripInlineMarkup(text))
		if n, dup := seen[slug]; dup {
			seen[slug] = n + 1
			slug = slug + "-" + strconv.Itoa(n+1)
		} else {
			seen[slug] = 0
		}
		out = append(out, Heading{Level: level, Text: text, Slug: slug, Line: i + 1})
	}
	return out
}

// fenceMarker returns the run of ``` or ~~~ that opens or closes a fence.
func fenceMarker(line string) string {
	for _, c := range []byte{'`', '~'} {
		n := 0
		for n < len(line) && line[n] == c {
			n++
		}
		if n >= 3 {
			return line[:n]
		}
	}
	return ""
}

// stripInlineMarkup removes the Markdown punctuation GitHub does not keep
// in anchors but which is a letter-free character anyway, and link targets.
func stripInlineMarkup(s string) string {
	// [text](url) keeps only text.
	for {
		open := strings.Index(s, "](")
		if open < 0 {
			break
		}
		end := strings.Index(s[open:], ")")
		if end < 0 {
			break
		}
		s = s[:open] + s[open+end+1:]
	}
	return s
}
