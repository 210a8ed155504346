package course

import (
	"bytes"
	"html"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"shipshape/internal/termsafe"
)

// Heading is a heading of a lesson.
type Heading struct {
	// Level is 1 for "#" up to 6 for "######" (setext headings are 1 and 2).
	Level int
	// Text is the heading's plain text, safe to print on one line.
	Text string
	// Slug is the GitHub-style anchor of the heading, unique in the lesson.
	Slug string
	// Line is the 1-based line of the heading text in the Markdown given to
	// Headings.
	Line int
}

// Headings returns the headings of a lesson in document order. It parses
// the Markdown with goldmark, the parser glamour renders with, so "#" lines
// inside fenced or indented code, setext headings and escapes are treated
// exactly as they are when the lesson is shown. A leading YAML front matter
// block ("---" to "---") is skipped, so both a whole lesson file and its
// body can be passed; Line counts from the start of the input either way.
// Headings with no text are left out because they have no usable anchor.
//
// Duplicate slugs get "-1", "-2", ... suffixes the way GitHub assigns them.
func Headings(markdown string) []Heading {
	src := blankFrontMatter([]byte(markdown))
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))

	var out []Heading
	seen := make(map[string]int)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		lines := h.Lines()
		if lines.Len() == 0 {
			return ast.WalkSkipChildren, nil
		}
		// Sanitize first so that the payload of an escape sequence is not
		// mistaken for heading text in the slug.
		txt := termsafe.Line(inlineText(h, src))
		if strings.TrimSpace(txt) == "" {
			return ast.WalkSkipChildren, nil
		}
		out = append(out, Heading{
			Level: h.Level,
			Text:  txt,
			Slug:  uniqueSlug(Slug(txt), seen),
			Line:  1 + bytes.Count(src[:lines.At(0).Start], []byte{'\n'}),
		})
		return ast.WalkSkipChildren, nil
	})
	return out
}

// Slug returns the GitHub-style anchor for a heading's text: lower case,
// every character dropped that is not a letter, digit, space, hyphen or
// underscore, then each space turned into a hyphen. "Use USER, not sudo"
// becomes "use-user-not-sudo". Combining marks are kept with their letters,
// as GitHub does. Slug does not add the suffixes for duplicates; Headings
// does.
func Slug(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// uniqueSlug follows github-slugger: a repeated slug gets the next free
// "-n" suffix, and every slug handed out is reserved, so "a", "a", "a-1"
// become "a", "a-1", "a-1-1".
func uniqueSlug(slug string, seen map[string]int) string {
	result := slug
	for {
		if _, taken := seen[result]; !taken {
			break
		}
		seen[slug]++
		result = slug + "-" + strconv.Itoa(seen[slug])
	}
	seen[result] = 0
	return result
}

// inlineText returns the text a reader sees in n: text, code spans, link
// and image text, with backslash escapes and character references decoded.
func inlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(util.UnescapePunctuations(c.Segment.Value(src)))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.CodeSpan:
			// Backslashes in code are literal.
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					b.Write(t.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.String:
			b.Write(c.Value)
		case *ast.RawHTML:
			// Tags are not text; glamour strips them too.
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return html.UnescapeString(b.String())
}

// blankFrontMatter returns src with a leading front matter block turned
// into blank lines, keeping every byte offset and line number.
func blankFrontMatter(src []byte) []byte {
	first, rest, ok := bytes.Cut(src, []byte{'\n'})
	if !ok || string(bytes.TrimRight(first, " \t\r")) != "---" {
		return src
	}
	end := len(first) + 1
	for len(rest) > 0 {
		line, after, _ := bytes.Cut(rest, []byte{'\n'})
		lineEnd := end + len(line)
		if string(bytes.TrimRight(line, " \t\r")) == "---" {
			out := bytes.Clone(src)
			for i := 0; i < lineEnd; i++ {
				if out[i] != '\n' {
					out[i] = ' '
				}
			}
			return out
		}
		end = lineEnd + 1
		rest = after
	}
	// No closing line: not front matter.
	return src
}
