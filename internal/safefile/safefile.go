// Package safefile opens files whose paths a learner or a pack chose
// without ever blocking: a FIFO planted where a Dockerfile, a
// .dockerignore or a scan report should be would otherwise hang the
// open, and with it the check (and its handling of Ctrl-C).
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is returned for anything but a regular file.
var ErrNotRegular = errors.New("not a regular file")

// Open opens path for reading. O_NONBLOCK makes the open of a FIFO return
// at once; on a regular file, the only kind accepted, it changes nothing.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("cannot read %s: %w (%s)", path, ErrNotRegular, Kind(st.Mode()))
	}
	return f, nil
}

// Kind names the type of a file that is not regular, for messages.
func Kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}
