package progress

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"
)

// The test binary re-executes itself as a helper process (a writer to kill,
// or a lock holder) when envHelper is set; TestMain dispatches before any
// test runs.
const (
	envHelper    = "SHIPSHAPE_PROGRESS_TEST_HELPER"
	envHelperDir = "SHIPSHAPE_PROGRESS_TEST_DIR"
)

func TestMain(m *testing.M) {
	switch os.Getenv(envHelper) {
	case "":
		os.Exit(m.Run())
	case "crash-writer":
		os.Exit(runCrashWriter(os.Getenv(envHelperDir)))
	case "lock-holder":
		os.Exit(runLockHolder(os.Getenv(envHelperDir)))
	default:
		fmt.Fprintf(os.Stderr, "unknown %s\n", envHelper)
		os.Exit(2)
	}
}

// runLockHolder opens the store, reports "locked" and holds the lock until
// its stdin is closed.
func runLockHolder(dir string) int {
	s, err := Open(dir, "pack")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if s.ReadOnly() {
		fmt.Fprintln(os.Stderr, "lock holder opened read-only")
		return 2
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

// helperCmd prepares the test binary as a helper of the given mode.
func helperCmd(t testing.TB, mode, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHelper+"="+mode, envHelperDir+"="+dir)
	cmd.Stderr = os.Stderr
	return cmd
}

// waitLine reads one line from r, failing after timeout; it returns "" when
// the helper exited first.
func waitLine(t testing.TB, r io.Reader, timeout time.Duration) string {
	t.Helper()
	ch := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		ch <- line
	}()
	select {
	case line := <-ch:
		return line
	case <-time.After(timeout):
		t.Fatalf("helper did not answer within %s", timeout)
		return ""
	}
}
