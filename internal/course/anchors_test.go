package course

import (
	"reflect"
	"testing"
)

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Why root is risky", "why-root-is-risky"},
		{"Use USER, not sudo", "use-user-not-sudo"},
		{"The .dockerignore file", "the-dockerignore-file"},
		{"Switch to the user with USER", "switch-to-the-user-with-user"},
		{"Give the app a writable /tmp", "give-the-app-a-writable-tmp"},
		{"Exercise 3.1: Security hardening", "exercise-31-security-hardening"},
		{"snake_case and kebab-case", "snake_case-and-kebab-case"},
		{"Größe & Zeit ✓", "größe--zeit-"},
		{"  padded  ", "--padded--"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Slug(tt.in); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHeadings(t *testing.T) {
	md := "---\n" +
		"id: non-root\n" +
		"title: Run as a non-root user\n" +
		"---\n" +
		"# Run as a non-root user\n" + // line 5
		"\n" +
		"## Why root is risky\n" + // 7
		"\n" +
		"```bash\n" +
		"# not a heading\n" +
		"## nor this\n" +
		"```\n" +
		"\n" +
		"    # indented code, not a heading\n" +
		"\n" +
		"Setext heading\n" + // 16
		"--------------\n" +
		"\n" +
		"## Use `USER`, not *sudo*\n" + // 19
		"## Why root is risky\n" + // 20
		"## Why root is risky ##\n" + // 21
		"### Tom &amp; Jerry \\#1 [link](https://e.com)\n" + // 22
		"#\n" +
		"~~~\n# fenced with tildes\n~~~\n" +
		"#### Evil \x1b]0;x\x07title\n" // 27
	got := Headings(md)
	want := []Heading{
		{1, "Run as a non-root user", "run-as-a-non-root-user", 5},
		{2, "Why root is risky", "why-root-is-risky", 7},
		{2, "Setext heading", "setext-heading", 16},
		{2, "Use USER, not sudo", "use-user-not-sudo", 19},
		{2, "Why root is risky", "why-root-is-risky-1", 20},
		{2, "Why root is risky", "why-root-is-risky-2", 21},
		{3, "Tom & Jerry #1 link", "tom--jerry-1-link", 22},
		{4, "Evil title", "evil-title", 27},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Headings:\n got %+v\nwant %+v", got, want)
	}
}

func TestHeadingsDuplicateSuffixCollision(t *testing.T) {
	got := Headings("# a\n# a\n# a-1\n")
	var slugs []string
	for _, h := range got {
		slugs = append(slugs, h.Slug)
	}
	if want := []string{"a", "a-1", "a-1-1"}; !reflect.DeepEqual(slugs, want) {
		t.Errorf("slugs = %v, want %v", slugs, want)
	}
}

func TestHeadingsWithoutFrontMatter(t *testing.T) {
	got := Headings("intro\n\n## Only\n---\n")
	if len(got) != 1 || got[0].Slug != "only" || got[0].Line != 3 {
		t.Errorf("Headings = %+v", got)
	}
	// A lone "---" first line without a closing one is a thematic break,
	// not front matter.
	got = Headings("---\n# Title\n")
	if len(got) != 1 || got[0].Line != 2 {
		t.Errorf("Headings = %+v", got)
	}
}
