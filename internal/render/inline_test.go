package render

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestProseKeepsTogether renders prose narrow enough that a plain word
// wrapper would split inline code, a number from its unit, or leave the
// last word alone on a line.
func TestProseKeepsTogether(t *testing.T) {
	md := "Remove the container afterwards with the flag `docker run --rm` today.\n\n" +
		"Keep the image small: it must stay at most 300 MB in the end, always.\n\n" +
		"Exclude caches with the pattern `**/*.py[cod]` from the build context\nplease.\n"
	for _, style := range []Style{NoColor, Dark} {
		for _, width := range []int{40, 44, 48, 52, 56, 60} {
			out, err := New(0).Render("keep", md, width, style)
			if err != nil {
				t.Fatal(err)
			}
			plain := ansi.Strip(out)
			for _, whole := range []string{"docker run --rm", "300 MB", "**/*.py[cod]"} {
				if !strings.Contains(plain, whole) {
					t.Errorf("%s at %d: %q is split:\n%s", style, width, whole, plain)
				}
			}
			for _, l := range strings.Split(plain, "\n") {
				if f := strings.Fields(l); len(f) == 1 && !strings.HasPrefix(f[0], "…") {
					t.Errorf("%s at %d: a word alone on a line: %q\n%s", style, width, l, plain)
				}
			}
			if strings.ContainsFunc(out, isReserved) {
				t.Errorf("%s at %d: private-use runes left in the output", style, width)
			}
		}
	}
}

func TestHeadingsWithoutMarkers(t *testing.T) {
	for _, style := range []Style{Dark, Light, NoColor} {
		out, err := New(0).Render("h", "# One\n\n## Two\n\n### Three\n\ntext\n", 80, style)
		if err != nil {
			t.Fatal(err)
		}
		if plain := ansi.Strip(out); strings.Contains(plain, "#") || !strings.Contains(plain, "Two") {
			t.Errorf("%s: headings show Markdown markers:\n%s", style, plain)
		}
	}
}
