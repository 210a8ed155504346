package render

import (
	"strings"
	"testing"
)

func TestBreakLine(t *testing.T) {
	for _, c := range []struct {
		line  string
		avail int
		want  []string // the pieces, continuation marks as " ↩"
	}{
		{"docker ps", 20, []string{"docker ps"}},
		{"grep -iE 'a|b' file.txt", 16, []string{"grep -iE 'a|b' ↩", "    file.txt"}},
		{"  RUN useradd --shell /usr/sbin/nologin app", 30, []string{"  RUN useradd --shell ↩", "      /usr/sbin/nologin app"}},
		{`{"a":1,"bb":2,"ccc":3}`, 14, []string{`{"a":1, ↩`, `    "bb":2, ↩`, `    "ccc":3}`}},
		{"abcdefghijklmnop", 10, []string{"abcdefgh ↩", "    ijkl ↩", "    mnop"}},
	} {
		var got []string
		for _, p := range breakLine(c.line, c.avail) {
			s := strings.Repeat(" ", p.indent) + c.line[p.from:p.to]
			if p.cont {
				s += " " + ContinuationMark
			}
			if w := len([]rune(s)); w > c.avail {
				t.Errorf("breakLine(%q, %d): piece %q is %d wide", c.line, c.avail, s, w)
			}
			got = append(got, s)
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("breakLine(%q, %d) =\n%s\nwant\n%s", c.line, c.avail, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
}

func TestExtractCodeKeepsListIndentAndPlaceholderUnique(t *testing.T) {
	md := "SHIPSHAPECODE here\n\n1. Step:\n   ```bash\n   echo hi\n     indented\n   ```\n2. Next\n"
	prose, blocks, prefix := extractCode(md)
	if prefix == "SHIPSHAPECODE" || len(blocks) != 1 {
		t.Fatalf("prefix %q, %d blocks", prefix, len(blocks))
	}
	if got := strings.Join(blocks[0].lines, "\n"); got != "echo hi\n  indented" || blocks[0].lang != "bash" {
		t.Errorf("block %q lang %q", got, blocks[0].lang)
	}
	if !strings.Contains(prose, "\n   "+placeholder(prefix, 0)+"\n") {
		t.Errorf("placeholder not indented into the list item:\n%s", prose)
	}
}
