package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"shipshape/internal/check"
	store "shipshape/internal/progress"
)

// Progress is what the TUI needs of the progress store: its state, and one
// intent per change the TUI makes. The methods are called only from
// commands, never from Update or View. A read-only store answers the
// intents with an error wrapping progress.ErrReadOnly.
type Progress interface {
	State() store.State
	ReadOnly() bool
	Notices() []string

	// OpenLesson makes lessonID the current lesson and stamps when it was
	// shown; CloseLesson leaves none current, so a restart begins on the list.
	OpenLesson(lessonID string) error
	CloseLesson() error
	// MarkRead records that the lesson's end was reached; the first time is kept.
	MarkRead(lessonID string) error
	// SetPosition saves where the lesson is scrolled to and makes it current.
	SetPosition(lessonID string, offset int) error
	// ToggleTick ticks or unticks a checklist item only the learner can judge.
	ToggleTick(itemID string) error
	// RevealHints records how many of an exercise's hints were revealed.
	RevealHints(exerciseID string, n int) error
	// RecordAttempt adds a finished check run to the exercise's attempts.
	RecordAttempt(exerciseID string, rep check.Report) error
}

// savedMsg reports the progress after an intent ran.
type savedMsg struct {
	// gen is the pack generation the save belongs to; saves of a pack
	// switched away from are ignored.
	gen   int
	state store.State
	err   error
}

// attemptSavedMsg reports a recorded check run; the exercise screen says
// when it could not be saved.
type attemptSavedMsg struct{ savedMsg }

// saver runs progress intents in the background for one pack.
type saver struct {
	p   Progress
	gen int
}

// save runs intent in a command and reports the state it left.
func (s saver) save(intent func(Progress) error) tea.Cmd {
	if s.p == nil {
		return nil
	}
	p, gen := s.p, s.gen
	return func() tea.Msg {
		err := intent(p)
		return savedMsg{gen: gen, state: p.State(), err: err}
	}
}

// recordAttempt saves a finished check run of exerciseID.
func (s saver) recordAttempt(exerciseID string, rep check.Report) tea.Cmd {
	save := s.save(func(p Progress) error { return p.RecordAttempt(exerciseID, rep) })
	if save == nil {
		return nil
	}
	return func() tea.Msg { return attemptSavedMsg{save().(savedMsg)} }
}
