package lab

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"shipshape/internal/dockerfile"
)

// skipDirs are directories whose changes never call for a rebuild: version
// control, virtual environments, caches and dependencies.
var skipDirs = map[string]bool{".git": true, ".venv": true, "venv": true, "__pycache__": true,
	"node_modules": true, ".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true}

// sedTemp is the temporary file `sed -i` writes beside the file it edits.
var sedTemp = regexp.MustCompile(`^sed[A-Za-z0-9]{6}$`)

// ignoredFile reports editor temp files: backups ("x~"), vim swap files
// (".x.swp", ".x.swx"), vim's write test file "4913", emacs lock and
// autosave files (".#x", "#x#"), sed -i's temp file, JetBrains' safe-write
// files and shipshape's own temp files (the rename that follows them is
// the change that counts).
func ignoredFile(name string) bool {
	switch {
	case sedTemp.MatchString(name), strings.HasSuffix(name, ".shipshape-tmp"), strings.HasSuffix(name, "___jb_tmp___"),
		strings.HasSuffix(name, "___jb_old___"):
		return true
	case strings.HasSuffix(name, "~"), name == "4913",
		strings.HasPrefix(name, ".") && (strings.HasSuffix(name, ".swp") || strings.HasSuffix(name, ".swx") || strings.HasSuffix(name, ".swo")),
		strings.HasPrefix(name, ".#"), strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"),
		strings.HasSuffix(name, ".pyc"):
		return true
	}
	return false
}

// Watch watches dir and its subdirectories (new ones included, except
// skipDirs) and calls onChange with the paths, relative to dir and sorted,
// that changed, once no change has come for debounce. Editor temp files,
// files created and removed again within that time and files the build
// context's ignore file excludes are left out. onChange runs on Watch's goroutine, so calls never overlap;
// changes during a call are collected for the next one. Watch returns nil
// when ctx ends.
func (l *Lab) Watch(ctx context.Context, dir string, debounce time.Duration, onChange func(paths []string)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("cannot watch %s: %w", dir, err)
	}
	defer w.Close()
	root, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("cannot watch %s: %w", dir, err)
	}
	if err := addTree(w, root, root); err != nil {
		return fmt.Errorf("cannot watch %s: %w", dir, err)
	}
	// pending maps each changed path to whether it was created in this
	// window: a file created and gone again before the window closes is
	// an editor's or a tool's temporary file (XXJz3G60), not an edit.
	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			rel, ok := relevant(root, ev.Name)
			if !ok {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					// Files may have appeared before the watch did.
					_ = addTree(w, root, ev.Name)
				}
			}
			if ev.Op == fsnotify.Chmod {
				continue // touching permissions is not an edit
			}
			pending[rel] = pending[rel] || ev.Has(fsnotify.Create)
			timer.Reset(debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				pending["."] = false
				timer.Reset(debounce)
				continue
			}
			return fmt.Errorf("cannot keep watching %s: %w", dir, err)
		case <-timer.C:
			paths := buildInputs(root, pending)
			clear(pending)
			if len(paths) > 0 {
				onChange(paths)
			}
		}
	}
}

// buildInputs are the changed paths that can change the image, sorted:
// those the build context's ignore file lets through, without files that
// came and went within the window. An unreadable ignore file keeps every
// path: the build will say what is wrong with it.
func buildInputs(root string, changed map[string]bool) []string {
	inContext, err := dockerfile.ContextFilter(root)
	if err != nil {
		inContext = func(string) bool { return true }
	}
	paths := make([]string, 0, len(changed))
	for p, created := range changed {
		if created {
			if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p))); errors.Is(err, fs.ErrNotExist) {
				continue
			}
		}
		if p == "." || inContext(p) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	return paths
}

// relevant returns name relative to root, slash-separated, and whether a
// change to it matters.
func relevant(root, name string) (string, bool) {
	rel, err := filepath.Rel(root, name)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	parts := strings.Split(rel, "/")
	for _, p := range parts[:len(parts)-1] {
		if skipDirs[p] {
			return "", false
		}
	}
	last := parts[len(parts)-1]
	if skipDirs[last] || ignoredFile(last) {
		return "", false
	}
	return rel, true
}

// addTree watches dir and every directory below it that is not skipped.
func addTree(w *fsnotify.Watcher, root, dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != dir && errors.Is(err, fs.ErrNotExist) {
				return nil // gone while walking
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != root && skipDirs[d.Name()] {
			return filepath.SkipDir
		}
		return w.Add(path)
	})
}
