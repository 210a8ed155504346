package progress

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// tempPrefix is how renameio names temporary files for path: "." + the base
// name followed by a random non-negative decimal number.
func tempPrefix(packID string) string {
	return "." + packID + ".json"
}

// removeStaleTemps deletes temporary files left by a writer killed mid-save.
// Only call it while holding the lock: then no save can be in flight.
func removeStaleTemps(dir, packID string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(packID)
	for _, e := range entries {
		if isTempName(e.Name(), prefix) && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func isTempName(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || rest == "" {
		return false
	}
	_, err := strconv.ParseUint(rest, 10, 64)
	return err == nil
}

// moveAside renames a damaged file to <name>.corrupt-<UTC time>, adding a
// counter if that name is taken, and returns the new path. It never replaces
// an existing file.
func moveAside(dir, path string) (string, error) {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	base := path + ".corrupt-" + stamp
	for i := 0; i < 1000; i++ {
		dst := base
		if i > 0 {
			dst = fmt.Sprintf("%s-%d", base, i)
		}
		// A hard link fails if dst exists, so nothing is ever overwritten;
		// rename alone would silently replace an earlier copy.
		err := os.Link(path, dst)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			// Some file systems have no hard links; fall back to a checked
			// rename, safe enough because we hold the lock.
			if _, serr := os.Lstat(dst); serr == nil {
				continue
			}
			if rerr := os.Rename(path, dst); rerr != nil {
				return "", rerr
			}
			return dst, syncDir(dir)
		}
		if err := os.Remove(path); err != nil {
			return "", err
		}
		return dst, syncDir(dir)
	}
	return "", fmt.Errorf("too many damaged copies named %s-*", base)
}
