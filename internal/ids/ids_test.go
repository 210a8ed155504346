package ids

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"production-readiness", true},
		{"a", true},
		{"0-1", true},
		{"trailing-", true},
		{strings.Repeat("a", MaxLen), true},
		{"", false},
		{strings.Repeat("a", MaxLen+1), false},
		{"-lead", false},
		{"Upper", false},
		{"a_b", false},
		{"a.b", false},
		{"a/b", false},
		{"../etc", false},
		{"é", false},
		{"a b", false},
	} {
		if got := Valid(tc.id); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestFromName(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  int
		want string
	}{
		{"mypack", 48, "mypack"},
		{"My Pack_2", 48, "my-pack-2"},
		{"--a--b--", 48, "a-b"},
		{"Ünïcode ☃ pack", 48, "n-code-pack"},
		{"...", 48, ""},
		{strings.Repeat("ab-", 30), 48, strings.TrimRight(strings.Repeat("ab-", 16), "-")},
		{strings.Repeat("a", 100), 200, strings.Repeat("a", MaxLen)},
	} {
		got := FromName(tc.name, tc.max)
		if got != tc.want {
			t.Errorf("FromName(%q, %d) = %q, want %q", tc.name, tc.max, got, tc.want)
		}
		if got != "" && !Valid(got) {
			t.Errorf("FromName(%q, %d) = %q, which is not a valid id", tc.name, tc.max, got)
		}
	}
}
