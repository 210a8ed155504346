package tui

import (
	"testing"
	"time"

	"shipshape/internal/course"
	store "shipshape/internal/progress"
	"shipshape/internal/summary"
)

// BenchmarkLessonList measures building the lesson list rows for the
// built-in course, for a new learner and for one who has read everything
// and attempted every exercise, beside the pack load it follows.
func BenchmarkLessonList(b *testing.B) {
	pack, err := course.Builtin(course.Options{})
	if err != nil {
		b.Fatal(err)
	}
	fresh := store.NewState(pack.ID)
	busy := store.NewState(pack.ID)
	now := time.Now()
	for _, l := range pack.Lessons {
		busy.Lessons[l.ID] = &store.LessonProgress{ReadAt: &now, Offset: 40}
		if l.Exercise != nil {
			ep := &store.ExerciseProgress{PassedAt: &now}
			for i := 0; i < store.MaxAttempts; i++ {
				ep.Attempts = append(ep.Attempts, store.Attempt{StartedAt: now, Passed: i%2 == 0})
			}
			busy.Exercises[l.Exercise.ID] = ep
		}
	}
	b.Run("baseline-load-pack", func(b *testing.B) {
		for b.Loop() {
			if _, err := course.Builtin(course.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, st := range map[string]store.State{"new-learner": fresh, "all-done": busy} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				_ = lessonItems(summary.Of(pack, st))
			}
		})
	}
	b.Run("list-model", func(b *testing.B) {
		for b.Loop() {
			l := newLessonList(newStyles())
			l.SetItems(lessonItems(summary.Of(pack, busy)))
		}
	})
}
