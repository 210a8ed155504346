package render

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/course"
)

// sourceBlocks reads the fenced code blocks of md the simple way, as a
// reader of the Markdown file sees them: the lines between fences, without
// the fence's indentation.
func sourceBlocks(md string) [][]string {
	var blocks [][]string
	var cur []string
	in, indent := false, 0
	for _, line := range strings.Split(md, "\n") {
		t := strings.TrimLeft(line, " ")
		isFence := strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
		switch {
		case !in && isFence:
			in, indent, cur = true, len(line)-len(t), nil
		case in && isFence:
			in = false
			blocks = append(blocks, cur)
		case in:
			cur = append(cur, line[min(indent, len(line)-len(t)):])
		}
	}
	return blocks
}

// TestEveryLessonsCodeWhole renders every lesson of the built-in course at
// 200 and at 80 columns. At 200 every code line of the Markdown source is
// on one screen line, whole. At 80 every screen line of code is either a
// whole source line or a piece of one that ends with the continuation mark
// and was cut at a space (inside a token only when the token alone is
// wider than the window).
func TestEveryLessonsCodeWhole(t *testing.T) {
	pack, err := course.Builtin(course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := New(DefaultMaxWidth)
	for _, l := range pack.Lessons {
		src := sourceBlocks(l.Body)
		for _, width := range []int{200, 80} {
			for _, style := range []Style{NoColor, Dark} {
				doc, err := r.RenderDoc(l.ID, l.Body, width, style)
				if err != nil {
					t.Fatal(err)
				}
				if len(doc.Blocks) != len(src) {
					t.Fatalf("%s at %d: %d code blocks rendered, the source has %d", l.ID, width, len(doc.Blocks), len(src))
				}
				lines := strings.Split(ansi.Strip(doc.Text), "\n")
				for i, b := range doc.Blocks {
					if b.Code != strings.Join(src[i], "\n") {
						t.Errorf("%s block %d: Code = %q, the source has %q", l.ID, i, b.Code, strings.Join(src[i], "\n"))
					}
					checkCodeLayout(t, l.ID, width, src[i], lines[b.Start:b.End])
				}
				for n, line := range lines {
					if w := ansi.StringWidth(line); w > width {
						t.Errorf("%s at %d: line %d is %d columns wide: %q", l.ID, width, n, w, line)
					}
				}
			}
		}
	}
}

// checkCodeLayout checks the screen lines of one code block against its
// source lines.
func checkCodeLayout(t *testing.T, lesson string, width int, src, screen []string) {
	t.Helper()
	k := 0 // the next screen line
	for _, s := range src {
		want := strings.TrimSpace(expandTabs(s))
		rest := want
		for {
			if k >= len(screen) {
				t.Errorf("%s at %d: code line %q is missing", lesson, width, want)
				return
			}
			got := strings.TrimSpace(screen[k])
			k++
			cont := strings.HasSuffix(got, ContinuationMark)
			got = strings.TrimSpace(strings.TrimSuffix(got, ContinuationMark))
			if width >= 200 && (cont || got != want) {
				t.Errorf("%s at %d: code line %q is not whole on one line: %q", lesson, width, want, got)
			}
			if !strings.HasPrefix(rest, got) {
				t.Errorf("%s at %d: screen line %q is not the next part of code line %q", lesson, width, got, want)
				return
			}
			rest = rest[len(got):]
			if !cont {
				if rest != "" {
					t.Errorf("%s at %d: code line %q lost %q without a continuation mark", lesson, width, want, rest)
				}
				break
			}
			// A cut is at a space, or inside the only token of a piece
			// too narrow for it.
			if !strings.HasPrefix(rest, " ") && strings.Contains(got, " ") {
				t.Errorf("%s at %d: code line %q is cut inside a token after %q", lesson, width, want, got)
			}
			rest = strings.TrimLeft(rest, " ")
		}
	}
	if k != len(screen) {
		t.Errorf("%s at %d: %d screen lines of code left over: %q", lesson, width, len(screen)-k, screen[k:])
	}
}

// proseWord finds the words of prose the way a reader would look for them.
var proseWord = regexp.MustCompile(`[A-Za-z][A-Za-z']{3,}`)

// TestEveryLessonsProseWhole renders every lesson of the built-in course
// and finds every word of its prose (outside fenced code) in the screen
// text, in order. Cutting code out of the prose once lost the words
// around a code block inside a numbered step ("would fix for free:").
func TestEveryLessonsProseWhole(t *testing.T) {
	pack, err := course.Builtin(course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := New(DefaultMaxWidth)
	for _, l := range pack.Lessons {
		var prose []string
		in := false
		for _, line := range strings.Split(l.Body, "\n") {
			t := strings.TrimLeft(line, " ")
			if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
				in = !in
				continue
			}
			// Table cells wrap in columns, out of the reading order.
			if !in && !strings.HasPrefix(t, "|") {
				prose = append(prose, line)
			}
		}
		words := proseWord.FindAllString(strings.Join(prose, "\n"), -1)
		for _, width := range []int{200, 80} {
			for _, style := range []Style{NoColor, Dark} {
				doc, err := r.RenderDoc(l.ID, l.Body, width, style)
				if err != nil {
					t.Fatal(err)
				}
				screen := ansi.Strip(doc.Text)
				at := 0
				for _, w := range words {
					i := strings.Index(screen[at:], w)
					if i < 0 {
						t.Errorf("%s at %d (%s): %q is not on the screen after %q", l.ID, width, style, w, tail(screen[:at], 60))
						break
					}
					at += i + len(w)
				}
			}
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestEveryTablesCodeWhole: a table cell wraps in its column, and glamour
// breaks a code span there like any word, even inside a token. A command
// a learner copies from a cell must stay on one line at 80 columns, so
// the lessons keep the code in their cells short enough; a longer command
// belongs in a step's code block.
func TestEveryTablesCodeWhole(t *testing.T) {
	pack, err := course.Builtin(course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := New(DefaultMaxWidth)
	for _, l := range pack.Lessons {
		var spans []string
		for _, line := range strings.Split(l.Body, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "|") {
				for _, m := range tableCode.FindAllStringSubmatch(line, -1) {
					spans = append(spans, m[1])
				}
			}
		}
		if len(spans) == 0 {
			continue
		}
		for _, width := range []int{200, 80} {
			doc, err := r.RenderDoc(l.ID, l.Body, width, NoColor)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(ansi.Strip(doc.Text), "\n")
			for _, span := range spans {
				whole := false
				for _, line := range lines {
					if strings.Contains(line, span) {
						whole = true
						break
					}
				}
				if !whole {
					t.Errorf("%s at %d: the table's code %q is broken across lines", l.ID, width, span)
				}
			}
		}
	}
}

var tableCode = regexp.MustCompile("`([^`]+)`")
