package render

import (
	"strings"
	"testing"
	"testing/fstest"

	"shipshape/internal/course"
)

// worstCases make lessons that push one of the loader's render limits
// (see internal/course/bounds.go) with n repetitions of something costly.
var worstCases = []struct {
	name string
	make func(n int) string
}{
	{"long-words", func(n int) string {
		// Four words of the longest length allowed, then n of a length that
		// does not count towards the long-word total.
		return strings.Repeat(strings.Repeat("w", course.MaxTokenBytes)+" ", 4) +
			strings.Repeat(strings.Repeat("v", 256)+" ", n)
	}},
	{"nested-lists", func(n int) string {
		var b strings.Builder
		for range n {
			for d := 0; d < course.MaxNesting; d++ {
				b.WriteString(strings.Repeat("  ", d) + "- x\n")
			}
			b.WriteString("\n")
		}
		return b.String()
	}},
	{"deep-quotes", func(n int) string { return strings.Repeat(strings.Repeat("> ", course.MaxNesting)+"x\n\n", n) }},
	{"code-blocks", func(n int) string { return strings.Repeat("```\nx\n```\n\n", n) }},
	{"paragraphs", func(n int) string { return strings.Repeat("x\n\n", n) }},
	{"entities", func(n int) string { return strings.Repeat("&amp; &#8212; &lt;\n", n) }},
}

// loads reports whether body is a lesson the loader accepts.
func loads(body string) bool {
	fsys := fstest.MapFS{
		course.ManifestName: {Data: []byte("format_version: 1\nid: bench\ntitle: B\nversion: \"1\"\nlessons: [one.md]\n")},
		"one.md":            {Data: []byte("---\nid: one\ntitle: One\nsummary: S.\nminutes: 1\n---\n" + body)},
	}
	_, err := course.Load(fsys, "bench", course.Options{})
	return err == nil
}

// largestAccepted finds the most repetitions the loader accepts, so the
// lesson is just within the limits.
func largestAccepted(b *testing.B, make func(int) string) string {
	b.Helper()
	lo, hi := 0, 1
	for loads(make(hi)) {
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; loads(make(mid)) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		b.Fatal("not even one repetition loads")
	}
	return make(lo)
}

// BenchmarkBounds renders the worst lessons the loader accepts beside the
// largest built-in lesson, cold (a new Renderer each time) at width 80:
// the longest a learner waits for one lesson.
func BenchmarkBounds(b *testing.B) {
	bench := func(b *testing.B, name, body string) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := New(DefaultMaxWidth).Render(name, body, 80, Dark); err != nil {
				b.Fatal(err)
			}
		}
	}
	name, md := largestLesson(b)
	b.Run("baseline-"+name, func(b *testing.B) { bench(b, name, md) })
	for _, c := range worstCases {
		b.Run(c.name, func(b *testing.B) { bench(b, c.name, largestAccepted(b, c.make)) })
	}
}
