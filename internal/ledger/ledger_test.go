package ledger

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestRecordCompleteForget(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	l := Open(path)
	c := Entry{Kind: Container, Name: "shipshape-s1-user-ab12", Session: "s1", PID: 42, Host: "h"}
	if err := l.Record(c); err != nil {
		t.Fatal(err)
	}
	// The ID comes after the create call, keyed by the same name.
	if err := l.Record(Entry{Kind: Container, Name: c.Name, ID: "abc123"}); err != nil {
		t.Fatal(err)
	}
	img := Entry{Kind: Image, ID: "sha256:1", Ref: "shipshape-validate/p:starter", Session: "s1", PID: 42, Host: "h"}
	if err := l.Record(img); err != nil {
		t.Fatal(err)
	}
	// A second process sees both, merged.
	es, err := Open(path).Entries()
	if err != nil || len(es) != 2 {
		t.Fatalf("entries %+v, %v", es, err)
	}
	for _, e := range es {
		if e.Kind == Container && (e.ID != "abc123" || e.Session != "s1" || e.PID != 42) {
			t.Errorf("container record not merged: %+v", e)
		}
	}
	if err := Open(path).Forget(img); err != nil {
		t.Fatal(err)
	}
	es, _ = l.Entries()
	if len(es) != 1 || es[0].Kind != Container {
		t.Fatalf("after Forget: %+v", es)
	}
	before, _ := os.ReadFile(path)
	if err := l.Compact(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if len(after) >= len(before) {
		t.Errorf("compaction kept %d of %d bytes", len(after), len(before))
	}
	if es, _ := Open(path).Entries(); len(es) != 1 || es[0].ID != "abc123" {
		t.Errorf("after Compact: %+v", es)
	}
}

// A torn or foreign line is skipped; what else the file holds counts.
func TestDamagedLinesSkipped(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	l := Open(path)
	_ = l.Record(Entry{Kind: Container, Name: "a", Session: "s"})
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.WriteString("{\"kind\":\"container\",\"na\n{\"kind\":\"volume\",\"id\":\"x\"}\nnot json\n")
	f.Close()
	_ = Open(path).Record(Entry{Kind: Container, Name: "b", Session: "s"})
	es, err := Open(path).Entries()
	if err != nil || len(es) != 2 {
		t.Fatalf("entries %+v, %v", es, err)
	}
}

// The in-memory copy keeps the session's objects when the file cannot be
// written, so they are still removed before the process exits.
func TestMemoryWhenFileFails(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	_ = os.WriteFile(blocker, nil, 0o600)
	l := Open(filepath.Join(blocker, FileName)) // a file where a directory must be
	if err := l.Record(Entry{Kind: Container, Name: "a", Session: "s"}); err == nil {
		t.Error("a record in an impossible place reported no error")
	}
	es, _ := l.Entries()
	if len(es) != 1 {
		t.Errorf("memory copy lost: %+v", es)
	}
}

// A FIFO planted at the ledger's path must not hang shipshape.
func TestFIFODoesNotHang(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no mkfifo:", err)
	}
	done := make(chan struct{})
	go func() {
		l := Open(path)
		_ = l.Record(Entry{Kind: Container, Name: "a", Session: "s"})
		_, _ = l.Entries()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the ledger hung on a FIFO")
	}
}
