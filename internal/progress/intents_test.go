package progress

import (
	"path/filepath"
	"testing"
)

func TestIntentsSaveWhatTheyName(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := openT(t, dir)
	fixedClock(s)
	must(t, s.SetPosition("a", 7))
	must(t, s.OpenLesson("b"))
	must(t, s.OpenLesson("a"))
	must(t, s.ToggleTick("healthcheck"))
	must(t, s.ToggleTick("tests-pass"))
	must(t, s.ToggleTick("tests-pass"))

	st := s.State()
	if st.Current != "a" {
		t.Errorf("current lesson %q, want a (opened last)", st.Current)
	}
	if a := st.Lessons["a"]; a == nil || a.Offset != 7 || !a.LastOpened.After(st.Lessons["b"].LastOpened) {
		t.Errorf("lesson a %+v: opening must keep the offset and stamp the time", a)
	}
	if !st.Checklist["healthcheck"] || st.Checklist["tests-pass"] {
		t.Errorf("checklist %v, want healthcheck ticked and tests-pass ticked twice (off)", st.Checklist)
	}

	must(t, s.CloseLesson())
	// What a restart reads is what the intents saved.
	must(t, s.Close())
	again := openT(t, dir)
	st = again.State()
	if st.Current != "" || st.Lessons["a"].Offset != 7 || !st.Checklist["healthcheck"] {
		t.Errorf("reopened: current %q, offset %d, checklist %v", st.Current, st.Lessons["a"].Offset, st.Checklist)
	}
	must(t, again.ToggleTick("healthcheck"))
	if again.State().Checklist != nil {
		t.Errorf("unticking the last item should leave no checklist, got %v", again.State().Checklist)
	}
}

func TestIntentsRejectEmptyIDs(t *testing.T) {
	s := openT(t, t.TempDir())
	if s.OpenLesson("") == nil || s.ToggleTick("") == nil {
		t.Error("an empty id must be refused, not saved")
	}
}
