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
// that changed, once no change has come for debounce. Editor temp files
// are ignored. onChange runs on Watch's goroutine, so calls never overlap;
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
			pending[rel] = true
			timer.Reset(debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				pending["."] = true
				timer.Reset(debounce)
				continue
			}
			return fmt.Errorf("cannot keep watching %s: %w", dir, err)
		case <-timer.C:
			if len(pending) == 0 {
				continue
			}
			paths := make([]string, 0, len(pending))
			for p := range pending {
				paths = append(paths, p)
			}
			sort.Strings(paths)
			clear(pending)
			onChange(paths)
		}
	}
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
