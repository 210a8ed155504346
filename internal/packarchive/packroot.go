package packarchive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ManifestName is the file that marks the top of a pack.
const ManifestName = "pack.yaml"

// ignoredTopLevel lists what archivers add beside the pack without being
// asked: macOS Finder's resource-fork folder and Finder metadata.
var ignoredTopLevel = map[string]bool{"__MACOSX": true, ".DS_Store": true}

// PackRoot returns the directory of an extracted pack: dest itself when
// pack.yaml is at the top of the archive, or its single top-level directory
// when the archive was made from a folder (mypack/pack.yaml), the usual
// result of "compress folder" in a file manager.
func PackRoot(dest string) (string, error) {
	ok, err := isManifest(filepath.Join(dest, ManifestName))
	if err != nil || ok {
		return dest, err
	}
	entries, err := os.ReadDir(dest)
	if err != nil {
		return "", fmt.Errorf("cannot find the pack in the archive: %w", err)
	}
	var dirs []string
	for _, e := range entries {
		if ignoredTopLevel[e.Name()] {
			continue
		}
		// DirEntry.Type does not follow symlinks, so a link to a directory
		// elsewhere is never taken for the pack.
		if !e.Type().IsDir() {
			return "", missingManifest()
		}
		dirs = append(dirs, e.Name())
	}
	if len(dirs) != 1 {
		return "", missingManifest()
	}
	sub := filepath.Join(dest, dirs[0])
	ok, err = isManifest(filepath.Join(sub, ManifestName))
	if err != nil {
		return "", err
	}
	if !ok {
		return "", missingManifest()
	}
	return sub, nil
}

func isManifest(path string) (bool, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("cannot find the pack in the archive: %w", err)
	case !fi.Mode().IsRegular():
		return false, fmt.Errorf("cannot find the pack in the archive: %s is not a regular file", ManifestName)
	}
	return true, nil
}

func missingManifest() error {
	return fmt.Errorf("cannot find the pack in the archive: put %s at the top of the archive or in its only top-level directory", ManifestName)
}
