// Package workspace writes a pack's starter project into the learner's
// directory, applies reference solutions and resets single files, without
// ever overwriting the learner's edits silently: a file that would be
// replaced is first kept as a backup next to it.
package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"
)

// Result lists what an operation did, with paths relative to the workspace.
type Result struct {
	Written   []string
	Unchanged []string
	// BackedUp maps a replaced file to the backup of the learner's version.
	BackedUp map[string]string
	// Notes is a solution's NOTES.md, which explains it: it is for the
	// learner to read, not a file of the project, so Apply never writes it.
	Notes string
}

// NotesName is the file of a solution directory that explains the
// solution rather than being part of it.
const NotesName = "NOTES.md"

// maxNotesBytes bounds the notes read from a pack.
const maxNotesBytes = 256 << 10

// ErrNotEmpty is returned by Init for a directory that already has files.
var ErrNotEmpty = errors.New("directory is not empty")

// Init writes the starter directory src of fsys into dest. dest must be
// missing or empty unless force is set; with force, files that differ from
// the starter are backed up before they are replaced. A shipshape.yaml
// (ConfigName) alone does not count: it says how to build the starter, so
// a classroom writes it first.
func Init(fsys fs.FS, src, dest string, force bool) (Result, error) {
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return Result{}, fmt.Errorf("cannot create %s: %w", dest, err)
	}
	entries, err := os.ReadDir(dest)
	if err != nil {
		return Result{}, fmt.Errorf("cannot read %s: %w", dest, err)
	}
	if len(entries) == 1 && entries[0].Name() == ConfigName && entries[0].Type().IsRegular() {
		entries = nil
	}
	if len(entries) > 0 && !force {
		return Result{}, fmt.Errorf("%s: %w; choose a new directory, or use --force to add the starter files (your changed files are kept as backups)", dest, ErrNotEmpty)
	}
	return copyTree(fsys, src, dest, nil, "")
}

// Apply copies the files of dir src (a solution) over dest, backing up
// every file of the learner's that differs. The solution's NOTES.md is
// not copied; its text is in the result's Notes.
func Apply(fsys fs.FS, src, dest string) (Result, error) {
	notes, err := fs.ReadFile(fsys, path.Join(src, NotesName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Result{}, fmt.Errorf("cannot read the pack's %s: %w", NotesName, err)
	}
	if len(notes) > maxNotesBytes {
		notes = notes[:maxNotesBytes]
	}
	res, err := copyTree(fsys, src, dest, nil, NotesName)
	res.Notes = string(notes)
	return res, err
}

// ResetFile restores one file of the workspace to its starter version,
// keeping the learner's version as a backup.
func ResetFile(fsys fs.FS, starter, dest, name string) (Result, error) {
	clean := path.Clean(filepath.ToSlash(name))
	if !fs.ValidPath(clean) || clean == "." {
		return Result{}, fmt.Errorf("cannot reset %q: name a file inside the workspace, such as Dockerfile", name)
	}
	if _, err := fs.Stat(fsys, path.Join(starter, clean)); err != nil {
		return Result{}, fmt.Errorf("cannot reset %q: the starter has no such file", name)
	}
	return copyTree(fsys, starter, dest, map[string]bool{clean: true}, "")
}

// Files lists the regular files of src, relative to it, sorted.
func Files(fsys fs.FS, src string) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel := p[len(src)+1:]
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// copyTree copies the regular files below src into dest (only those in
// only, when it is not nil; never skip, when it is set). It works inside an os.Root so that no path,
// not even a symlink the learner made, leads outside dest.
func copyTree(fsys fs.FS, src, dest string, only map[string]bool, skip string) (Result, error) {
	res := Result{BackedUp: map[string]string{}}
	root, err := os.OpenRoot(dest)
	if err != nil {
		return res, fmt.Errorf("cannot open %s: %w", dest, err)
	}
	defer root.Close()
	files, err := Files(fsys, src)
	if err != nil {
		return res, fmt.Errorf("cannot read the pack's %s: %w", src, err)
	}
	stamp := time.Now().UTC().Format("20060102T150405")
	for _, rel := range files {
		if (only != nil && !only[rel]) || (skip != "" && rel == skip) {
			continue
		}
		want, err := fs.ReadFile(fsys, path.Join(src, rel))
		if err != nil {
			return res, fmt.Errorf("cannot read the pack's %s: %w", rel, err)
		}
		have, err := root.ReadFile(rel)
		switch {
		case err == nil && bytes.Equal(have, want):
			res.Unchanged = append(res.Unchanged, rel)
			continue
		case err == nil:
			backup := rel + ".backup-" + stamp
			if err := root.WriteFile(backup, have, 0o644); err != nil {
				return res, fmt.Errorf("cannot keep your %s as %s: %w (nothing was replaced)", rel, backup, err)
			}
			res.BackedUp[rel] = backup
		case !errors.Is(err, fs.ErrNotExist):
			return res, fmt.Errorf("cannot read your %s: %w", rel, err)
		}
		if dir := path.Dir(rel); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return res, fmt.Errorf("cannot create %s: %w", dir, err)
			}
		}
		mode := fs.FileMode(0o644)
		if path.Ext(rel) == ".sh" {
			mode = 0o755
		}
		if err := writeFile(root, rel, want, mode); err != nil {
			return res, fmt.Errorf("cannot write %s: %w", rel, err)
		}
		res.Written = append(res.Written, rel)
	}
	return res, nil
}

// writeFile replaces name through a temporary file and a rename, so an
// interrupted write never leaves half a Dockerfile.
func writeFile(root *os.Root, name string, data []byte, mode fs.FileMode) error {
	tmp := name + ".shipshape-tmp"
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		root.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		root.Remove(tmp)
		return err
	}
	if err := root.Chmod(tmp, mode); err != nil {
		root.Remove(tmp)
		return err
	}
	return root.Rename(tmp, name)
}
