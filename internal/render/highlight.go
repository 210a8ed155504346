package render

import (
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
	"github.com/muesli/termenv"
)

// highlighter colours code lines the way glamour's code blocks are
// coloured (the style sheet's chroma section, 256 colours), but per line,
// so that the layout can break a line anywhere and colour both halves.
// A nil *highlighter, for NoColor, leaves code plain.
type highlighter struct {
	style *chroma.Style
	// seq caches the SGR sequence of each token type.
	seq map[chroma.TokenType]string
}

// codeLine is one line of code and the token runs that colour it.
type codeLine struct {
	text string
	runs []run
	hl   *highlighter
}

type run struct {
	from, to int
	typ      chroma.TokenType
}

// chromaStyles builds, once per style, the chroma style glamour would use.
var chromaStyles = sync.OnceValue(func() map[Style]*chroma.Style {
	return map[Style]*chroma.Style{
		Dark:  chromaStyleOf(styles.DarkStyleConfig.CodeBlock.Chroma),
		Light: chromaStyleOf(styles.LightStyleConfig.CodeBlock.Chroma),
	}
})

func newHighlighter(style Style) *highlighter {
	cs := chromaStyles()[style]
	if cs == nil {
		return nil
	}
	return &highlighter{style: cs, seq: map[chroma.TokenType]string{}}
}

// highlight expands tabs and tokenises the block as lang (plain text when
// chroma does not know it).
func (h *highlighter) highlight(lang string, lines []string) []codeLine {
	out := make([]codeLine, len(lines))
	for i, l := range lines {
		out[i] = codeLine{text: expandTabs(l), hl: h}
	}
	if h == nil {
		return out
	}
	lexer := lexers.Get(lang)
	if lexer == nil {
		return out
	}
	texts := make([]string, len(out))
	for i := range out {
		texts[i] = out[i].text
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, strings.Join(texts, "\n"))
	if err != nil {
		return out
	}
	line, col := 0, 0
	for tok := it(); tok != chroma.EOF; tok = it() {
		for j, part := range strings.Split(tok.Value, "\n") {
			if j > 0 {
				line, col = line+1, 0
			}
			if line >= len(out) || part == "" {
				continue
			}
			out[line].runs = append(out[line].runs, run{from: col, to: col + len(part), typ: tok.Type})
			col += len(part)
		}
	}
	return out
}

// styled returns bytes [from, to) of the line with their colours.
func (l codeLine) styled(from, to int) string {
	if l.hl == nil || len(l.runs) == 0 {
		return l.text[from:to]
	}
	var b strings.Builder
	pos := from
	for _, r := range l.runs {
		a, z := max(r.from, from), min(r.to, to)
		if a >= z {
			continue
		}
		if a > pos { // text the lexer gave no token
			b.WriteString(l.text[pos:a])
		}
		b.WriteString(l.hl.paint(r.typ, l.text[a:z]))
		pos = z
	}
	if pos < to {
		b.WriteString(l.text[pos:to])
	}
	return b.String()
}

// paint wraps s in the SGR sequence of token type t.
func (h *highlighter) paint(t chroma.TokenType, s string) string {
	seq, ok := h.seq[t]
	if !ok {
		seq = sgrOf(h.style.Get(t))
		h.seq[t] = seq
	}
	if seq == "" || strings.TrimSpace(s) == "" {
		return s
	}
	return seq + s + "\x1b[0m"
}

// mark is the continuation mark, dimmed where there is colour.
func (h *highlighter) mark() string {
	if h == nil {
		return ContinuationMark
	}
	return "\x1b[38;5;243m" + ContinuationMark + "\x1b[0m"
}

// sgrOf is the 256-colour SGR sequence for a chroma style entry. The
// background is left out, as glamour's terminal256 formatter leaves out
// the block's own background.
func sgrOf(e chroma.StyleEntry) string {
	var params []string
	if e.Colour.IsSet() {
		params = append(params, termenv.ANSI256.Color(e.Colour.String()).Sequence(false))
	}
	if e.Bold == chroma.Yes {
		params = append(params, "1")
	}
	if e.Italic == chroma.Yes {
		params = append(params, "3")
	}
	if e.Underline == chroma.Yes {
		params = append(params, "4")
	}
	if len(params) == 0 {
		return ""
	}
	return "\x1b[" + strings.Join(params, ";") + "m"
}

// chromaStyleOf turns a glamour style sheet's chroma section into a chroma
// style, as glamour's code block renderer does.
func chromaStyleOf(c *ansi.Chroma) *chroma.Style {
	if c == nil {
		return nil
	}
	entries := chroma.StyleEntries{
		chroma.Text: entryOf(c.Text), chroma.Error: entryOf(c.Error),
		chroma.Comment: entryOf(c.Comment), chroma.CommentPreproc: entryOf(c.CommentPreproc),
		chroma.Keyword: entryOf(c.Keyword), chroma.KeywordReserved: entryOf(c.KeywordReserved),
		chroma.KeywordNamespace: entryOf(c.KeywordNamespace), chroma.KeywordType: entryOf(c.KeywordType),
		chroma.Operator: entryOf(c.Operator), chroma.Punctuation: entryOf(c.Punctuation),
		chroma.Name: entryOf(c.Name), chroma.NameBuiltin: entryOf(c.NameBuiltin),
		chroma.NameTag: entryOf(c.NameTag), chroma.NameAttribute: entryOf(c.NameAttribute),
		chroma.NameClass: entryOf(c.NameClass), chroma.NameConstant: entryOf(c.NameConstant),
		chroma.NameDecorator: entryOf(c.NameDecorator), chroma.NameException: entryOf(c.NameException),
		chroma.NameFunction: entryOf(c.NameFunction), chroma.NameOther: entryOf(c.NameOther),
		chroma.Literal: entryOf(c.Literal), chroma.LiteralNumber: entryOf(c.LiteralNumber),
		chroma.LiteralDate: entryOf(c.LiteralDate), chroma.LiteralString: entryOf(c.LiteralString),
		chroma.LiteralStringEscape: entryOf(c.LiteralStringEscape),
		chroma.GenericDeleted:      entryOf(c.GenericDeleted), chroma.GenericEmph: entryOf(c.GenericEmph),
		chroma.GenericInserted: entryOf(c.GenericInserted), chroma.GenericStrong: entryOf(c.GenericStrong),
		chroma.GenericSubheading: entryOf(c.GenericSubheading), chroma.Background: entryOf(c.Background),
	}
	s, err := chroma.NewStyle("shipshape", entries)
	if err != nil {
		return nil
	}
	return s
}

func entryOf(p ansi.StylePrimitive) string {
	var parts []string
	if p.Color != nil {
		parts = append(parts, *p.Color)
	}
	if p.BackgroundColor != nil {
		parts = append(parts, "bg:"+*p.BackgroundColor)
	}
	for _, f := range []struct {
		on   *bool
		name string
	}{{p.Italic, "italic"}, {p.Bold, "bold"}, {p.Underline, "underline"}} {
		if f.on != nil && *f.on {
			parts = append(parts, f.name)
		}
	}
	return strings.Join(parts, " ")
}
