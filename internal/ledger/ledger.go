// Package ledger records the Docker objects shipshape creates, by their
// exact name and ID, in a file that survives kill -9, so that a cleanup
// removes only what shipshape itself made.
//
// Labels alone are no proof of ownership: Docker copies a container's
// labels into an image committed from it, an image's labels into every
// image built FROM it and every container run from it. A learner who
// commits one of shipshape's check containers, or builds on such an image,
// owns objects that carry shipshape's labels. The ledger is what tells
// them apart: an object is shipshape's only when the ledger names it and
// its labels still agree.
//
// The file is append-only JSON lines, one record per line, written with a
// single write(2) under an flock, so two shipshape processes (the TUI and a
// headless check) can share it. A record that cannot be parsed (a disk
// that filled up mid-write) is skipped, never fatal. Forget appends a
// "gone" record; Compact rewrites the file atomically without what is gone.
package ledger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/gofrs/flock"
	"github.com/google/renameio/v2"

	"shipshape/internal/safefile"
)

// FileName is the ledger's name in shipshape's state directory.
const FileName = "docker-objects.jsonl"

// Kind is the kind of Docker object a record names.
type Kind string

// The kinds of objects the ledger records.
const (
	Container Kind = "container"
	Image     Kind = "image"
)

// maxFile bounds what Entries reads: the ledger is shipshape's own file,
// but a file of another origin at its path must not exhaust memory.
const maxFile = 16 << 20

// maxLine bounds one record.
const maxLine = 4 << 10

// Entry is one object shipshape created.
type Entry struct {
	Kind Kind `json:"kind"`
	// Name is the container name given at create time. It is recorded
	// before the create call, so a kill -9 between the call and the
	// record of the ID still leaves the container findable.
	Name string `json:"name,omitempty"`
	// ID is the full object ID, once known.
	ID string `json:"id,omitempty"`
	// Ref is the tag an image was built under, for images.
	Ref string `json:"ref,omitempty"`
	// Session, PID and Host say which shipshape process made it, so a
	// later process can tell a dead session's objects from a live one's.
	Session string    `json:"session"`
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Time    time.Time `json:"time"`
	// Gone marks the object as removed (or found missing).
	Gone bool `json:"gone,omitempty"`
}

// Key identifies the object an entry is about: containers by name (known
// before the ID), images by ID.
func (e Entry) Key() string {
	if e.Kind == Container && e.Name != "" {
		return string(e.Kind) + ":" + e.Name
	}
	return string(e.Kind) + ":" + e.ID
}

// Ledger is the record of objects shipshape made. It keeps this process's
// records in memory too, so the objects of the running session can be
// removed even when the file cannot be written (a full disk, a read-only
// state directory). Its methods are safe for concurrent use.
type Ledger struct {
	path string
	mu   sync.Mutex
	mine map[string]Entry
}

// Open returns the ledger stored at path; "" keeps records in memory only
// (tests, or no state directory). The file is created on the first
// record.
func Open(path string) *Ledger {
	return &Ledger{path: path, mine: map[string]Entry{}}
}

// Path is the ledger's file, or "" for a memory-only ledger.
func (l *Ledger) Path() string { return l.path }

// Record notes an object. A record with the key of an earlier one
// completes it (a container's ID after its name). The in-memory copy is
// kept even when the file write fails, whose error is returned.
func (l *Ledger) Record(e Entry) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	l.mu.Lock()
	if old, ok := l.mine[e.Key()]; ok {
		e = merge(old, e)
	}
	if e.Gone {
		delete(l.mine, e.Key())
	} else {
		l.mine[e.Key()] = e
	}
	l.mu.Unlock()
	return l.appendFile(e)
}

// Forget notes that the object of e is gone.
func (l *Ledger) Forget(e Entry) error {
	e.Gone = true
	return l.Record(e)
}

// Entries returns every object the ledger holds that is not gone: those of
// the file and this process's own, merged by key.
func (l *Ledger) Entries() ([]Entry, error) {
	all, err := l.readFile()
	l.mu.Lock()
	for k, e := range l.mine {
		if old, ok := all[k]; ok {
			if old.Gone {
				// Another process removed it: gone is final, since
				// names and IDs are never reused.
				delete(l.mine, k)
				continue
			}
			e = merge(old, e)
		}
		all[k] = e
	}
	l.mu.Unlock()
	out := make([]Entry, 0, len(all))
	for _, e := range all {
		if !e.Gone {
			out = append(out, e)
		}
	}
	return out, err
}

// Compact rewrites the file with only the objects not gone, atomically,
// so it does not grow for ever.
func (l *Ledger) Compact() error {
	if l.path == "" {
		return nil
	}
	lock, err := l.lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	all, err := l.readLocked()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, e := range all {
		if e.Gone {
			continue
		}
		b, _ := json.Marshal(e)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if err := renameio.WriteFile(l.path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("cannot compact the ledger of Docker objects %s: %w", l.path, err)
	}
	return nil
}

func merge(old, e Entry) Entry {
	if e.Name == "" {
		e.Name = old.Name
	}
	if e.ID == "" {
		e.ID = old.ID
	}
	if e.Ref == "" {
		e.Ref = old.Ref
	}
	if e.Session == "" {
		e.Session, e.PID, e.Host = old.Session, old.PID, old.Host
	}
	return e
}

func (l *Ledger) lock() (*flock.Flock, error) {
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the directory of the ledger of Docker objects: %w", err)
	}
	fl := flock.New(l.path + ".lock")
	if err := fl.Lock(); err != nil {
		return nil, fmt.Errorf("cannot lock the ledger of Docker objects %s: %w", l.path, err)
	}
	return fl, nil
}

func (l *Ledger) appendFile(e Entry) error {
	if l.path == "" {
		return nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	lock, err := l.lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	// O_NONBLOCK: a FIFO planted at the path must not hang shipshape.
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		return fmt.Errorf("cannot record a Docker object in %s: %w", l.path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("cannot record a Docker object in %s: not a regular file", l.path)
	}
	// One write of one line: a kill -9 leaves the line whole or absent.
	// No fsync: a killed process loses nothing the kernel has; only a
	// power cut could, and then the containers are gone too.
	if _, err := f.Write(b); err != nil {
		return fmt.Errorf("cannot record a Docker object in %s: %w", l.path, err)
	}
	return nil
}

func (l *Ledger) readFile() (map[string]Entry, error) {
	if l.path == "" {
		return map[string]Entry{}, nil
	}
	lock, err := l.lock()
	if err != nil {
		return map[string]Entry{}, err
	}
	defer lock.Unlock()
	return l.readLocked()
}

// readLocked reads the file; the caller holds the lock.
func (l *Ledger) readLocked() (map[string]Entry, error) {
	all := map[string]Entry{}
	f, err := safefile.Open(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return all, nil
	}
	if err != nil {
		return all, fmt.Errorf("cannot read the ledger of Docker objects %s: %w", l.path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxFile))
	sc.Buffer(make([]byte, 0, maxLine), maxLine)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) != nil || (e.Kind != Container && e.Kind != Image) {
			continue
		}
		if old, ok := all[e.Key()]; ok {
			e = merge(old, e)
		}
		all[e.Key()] = e
	}
	// A line over maxLine ends the scan: what came before it still counts.
	return all, nil
}
