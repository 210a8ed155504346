package render

import (
	"io/fs"
	"strconv"
	"testing"

	"shipshape/lessons"
)

// largestLesson returns the biggest *.md of the built-in course, the worst
// case a learner will wait for.
func largestLesson(b *testing.B) (name, body string) {
	b.Helper()
	paths, err := fs.Glob(lessons.FS, "*.md")
	if err != nil || len(paths) == 0 {
		b.Fatalf("no lessons in lessons.FS (err %v)", err)
	}
	var biggest []byte
	for _, p := range paths {
		data, err := fs.ReadFile(lessons.FS, p)
		if err != nil {
			b.Fatalf("cannot read lesson %q: %v", p, err)
		}
		if len(data) > len(biggest) {
			name, biggest = p, data
		}
	}
	return name, string(biggest)
}

// BenchmarkRender compares a cold render (new Renderer, so no cached
// glamour renderer or result) with a cache hit, at two common widths.
func BenchmarkRender(b *testing.B) {
	name, md := largestLesson(b)
	b.Logf("lesson %s, %d bytes", name, len(md))
	for _, width := range []int{80, 120} {
		b.Run("cold/"+strconv.Itoa(width), func(b *testing.B) {
			b.SetBytes(int64(len(md)))
			for b.Loop() {
				if _, err := New(DefaultMaxWidth+20).Render(name, md, width, Dark); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("cached/"+strconv.Itoa(width), func(b *testing.B) {
			r := New(DefaultMaxWidth + 20)
			if _, err := r.Render(name, md, width, Dark); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(md)))
			for b.Loop() {
				if _, err := r.Render(name, md, width, Dark); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
