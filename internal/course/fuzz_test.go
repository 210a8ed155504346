package course

import (
	"errors"
	"strings"
	"testing"

	"shipshape/internal/ids"
)

// FuzzLoadLesson feeds arbitrary lesson files and manifests to the loader:
// it must never panic, and whatever it accepts must satisfy the format's rules.
func FuzzLoadLesson(f *testing.F) {
	f.Add(goodManifest, goodLessonTwo)
	f.Add(goodManifest, goodLessonOne)
	f.Add("format_version: 9\n", "---\n---\n")
	f.Add(goodManifest, "---\nid: two\nexercise: {checks: [{kind: a.b, lesson: '#'}]}\n---\n# x\n")
	f.Fuzz(func(t *testing.T, manifest, lesson string) {
		files := map[string]string{"pack.yaml": manifest, "one.md": goodLessonOne, "two.md": lesson}
		p, err := Load(packFS(files), "fuzz", Options{})
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) && !errors.Is(err, ErrNewerFormat) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if pe != nil && len(pe.Problems) == 0 {
				t.Fatal("error without problems")
			}
			return
		}
		seen := map[string]bool{}
		for _, l := range p.Lessons {
			if !ids.Valid(l.ID) || seen[l.ID] {
				t.Fatalf("accepted bad or duplicate lesson id %q", l.ID)
			}
			seen[l.ID] = true
			if strings.TrimSpace(l.Title) == "" || l.Minutes < 1 {
				t.Fatalf("accepted lesson without title or minutes: %+v", l)
			}
			if l.Exercise != nil && (len(l.Exercise.Hints) == 0 || len(l.Exercise.Checks) == 0) {
				t.Fatalf("accepted exercise without hints or checks")
			}
		}
	})
}
