package render

import (
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// glamour's word wrapper breaks lines at spaces and hyphens, also inside
// inline code, so `docker run --rm` could end one line with "--" and start
// the next with "rm". Before rendering, the spaces and hyphens that must
// not break are swapped for private-use runes the wrapper sees as letters;
// after rendering they are swapped back. The same keeps a paragraph's last
// two words, and a number and its unit, on one line.
const (
	keepSpace  = '\uE000'
	keepHyphen = '\uE001'
	keepDot    = '\uE002'
	// firstPrivate and lastPrivate bound the runes reserved here; a lesson
	// using them gets U+FFFD instead, so nothing of its own is swapped.
	firstPrivate = '\uE000'
	lastPrivate  = '\uE00F'
)

var restorer = strings.NewReplacer(string(keepSpace), " ", string(keepHyphen), "-", string(keepDot), ".")

// numberUnit matches a number and the unit after it.
var numberUnit = regexp.MustCompile(`(\d) (B|kB|KB|MB|GB|KiB|MiB|GiB|ms|s|min|seconds|minutes|%)\b`)

// orphanMax is the widest last word (with what is bound to it) that is
// pulled onto the line before: wider ones would leave a short line there.
const orphanMax = 16

// dropPrivate replaces the reserved private-use runes in md.
func dropPrivate(md string) string {
	if !strings.ContainsFunc(md, isReserved) {
		return md
	}
	return strings.Map(func(r rune) rune {
		if isReserved(r) {
			return '\uFFFD'
		}
		return r
	}, md)
}

func isReserved(r rune) bool { return r >= firstPrivate && r <= lastPrivate }

// keepTogether protects inline code and binds last words in the prose of
// md (fenced code is already cut out, a placeholder fence in its place),
// for text wrapped at width columns.
// It works per block of non-blank lines, because a code span may run over
// a soft line break.
func keepTogether(md string, width int) string {
	lines := strings.Split(md, "\n")
	for start := 0; start < len(lines); {
		end := start
		for end < len(lines) && strings.TrimSpace(lines[end]) != "" {
			end++
		}
		// The placeholder fences of the code cut out (extractCode) are
		// not prose: their backticks open no code span.
		if end > start && fenceOf(strings.TrimLeft(lines[start], " ")) == "" {
			block := protectCodeSpans(strings.Join(lines[start:end], "\n"), width-codeSpanSlack)
			parts := strings.Split(block, "\n")
			bindLastWords(parts)
			// A span over a line break joined lines; keep the count.
			for len(parts) < end-start {
				parts = append(parts, "")
			}
			copy(lines[start:end], parts)
		}
		start = end + 1
	}
	return strings.Join(lines, "\n")
}

// codeSpanSlack is what the document's margins, a list's indentation and a
// code span's padding take from the wrap width.
const codeSpanSlack = 8

// protectCodeSpans swaps the spaces, hyphens, dots and line breaks inside
// code spans for runes the wrapper does not break at. A span wider than
// widest columns is left alone: it cannot fit on a line, and the wrapper
// had better break it at a space than run it over the window's edge.
func protectCodeSpans(s string, widest int) string {
	if !strings.Contains(s, "`") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '`' {
			b.WriteByte(s[i])
			i++
			continue
		}
		n := backtickRun(s[i:])
		closeAt := closingRun(s[i+n:], n)
		if closeAt < 0 {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		body := s[i+n : i+n+closeAt]
		if ansi.StringWidth(body) > widest {
			b.WriteString(s[i : i+n+closeAt+n])
			i += n + closeAt + n
			continue
		}
		b.WriteString(s[i : i+n])
		b.WriteString(strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\n':
				return keepSpace
			case '-':
				return keepHyphen
			case '.':
				return keepDot
			}
			return r
		}, body))
		b.WriteString(s[i : i+n])
		i += n + closeAt + n
	}
	return b.String()
}

func backtickRun(s string) int {
	n := 0
	for n < len(s) && s[n] == '`' {
		n++
	}
	return n
}

// closingRun finds the next run of exactly n backticks in s.
func closingRun(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		m := backtickRun(s[i:])
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// bindLastWords binds a number to its unit on every prose line, and the
// last two words of a paragraph or list item, so that neither is left
// alone on a line. Headings, tables and HTML are left as they are.
func bindLastWords(lines []string) {
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "<") {
			continue
		}
		l = numberUnit.ReplaceAllString(l, "$1"+string(keepSpace)+"$2")
		lines[i] = l
		if strings.HasPrefix(t, "|") {
			continue
		}
		last := i == len(lines)-1 || listItem.MatchString(lines[i+1])
		if !last {
			continue
		}
		body := len(l) - len(t)
		if m := listItem.FindStringSubmatch(l); m != nil {
			body = len(m[1])
		} else if strings.HasPrefix(t, ">") {
			continue
		}
		sp := strings.LastIndexByte(l, ' ')
		if sp < body && i == len(lines)-1 && i > 0 {
			// The paragraph's last source line is one word: bind it to the
			// line before, unless that ends in a hard break.
			prev := strings.TrimLeft(lines[i-1], " ")
			if !strings.HasSuffix(lines[i-1], "  ") && prev != "" && !strings.ContainsAny(prev[:1], "#|<>") &&
				ansi.StringWidth(t) <= orphanMax {
				lines[i-1] += string(keepSpace) + t
				lines[i] = ""
			}
			continue
		}
		if sp <= body || strings.TrimSpace(l[body:sp]) == "" {
			continue
		}
		if ansi.StringWidth(l[sp+1:]) > orphanMax {
			continue
		}
		lines[i] = l[:sp] + string(keepSpace) + l[sp+1:]
	}
}
