package termsafe

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "hello, world", "hello, world"},
		{"newline and tab kept", "a\n\tb", "a\n\tb"},
		{"crlf to lf", "a\r\nb\r\n", "a\nb\n"},
		{"lone cr dropped", "50%\r100%", "50%100%"},
		{"raw esc alone", "a\x1bb", "a"},
		{"esc at end", "abc\x1b", "abc"},
		{"esc esc", "a\x1b\x1b[2Jb", "ab"},
		{"esc then newline", "a\x1b\nb", "a\nb"},
		{"esc then utf8", "a\x1bé", "aé"},
		{"esc 7 save cursor", "a\x1b7b", "ab"},
		{"esc c full reset", "\x1bcok", "ok"},
		{"nF charset", "\x1b(Bok", "ok"},
		{"csi clear screen", "x\x1b[2Jy", "xy"},
		{"csi cursor move", "\x1b[10;20Hhere", "here"},
		{"csi private mode", "\x1b[?1049hin alt screen", "in alt screen"},
		{"csi sgr", "\x1b[1;31mred\x1b[0m", "red"},
		{"csi unterminated at end", "text\x1b[12;3", "text"},
		{"csi interrupted by newline", "a\x1b[3\n1m", "a\n1m"},
		{"c1 csi utf8", "a\u009b2Jb", "ab"},
		{"c1 csi raw byte", "a\x9b2Jb", "ab"},
		{"osc 0 title bel", "\x1b]0;pwned\x07after", "after"},
		{"osc 0 title st", "\x1b]0;pwned\x1b\\after", "after"},
		{"osc 52 clipboard", "\x1b]52;c;cm0gLXJmIH4K\x07ok", "ok"},
		{"osc 8 link", "\x1b]8;;https://example.com\x07text\x1b]8;;\x07", "text"},
		{"osc unterminated swallows rest", "before\x1b]0;title\nmore lines", "before"},
		{"osc aborted by esc", "\x1b]0;title\x1b[2Jafter", "after"},
		{"osc cancelled by can", "\x1b]0;title\x18after", "after"},
		{"osc c1 utf8 st", "\u009d0;t\u009cafter", "after"},
		{"osc c1 raw", "\x9d0;t\x9cafter", "after"},
		{"osc payload with multibyte containing 0x9c", "\x1b]0;\u011c\x07x", "x"},
		{"dcs", "\x1bP+q544e\x1b\\ok", "ok"},
		{"dcs c1 raw", "\x90q#0;2;0;0;0\x9cok", "ok"},
		{"sos", "\x1bXhidden\x1b\\ok", "ok"},
		{"pm", "\x1b^hidden\x1b\\ok", "ok"},
		{"apc", "\x1b_Gf=100;AAAA\x1b\\ok", "ok"},
		{"apc unterminated", "ok\x1b_Ga=T", "ok"},
		{"c0 controls", "a\x00b\x07c\x08d\x0be\x0cf\x7fg", "abcdefg"},
		{"c1 controls utf8", "a\u0085b\u0084c", "abc"},
		{"invalid utf8", "a\xffb\xc3", "a\ufffdb\ufffd"},
		{"unicode kept", "✓ héllo ✗ 日本", "✓ héllo ✗ 日本"},
		{"replacement char kept", "\ufffd", "\ufffd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Text(tt.in)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			assertSafe(t, got, false)
		})
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"one line", "one line"},
		{"two\nlines", "two lines"},
		{"crlf\r\nend", "crlf end"},
		{"tab\there", "tab here"},
		{"\x1b]0;x\x07title\x1b[K", "title"},
	}
	for _, tt := range tests {
		if got := Line(tt.in); got != tt.want {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRendered(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "text\n", "text\n"},
		{"sgr kept", "\x1b[1;38;5;228mbold\x1b[0m", "\x1b[1;38;5;228mbold\x1b[0m"},
		{"sgr colon form kept", "\x1b[38:2::255:0:0mx\x1b[m", "\x1b[38:2::255:0:0mx\x1b[m"},
		{"c1 sgr normalised", "\u009b1mx", "\x1b[1mx"},
		{"raw c1 sgr normalised", "\x9b1mx", "\x1b[1mx"},
		{"private sgr-like dropped", "\x1b[?1mx", "x"},
		{"sgr with intermediate dropped", "\x1b[1 mx", "x"},
		{"cursor move dropped", "\x1b[Hx\x1b[2J", "x"},
		{"erase line dropped", "a\x1b[Kb", "ab"},
		{"osc 0 dropped", "\x1b]0;title\x07x", "x"},
		{"osc 52 dropped", "\x1b]52;c;aGk=\x1b\\x", "x"},
		{"osc 8 https bel", "\x1b]8;;https://example.com/a?b=c\x07link\x1b]8;;\x07",
			"\x1b]8;;https://example.com/a?b=c\x07link\x1b]8;;\x07"},
		{"osc 8 http st", "\x1b]8;;http://example.com\x1b\\link\x1b]8;;\x1b\\",
			"\x1b]8;;http://example.com\x1b\\link\x1b]8;;\x1b\\"},
		{"osc 8 with id", "\x1b]8;id=x1;https://e.com\x07l\x1b]8;;\x07",
			"\x1b]8;id=x1;https://e.com\x07l\x1b]8;;\x07"},
		{"osc 8 odd params dropped", "\x1b]8;a b;https://e.com\x07l", "\x1b]8;;https://e.com\x07l"},
		{"osc 8 c1 st normalised", "\x1b]8;;https://e.com\u009cl", "\x1b]8;;https://e.com\x1b\\l"},
		{"osc 8 file dropped", "\x1b]8;;file:///etc/passwd\x07l\x1b]8;;\x07", "l\x1b]8;;\x07"},
		{"osc 8 javascript dropped", "\x1b]8;;javascript:alert(1)\x07l", "l"},
		{"osc 8 uri with space dropped", "\x1b]8;;https://e.com/a b\x07l", "l"},
		{"osc 8 uri with non-ascii dropped", "\x1b]8;;https://e.com/é\x07l", "l"},
		{"osc 8 unterminated dropped", "l\x1b]8;;https://e.com", "l"},
		{"osc 8 aborted by esc dropped", "\x1b]8;;https://e.com\x1b[2Jl", "l"},
		{"osc 8 without uri separator", "\x1b]8;https://e.com\x07l", "l"},
		{"dcs dropped", "\x1bPq#0\x1b\\x", "x"},
		{"apc dropped", "\x1b_Gi=1\x1b\\x", "x"},
		{"unterminated csi at end", "x\x1b[1;3", "x"},
		{"control chars dropped", "a\x07\x08b\rc\u0085d", "abcd"},
		{"newline tab kept", "a\n\tb", "a\n\tb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Rendered(tt.in)
			if got != tt.want {
				t.Errorf("Rendered(%q) = %q, want %q", tt.in, got, tt.want)
			}
			assertSafe(t, got, true)
		})
	}
}

func TestMarkdown(t *testing.T) {
	const r = "\ufffd"
	tests := []struct {
		name, in, want string
	}{
		{"plain", "# Title\n\ntext & more", "# Title\n\ntext & more"},
		{"decimal esc", "&#27;[2J", r + "[2J"},
		{"decimal esc leading zeros", "&#0027;[2J", r + "[2J"},
		{"octal reading by goldmark", "&#033;[2J", r + "[2J"},
		{"hex esc", "&#x1b;]52;c;aGk=&#x7;", r + "]52;c;aGk=" + r},
		{"hex upper", "&#X1B;[H", r + "[H"},
		{"no semicolon", "&#27[2J", r + "[2J"},
		{"c1 csi decimal", "&#155;2J", r + "2J"},
		{"c1 csi hex", "&#x9b;2J", r + "2J"},
		{"c1 osc maps through cp1252 table", "&#157;", r},
		{"del", "&#127;", r},
		{"nul", "&#0;", r},
		{"cr", "&#13;", r},
		{"surrogate", "&#xD800;", r},
		{"beyond unicode", "&#x110000;", r},
		{"wraps to esc in 32 bits", "&#4294967323;", r},
		{"huge hex", "&#x10000001b;", r},
		{"tab and newline allowed", "&#9;&#10;&#x0A;", "&#9;&#10;&#x0A;"},
		{"ordinary refs kept", "&#65;&#x263A;&#8212;", "&#65;&#x263A;&#8212;"},
		{"named refs kept", "&amp; &lt; &Tab; &NewLine; &copy;", "&amp; &lt; &Tab; &NewLine; &copy;"},
		{"not a reference", "&# &#x; &#;", "&# &#x; &#;"},
		{"raw esc removed", "a\x1b[2Jb", "ab"},
		{"reference made by removal", "&#\x1b[m27;", r},
		{"in code fence", "```\n&#27;]0;x&#7;\n```", "```\n" + r + "]0;x" + r + "\n```"},
		{"in link url", "[x](https://e.com/&#x1b;)", "[x](https://e.com/" + r + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Markdown(tt.in); got != tt.want {
				t.Errorf("Markdown(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// sgrRE and osc8RE describe the only escape sequences Rendered may emit.
var (
	sgrRE  = regexp.MustCompile(`^\x1b\[[0-9;:]*m`)
	osc8RE = regexp.MustCompile(`^\x1b\]8;[A-Za-z0-9=:_.-]*;((?i:https?://)[!-~]*)?(\x07|\x1b\\)`)
)

// assertSafe fails if s contains anything a terminal could act on other
// than newline, tab and (if rendered) SGR and http(s) OSC 8 sequences. It
// is written independently of the scanner so that it checks the result,
// not the implementation.
func assertSafe(t testing.TB, s string, rendered bool) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("output is not valid UTF-8: %q", s)
	}
	for i := 0; i < len(s); {
		if s[i] == 0x1b && rendered {
			if m := sgrRE.FindString(s[i:]); m != "" {
				i += len(m)
				continue
			}
			if m := osc8RE.FindString(s[i:]); m != "" {
				i += len(m)
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			t.Fatalf("output has control %U at byte %d: %q", r, i, s)
		}
		i += size
	}
}

func FuzzText(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		assertSafe(t, out, false)
		if again := Text(out); again != out {
			t.Fatalf("Text is not idempotent: %q -> %q -> %q", s, out, again)
		}
		line := Line(s)
		assertSafe(t, line, false)
		if strings.ContainsAny(line, "\n\t") {
			t.Fatalf("Line(%q) = %q has a newline or tab", s, line)
		}
		assertSafe(t, Markdown(s), false)
	})
}

func FuzzRendered(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Rendered(s)
		assertSafe(t, out, true)
		if again := Rendered(out); again != out {
			t.Fatalf("Rendered is not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}

// seeds are shared by the fuzz targets; testdata/fuzz holds more.
var seeds = []string{
	"plain text\n",
	"\x1b[1;31mred\x1b[0m",
	"\x1b[2J\x1b[H",
	"\x1b]0;title\x07",
	"\x1b]52;c;aGk=\x1b\\",
	"\x1b]8;;https://example.com\x07link\x1b]8;;\x07",
	"\x1b]8;;file:///etc/passwd\x1b\\x",
	"\x1bPq#0\x1b\\",
	"\x1b_Gf=100\x1b\\",
	"\u009b2J\x9b2J\u009d0;x\u009c",
	"a\r\nb\rc",
	"&#27;[2J&#x1b;]52;c;x&#7;",
	"\x1b]0;unterminated",
}
