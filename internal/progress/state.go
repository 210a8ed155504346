package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// CurrentSchema is the schema number this build writes. Files with a lower
// number are migrated on load; files with a higher number open read-only.
const CurrentSchema = 2

// MaxAttempts is how many attempts are kept per exercise; older ones are
// dropped so that the file stays small however often a learner retries.
const MaxAttempts = 20

// State is a learner's progress through one lesson pack (schema 2).
type State struct {
	// Schema is the file format number; always CurrentSchema once loaded.
	Schema int `json:"schema"`
	// PackID names the lesson pack this progress belongs to.
	PackID string `json:"pack_id"`
	// PackVersion is the version of the pack last used, if known, so that a
	// caller can tell when lessons may have changed under the saved offsets.
	PackVersion string `json:"pack_version,omitempty"`
	// Current is the id of the lesson that was open last.
	Current string `json:"current_lesson,omitempty"`
	// Lessons holds reading progress by lesson id.
	Lessons map[string]*LessonProgress `json:"lessons"`
	// Exercises holds check attempts by exercise id.
	Exercises map[string]*ExerciseProgress `json:"exercises"`
	// Checklist holds ticked checklist items by item id.
	Checklist map[string]bool `json:"checklist,omitempty"`
	// UpdatedAt is when the state was last saved.
	UpdatedAt time.Time `json:"updated_at"`
}

// LessonProgress is how far a learner got in one lesson.
type LessonProgress struct {
	// ReadAt is when the lesson was first marked read; nil while unread.
	ReadAt *time.Time `json:"read_at,omitempty"`
	// Offset is the scroll position (in rendered lines) to return to.
	Offset int `json:"offset"`
	// LastOpened is when the lesson was last shown.
	LastOpened time.Time `json:"last_opened"`
}

// ExerciseProgress is the history of checks run for one exercise.
type ExerciseProgress struct {
	// PassedAt is when the first passing attempt finished. It is kept even
	// after that attempt falls out of Attempts, so a pass is never forgotten.
	PassedAt *time.Time `json:"passed_at,omitempty"`
	// Attempts are the most recent attempts, oldest first, at most MaxAttempts.
	Attempts []Attempt `json:"attempts"`
	// HintsRevealed is how many of the exercise's hints the learner has
	// seen, so that a restart shows them again. Files without it (every
	// file before it was added) read as none revealed.
	HintsRevealed int `json:"hints_revealed,omitempty"`
}

// Attempt is one run of an exercise's checks.
type Attempt struct {
	// StartedAt is when the run began.
	StartedAt time.Time `json:"started_at"`
	// DurationMS is how long the whole run took, in milliseconds.
	DurationMS int64 `json:"duration_ms"`
	// Image is the image reference the learner's work was checked as.
	Image string `json:"image,omitempty"`
	// ImageID is the image id that was inspected, to tell rebuilt images apart.
	ImageID string `json:"image_id,omitempty"`
	// Passed reports whether every required check passed.
	Passed bool `json:"passed"`
	// Checks are the individual check results.
	Checks []CheckRecord `json:"checks"`
}

// CheckRecord is the stored result of one check within an attempt.
type CheckRecord struct {
	// ID is the check id from the exercise declaration.
	ID string `json:"id"`
	// Kind is the check kind, e.g. "image_user".
	Kind string `json:"kind"`
	// Title is the human-readable check title at the time it ran.
	Title string `json:"title"`
	// Status is the outcome, e.g. "pass", "fail", "skip" or "error".
	Status string `json:"status"`
	// Required reports whether the check counted towards passing.
	Required bool `json:"required"`
	// Evidence is what the check saw, as short lines.
	Evidence []string `json:"evidence,omitempty"`
	// DurationMS is how long the check took, in milliseconds.
	DurationMS int64 `json:"duration_ms"`
}

// NewState returns empty progress for packID in the current schema.
func NewState(packID string) State {
	return State{
		Schema:    CurrentSchema,
		PackID:    packID,
		Lessons:   map[string]*LessonProgress{},
		Exercises: map[string]*ExerciseProgress{},
	}
}

// Clone returns a deep copy, so that callers may keep or change it without
// touching the store's own state.
func (st State) Clone() State {
	out := st
	out.Lessons = make(map[string]*LessonProgress, len(st.Lessons))
	for id, lp := range st.Lessons {
		if lp == nil {
			continue
		}
		c := *lp
		c.ReadAt = cloneTime(lp.ReadAt)
		out.Lessons[id] = &c
	}
	out.Exercises = make(map[string]*ExerciseProgress, len(st.Exercises))
	for id, ep := range st.Exercises {
		if ep == nil {
			continue
		}
		c := ExerciseProgress{PassedAt: cloneTime(ep.PassedAt), HintsRevealed: ep.HintsRevealed}
		if ep.Attempts != nil {
			c.Attempts = make([]Attempt, len(ep.Attempts))
			for i, a := range ep.Attempts {
				c.Attempts[i] = a.clone()
			}
		}
		out.Exercises[id] = &c
	}
	if st.Checklist != nil {
		out.Checklist = make(map[string]bool, len(st.Checklist))
		for k, v := range st.Checklist {
			out.Checklist[k] = v
		}
	}
	return out
}

func (a Attempt) clone() Attempt {
	out := a
	if a.Checks != nil {
		out.Checks = make([]CheckRecord, len(a.Checks))
		for i, c := range a.Checks {
			cc := c
			if c.Evidence != nil {
				cc.Evidence = append([]string(nil), c.Evidence...)
			}
			out.Checks[i] = cc
		}
	}
	return out
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// normalize repairs what a caller's Update function or a hand-edited file may
// have left inconsistent, so that every saved file has the same shape.
func (st *State) normalize(packID string) {
	st.Schema = CurrentSchema
	st.PackID = packID
	if st.Lessons == nil {
		st.Lessons = map[string]*LessonProgress{}
	}
	if st.Exercises == nil {
		st.Exercises = map[string]*ExerciseProgress{}
	}
	for id, lp := range st.Lessons {
		if lp == nil {
			delete(st.Lessons, id)
			continue
		}
		if lp.Offset < 0 {
			lp.Offset = 0
		}
	}
	for id, ep := range st.Exercises {
		if ep == nil {
			delete(st.Exercises, id)
			continue
		}
		ep.capAttempts()
		ep.HintsRevealed = max(0, ep.HintsRevealed)
	}
	if len(st.Checklist) == 0 {
		st.Checklist = nil
	}
}

// capAttempts records the first pass before dropping old attempts, then keeps
// only the newest MaxAttempts.
func (ep *ExerciseProgress) capAttempts() {
	if ep.PassedAt == nil {
		for _, a := range ep.Attempts {
			if a.Passed {
				t := a.finishedAt()
				ep.PassedAt = &t
				break
			}
		}
	}
	if n := len(ep.Attempts); n > MaxAttempts {
		// Copy so the dropped attempts do not stay reachable through the
		// old backing array.
		ep.Attempts = append([]Attempt(nil), ep.Attempts[n-MaxAttempts:]...)
	}
	if ep.Attempts == nil {
		ep.Attempts = []Attempt{}
	}
}

func (a Attempt) finishedAt() time.Time {
	return a.StartedAt.Add(time.Duration(a.DurationMS) * time.Millisecond)
}

// stateV1 is schema 1, written by the first shipshape builds. It only knew
// which lessons were read and where the learner left off, had no timestamps
// and named its version field "version" rather than "schema":
//
//	{"version":1,"pack":"id","read":["lesson-a"],"last_lesson":"x","last_offset":12}
type stateV1 struct {
	Version    int      `json:"version"`
	Pack       string   `json:"pack"`
	Read       []string `json:"read"`
	LastLesson string   `json:"last_lesson"`
	LastOffset int      `json:"last_offset"`
}

// migrateV1 turns a schema-1 file into the current schema. Schema 1 kept no
// times, so the file's modification time stands in for them: it is the
// latest moment the recorded progress can have happened.
func migrateV1(v1 stateV1, modTime time.Time) State {
	st := NewState(v1.Pack)
	t := modTime.UTC()
	for _, id := range v1.Read {
		if id == "" {
			continue
		}
		readAt := t
		st.Lessons[id] = &LessonProgress{ReadAt: &readAt, LastOpened: t}
	}
	if v1.LastLesson != "" {
		lp := st.Lessons[v1.LastLesson]
		if lp == nil {
			lp = &LessonProgress{LastOpened: t}
			st.Lessons[v1.LastLesson] = lp
		}
		lp.Offset = max(v1.LastOffset, 0)
		st.Current = v1.LastLesson
	}
	st.UpdatedAt = t
	return st
}

// decodeResult says what decode found in a progress file.
type decodeResult int

const (
	decodedCurrent  decodeResult = iota // schema 2, used as is
	decodedMigrated                     // older schema, migrated
	decodedNewer                        // newer schema: keep, never overwrite
)

// errNoSchema marks a JSON document that is not a progress file at all.
var errNoSchema = errors.New("not a shipshape progress file: no schema number")

// decode parses a progress file's bytes. An error means the file is damaged
// (not JSON, truncated, wrong pack, unknown shape); the caller decides whether
// to move it aside or only report it.
func decode(data []byte, packID string, modTime time.Time) (State, decodeResult, error) {
	var probe struct {
		Schema  *int `json:"schema"`
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return State{}, 0, fmt.Errorf("not valid JSON: %w", err)
	}
	switch {
	case probe.Schema != nil:
		schema := *probe.Schema
		switch {
		case schema > CurrentSchema:
			// Best effort: show what can be understood, but the caller must
			// never write it back.
			st := NewState(packID)
			_ = json.Unmarshal(data, &st)
			st.normalize(packID)
			return st, decodedNewer, fmt.Errorf("schema %d is newer than %d", schema, CurrentSchema)
		case schema == CurrentSchema:
			var st State
			if err := json.Unmarshal(data, &st); err != nil {
				return State{}, 0, fmt.Errorf("unexpected content: %w", err)
			}
			if st.PackID != packID {
				return State{}, 0, fmt.Errorf("it belongs to pack %q, not %q", st.PackID, packID)
			}
			st.normalize(packID)
			return st, decodedCurrent, nil
		default:
			return State{}, 0, fmt.Errorf("unknown schema %d", schema)
		}
	case probe.Version != nil && *probe.Version == 1:
		var v1 stateV1
		if err := json.Unmarshal(data, &v1); err != nil {
			return State{}, 0, fmt.Errorf("unexpected schema-1 content: %w", err)
		}
		if v1.Pack != packID {
			return State{}, 0, fmt.Errorf("it belongs to pack %q, not %q", v1.Pack, packID)
		}
		st := migrateV1(v1, modTime)
		st.normalize(packID)
		return st, decodedMigrated, nil
	default:
		return State{}, 0, errNoSchema
	}
}

// encode renders st as the bytes written to disk. Indented so a learner or
// a maintainer can read and diff the file.
func encode(st State) ([]byte, error) {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
