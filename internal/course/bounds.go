package course

import (
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// Render limits. A lesson is at most maxLessonBytes, but what it costs to
// show is not proportional to its size: glamour wraps a long word in time
// quadratic in its length (a 40 KB word takes seconds), a list or quote
// costs more the deeper it is nested, every block costs far more than the
// same bytes of prose (a fenced code block about 5 ms), and goldmark parses
// a long run of ">" in quadratic time. The loader refuses lessons beyond
// these limits so that a tiny pack cannot make every render take minutes.
// The figures come from measurements of glamour 1.0 (see
// internal/render's BenchmarkBounds); the built-in course uses a small
// fraction of each.
const (
	// MaxTokenBytes is the longest run of characters without whitespace.
	// The built-in course's longest is a 137-character URL.
	MaxTokenBytes = 4 << 10
	// longTokenBytes and maxLongTokenBytes bound the sum of the words
	// longer than longTokenBytes: one 4 KiB word renders in about 50 ms,
	// so 256 of them would take 12 s.
	longTokenBytes    = 256
	maxLongTokenBytes = 16 << 10
	// MaxNesting is the deepest nesting of lists and block quotes.
	MaxNesting = 16
	// MaxEntities is the most character references (&amp;, &#8212;) a
	// lesson may have.
	MaxEntities = 4096
	// MaxRenderCost bounds a lesson's blocks, weighted by what they cost
	// to render: a paragraph, heading, list, list item or quote counts 1
	// plus its nesting depth, a code block codeBlockCost (chroma's setup makes it
	// about 25 paragraphs). A unit is about 0.2 ms of glamour's time, so a
	// lesson at the limit renders in about a second; the largest built-in
	// lesson costs 420.
	MaxRenderCost = 6000
	codeBlockCost = 25
)

// maxBoundReports bounds the problems reported per kind and lesson: a
// lesson with a thousand over-long words needs one fix, not a thousand lines.
const maxBoundReports = 5

// checkRenderBounds reports a lesson whose rendering would cost more than
// the limits allow. data is the whole lesson file (front matter included,
// since tasks and hints are rendered too), body its Markdown, starting at
// line bodyLine. extraBlocks counts blocks the reader is shown beside the
// body (tasks, checks and hints). It returns false when the lesson must
// not be parsed as Markdown at all: the text scan found something that
// makes goldmark itself slow.
func checkRenderBounds(ps *problems, file string, data []byte, body string, bodyLine, extraBlocks int) bool {
	if !scanText(ps, file, string(data)) {
		return false
	}
	checkBlocks(ps, file, body, bodyLine, extraBlocks)
	return true
}

// scanText checks, line by line, what needs no Markdown parse: word
// length, character references and the depth of ">" quote markers. It
// reports whether the text is safe to hand to goldmark.
func scanText(ps *problems, file, s string) bool {
	ok := true
	longTotal, entities := 0, 0
	reports := map[string]int{}
	report := func(kind string, line int, format string, args ...any) {
		reports[kind]++
		if reports[kind] <= maxBoundReports {
			ps.add(file, line, format, args...)
		}
	}
	line := 1
	for start := 0; start < len(s); line++ {
		end := strings.IndexByte(s[start:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		cur := s[start:end]
		start = end + 1

		if depth := quoteDepth(cur); depth > MaxNesting {
			report("quote", line, "block quotes are nested %d deep; at most %d levels are allowed (each \">\" at the start of a line is one level): remove the extra \">\" markers", depth, MaxNesting)
			ok = false
		}
		for _, w := range strings.Fields(cur) {
			if len(w) > MaxTokenBytes {
				report("token", line, "has a %d-byte run of characters without a space; at most %d are allowed, because long unbroken text is very slow to wrap: break it up (a long URL can be a [link](url) with short text, a long value can go in a code block split over lines)", len(w), MaxTokenBytes)
				ok = false
			}
			if len(w) > longTokenBytes {
				longTotal += len(w)
				if longTotal > maxLongTokenBytes && longTotal-len(w) <= maxLongTokenBytes {
					report("long", line, "has more than %d bytes in words longer than %d characters, which are slow to wrap: break up the long words from here on", maxLongTokenBytes, longTokenBytes)
					ok = false
				}
			}
			n := countEntities(w)
			if entities+n > MaxEntities && entities <= MaxEntities {
				report("entity", line, "has more than %d character references (such as &amp; or &#8212;); write the characters themselves instead", MaxEntities)
				ok = false
			}
			entities += n
		}
	}
	return ok
}

// quoteDepth counts the ">" markers that open a line, with the spaces
// between them, the way CommonMark nests block quotes. List markers in
// between are skipped too, since "- > - >" nests as deep.
func quoteDepth(line string) int {
	depth := 0
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '>':
			depth++
			i++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t'):
			i += 2
		default:
			return depth
		}
	}
	return depth
}

// countEntities counts what looks like a character reference in w:
// "&name;", "&#123;" or "&#x1F;" (the ';' optional for numeric ones, as
// the renderer's decoder accepts them without).
func countEntities(w string) int {
	n := 0
	for i := strings.IndexByte(w, '&'); i >= 0; {
		rest := w[i+1:]
		j := 0
		if strings.HasPrefix(rest, "#") {
			j = 1
			if len(rest) > 1 && (rest[1] == 'x' || rest[1] == 'X') {
				j = 2
			}
			k := j
			for k < len(rest) && isAlnum(rest[k]) {
				k++
			}
			if k > j {
				n++
			}
		} else {
			k := 0
			for k < len(rest) && isAlnum(rest[k]) {
				k++
			}
			if k > 0 && k < len(rest) && rest[k] == ';' {
				n++
			}
		}
		next := strings.IndexByte(rest, '&')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return n
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// boundsParser parses like glamour does (GFM and definition lists), so the
// blocks counted are the blocks rendered.
var boundsParser = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.DefinitionList)).Parser()

// checkBlocks reports lists and quotes nested too deep and a lesson whose
// blocks cost too much to render. It returns the cost.
func checkBlocks(ps *problems, file, body string, bodyLine, extraBlocks int) int {
	src := []byte(body)
	doc := boundsParser.Parse(text.NewReader(src))
	newlines := lineStarts(body)
	lineOfNode := func(n ast.Node) int {
		for c := n; c != nil; c = c.FirstChild() {
			if c.Type() == ast.TypeBlock && c.Lines().Len() > 0 {
				off := c.Lines().At(0).Start
				return bodyLine + sort.SearchInts(newlines, off)
			}
		}
		return bodyLine
	}
	cost, deep := extraBlocks, 0
	costLine := 0
	var walk func(n ast.Node, depth int)
	walk = func(n ast.Node, depth int) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if c.Type() != ast.TypeBlock {
				continue
			}
			d := depth
			switch c.Kind() {
			case ast.KindList, ast.KindBlockquote:
				// The container costs too: glamour indents and rewraps
				// everything inside it once per level.
				cost += 1 + depth
				d++
				if d > MaxNesting && depth <= MaxNesting {
					deep++
					if deep <= maxBoundReports {
						ps.add(file, lineOfNode(c), "lists and block quotes are nested %d deep here; at most %d levels are allowed, because each level multiplies the work of showing them: flatten the structure", d, MaxNesting)
					}
				}
			case ast.KindFencedCodeBlock, ast.KindCodeBlock:
				cost += codeBlockCost
			default:
				cost += 1 + depth
			}
			if cost > MaxRenderCost && costLine == 0 {
				costLine = lineOfNode(c)
			}
			walk(c, d)
		}
	}
	walk(doc, 0)
	if costLine > 0 {
		ps.add(file, costLine, "lesson has too many blocks to render quickly (a cost of %d; the limit is %d, where a paragraph, heading, list, list item or quote counts 1 plus its nesting depth and a code block %d): this is where the limit is passed; split the lesson into two or merge small blocks", cost, MaxRenderCost, codeBlockCost)
	}
	return cost
}

// lineStarts returns the offsets of the newlines of s, for mapping a byte
// offset to a line with a binary search.
func lineStarts(s string) []int {
	var out []int
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, i)
		}
	}
	return out
}
