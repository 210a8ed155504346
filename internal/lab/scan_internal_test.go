package lab

import (
	"strings"
	"testing"
)

func TestTailWriterKeepsTheEnd(t *testing.T) {
	w := &tailWriter{max: 16}
	var all strings.Builder
	for i := 0; i < 100; i++ {
		s := strings.Repeat(string(rune('a'+i%26)), i%7) + "\n"
		all.WriteString(s)
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
		if len(w.buf) > 2*w.max {
			t.Fatalf("holds %d bytes", len(w.buf))
		}
		want := all.String()
		if len(want) > w.max {
			want = want[len(want)-w.max:]
		}
		if got := w.String(); got != want {
			t.Fatalf("after %d writes: %q, want %q", i+1, got, want)
		}
	}
	big := strings.Repeat("x", 40) + "tail-of-it"
	w.Write([]byte(big))
	if got := w.String(); got != big[len(big)-16:] {
		t.Errorf("after a large write: %q", got)
	}
}
