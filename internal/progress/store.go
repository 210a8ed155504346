package progress

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"shipshape/internal/ids"
	"shipshape/internal/safefile"
	"shipshape/internal/xdgdir"
)

// EnvStateDir overrides where progress is stored.
const EnvStateDir = "SHIPSHAPE_STATE_DIR"

// ErrReadOnly is returned by writes to a store that was opened read-only,
// because another shipshape holds the lock or the file is from a newer
// shipshape.
var ErrReadOnly = errors.New("progress is read-only in this window")

// ErrLocked and ErrNewerFile say why a store is read-only; the errors of
// its writes match ErrReadOnly and one of them (errors.Is).
var (
	ErrLocked    = errors.New("another shipshape holds the progress lock")
	ErrNewerFile = errors.New("the progress file is from a newer shipshape")
)

// ErrClosed is returned by writes to a store after Close.
var ErrClosed = errors.New("progress store is closed")

// ErrInvalidPackID is returned for pack ids that break the ids rule; such ids
// are refused because they become file names.
var ErrInvalidPackID = errors.New("invalid pack id")

// DefaultDir returns where progress is stored: SHIPSHAPE_STATE_DIR if set,
// else $XDG_STATE_HOME/shipshape (by default ~/.local/state/shipshape).
func DefaultDir() (string, error) {
	dir, err := xdgdir.Dir(xdgdir.State, EnvStateDir)
	if errors.Is(err, xdgdir.ErrNoHome) {
		return "", fmt.Errorf("cannot find a directory for progress: %w", err)
	}
	return dir, err
}

// ValidatePackID reports whether id can name a progress file.
func ValidatePackID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: the id is empty", ErrInvalidPackID)
	case !ids.Valid(id):
		return fmt.Errorf("%w %q: an id is %s (fix the id in the pack manifest)", ErrInvalidPackID, id, ids.Rule)
	}
	return nil
}

// Store is the open, possibly writable, progress of one pack. Its methods are
// safe for concurrent use.
type Store struct {
	dir    string
	packID string
	path   string

	mu       sync.Mutex
	lock     *flock.Flock // nil when the lock was not taken
	readOnly bool
	// whyReadOnly is ErrLocked or ErrNewerFile when readOnly is set.
	whyReadOnly error
	closed      bool
	notices     []string
	state       State
	now         func() time.Time // replaced in tests for reproducible files
}

// Open opens the progress of packID in dir, creating dir (mode 0700) when
// needed, and takes an exclusive lock on <dir>/<packID>.lock.
//
// When another process (or another Store) holds the lock, or the file was
// written by a newer shipshape, the store opens read-only: ReadOnly reports
// true, Notices explains why, and writes return ErrReadOnly. A damaged file is
// moved aside to <packID>.json.corrupt-<UTC time> and progress starts fresh,
// with a notice naming the new location.
func Open(dir, packID string) (*Store, error) {
	if err := ValidatePackID(packID); err != nil {
		return nil, fmt.Errorf("cannot open progress: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create progress directory %s: %w; make it writable or set %s to a directory you can write", dir, err, EnvStateDir)
	}
	s := &Store{
		dir:    dir,
		packID: packID,
		path:   FilePath(dir, packID),
		now:    func() time.Time { return time.Now().UTC() },
	}

	lk := flock.New(filepath.Join(dir, packID+".lock"), flock.SetPermissions(0o600))
	locked, err := lk.TryLock()
	switch {
	case err != nil:
		s.readOnly = true
		s.whyReadOnly = ErrLocked
		s.notices = append(s.notices, fmt.Sprintf("cannot lock %s (%v); this window is read-only. Make the directory writable or set %s to save progress", lk.Path(), err, EnvStateDir))
	case !locked:
		s.readOnly = true
		s.whyReadOnly = ErrLocked
		s.notices = append(s.notices, "another shipshape is using this progress; this window is read-only (your progress there is safe). Close the other one and reopen to save here")
	default:
		s.lock = lk
		// Holding the lock means no save is in flight, so any temporary file
		// left is from a writer that was killed mid-save.
		removeStaleTemps(dir, packID)
	}

	if err := s.load(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// load reads the file into s.state, handling migration, newer schemas and
// damaged files.
func (s *Store) load() error {
	data, info, err := readFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.state = NewState(s.packID)
		return nil
	}
	if err != nil {
		return err
	}
	st, res, derr := decode(data, s.packID, info.ModTime())
	switch {
	case res == decodedNewer:
		s.readOnly = true
		// The newer file wins over a lock: it is the lasting reason.
		s.whyReadOnly = ErrNewerFile
		s.state = st
		s.notices = append(s.notices, fmt.Sprintf("progress file %s is from a newer shipshape (%v); nothing will be written to it, so it stays intact. Update shipshape to keep saving progress, or set %s to another directory to start afresh there", s.path, derr, EnvStateDir))
	case derr != nil:
		s.state = NewState(s.packID)
		if s.readOnly {
			s.notices = append(s.notices, fmt.Sprintf("progress file %s is damaged (%v); it was left in place because this window is read-only", s.path, derr))
			return nil
		}
		aside, err := moveAside(s.dir, s.path)
		if err != nil {
			return fmt.Errorf("progress file %s is damaged (%v) and cannot be moved aside: %w; move or rename it yourself, then start shipshape again", s.path, derr, err)
		}
		s.notices = append(s.notices, fmt.Sprintf("progress file %s was damaged (%v); it was moved to %s and progress starts fresh. Keep that file if you want to recover from it", s.path, derr, aside))
	default:
		s.state = st
	}
	return nil
}

// Load reads the progress of packID from dir without locking or writing
// anything, for commands that only report progress. A missing file gives
// empty progress. A damaged file is reported in the notices and left in
// place (the next Open moves it aside); a newer-schema file is reported too.
func Load(dir, packID string) (State, []string, error) {
	if err := ValidatePackID(packID); err != nil {
		return State{}, nil, fmt.Errorf("cannot load progress: %w", err)
	}
	path := FilePath(dir, packID)
	data, info, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewState(packID), nil, nil
	}
	if err != nil {
		return State{}, nil, err
	}
	st, res, derr := decode(data, packID, info.ModTime())
	switch {
	case res == decodedNewer:
		return st, []string{fmt.Sprintf("progress file %s was written by a newer shipshape (%v); update shipshape to see all of it", path, derr)}, nil
	case derr != nil:
		return NewState(packID), []string{fmt.Sprintf("progress file %s is damaged (%v); it is left as is and will be moved aside, keeping a copy, the next time the course is opened", path, derr)}, nil
	}
	return st, nil, nil
}

// ReadOnly reports whether writes are refused (see Notices for why).
func (s *Store) ReadOnly() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readOnly
}

// ReadOnlyReason returns ErrLocked or ErrNewerFile for a read-only store
// (nil otherwise), so that a command can say what to do.
func (s *Store) ReadOnlyReason() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.whyReadOnly
}

// Notices returns one-line messages for the learner about how the progress
// was opened (read-only, moved aside, newer schema). It is empty normally.
func (s *Store) Notices() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.notices...)
}

// Path returns the progress file's path.
func (s *Store) Path() string { return s.path }

// State returns a deep copy of the current progress, safe to keep.
func (s *Store) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.Clone()
}

// Update applies fn to a copy of the progress, stamps UpdatedAt and saves it
// atomically. If saving fails the in-memory progress is left unchanged, so
// memory and disk agree.
func (s *Store) Update(fn func(*State)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.readOnly {
		if s.whyReadOnly != nil {
			return fmt.Errorf("%w: %w", ErrReadOnly, s.whyReadOnly)
		}
		return ErrReadOnly
	}
	next := s.state.Clone()
	fn(&next)
	next.normalize(s.packID)
	next.UpdatedAt = s.now()
	data, err := encode(next)
	if err != nil {
		return fmt.Errorf("cannot encode progress: %w", err)
	}
	if err := writeAtomic(s.dir, s.path, data); err != nil {
		return fmt.Errorf("cannot save progress to %s: %w; the latest change is not saved, check free disk space and permissions", s.path, err)
	}
	s.state = next
	return nil
}

// MarkRead records lessonID as read; the first read time is kept.
func (s *Store) MarkRead(lessonID string) error {
	if lessonID == "" {
		return errors.New("cannot mark lesson read: the lesson id is empty")
	}
	return s.Update(func(st *State) {
		lp := lessonOf(st, lessonID)
		if lp.ReadAt == nil {
			t := s.now()
			lp.ReadAt = &t
		}
	})
}

// SetPosition records that lessonID is open at offset (negative offsets are
// stored as 0) and makes it the current lesson.
func (s *Store) SetPosition(lessonID string, offset int) error {
	if lessonID == "" {
		return errors.New("cannot save reading position: the lesson id is empty")
	}
	return s.Update(func(st *State) {
		lp := lessonOf(st, lessonID)
		lp.Offset = max(offset, 0)
		lp.LastOpened = s.now()
		st.Current = lessonID
	})
}

// RecordAttempt appends a to exerciseID's attempts, keeping the newest
// MaxAttempts and the time of the first pass.
func (s *Store) RecordAttempt(exerciseID string, a Attempt) error {
	if exerciseID == "" {
		return errors.New("cannot record attempt: the exercise id is empty")
	}
	a = a.clone()
	return s.Update(func(st *State) {
		ep := st.Exercises[exerciseID]
		if ep == nil {
			ep = &ExerciseProgress{}
			st.Exercises[exerciseID] = ep
		}
		ep.Attempts = append(ep.Attempts, a)
		// normalize caps the attempts after setting PassedAt.
	})
}

// ResetLesson forgets lessonID's reading progress and, when exerciseID is not
// empty, that exercise's attempts and pass.
func (s *Store) ResetLesson(lessonID, exerciseID string) error {
	return s.Update(func(st *State) {
		delete(st.Lessons, lessonID)
		if st.Current == lessonID {
			st.Current = ""
		}
		if exerciseID != "" {
			delete(st.Exercises, exerciseID)
		}
	})
}

// ResetAll forgets all progress in the pack, keeping only the pack version.
func (s *Store) ResetAll() error {
	return s.Update(func(st *State) {
		fresh := NewState(st.PackID)
		fresh.PackVersion = st.PackVersion
		*st = fresh
	})
}

// Close releases the lock. It is safe to call more than once. The lock file
// is left in place on purpose: removing it would let two processes lock
// different files of the same name.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.lock == nil {
		return nil
	}
	if err := s.lock.Close(); err != nil {
		return fmt.Errorf("cannot release progress lock %s: %w", s.lock.Path(), err)
	}
	return nil
}

func lessonOf(st *State, id string) *LessonProgress {
	lp := st.Lessons[id]
	if lp == nil {
		lp = &LessonProgress{}
		st.Lessons[id] = lp
	}
	return lp
}

// FilePath is where the progress of packID is kept inside dir.
func FilePath(dir, packID string) string {
	return filepath.Join(dir, packID+".json")
}

func readFile(path string) ([]byte, fs.FileInfo, error) {
	// safefile: opening a FIFO planted at the path must not block until a
	// writer appears, hanging the command.
	f, err := safefile.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	if errors.Is(err, safefile.ErrNotRegular) {
		return nil, nil, fmt.Errorf("cannot read progress file %s: %w; move it away and start shipshape again", path, err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read progress file %s: %w; check its permissions or set %s to another directory", path, err, EnvStateDir)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read progress file %s: %w", path, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read progress file %s: %w", path, err)
	}
	return data, info, nil
}
