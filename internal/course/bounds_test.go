package course

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// lessonWith is a lesson file whose body is body, starting at line 7.
func lessonWith(body string) string {
	return "---\nid: one\ntitle: One\nsummary: S.\nminutes: 1\n---\n" + body
}

func loadOne(t *testing.T, body string) []Problem {
	t.Helper()
	fsys := fstest.MapFS{
		ManifestName: {Data: []byte("format_version: 1\nid: demo\ntitle: D\nversion: \"1\"\nlessons: [one.md]\n")},
		"one.md":     {Data: []byte(lessonWith(body))},
	}
	start := time.Now()
	_, err := Load(fsys, "test", Options{})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("loading took %v", d)
	}
	if err == nil {
		return nil
	}
	pe, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %T: %v", err, err)
	}
	return pe.Problems
}

func chain(depth int) string {
	var b strings.Builder
	for d := 0; d < depth; d++ {
		b.WriteString(strings.Repeat("  ", d) + "- x\n")
	}
	return b.String()
}

func TestRenderBoundsRefuse(t *testing.T) {
	tests := []struct {
		name, body string
		line       int
		want       string
	}{
		{"one long token", "Intro.\n\n" + strings.Repeat("a", 1<<20-200), 9, "run of characters without a space"},
		{"token just over", strings.Repeat("b", MaxTokenBytes+1), 7, "4097-byte run"},
		{"many long words", strings.Repeat(strings.Repeat("c", 4000)+"\n\n", 10), 15, "words longer than 256"},
		{"quote bomb", strings.Repeat(">", 1<<20-100), 7, "block quotes are nested"},
		{"spaced quotes", "text\n" + strings.Repeat("> ", 17) + "x\n", 8, "nested 17 deep"},
		{"nested lists", "# Title\n\n" + chain(17), 25, "lists and block quotes are nested 17 deep"},
		{"list bomb", strings.Repeat(chain(16)+"\n", 1000), 0, "too many blocks to render"},
		{"paragraph bomb", strings.Repeat("x\n\n", 1<<18), 0, "too many blocks to render"},
		{"code bomb", strings.Repeat("```\nx\n```\n", 1000), 0, "too many blocks to render"},
		{"entities", strings.Repeat("&amp; ", MaxEntities+1), 7, "more than 4096 character references"},
		{"numeric entities unbroken", strings.Repeat("&#65;", 900) + "\n" + strings.Repeat("&#65; ", MaxEntities), 8, "character references"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := loadOne(t, tt.body)
			var found *Problem
			for i := range ps {
				if strings.Contains(ps[i].Msg, tt.want) {
					found = &ps[i]
					break
				}
			}
			if found == nil {
				t.Fatalf("no problem containing %q in %v", tt.want, ps)
			}
			if found.File != "one.md" || (tt.line > 0 && found.Line != tt.line) || found.Line == 0 {
				t.Errorf("problem at %s, want one.md:%d", found, tt.line)
			}
			if len(ps) > 2*maxBoundReports {
				t.Errorf("%d problems; a few say it all", len(ps))
			}
		})
	}
}

func TestRenderBoundsAccept(t *testing.T) {
	for name, body := range map[string]string{
		"token at the limit":            strings.Repeat("a", MaxTokenBytes),
		"nesting at the limit":          chain(MaxNesting) + "\n" + strings.Repeat("> ", MaxNesting) + "x\n",
		"entities at the limit":         strings.Repeat("&amp; ", MaxEntities),
		"a code block with a long line": "```\n" + strings.Repeat("x ", 20000) + "\n```\n",
	} {
		if ps := loadOne(t, body); ps != nil {
			t.Errorf("%s: refused: %v", name, ps)
		}
	}
}

func TestBuiltinWithinRenderBounds(t *testing.T) {
	if _, err := Builtin(Options{}); err != nil {
		t.Fatal(err)
	}
}

// TestBinaryYAMLIsRefused: "m5s=" is the bytes 0x9b 0x9b, raw C1 controls
// that a !!binary value would smuggle past the control-character check.
func TestBinaryYAMLIsRefused(t *testing.T) {
	fsys := fstest.MapFS{
		ManifestName: {Data: []byte("format_version: 1\nid: demo\ntitle: D\nversion: \"1\"\ndescription: !!binary m5s=\nlessons: [one.md]\n")},
		"one.md":     {Data: []byte("---\nid: one\ntitle: !!binary m5s=\nsummary: S.\nminutes: 1\n---\nBody.\n")},
	}
	_, ps, err := Validate(fsys, "test", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := FormatProblems(ps)
	for _, want := range []string{"one.md:3: !!binary values are not allowed", "pack.yaml:5: !!binary values are not allowed"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}
