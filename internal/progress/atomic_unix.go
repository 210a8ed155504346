//go:build unix

package progress

import (
	"os"

	"github.com/google/renameio/v2"
)

// writeAtomic replaces path with data so that a crash at any moment leaves
// either the old or the new file. renameio writes a temporary file in dir,
// fsyncs it and renames it over path, but does not fsync the directory; that
// is done here so the rename itself survives a power cut.
func writeAtomic(dir, path string, data []byte) error {
	pf, err := renameio.NewPendingFile(path,
		renameio.WithTempDir(dir), // same file system, so rename is atomic
		renameio.WithStaticPermissions(0o600),
	)
	if err != nil {
		return err
	}
	defer pf.Cleanup() // removes the temporary file unless the rename happened
	if _, err := pf.Write(data); err != nil {
		return err
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory so that renames in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
