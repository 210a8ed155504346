// Package summary combines a lesson pack with a learner's progress into the
// per-lesson states that the lesson list, `shipshape list` and
// `shipshape progress` show, so all three agree.
package summary

import (
	"time"

	"shipshape/internal/course"
	"shipshape/internal/progress"
)

// State is where a learner stands with one lesson.
type State string

// Lesson states, from least to most done.
const (
	NotStarted State = "not-started"
	Opened     State = "opened"
	Read       State = "read"
	Passed     State = "passed"
)

// Lesson is one lesson's standing.
type Lesson struct {
	Lesson *course.Lesson
	State  State
	// Done is true when the lesson counts as finished: read, or for an
	// exercise lesson, its exercise passed.
	Done     bool
	ReadAt   *time.Time
	Attempts int
	PassedAt *time.Time
	// LastAttemptPassed is the outcome of the newest attempt, if any.
	LastAttemptPassed *bool
}

// Summary is the standing of a whole pack.
type Summary struct {
	Lessons []Lesson
	Done    int
	Total   int
}

// Percent is the share of lessons done, from 0 to 1.
func (s Summary) Percent() float64 {
	if s.Total == 0 {
		return 0
	}
	return float64(s.Done) / float64(s.Total)
}

// Of computes the standing of every lesson of pack from st.
func Of(pack *course.Pack, st progress.State) Summary {
	sum := Summary{Total: len(pack.Lessons)}
	for _, l := range pack.Lessons {
		ls := Lesson{Lesson: l, State: NotStarted}
		if lp := st.Lessons[l.ID]; lp != nil {
			ls.State = Opened
			if lp.ReadAt != nil {
				ls.State = Read
				ls.ReadAt = lp.ReadAt
			}
		}
		if l.Exercise != nil {
			if ep := st.Exercises[l.Exercise.ID]; ep != nil {
				ls.Attempts = len(ep.Attempts)
				ls.PassedAt = ep.PassedAt
				if n := len(ep.Attempts); n > 0 {
					passed := ep.Attempts[n-1].Passed
					ls.LastAttemptPassed = &passed
				}
				if ep.PassedAt != nil {
					ls.State = Passed
				}
			}
			ls.Done = ls.State == Passed
		} else {
			ls.Done = ls.State == Read
		}
		if ls.Done {
			sum.Done++
		}
		sum.Lessons = append(sum.Lessons, ls)
	}
	return sum
}
