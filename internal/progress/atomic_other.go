//go:build !unix

package progress

import (
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// writeAtomic is the fallback for systems renameio/v2 does not support
// (Windows): the same temporary-file, fsync, rename sequence by hand, using
// the temporary name renameio would use so that stale files are cleaned up
// the same way. os.Rename replaces the target there with MoveFileEx.
func writeAtomic(dir, path string, data []byte) error {
	tmp := filepath.Join(dir, "."+filepath.Base(path)+strconv.FormatInt(time.Now().UnixNano(), 10))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// syncDir is a no-op where directories cannot be opened for fsync; the
// rename is made durable by the file system's journal.
func syncDir(string) error { return nil }
