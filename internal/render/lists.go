package render

import (
	"regexp"
	"strings"
)

// listItem matches the start of a bullet or numbered list item and
// captures its indentation plus marker, which is where its text begins.
var listItem = regexp.MustCompile(`^(\s*(?:[-*+]|\d{1,9}[.)])\s+)\S`)

// joinListContinuations joins the lines of a hard-wrapped list item into
// one line. glamour keeps soft line breaks inside list items (paragraphs
// it reflows), so an item written over several source lines would show
// its source breaks at every window width, with the continuation lines
// pulled out of the item's indentation. Fenced code, tables, headings,
// quotes and anything indented as code inside the item are left alone.
func joinListContinuations(md string) string {
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines))
	fence := ""
	inItem := false
	textCol := 0 // where the current item's text starts
	for _, line := range lines {
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		if f := fenceOf(trimmed); f != "" || fence != "" {
			switch {
			case fence == "":
				fence = f
			case strings.HasPrefix(trimmed, fence) && strings.TrimLeft(trimmed, fence[:1]) == "":
				fence = ""
			}
			inItem = false
			out = append(out, line)
			continue
		}
		if m := listItem.FindStringSubmatch(line); m != nil {
			inItem, textCol = true, len(m[1])
			out = append(out, line)
			continue
		}
		continuation := inItem && trimmed != "" && len(out) > 0 &&
			!strings.HasPrefix(trimmed, "|") && !strings.HasPrefix(trimmed, "#") &&
			!strings.HasPrefix(trimmed, ">") && indent < textCol+4 &&
			!strings.HasSuffix(out[len(out)-1], "  ") // a hard break stays
		if continuation {
			out[len(out)-1] = strings.TrimRight(out[len(out)-1], " ") + " " + trimmed
			continue
		}
		if trimmed == "" {
			inItem = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// fenceOf returns the ``` or ~~~ run opening or closing a code fence.
func fenceOf(trimmed string) string {
	for _, c := range []string{"`", "~"} {
		n := len(trimmed) - len(strings.TrimLeft(trimmed, c))
		if n >= 3 {
			return strings.Repeat(c, n)
		}
	}
	return ""
}
