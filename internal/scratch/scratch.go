// Package scratch keeps shipshape's temporary files and directories (a
// saved image for a scan, a validation workspace, an unpacked pack
// archive) under one directory, each named after the process that made
// it. A process removes its own when it is done; what a killed one left
// (kill -9, a closed terminal, a power cut) is removed by Sweep, which
// every shipshape command runs at start, once that process is gone.
//
// The directory has a subdirectory per host, so that a home directory
// shared between machines never has one machine remove what a live
// process of another is using.
package scratch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"shipshape/internal/proc"
)

// Dir is the directory temporary entries are made in. A nil *Dir makes
// them in os.TempDir() and sweeps nothing: for callers (tests) that have
// no state directory.
type Dir struct {
	root string
}

// Open returns the scratch directory under root (shipshape uses the
// state directory's tmp/), for this host. Nothing is created until the
// first entry.
func Open(root string) *Dir {
	host, _ := os.Hostname()
	return &Dir{root: filepath.Join(root, hostPart(host))}
}

// Path is the directory this host's entries are made in.
func (d *Dir) Path() string {
	if d == nil {
		return os.TempDir()
	}
	return d.root
}

// MkdirTemp makes a new directory for purpose (a short word such as
// "validate") and returns its path. The caller removes it when done.
func (d *Dir) MkdirTemp(purpose string) (string, error) {
	dir, err := d.ensure()
	if err != nil {
		return "", err
	}
	return os.MkdirTemp(dir, prefix(purpose)+"*")
}

// CreateTemp makes a new file for purpose, with the name ending in
// suffix. The caller closes and removes it when done.
func (d *Dir) CreateTemp(purpose, suffix string) (*os.File, error) {
	dir, err := d.ensure()
	if err != nil {
		return nil, err
	}
	return os.CreateTemp(dir, prefix(purpose)+"*"+suffix)
}

func (d *Dir) ensure() (string, error) {
	p := d.Path()
	if d == nil {
		return p, nil
	}
	// 0700: a saved image or a pack's files are no other user's business.
	if err := os.MkdirAll(p, 0o700); err != nil {
		return "", fmt.Errorf("cannot create the directory for temporary files %s: %w", p, err)
	}
	return p, nil
}

// Sweep removes the entries whose process is no longer running on this
// host, and returns how many it removed. Entries whose names it does not
// recognise are left alone. Errors are joined; the sweep goes on past
// them, and a later one tries again.
func (d *Dir) Sweep() (int, error) {
	if d == nil {
		return 0, nil
	}
	entries, err := os.ReadDir(d.root)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cannot list temporary files in %s: %w", d.root, err)
	}
	n := 0
	var errs []error
	for _, e := range entries {
		pid, start, ok := owner(e.Name())
		if !ok || proc.Running(pid, start) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(d.root, e.Name())); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	if len(errs) > 0 {
		return n, fmt.Errorf("cannot remove some temporary files of ended shipshape processes in %s: %w", d.root, errors.Join(errs...))
	}
	return n, nil
}

// prefix names an entry after this process: "<pid>-<start>-<purpose>-",
// to which the os package adds a random part.
func prefix(purpose string) string {
	pid := os.Getpid()
	return fmt.Sprintf("%d-%d-%s-", pid, proc.StartTime(pid), purpose)
}

// owner reads the pid and start time from an entry's name.
func owner(name string) (pid int, start uint64, ok bool) {
	f := strings.SplitN(name, "-", 3)
	if len(f) < 3 {
		return 0, 0, false
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil || pid <= 0 {
		return 0, 0, false
	}
	start, err = strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return pid, start, true
}

// hostPart makes a host name safe as one path element.
func hostPart(h string) string {
	h = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, h)
	if h == "" || h == "." || h == ".." {
		return "unknown-host"
	}
	return h
}
