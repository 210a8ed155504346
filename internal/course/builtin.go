package course

import (
	"fmt"
	"os"

	"shipshape/lessons"
)

// BuiltinSource names the embedded course in messages.
const BuiltinSource = "built-in course"

// Builtin loads the course embedded in the binary.
func Builtin(opts Options) (*Pack, error) {
	return Load(lessons.FS, BuiltinSource, opts)
}

// LoadDir loads a pack from a directory on disk.
func LoadDir(dir string, opts Options) (*Pack, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot open lesson pack %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("cannot open lesson pack %s: not a directory (a pack is a directory with %s)", dir, ManifestName)
	}
	return Load(os.DirFS(dir), dir, opts)
}
