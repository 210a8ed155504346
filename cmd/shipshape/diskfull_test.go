package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fillDisk is a build step that runs its filesystem out of space for
// real: /dev/shm is a 64 MB tmpfs in the RUN containers of the classic
// builder and of BuildKit alike, so the write fails with ENOSPC as a RUN
// does when the engine's disk fills, on any engine, with no privilege
// and without filling the machine's disk.
const fillDisk = "RUN dd if=/dev/zero of=/dev/shm/fill bs=1M count=100\n"

// TestBuildOutOfDisk: `pack validate --docker` whose build runs out of
// disk ends within seconds with exit 2 (could not check, not a broken
// pack), says the engine's disk is full and what to free, and leaves no
// image or container of the validation behind; the learner's progress
// is not touched.
func TestBuildOutOfDisk(t *testing.T) {
	_, e := openDockerEnv(t, 5*time.Minute)
	useDataDir(t)
	state := os.Getenv("SHIPSHAPE_STATE_DIR")
	dir := filepath.Join(t.TempDir(), "full")
	if _, errOut, code := run(t, "", "pack", "new", dir); code != 0 {
		t.Fatal(errOut)
	}
	starter := filepath.Join(dir, "workspace/starter/Dockerfile")
	b, err := os.ReadFile(starter)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "FROM alpine:3.20\n", "FROM "+e.Base+"\n"+fillDisk, 1)
	s = strings.Replace(s, "RUN adduser -D -u 10001 app\n", "", 1)
	if s == string(b) {
		t.Fatal("the pack template's starter changed: no FROM alpine:3.20 to replace")
	}
	must(t, os.WriteFile(starter, []byte(s), 0o644))
	before, _ := os.ReadDir(state)

	start := time.Now()
	out, errOut, code := run(t, "", "--host", e.Docker.Host().URL, "pack", "validate", dir, "--docker")
	took := time.Since(start)
	t.Logf("exit %d after %s\nstdout:\n%s\nstderr:\n%s", code, took.Round(time.Millisecond), out, errOut)
	if code != 2 {
		t.Errorf("exit %d, want 2: a full disk is the machine's fault, not the pack's", code)
	}
	if !strings.Contains(errOut, "ran out of disk space") || !strings.Contains(errOut, "No space left on device") ||
		!strings.Contains(errOut, "free space") {
		t.Errorf("the message does not say the disk is full and what to do")
	}
	if strings.Contains(out, "starter fails as it should") {
		t.Errorf("the full disk was taken for a failing starter")
	}
	if took > time.Minute {
		t.Errorf("took %s", took)
	}
	if imgs, _ := exec.Command("docker", "-H", e.Docker.Host().URL, "images", "-q", "shipshape-validate/*").Output(); len(strings.TrimSpace(string(imgs))) > 0 {
		t.Errorf("images left behind: %s", imgs)
	}
	after, _ := os.ReadDir(state)
	t.Logf("state directory before %v, after %v", names(before), names(after))
	for _, f := range after {
		if strings.HasSuffix(f.Name(), ".json") || strings.Contains(f.Name(), ".corrupt-") {
			t.Errorf("progress touched by a validation: %s", f.Name())
		}
	}
}

func names(es []os.DirEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
