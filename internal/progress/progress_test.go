package progress

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

const pack = "pack"

func openT(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, pack)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// fixedClock makes saved times predictable and strictly increasing.
func fixedClock(s *Store) {
	t := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var mu sync.Mutex
	s.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func sampleAttempt(start time.Time, passed bool) Attempt {
	return Attempt{
		StartedAt: start, DurationMS: 1500, Image: "task-api:dev", ImageID: "sha256:abc", Passed: passed,
		Checks: []CheckRecord{{ID: "non-root", Kind: "image_user", Title: "Runs as non-root", Status: "pass", Required: true, Evidence: []string{"User=10001"}, DurationMS: 12}},
	}
}

func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := openT(t, dir)
	fixedClock(s)
	if s.ReadOnly() || len(s.Notices()) != 0 {
		t.Fatalf("fresh store: read-only %v, notices %v", s.ReadOnly(), s.Notices())
	}
	if err := s.Update(func(st *State) { st.PackVersion = "1.2.0"; st.Checklist = map[string]bool{"healthcheck": true} }); err != nil {
		t.Fatal(err)
	}
	must(t, s.MarkRead("intro"))
	must(t, s.SetPosition("non-root", 42))
	must(t, s.RecordAttempt("ex-non-root", sampleAttempt(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), true)))
	want := s.State()
	must(t, s.Close())
	must(t, s.Close()) // idempotent

	if want.Current != "non-root" || want.Lessons["non-root"].Offset != 42 || want.Lessons["intro"].ReadAt == nil {
		t.Fatalf("helpers did not record progress: %+v", want)
	}
	if p := want.Exercises["ex-non-root"].PassedAt; p == nil || !p.Equal(time.Date(2025, 1, 1, 0, 0, 1, 500e6, time.UTC)) {
		t.Fatalf("PassedAt = %v, want the end of the passing attempt", p)
	}

	s2 := openT(t, dir)
	if got := s2.State(); !reflect.DeepEqual(got, want) {
		t.Errorf("reopened state differs:\n got %+v\nwant %+v", got, want)
	}
	got, notices, err := Load(dir, pack)
	if err != nil || len(notices) != 0 {
		t.Fatalf("Load: %v %v", err, notices)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load state differs:\n got %+v\nwant %+v", got, want)
	}

	assertMode(t, dir, 0o700)
	assertMode(t, s2.Path(), 0o600)
}

func TestStateIsACopy(t *testing.T) {
	s := openT(t, t.TempDir())
	must(t, s.RecordAttempt("ex", sampleAttempt(time.Now().UTC(), false)))
	st := s.State()
	st.Exercises["ex"].Attempts[0].Checks[0].Evidence[0] = "changed"
	st.Lessons["x"] = &LessonProgress{}
	again := s.State()
	if again.Exercises["ex"].Attempts[0].Checks[0].Evidence[0] != "User=10001" || again.Lessons["x"] != nil {
		t.Fatal("changing a State copy changed the store")
	}
}

func TestAtomicReplacement(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	must(t, s.SetPosition("a", 1))
	old, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	// A reader holding the old file keeps seeing the old, complete content:
	// the file is replaced by rename, never rewritten in place.
	f, err := os.Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before, _ := f.Stat()

	must(t, s.SetPosition("a", 2))
	after, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Error("file was rewritten in place, not replaced")
	}
	seen, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if string(seen) != string(old) {
		t.Error("old reader saw changed content")
	}
	assertMode(t, s.Path(), 0o600)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != pack+".json" && e.Name() != pack+".lock" {
			t.Errorf("unexpected file left: %s", e.Name())
		}
	}
}

func TestStaleTempFilesRemovedOnOpen(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".pack.json123456789")
	other := filepath.Join(dir, ".pack.jsonx") // not renameio's pattern: leave it
	for _, p := range []string{stale, other} {
		must(t, os.WriteFile(p, []byte("{"), 0o600))
	}
	openT(t, dir)
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file not removed: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("unrelated file removed: %v", err)
	}
}

func TestLockSameProcess(t *testing.T) {
	dir := t.TempDir()
	s1 := openT(t, dir)
	must(t, s1.MarkRead("a"))

	// flock locks belong to an open file description, so a second Open in
	// the same process conflicts just like another process would.
	s2 := openT(t, dir)
	assertReadOnlyByLock(t, s2)
	if s2.State().Lessons["a"] == nil {
		t.Error("read-only store does not show the saved progress")
	}

	// A lock held through a separate flock.Flock has the same effect.
	must(t, s1.Close())
	lk := flock.New(filepath.Join(dir, pack+".lock"))
	ok, err := lk.TryLock()
	if err != nil || !ok {
		t.Fatalf("TryLock: %v %v", ok, err)
	}
	s3 := openT(t, dir)
	assertReadOnlyByLock(t, s3)
	must(t, lk.Close())

	s4 := openT(t, dir)
	if s4.ReadOnly() {
		t.Fatalf("store still read-only after the lock was released: %v", s4.Notices())
	}
	must(t, s4.MarkRead("b"))
}

func TestLockOtherProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := helperCmd(t, "lock-holder", dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	must(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if line := waitLine(t, stdout, 10*time.Second); line != "locked\n" {
		t.Fatalf("lock holder did not lock (got %q)", line)
	}

	s := openT(t, dir)
	assertReadOnlyByLock(t, s)
	must(t, s.Close())

	must(t, stdin.Close()) // lets the holder close its store and exit
	if err := cmd.Wait(); err != nil {
		t.Fatalf("lock holder: %v", err)
	}
	s2 := openT(t, dir)
	if s2.ReadOnly() {
		t.Fatalf("read-only after the other process exited: %v", s2.Notices())
	}
}

func assertReadOnlyByLock(t *testing.T, s *Store) {
	t.Helper()
	if !s.ReadOnly() {
		t.Fatal("second store is writable while the lock is held")
	}
	if n := s.Notices(); len(n) != 1 || !strings.Contains(n[0], "another shipshape is using this progress") || !strings.Contains(n[0], "read-only") {
		t.Errorf("notices = %q", n)
	}
	for name, err := range map[string]error{
		"Update":        s.Update(func(*State) {}),
		"MarkRead":      s.MarkRead("x"),
		"SetPosition":   s.SetPosition("x", 1),
		"RecordAttempt": s.RecordAttempt("x", Attempt{}),
		"ResetLesson":   s.ResetLesson("x", "y"),
		"ResetAll":      s.ResetAll(),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on read-only store: %v, want ErrReadOnly", name, err)
		}
	}
}

func TestMigrateV1(t *testing.T) {
	const id = "production-readiness"
	dir := t.TempDir()
	path := filepath.Join(dir, id+".json")
	copyFile(t, "testdata/v1.json", path)
	mtime := time.Date(2024, 6, 7, 8, 9, 10, 0, time.UTC)
	must(t, os.Chtimes(path, mtime, mtime))

	want := State{
		Schema: 2, PackID: id, Current: "health-checks",
		Lessons: map[string]*LessonProgress{
			"non-root-user":      {ReadAt: &mtime, LastOpened: mtime},
			"multi-stage-builds": {ReadAt: &mtime, LastOpened: mtime},
			"health-checks":      {Offset: 12, LastOpened: mtime},
		},
		Exercises: map[string]*ExerciseProgress{},
		UpdatedAt: mtime,
	}
	loaded, notices, err := Load(dir, id)
	if err != nil || len(notices) != 0 {
		t.Fatalf("Load: %v %v", err, notices)
	}
	if !reflect.DeepEqual(loaded, want) {
		t.Errorf("Load migrated to\n %+v\nwant %+v", loaded, want)
	}

	s, err := Open(dir, id)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ReadOnly() || len(s.Notices()) != 0 {
		t.Fatalf("read-only %v, notices %v", s.ReadOnly(), s.Notices())
	}
	if got := s.State(); !reflect.DeepEqual(got, want) {
		t.Errorf("Open migrated to\n %+v\nwant %+v", got, want)
	}
	must(t, s.MarkRead("health-checks"))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"schema": 2`) || strings.Contains(string(data), `"version"`) {
		t.Errorf("saved file is not schema 2:\n%s", data)
	}
}

func TestNewerSchemaReadOnly(t *testing.T) {
	const id = "production-readiness"
	dir := t.TempDir()
	path := filepath.Join(dir, id+".json")
	copyFile(t, "testdata/newer.json", path)
	orig, _ := os.ReadFile(path)

	s, err := Open(dir, id)
	if err != nil {
		t.Fatal(err)
	}
	if !s.ReadOnly() {
		t.Fatal("newer file opened writable")
	}
	if n := s.Notices(); len(n) != 1 || !strings.Contains(n[0], "newer shipshape") || !strings.Contains(n[0], path) {
		t.Errorf("notices = %q", n)
	}
	if st := s.State(); st.Current != "scanning" || st.Lessons["scanning"].Offset != 7 {
		t.Errorf("best-effort state = %+v", st)
	}
	if err := s.SetPosition("scanning", 9); !errors.Is(err, ErrReadOnly) || !errors.Is(err, ErrNewerFile) || errors.Is(err, ErrLocked) {
		t.Errorf("SetPosition: %v, want ErrReadOnly and ErrNewerFile", err)
	}
	if n := s.Notices(); len(n) != 1 || !strings.Contains(n[0], "nothing will be written") {
		t.Errorf("notices = %q", n)
	}
	must(t, s.Close())

	_, notices, err := Load(dir, id)
	if err != nil || len(notices) != 1 || !strings.Contains(notices[0], "newer shipshape") {
		t.Errorf("Load: %v %q", err, notices)
	}
	if now, _ := os.ReadFile(path); string(now) != string(orig) {
		t.Error("newer file was changed")
	}
}

func TestCorruptMovedAside(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":   `{"schema":2,"pack_id":"pack","lessons":{"a":{"off`,
		"not json":    "\x00\x01garbage",
		"empty":       "",
		"wrong pack":  `{"schema":2,"pack_id":"other","lessons":{},"exercises":{}}`,
		"wrong shape": `{"schema":2,"pack_id":"pack","lessons":[1,2]}`,
		"no schema":   `{"hello":"world"}`,
		"v1 wrong":    `{"version":1,"pack":"other"}`,
		"schema 0":    `{"schema":0,"pack_id":"pack"}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, pack+".json")
			must(t, os.WriteFile(path, []byte(content), 0o600))

			// Load only reports; it must not move anything.
			st, notices, err := Load(dir, pack)
			if err != nil || len(notices) != 1 || !strings.Contains(notices[0], "damaged") {
				t.Fatalf("Load: %v %q", err, notices)
			}
			if len(st.Lessons) != 0 {
				t.Errorf("Load state = %+v, want empty", st)
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("Load moved the file: %v", err)
			}

			s := openT(t, dir)
			if s.ReadOnly() {
				t.Fatal("store read-only after moving a damaged file aside")
			}
			aside, _ := filepath.Glob(path + ".corrupt-*")
			if len(aside) != 1 {
				t.Fatalf("moved-aside files = %v", aside)
			}
			if n := s.Notices(); len(n) != 1 || !strings.Contains(n[0], aside[0]) {
				t.Errorf("notice does not name %s: %q", aside[0], n)
			}
			if got, _ := os.ReadFile(aside[0]); string(got) != content {
				t.Errorf("moved-aside content = %q, want %q", got, content)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("damaged file still in place: %v", err)
			}
			must(t, s.MarkRead("a"))
		})
	}
}

func TestCorruptNeverOverwritesEarlierCopy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, pack+".json")
	for i, content := range []string{"first{", "second{"} {
		must(t, os.WriteFile(path, []byte(content), 0o600))
		s, err := Open(dir, pack)
		if err != nil {
			t.Fatal(err)
		}
		must(t, s.Close())
		if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != i+1 {
			t.Fatalf("after %d damaged files: %v", i+1, aside)
		}
	}
}

func TestCorruptLeftInPlaceWhenReadOnly(t *testing.T) {
	dir := t.TempDir()
	s1 := openT(t, dir)
	path := s1.Path()
	must(t, os.WriteFile(path, []byte("{"), 0o600))
	s2 := openT(t, dir)
	if !s2.ReadOnly() || len(s2.Notices()) != 2 {
		t.Fatalf("read-only %v, notices %q", s2.ReadOnly(), s2.Notices())
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("read-only store moved the file: %v", err)
	}
}

func TestAttemptsCap(t *testing.T) {
	s := openT(t, t.TempDir())
	base := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range 25 {
		must(t, s.RecordAttempt("ex", sampleAttempt(base.Add(time.Duration(i)*time.Hour), i == 2 || i == 10)))
	}
	ep := s.State().Exercises["ex"]
	if len(ep.Attempts) != MaxAttempts {
		t.Fatalf("%d attempts kept, want %d", len(ep.Attempts), MaxAttempts)
	}
	if first, last := ep.Attempts[0].StartedAt, ep.Attempts[MaxAttempts-1].StartedAt; !first.Equal(base.Add(5*time.Hour)) || !last.Equal(base.Add(24*time.Hour)) {
		t.Errorf("kept attempts %v..%v, want the newest 20", first, last)
	}
	wantPass := base.Add(2*time.Hour + 1500*time.Millisecond)
	if ep.PassedAt == nil || !ep.PassedAt.Equal(wantPass) {
		t.Errorf("PassedAt = %v, want the first pass %v even though it was dropped", ep.PassedAt, wantPass)
	}
}

func TestReset(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	must(t, s.Update(func(st *State) { st.PackVersion = "2" }))
	must(t, s.SetPosition("a", 3))
	must(t, s.MarkRead("b"))
	must(t, s.RecordAttempt("ex-a", sampleAttempt(time.Now().UTC(), true)))
	must(t, s.RecordAttempt("ex-b", sampleAttempt(time.Now().UTC(), true)))

	must(t, s.ResetLesson("a", "ex-a"))
	st := s.State()
	if st.Lessons["a"] != nil || st.Exercises["ex-a"] != nil || st.Current != "" {
		t.Errorf("lesson a not reset: %+v", st)
	}
	if st.Lessons["b"] == nil || st.Exercises["ex-b"] == nil {
		t.Errorf("reset touched other lessons: %+v", st)
	}
	must(t, s.ResetLesson("b", ""))
	if st := s.State(); st.Lessons["b"] != nil || st.Exercises["ex-b"] == nil {
		t.Errorf("ResetLesson without exercise: %+v", st)
	}

	must(t, s.ResetAll())
	st = s.State()
	if len(st.Lessons) != 0 || len(st.Exercises) != 0 || st.PackVersion != "2" || st.PackID != pack {
		t.Errorf("after ResetAll: %+v", st)
	}
	loaded, _, err := Load(dir, pack)
	if err != nil || len(loaded.Exercises) != 0 {
		t.Errorf("ResetAll not saved: %v %+v", err, loaded)
	}
}

func TestConcurrentUpdates(t *testing.T) {
	s := openT(t, t.TempDir())
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if err := s.SetPosition("lesson", g*100+i); err != nil {
					t.Error(err)
				}
				_ = s.State()
			}
		}()
	}
	wg.Wait()
	must(t, s.Update(func(st *State) { st.Checklist = map[string]bool{"done": true} }))
	if got, _, _ := Load(filepath.Dir(s.Path()), pack); !got.Checklist["done"] {
		t.Error("last update not on disk")
	}
}

func TestWritesAfterClose(t *testing.T) {
	s := openT(t, t.TempDir())
	must(t, s.Close())
	if err := s.MarkRead("a"); !errors.Is(err, ErrClosed) {
		t.Errorf("MarkRead after Close: %v", err)
	}
}

func TestInvalidPackID(t *testing.T) {
	for _, id := range []string{"", "Upper", "../etc", "a/b", "a.b", "a_b", "-lead", strings.Repeat("a", 65)} {
		if _, err := Open(t.TempDir(), id); !errors.Is(err, ErrInvalidPackID) {
			t.Errorf("Open(%q): %v", id, err)
		}
		if _, _, err := Load(t.TempDir(), id); !errors.Is(err, ErrInvalidPackID) {
			t.Errorf("Load(%q): %v", id, err)
		}
	}
	must(t, ValidatePackID("production-readiness-2"))
}

func TestOpenCannotCreateDir(t *testing.T) {
	parent := t.TempDir()
	blocker := filepath.Join(parent, "file")
	must(t, os.WriteFile(blocker, nil, 0o600))
	_, err := Open(filepath.Join(blocker, "state"), pack)
	if err == nil || !strings.Contains(err.Error(), "SHIPSHAPE_STATE_DIR") || !strings.Contains(err.Error(), blocker) {
		t.Errorf("error does not name the path and the override: %v", err)
	}
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("error does not wrap the cause: %v", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvStateDir, "/custom/state")
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if d, err := DefaultDir(); err != nil || d != "/custom/state" {
		t.Errorf("with %s: %q %v", EnvStateDir, d, err)
	}
	t.Setenv(EnvStateDir, "")
	if d, err := DefaultDir(); err != nil || d != "/xdg/state/shipshape" {
		t.Errorf("with XDG_STATE_HOME: %q %v", d, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative/ignored")
	if d, err := DefaultDir(); err != nil || !filepath.IsAbs(d) || filepath.Base(d) != "shipshape" {
		t.Errorf("relative XDG_STATE_HOME not ignored: %q %v", d, err)
	}
}

func BenchmarkUpdate(b *testing.B) {
	s, err := Open(b.TempDir(), pack)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for e := range 10 {
		for range MaxAttempts {
			if err := s.RecordAttempt(string(rune('a'+e)), sampleAttempt(time.Now().UTC(), true)); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := 0; b.Loop(); i++ {
		if err := s.SetPosition("lesson", i); err != nil {
			b.Fatal(err)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s mode %o, want %o", path, got, want)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(dst, data, 0o600))
}
