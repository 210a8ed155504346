package termsafe

import (
	"strings"
	"testing"
)

func TestFindControls(t *testing.T) {
	cases := []struct {
		in   string
		want []string // Desc substrings, in order
	}{
		{"plain text\twith tab\nand newline", nil},
		{"caf\u00e9 &#233; &amp; &#10; &#9;", nil},
		{"a\x1b[2Jb", []string{"U+001B (ESC"}},
		{"osc \x1b]52;c;QUJD\x07", []string{"U+001B", "U+0007 (BEL)"}},
		{"dcs \u0090q\u009c", []string{"U+0090 (DCS)", "U+009C"}},
		{"csi \u009b31m", []string{"U+009B (CSI)"}},
		{"raw \x9b byte", []string{"byte 0x9B"}},
		{"cr\rhere", []string{"carriage return"}},
		{"&#27;[31m", []string{`"&#27;"`}},
		{"&#x1b &#X9B; &#0155; &#4294967323;", []string{`"&#x1b"`, `"&#X9B;"`, `"&#0155;"`, `"&#4294967323;"`}},
	}
	for _, tc := range cases {
		got := FindControls(tc.in, 0)
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %+v, want %d", tc.in, got, len(tc.want))
			continue
		}
		for i, c := range got {
			if !strings.Contains(c.Desc, tc.want[i]) {
				t.Errorf("%q: #%d %q lacks %q", tc.in, i, c.Desc, tc.want[i])
			}
			if c.Offset < 0 || c.Offset+c.Len > len(tc.in) {
				t.Errorf("%q: bad span %+v", tc.in, c)
			}
		}
	}
	if n := len(FindControls(strings.Repeat("\x1b", 100), 3)); n != 3 {
		t.Errorf("max ignored: %d", n)
	}
}
