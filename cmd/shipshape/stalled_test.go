package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"shipshape/internal/docker/dockertest"
	"shipshape/internal/progress"
)

// TestMain lets a test run this binary as shipshape itself (see
// shipshape), with Docker bounds short enough for a test.
func TestMain(m *testing.M) {
	if os.Getenv("SHIPSHAPE_TEST_AS_MAIN") == "1" {
		a := newApp(os.Stdin, os.Stdout, os.Stderr)
		a.callTimeout, _ = time.ParseDuration(os.Getenv("SHIPSHAPE_TEST_CALL_TIMEOUT"))
		a.buildIdle, _ = time.ParseDuration(os.Getenv("SHIPSHAPE_TEST_BUILD_IDLE"))
		os.Exit(exitCode(a, newRootCmd(a).Execute()))
	}
	os.Exit(m.Run())
}

// shipshape starts shipshape as a separate process (so it can be killed)
// with the given Docker bounds.
func shipshape(t *testing.T, env []string, callTimeout, idle string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, "SHIPSHAPE_TEST_AS_MAIN=1", "SHIPSHAPE_TEST_CALL_TIMEOUT="+callTimeout, "SHIPSHAPE_TEST_BUILD_IDLE="+idle)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, &out, &errb
}

// waitExit waits at most d for cmd and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(d):
		t.Fatalf("still running after %s", d)
		return -1
	}
}

// validateEntries lists the validation workspaces in the scratch directory.
func validateEntries(t *testing.T, state string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(state, "tmp", "*", "*-validate-*"))
	return m
}

// TestPackValidateStalledDaemon runs `pack validate --docker` against a
// daemon that answers pings and stalls every other request.
func TestPackValidateStalledDaemon(t *testing.T) {
	host := dockertest.StalledDaemon(t, nil)
	useDataDir(t)
	state := os.Getenv(progress.EnvStateDir)
	tmpdir := t.TempDir()
	env := []string{"TMPDIR=" + tmpdir}
	pack := filepath.Join(t.TempDir(), "pk")
	if _, errOut, code := run(t, "", "pack", "new", pack); code != 0 {
		t.Fatal(errOut)
	}
	args := []string{"--host", host, "pack", "validate", pack, "--docker"}

	t.Run("bounded", func(t *testing.T) {
		start := time.Now()
		cmd, out, errb := shipshape(t, env, "1s", "1s", args...)
		code := waitExit(t, cmd, 30*time.Second)
		took := time.Since(start)
		t.Logf("exit %d after %s\n%s%s", code, took.Round(time.Millisecond), out, errb)
		msg := errb.String()
		if code != 2 || !strings.Contains(msg, "stopped answering: no progress message from the build") ||
			!strings.Contains(msg, "Restart Docker") {
			t.Errorf("want exit 2 and a stalled-daemon message")
		}
		if strings.Contains(msg, "were removed") && !strings.Contains(msg, "could not make sure the validation images") {
			t.Errorf("claims a removal it could not do")
		}
		if took > 15*time.Second {
			t.Errorf("took %s with 1s bounds", took)
		}
	})

	t.Run("sigterm", func(t *testing.T) {
		cmd, out, errb := shipshape(t, env, "1s", "1h", args...)
		waitFor(t, func() bool { return len(validateEntries(t, state)) > 0 })
		time.Sleep(200 * time.Millisecond) // into the build call
		must(t, cmd.Process.Signal(syscall.SIGTERM))
		code := waitExit(t, cmd, 30*time.Second)
		t.Logf("exit %d\n%s%s", code, out, errb)
		msg := errb.String()
		if code != 2 || !strings.Contains(msg, "interrupted;") {
			t.Errorf("want exit 2 and interrupted")
		}
		if strings.Contains(msg, "the images and containers made for the validation were removed") ||
			!strings.Contains(msg, "could not make sure the validation images") {
			t.Errorf("the message must not claim the images were removed: the daemon answered no removal")
		}
		if left := validateEntries(t, state); len(left) > 0 {
			t.Errorf("workspace left after SIGTERM: %v", left)
		}
	})

	t.Run("kill-9", func(t *testing.T) {
		cmd, _, _ := shipshape(t, env, "1s", "1h", args...)
		waitFor(t, func() bool { return len(validateEntries(t, state)) > 0 })
		must(t, cmd.Process.Kill())
		_ = cmd.Wait()
		if left := validateEntries(t, state); len(left) != 1 {
			t.Fatalf("after kill -9: %v, want the killed run's workspace", left)
		}
		// Any command sweeps at start.
		if _, errOut, code := run(t, "", "version"); code != 0 {
			t.Fatal(errOut)
		}
		if left := validateEntries(t, state); len(left) > 0 {
			t.Errorf("the next command left the dead run's workspace: %v", left)
		}
	})

	if m, _ := filepath.Glob(filepath.Join(tmpdir, "*")); len(m) > 0 {
		t.Errorf("temporary files outside the scratch directory: %v", m)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out waiting")
}

// TestGarbageDaemon: a daemon that answers pings but sends garbage for
// the image ends the check at once with exit 2 and one clear line, and
// leaves the learner's progress as it was.
func TestGarbageDaemon(t *testing.T) {
	state := useStateDir(t)
	sock := dockertest.StalledDaemon(t, map[string]http.HandlerFunc{
		"/images/task-api:prod/json": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("{\"Id\": \x00\x01 not json"))
		},
	})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nUSER 10001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, errOut, code := run(t, "", "--host", sock, "check", "3.1", "--dir", dir)
	t.Logf("stderr: %s", errOut)
	if code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "task-api:prod") {
		t.Errorf("exit %d, stderr %q; want 2 and one line naming the image", code, errOut)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s", d)
	}
	if entries, _ := os.ReadDir(state); len(entries) > 0 {
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".json") {
				st, _, err := progress.Load(state, "phase3-production-readiness")
				if err != nil || len(st.Exercises) != 0 {
					t.Errorf("progress changed by a check that could not run: %+v %v", st.Exercises, err)
				}
			}
		}
	}
}
