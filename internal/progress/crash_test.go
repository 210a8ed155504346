package progress

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var crashTime = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// crashStates builds two large progress states that differ everywhere and
// in length, so any torn or partly written file is told apart from both.
func crashStates() (State, State) {
	build := func(tag string, n int) State {
		st := NewState("crash")
		st.PackVersion = "v-" + tag
		st.Current = "lesson-" + tag
		for i := range 30 {
			t := crashTime.Add(time.Duration(i) * time.Minute)
			st.Lessons[fmt.Sprintf("lesson-%02d", i)] = &LessonProgress{ReadAt: &t, Offset: i * n, LastOpened: t}
		}
		for e := range 10 {
			ep := &ExerciseProgress{}
			for a := range MaxAttempts {
				att := Attempt{
					StartedAt:  crashTime.Add(time.Duration(a) * time.Second),
					DurationMS: int64(a * n),
					Image:      "task-api:" + tag,
					ImageID:    "sha256:" + strings.Repeat(tag, 64),
					Passed:     a%3 == 0,
				}
				for c := range n {
					att.Checks = append(att.Checks, CheckRecord{
						ID: fmt.Sprintf("check-%d", c), Kind: "image_user", Title: "Runs as non-root " + tag,
						Status: "pass", Required: c%2 == 0,
						Evidence:   []string{"User=" + tag, strings.Repeat(tag, 20)},
						DurationMS: int64(c),
					})
				}
				ep.Attempts = append(ep.Attempts, att)
			}
			st.Exercises[fmt.Sprintf("exercise-%02d", e)] = ep
		}
		st.normalize("crash")
		st.UpdatedAt = crashTime
		return st
	}
	return build("a", 2), build("b", 3)
}

// runCrashWriter saves states A and B alternately as fast as it can, until
// it is killed. It prints "ready <nanoseconds>" once the first save (A) is
// on disk, with how long that save took.
func runCrashWriter(dir string) int {
	s, err := Open(dir, "crash")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	if s.ReadOnly() || len(s.Notices()) > 0 {
		fmt.Fprintln(os.Stderr, "crash writer: unexpected notices:", s.Notices())
		return 3
	}
	s.now = func() time.Time { return crashTime }
	a, b := crashStates()
	for i := 0; ; i++ {
		want := a
		if i%2 == 1 {
			want = b
		}
		start := time.Now()
		if err := s.Update(func(st *State) { *st = want.Clone() }); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		if i == 0 {
			// The parent scales its random delay to this, so kills land
			// across several saves however fast or slow the machine is.
			fmt.Printf("ready %d\n", time.Since(start))
		}
	}
}

// TestCrashDuringSave kills a writer with SIGKILL at random moments and checks
// the file is always exactly A or B. A killed writer can leave at most one
// renameio temporary file (.crash.json<random>); the next Open, which holds
// the lock, removes it, so they never accumulate.
func TestCrashDuringSave(t *testing.T) {
	a, b := crashStates()
	wantA, err := encode(a)
	if err != nil {
		t.Fatal(err)
	}
	wantB, err := encode(b)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("state sizes: A %d bytes, B %d bytes", len(wantA), len(wantB))

	dir := t.TempDir()
	path := filepath.Join(dir, "crash.json")
	const kills = 60
	start := time.Now()
	var sawA, sawB, midSave int
	var readyWait time.Duration
	for i := range kills {
		cmd := helperCmd(t, "crash-writer", dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		line := waitLine(t, out, 20*time.Second)
		var saveTook time.Duration
		if _, err := fmt.Sscanf(line, "ready %d\n", &saveTook); err != nil || saveTook <= 0 {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("kill %d: writer did not start (got %q)", i, line)
		}
		readyWait += time.Since(t0)
		// Saves alternate B, A, B after "ready": a delay up to three save
		// times lands kills before, during and after each of them.
		time.Sleep(rand.N(3 * saveTook))
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		switch {
		case bytes.Equal(got, wantA):
			sawA++
		case bytes.Equal(got, wantB):
			sawB++
		default:
			t.Fatalf("kill %d: file is neither A nor B (%d bytes)", i, len(got))
		}
		st, notices, err := Load(dir, "crash")
		if err != nil || len(notices) > 0 {
			t.Fatalf("kill %d: Load: %v %v", i, err, notices)
		}
		if st.PackVersion != "v-a" && st.PackVersion != "v-b" {
			t.Fatalf("kill %d: parsed state is neither A nor B", i)
		}
		temps, others := scanDir(t, dir)
		if len(others) > 0 {
			t.Fatalf("kill %d: unexpected files %v", i, others)
		}
		if len(temps) > 1 {
			t.Fatalf("kill %d: temporary files accumulate: %v", i, temps)
		}
		midSave += len(temps)
	}
	t.Logf("%d kills in %s: file was A %d times, B %d times; %d kills left a temporary file mid-save", kills, time.Since(start).Round(time.Millisecond), sawA, sawB, midSave)
	t.Logf("waiting for writers to start took %s", readyWait.Round(time.Millisecond))
	if sawA == 0 || sawB == 0 {
		t.Errorf("kills never landed on both states (A %d, B %d); the writer may not be looping", sawA, sawB)
	}

	s, err := Open(dir, "crash")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if temps, _ := scanDir(t, dir); len(temps) != 0 {
		t.Errorf("Open left temporary files: %v", temps)
	}
}

// scanDir sorts dir's entries into renameio temporary files and files that
// should not be there (anything but the progress and lock files).
func scanDir(t *testing.T, dir string) (temps, others []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "crash.json" || name == "crash.lock":
		case isTempName(name, tempPrefix("crash")):
			temps = append(temps, name)
		default:
			others = append(others, name)
		}
	}
	return temps, others
}
