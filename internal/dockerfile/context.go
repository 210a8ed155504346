package dockerfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"shipshape/internal/safefile"
)

// InContext reports whether rel (slash-separated, relative to the build
// context) is sent to the builder.
type InContext func(rel string) bool

// ContextFilter reads the ignore file that applies to dir's Dockerfile
// (Dockerfile.dockerignore, which BuildKit prefers, else .dockerignore) and
// says which paths reach the build. Without an ignore file every path
// does; the Dockerfile and the ignore files themselves always count, since
// they change what is built.
func ContextFilter(dir string) (InContext, error) {
	path := filepath.Join(dir, "Dockerfile.dockerignore")
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(dir, ".dockerignore")
	}
	f, err := safefile.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return func(string) bool { return true }, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("invalid pattern in %s: %w", path, err)
	}
	return func(rel string) bool {
		switch rel {
		case "Dockerfile", ".dockerignore", "Dockerfile.dockerignore":
			return true
		}
		excluded, err := pm.MatchesOrParentMatches(rel)
		return err != nil || !excluded
	}, nil
}
