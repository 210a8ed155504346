package course

import (
	"fmt"
	"io/fs"
	"os"
	"strings"

	"shipshape/exercises"
	"shipshape/lessons"
)

// BuiltinSource names the embedded course in messages.
const BuiltinSource = "built-in course"

// builtinWorkspace is where the built-in pack sees exercises/task-api.
const builtinWorkspace = "workspace"

// Builtin loads the course embedded in the binary. Its lessons come from
// lessons/ and its workspace (starter and solutions) from
// exercises/task-api, mounted at workspace/ as if the pack held it.
func Builtin(opts Options) (*Pack, error) {
	sub, err := fs.Sub(exercises.FS, "task-api")
	if err != nil {
		return nil, err
	}
	return Load(mountFS{base: lessons.FS, prefix: builtinWorkspace, sub: sub}, BuiltinSource, opts)
}

// mountFS serves sub under prefix and everything else from base.
type mountFS struct {
	base   fs.FS
	prefix string
	sub    fs.FS
}

func (m mountFS) Open(name string) (fs.File, error) {
	if name == m.prefix {
		return m.sub.Open(".")
	}
	if rest, ok := strings.CutPrefix(name, m.prefix+"/"); ok {
		return m.sub.Open(rest)
	}
	return m.base.Open(name)
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
	fsys, err := DirFS(dir)
	if err != nil {
		return nil, err
	}
	return Load(fsys, dir, opts)
}
