package render

import "testing"

func TestJoinListContinuations(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"bullet", "- first line\n  second line\n- next\n", "- first line second line\n- next\n"},
		{"numbered", "1. one\n   two\n   three\n\nafter\n", "1. one two three\n\nafter\n"},
		{"paragraph untouched", "plain\ntext\n", "plain\ntext\n"},
		{"fence in item untouched", "- item\n\n  ```bash\n  a\n  b\n  ```\n", "- item\n\n  ```bash\n  a\n  b\n  ```\n"},
		{"nested list", "- a\n  - b\n    c\n", "- a\n  - b c\n"},
		{"hard break kept", "- a  \n  b\n", "- a  \n  b\n"},
		{"table after item", "- a\n| x | y |\n", "- a\n| x | y |\n"},
		{"indented code in item", "- a\n\n      code\n", "- a\n\n      code\n"},
	}
	for _, tt := range tests {
		if got := joinListContinuations(tt.in); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
