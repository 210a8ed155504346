package render

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

const sample = `# Run as a non-root user

Containers run as **root** unless told otherwise.

## Switch to the user with USER

- create the user
- switch with ` + "`USER`" + `

` + "```dockerfile" + `
FROM python:3.13-slim
RUN useradd --uid 10001 app
USER app
` + "```" + `

See [the docs](https://docs.docker.com/).
`

func TestRenderContainsText(t *testing.T) {
	r := New(0)
	for _, style := range []Style{Dark, Light, NoColor} {
		out, err := r.Render("non-root", sample, 80, style)
		if err != nil {
			t.Fatalf("Render(%s): %v", style, err)
		}
		plain := ansi.Strip(out)
		for _, want := range []string{
			"Run as a non-root user", "Switch to the user with USER",
			"create the user", "switch with", "useradd --uid 10001 app", "the docs",
		} {
			if !strings.Contains(plain, want) {
				t.Errorf("Render(%s) output lacks %q:\n%s", style, want, plain)
			}
		}
		if style == NoColor && strings.ContainsRune(out, 0x1b) {
			t.Errorf("NoColor output has escape sequences: %q", out)
		}
		if style != NoColor && !strings.Contains(out, "\x1b[") {
			t.Errorf("%s output has no SGR sequences", style)
		}
	}
}

// hostile puts escape sequences and encoded controls everywhere a lesson
// can hold text.
const hostile = "# Title \x1b[2J &#27;[2J &#x1b;]0;title&#7;\n\n" +
	"Text with raw ESC \x1b]52;c;cm0gLXJmIH4K\x07 and &#27;[2J and &#x1b;]52;c;cm0gLXJmIH4K&#x07; and &#155;2J.\n\n" +
	"Inline code `&#27;[31m` and `\x1b[31m` and DCS \x1bPq#0;2;0;0;0\x1b\\ and APC \x1b_Gf=100\x1b\\.\n\n" +
	"OSC 8: \x1b]8;;file:///etc/passwd\x07local\x1b]8;;\x07 and &#x1b;]8;;file:///etc/passwd&#x1b;\\x\n\n" +
	"[link](https://example.com/&#x1b;[2J) and [file](file:///etc/passwd) and <https://e.com/&#27;>\n\n" +
	"```bash\necho &#27;[2J \x1b[H\x1b]0;pwned\x07 &#x9b;2J &#0027;[2J &#033;[2J\n```\n\n" +
	"    indented &#27;[2J\n\n" +
	"| a | b |\n|---|---|\n| &#27;[2J | \x1b[5m |\n\n" +
	"<div>&#27;[2J</div>\n\n" +
	"Double &amp;#27;[2J and ~~&#27;[9m~~ and _&#x1b;[3m_ and &#4294967323;[2J.\n"

var (
	sgrRE = regexp.MustCompile(`^\x1b\[[0-9;:]*m`)
)

// assertTerminalSafe fails if out has any control other than newline, tab
// and SGR sequences.
func assertTerminalSafe(t *testing.T, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output is not valid UTF-8")
	}
	for i := 0; i < len(out); {
		if m := sgrRE.FindString(out[i:]); m != "" {
			i += len(m)
			continue
		}
		r, size := utf8.DecodeRuneInString(out[i:])
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			t.Fatalf("output has control %U at byte %d: %q", r, i, out[max(0, i-20):min(len(out), i+20)])
		}
		i += size
	}
}

func TestRenderSanitizes(t *testing.T) {
	r := New(0)
	for _, style := range []Style{Dark, Light, NoColor} {
		out, err := r.Render("hostile", hostile, 80, style)
		if err != nil {
			t.Fatalf("Render(%s): %v", style, err)
		}
		assertTerminalSafe(t, out)
		plain := ansi.Strip(out)
		for _, bad := range []string{"pwned", "cm0gLXJmIH4K\x07", "file:///etc/passwd\x07"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s output still has %q", style, bad)
			}
		}
		if !strings.Contains(plain, "Title") || !strings.Contains(plain, "indented") {
			t.Errorf("%s output lost ordinary text:\n%s", style, plain)
		}
		if style == Dark && !strings.Contains(out, "\x1b[38;5;") {
			t.Errorf("Dark output lost its colours: %q", out[:min(len(out), 200)])
		}
	}
}

func TestCache(t *testing.T) {
	r := New(0)
	if _, ok := r.Cached("non-root", sample, 80, Dark); ok {
		t.Fatal("Cached hit before any Render")
	}
	first, err := r.Render("non-root", sample, 80, Dark)
	if err != nil {
		t.Fatal(err)
	}
	cached, ok := r.Cached("non-root", sample, 80, Dark)
	if !ok || cached != first {
		t.Fatalf("Cached = %v, identical %v", ok, cached == first)
	}
	second, err := r.Render("non-root", sample, 80, Dark)
	if err != nil || second != first {
		t.Fatalf("second Render differs (err %v)", err)
	}
	// Prose wider than the maximum wraps the same, so without code two
	// such widths share an entry; code is laid out for the whole window.
	prose := sample[:strings.Index(sample, "```")]
	if _, ok := r.Cached("wide", prose, 300, Dark); ok {
		t.Fatal("width 300 should not be cached yet")
	}
	for _, md := range []string{prose, sample} {
		if _, err := r.Render("wide", md, 300, Dark); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := r.Cached("wide", prose, 250, Dark); !ok {
		t.Error("widths 300 and 250 both wrap prose at the maximum and should share an entry")
	}
	if _, ok := r.Cached("wide", sample, 250, Dark); ok {
		t.Error("code is laid out for the window: widths 300 and 250 should not share an entry")
	}
	for _, miss := range []struct {
		id, md string
		width  int
		style  Style
	}{
		{"other", sample, 80, Dark},
		{"non-root", sample + "\nmore\n", 80, Dark},
		{"non-root", sample, 60, Dark},
		{"non-root", sample, 80, Light},
	} {
		if _, ok := r.Cached(miss.id, miss.md, miss.width, miss.style); ok {
			t.Errorf("unexpected hit for %s/%d/%s", miss.id, miss.width, miss.style)
		}
	}
}

func TestCacheBounded(t *testing.T) {
	r := New(0)
	for i := range resultCacheSize + 10 {
		if _, err := r.Render(fmt.Sprint("l", i), "# x\n", 80, NoColor); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.results.len(); n != resultCacheSize {
		t.Errorf("result cache has %d entries, want %d", n, resultCacheSize)
	}
	if _, ok := r.Cached("l0", "# x\n", 80, NoColor); ok {
		t.Error("oldest entry was not evicted")
	}
	if _, ok := r.Cached(fmt.Sprint("l", resultCacheSize+9), "# x\n", 80, NoColor); !ok {
		t.Error("newest entry was evicted")
	}
	for w := MinWidth; w < MinWidth+rendererCacheSize+5; w++ {
		if _, err := r.Render("w", "# x\n", w, NoColor); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.renderers.len(); n != rendererCacheSize {
		t.Errorf("renderer cache has %d entries, want %d", n, rendererCacheSize)
	}
}

func TestWidths(t *testing.T) {
	r := New(100)
	long := "# Wrap\n\n" + strings.Repeat("production readiness means boring, repeatable builds. ", 20) + "\n"
	outs := map[int]string{}
	for _, w := range []int{40, 80, 120} {
		out, err := r.Render("wrap", long, w, Dark)
		if err != nil {
			t.Fatal(err)
		}
		outs[w] = out
		limit := r.WrapWidth(w)
		for _, line := range strings.Split(out, "\n") {
			if got := ansi.StringWidth(line); got > limit {
				t.Errorf("width %d: line is %d columns, limit %d: %q", w, got, limit, ansi.Strip(line))
			}
		}
	}
	if outs[40] == outs[80] || outs[80] == outs[120] {
		t.Error("different widths rendered the same")
	}
	if got := strings.Count(outs[40], "\n"); got <= strings.Count(outs[80], "\n") {
		t.Errorf("40 columns should need more lines than 80")
	}
	if r.WrapWidth(120) != 100 || r.WrapWidth(0) != 100 || r.WrapWidth(5) != MinWidth {
		t.Errorf("WrapWidth: 120->%d 0->%d 5->%d", r.WrapWidth(120), r.WrapWidth(0), r.WrapWidth(5))
	}
}

func TestRenderUnknownStyle(t *testing.T) {
	if _, err := New(0).Render("x", "# x", 80, Style("auto")); err == nil {
		t.Fatal("want an error for an unknown style")
	}
}

func TestConcurrentRender(t *testing.T) {
	r := New(0)
	want := map[string]string{}
	styles := []Style{Dark, Light, NoColor}
	widths := []int{50, 80}
	for _, s := range styles {
		for _, w := range widths {
			out, err := New(0).Render("c", sample, w, s)
			if err != nil {
				t.Fatal(err)
			}
			want[fmt.Sprint(s, w)] = out
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 12 {
				s := styles[(g+i)%len(styles)]
				w := widths[i%len(widths)]
				// Distinct lesson ids force real renders on shared
				// glamour renderers, not just cache hits.
				out, err := r.Render(fmt.Sprint("c", g, i), sample, w, s)
				if err != nil {
					t.Error(err)
					return
				}
				if out != want[fmt.Sprint(s, w)] {
					t.Errorf("concurrent render %s/%d differs from a serial one", s, w)
				}
				r.Cached("c", sample, w, s)
			}
		})
	}
	wg.Wait()
}

func TestParseStyle(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	tests := []struct {
		in   string
		want Style
	}{
		{"dark", Dark}, {"Light", Light}, {" notty ", NoColor}, {"auto", NoColor}, {"", NoColor},
	}
	for _, tt := range tests {
		got, err := ParseStyle(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseStyle(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseStyle("pink"); err == nil {
		t.Error("ParseStyle(pink) should fail")
	}
}

func TestDetectStyleNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if got := DetectStyle(); got != NoColor {
		t.Errorf("DetectStyle with NO_COLOR = %q", got)
	}
}
