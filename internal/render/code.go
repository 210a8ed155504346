package render

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fenced code is not given to glamour: glamour wraps every line at its
// word-wrap width, so a command or URL wider than the prose column would be
// cut in the middle of a token. Instead each fenced block is swapped for a
// one-word placeholder paragraph, the document is rendered at the reading
// width, and the placeholder's line is replaced by the block laid out for
// the whole window (layoutCode): whole lines where they fit, otherwise
// broken at a space with a visible continuation mark.

// ContinuationMark ends a code line that goes on on the next screen line.
const ContinuationMark = "↩"

// codeMargin is how far code is indented from the text around it, as
// glamour's own code blocks are.
const codeMargin = 2

// CodeBlock is one fenced code block of a rendered document.
type CodeBlock struct {
	// Lang is the fence's language ("" when it names none).
	Lang string
	// Code is the block's text as written, terminal-safe, without the
	// fence lines and the fence's indentation; it is what a copy copies.
	Code string
	// Start and End are the block's rendered lines, [Start, End), in the
	// document's Text.
	Start, End int
}

// Lines is how many lines of code the block has.
func (b CodeBlock) Lines() int {
	if b.Code == "" {
		return 0
	}
	return strings.Count(b.Code, "\n") + 1
}

// Doc is a rendered lesson: its text and where its code blocks are.
type Doc struct {
	Text   string
	Blocks []CodeBlock
}

// fenced is a fenced code block cut out of the Markdown.
type fenced struct {
	lang  string
	lines []string
}

// extractCode replaces every fenced code block of md with a placeholder
// paragraph (placeholder(prefix, i)) and returns the blocks in order.
// Blank lines around the placeholder keep it a paragraph of its own; its
// indentation keeps it inside the list item the fence was in.
func extractCode(md string) (string, []fenced, string) {
	prefix := "SHIPSHAPECODE"
	for strings.Contains(md, prefix) {
		prefix += "Q"
	}
	var (
		out    []string
		blocks []fenced
		open   string // the opening fence's run, "" outside a block
		indent int    // the opening fence's indentation
		cur    fenced
	)
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if open == "" {
			f := fenceOf(trimmed)
			info := strings.TrimSpace(trimmed[len(f):])
			if f == "" || (f[0] == '`' && strings.Contains(info, "`")) {
				out = append(out, line)
				continue
			}
			open, indent = f, len(line)-len(trimmed)
			cur = fenced{lang: firstWord(info)}
			// A fence of its own: glamour keeps a code block on its own
			// lines, also inside a list item, where it runs the item's
			// paragraphs together into one flow (a placeholder paragraph
			// there shared its line with the text around it, which was lost).
			lead := line[:indent]
			out = append(out, lead+"```", lead+placeholder(prefix, len(blocks)), lead+"```")
			continue
		}
		if f := fenceOf(trimmed); f != "" && f[0] == open[0] && len(f) >= len(open) && strings.TrimSpace(trimmed[len(f):]) == "" {
			blocks = append(blocks, cur)
			open = ""
			continue
		}
		// Content lines lose up to the fence's indentation (CommonMark).
		n := min(indent, len(line)-len(trimmed))
		cur.lines = append(cur.lines, line[n:])
	}
	if open != "" { // an unclosed fence runs to the end of the document
		blocks = append(blocks, cur)
	}
	return strings.Join(out, "\n"), blocks, prefix
}

func placeholder(prefix string, i int) string { return prefix + strconv.Itoa(i) + "X" }

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// spliceCode replaces the placeholder lines of rendered with the code
// blocks laid out for a window width columns wide.
func spliceCode(rendered string, blocks []fenced, prefix string, width int, hl *highlighter) Doc {
	if len(blocks) == 0 {
		return Doc{Text: rendered}
	}
	var (
		out  []string
		doc  Doc
		next int // the next block expected
	)
	for _, line := range strings.Split(rendered, "\n") {
		if next < len(blocks) && strings.Contains(line, prefix) {
			plain := ansi.Strip(line)
			if col := strings.Index(plain, placeholder(prefix, next)); col >= 0 {
				b := blocks[next]
				start := len(out)
				out = append(out, layoutCode(b, col, width, hl)...)
				doc.Blocks = append(doc.Blocks, CodeBlock{Lang: b.lang, Code: strings.Join(b.lines, "\n"), Start: start, End: len(out)})
				next++
				continue
			}
		}
		out = append(out, line)
	}
	doc.Text = strings.Join(out, "\n")
	return doc
}

// layoutCode lays out block b indented by indent columns for a window
// width columns wide. A line that fits stays whole. A longer one is
// broken at the last space that leaves room for the continuation mark
// (only a single token wider than the window is cut inside), and its
// continuation is indented a little further than the line began.
func layoutCode(b fenced, indent, width int, hl *highlighter) []string {
	// One column stays free so that no line touches the window's edge.
	avail := max(width-indent-1, 8)
	pad := strings.Repeat(" ", indent)
	lines := hl.highlight(b.lang, b.lines)
	var out []string
	for _, l := range lines {
		for _, piece := range breakLine(l.text, avail) {
			s := pad + strings.Repeat(" ", piece.indent) + l.styled(piece.from, piece.to)
			if piece.cont {
				s += " " + hl.mark()
			}
			out = append(out, s)
		}
	}
	return out
}

// piece is one screen line of a code line: bytes [from, to) of it, shown
// indent columns further in, and cont when the line goes on.
type piece struct {
	from, to int
	indent   int
	cont     bool
}

// breakLine splits a code line (tabs already expanded) into pieces at most
// avail columns wide, continuation mark included.
func breakLine(line string, avail int) []piece {
	if ansi.StringWidth(line) <= avail {
		return []piece{{from: 0, to: len(line)}}
	}
	lead := len(line) - len(strings.TrimLeft(line, " "))
	contIndent := min(lead+4, avail/2)
	var out []piece
	from, indent := 0, 0
	for {
		room := avail - indent
		if ansi.StringWidth(line[from:]) <= room {
			return append(out, piece{from: from, to: len(line), indent: indent})
		}
		// Room for the text plus " ↩".
		limit := cutAt(line[from:], room-2)
		to := from + limit
		// Prefer the last space within the limit (after the first token);
		// a single token too wide (JSON, say) is better cut after a comma
		// or semicolon than anywhere.
		if sp := strings.LastIndexByte(line[from:to+1], ' '); sp > 0 && strings.TrimSpace(line[from:from+sp]) != "" {
			to = from + sp
		} else if p := strings.LastIndexAny(line[from:to], ",;"); p > 0 {
			to = from + p + 1
		}
		end := strings.TrimRight(line[from:to], " ")
		out = append(out, piece{from: from, to: from + len(end), indent: indent, cont: true})
		from = to
		for from < len(line) && line[from] == ' ' {
			from++
		}
		if from >= len(line) {
			out[len(out)-1].cont = false
			return out
		}
		indent = contIndent
	}
}

// cutAt returns the byte length of the longest prefix of s at most cols
// columns wide, at least one rune.
func cutAt(s string, cols int) int {
	w := 0
	for i, r := range s {
		rw := ansi.StringWidth(string(r))
		if w+rw > cols {
			if i == 0 {
				return len(string(r))
			}
			return i
		}
		w += rw
	}
	return len(s)
}

// expandTabs turns tabs into spaces at stops of four columns, so the
// layout knows every line's width.
func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := 4 - col%4
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col += ansi.StringWidth(string(r))
	}
	return b.String()
}
