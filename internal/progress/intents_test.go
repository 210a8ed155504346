package progress

import (
	"os"
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

// Revealed hints survive a restart; a file written before they were kept
// (schema 2 without the field) reads as none revealed and loses nothing.
func TestRevealHintsKeptAndOldFilesLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	must(t, os.MkdirAll(dir, 0o700))
	old := `{"schema":2,"pack_id":"p","current":"a","lessons":{"a":{"offset":4,"last_opened":"2026-01-02T03:04:05Z"}},` +
		`"exercises":{"3.1":{"passed_at":"2026-01-02T03:05:00Z","attempts":[{"started_at":"2026-01-02T03:04:30Z","duration_ms":900,"passed":true,"checks":[]}]}},` +
		`"updated_at":"2026-01-02T03:05:00Z"}`
	must(t, os.WriteFile(filepath.Join(dir, "p.json"), []byte(old), 0o600))
	s, err := Open(dir, "p")
	if err != nil || s.ReadOnly() || len(s.Notices()) != 0 {
		t.Fatalf("open an old file: %v, read-only %v, notices %v", err, s.ReadOnly(), s.Notices())
	}
	ep := s.State().Exercises["3.1"]
	if ep == nil || ep.PassedAt == nil || len(ep.Attempts) != 1 || ep.HintsRevealed != 0 {
		t.Fatalf("old exercise progress %+v, want its pass and attempt, no hints", ep)
	}
	must(t, s.RevealHints("3.1", 2))
	must(t, s.RevealHints("3.1", 1)) // another window that saw fewer
	must(t, s.RevealHints("3.2", 1))
	must(t, s.Close())

	again, err := Open(dir, "p")
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	st := again.State()
	if st.Exercises["3.1"].HintsRevealed != 2 || st.Exercises["3.1"].PassedAt == nil || st.Exercises["3.2"].HintsRevealed != 1 {
		t.Errorf("reopened: 3.1 %+v, 3.2 %+v", st.Exercises["3.1"], st.Exercises["3.2"])
	}
	if st.Lessons["a"].Offset != 4 {
		t.Errorf("reading position lost: %+v", st.Lessons["a"])
	}
	if err := again.RevealHints("", 1); err == nil {
		t.Error("an empty exercise id was accepted")
	}
}
