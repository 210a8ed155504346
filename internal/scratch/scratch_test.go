package scratch

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"shipshape/internal/proc"
)

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if proc.Alive(pid) {
		t.Skipf("pid %d was reused at once", pid)
	}
	return pid
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestSweepRemovesOnlyDeadProcesses(t *testing.T) {
	d := Open(t.TempDir())
	live, err := d.MkdirTemp("validate")
	if err != nil {
		t.Fatal(err)
	}
	spool, err := d.CreateTemp("save", ".tar")
	if err != nil {
		t.Fatal(err)
	}
	spool.Close()
	if !strings.HasPrefix(filepath.Base(live), fmt.Sprintf("%d-", os.Getpid())) || !strings.HasSuffix(spool.Name(), ".tar") {
		t.Fatalf("entries not named after this process: %s, %s", live, spool.Name())
	}
	// A live process of another shipshape: a child that sleeps.
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	other := fmt.Sprintf("%d-%d-pack-1234", child.Process.Pid, proc.StartTime(child.Process.Pid))
	dead := fmt.Sprintf("%d-0-save-5678.tar", deadPID(t))
	deadDir := fmt.Sprintf("%d-0-validate-9abc", deadPID(t))
	foreign := "not-ours"
	for _, n := range []string{other, dead, foreign} {
		if err := os.WriteFile(filepath.Join(d.Path(), n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(d.Path(), deadDir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Base(live), filepath.Base(spool.Name()), other, foreign}
	// This process's pid with another start time is a reused pid: the
	// process that made the entry is gone.
	if st := proc.StartTime(os.Getpid()); st != 0 {
		reused := fmt.Sprintf("%d-%d-pack-reused", os.Getpid(), st+1)
		if err := os.WriteFile(filepath.Join(d.Path(), reused), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	n, err := d.Sweep()
	if err != nil {
		t.Fatal(err)
	}
	got := names(t, d.Path())
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("after the sweep: %v, want %v", got, want)
	}
	if wantN := 2 + map[bool]int{true: 1}[proc.StartTime(os.Getpid()) != 0]; n != wantN {
		t.Errorf("removed %d, want %d", n, wantN)
	}
}

func TestSweepWithoutDirectory(t *testing.T) {
	d := Open(filepath.Join(t.TempDir(), "never-made"))
	if n, err := d.Sweep(); n != 0 || err != nil {
		t.Errorf("sweep of a missing directory: %d, %v", n, err)
	}
	var none *Dir
	if n, err := none.Sweep(); n != 0 || err != nil {
		t.Errorf("sweep of nil: %d, %v", n, err)
	}
}

func TestHostPart(t *testing.T) {
	for in, want := range map[string]string{"box-1.lan": "box-1.lan", "": "unknown-host", "..": "unknown-host", "a/b c": "a_b_c"} {
		if got := hostPart(in); got != want {
			t.Errorf("hostPart(%q) = %q, want %q", in, got, want)
		}
	}
}
