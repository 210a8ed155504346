package progress

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFifoProgressFileDoesNotHang: a named pipe at the progress path is
// refused at once; opening it blocking would wait for a writer forever.
func TestFifoProgressFileDoesNotHang(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "demo.json"), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 2)
	go func() {
		s, err := Open(dir, "demo")
		if err == nil {
			s.Close()
		}
		done <- err
	}()
	go func() { _, _, err := Load(dir, "demo"); done <- err }()
	for range 2 {
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file (a named pipe)") {
				t.Errorf("err = %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("opening a FIFO progress file hangs")
		}
	}
}
