package progress

import "errors"

// The intents below are the changes the terminal interface makes while a
// learner reads; each is one atomic save, like MarkRead and SetPosition.

// OpenLesson records that lessonID is being shown now and makes it the
// lesson a restart returns to. Its reading position is kept.
func (s *Store) OpenLesson(lessonID string) error {
	if lessonID == "" {
		return errors.New("cannot record the open lesson: the lesson id is empty")
	}
	return s.Update(func(st *State) {
		lessonOf(st, lessonID).LastOpened = s.now()
		st.Current = lessonID
	})
}

// CloseLesson records that no lesson is open, so that a restart begins on
// the lesson list. Reading positions are kept.
func (s *Store) CloseLesson() error {
	return s.Update(func(st *State) { st.Current = "" })
}

// ToggleTick ticks the checklist item itemID, or unticks it when it was
// ticked.
func (s *Store) ToggleTick(itemID string) error {
	if itemID == "" {
		return errors.New("cannot tick the checklist item: the item id is empty")
	}
	return s.Update(func(st *State) {
		if st.Checklist[itemID] {
			delete(st.Checklist, itemID)
			return
		}
		if st.Checklist == nil {
			st.Checklist = map[string]bool{}
		}
		st.Checklist[itemID] = true
	})
}

// RevealHints records that n of exerciseID's hints have been revealed. A
// count is never lowered: two windows on one course keep the larger.
func (s *Store) RevealHints(exerciseID string, n int) error {
	if exerciseID == "" {
		return errors.New("cannot record the hints revealed: the exercise id is empty")
	}
	return s.Update(func(st *State) {
		ep := st.Exercises[exerciseID]
		if ep == nil {
			ep = &ExerciseProgress{}
			st.Exercises[exerciseID] = ep
		}
		ep.HintsRevealed = max(ep.HintsRevealed, n)
	})
}
