// Package scaffold writes the skeleton pack of `shipshape pack new`: a
// manifest with a workspace, a reading lesson, an exercise lesson with
// checks, a starter project and its reference solution. The files live in
// template/ as an author would write them, with PACKID where the new pack's
// id goes, so they can be read, diffed and validated as a pack.
//
// The exercise's checks are one static check of the Dockerfile and one
// container.command that proves the running container is not root; the
// starter fails both and the solution passes both, which
// `pack validate --docker` verifies.
package scaffold

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"shipshape/internal/ids"
)

//go:embed all:template
var template embed.FS

// placeholder stands for the pack id in the template files.
const placeholder = "PACKID"

// idLen keeps a derived id short of ids.MaxLen; it is a starting point the
// author can change in pack.yaml.
const idLen = 48

// ID derives a pack id from the name of the directory the pack goes in,
// or "my-pack" when nothing of the name is usable.
func ID(dir string) string {
	if id := ids.FromName(filepath.Base(filepath.Clean(dir)), idLen); id != "" {
		return id
	}
	return "my-pack"
}

// Files returns the skeleton's files for the pack id, by slash-separated
// path inside the pack.
func Files(id string) (map[string]string, error) {
	r := strings.NewReplacer(placeholder, id)
	out := map[string]string{}
	err := fs.WalkDir(template, "template", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := template.ReadFile(p)
		if err != nil {
			return err
		}
		out[strings.TrimPrefix(p, "template/")] = r.Replace(string(body))
		return nil
	})
	return out, err
}

// Write creates the skeleton for id in dir, which must be new or empty (the
// caller checks, so it can say so as a usage error). Shell scripts are
// executable so the starter runs as it is.
func Write(dir, id string) error {
	files, err := Files(id)
	if err != nil {
		return fmt.Errorf("cannot create the pack: the built-in template is unreadable: %w", err)
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("cannot create the pack: %w", err)
		}
		mode := os.FileMode(0o644)
		if path.Ext(name) == ".sh" {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			return fmt.Errorf("cannot create the pack: %w", err)
		}
	}
	return nil
}
