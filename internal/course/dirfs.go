package course

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"shipshape/internal/safefile"
)

// DirFS returns the files of the pack directory dir after checking that
// it holds only directories and regular files. A symbolic link could make
// the pack show, or shipshape init copy, files from anywhere on the
// learner's machine (a cloned pack can carry one), and a named pipe or
// device would block every read; pack install refuses both, and so does
// a pack used in place.
func DirFS(dir string) (fs.FS, error) {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		// DirEntry.Type comes from Lstat: a link is seen as a link.
		switch t := d.Type(); {
		case t.IsDir(), t.IsRegular():
			return nil
		case t&fs.ModeSymlink != 0:
			return fmt.Errorf("%q is a symbolic link; a pack may contain only regular files and directories (copy the file or directory in instead)", filepath.ToSlash(rel))
		default:
			return fmt.Errorf("%q is %s, not a regular file; a pack may contain only regular files and directories", filepath.ToSlash(rel), safefile.Kind(t))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("cannot use lesson pack %s: %w", dir, err)
	}
	return os.DirFS(dir), nil
}

// openRegular opens name for reading after checking, without following a
// link, that it is a regular file: opening a named pipe blocks until
// something writes to it, which would hang list, pack validate and the TUI.
func openRegular(fsys fs.FS, name string) (fs.File, error) {
	st, err := fs.Lstat(fsys, name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, errors.New("is a directory, not a file")
		}
		return nil, fmt.Errorf("is %s, not a regular file; use a regular file", safefile.Kind(st.Mode()))
	}
	return fsys.Open(name)
}

// readRegular is fs.ReadFile through openRegular.
func readRegular(fsys fs.FS, name string) ([]byte, error) {
	f, err := openRegular(fsys, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
