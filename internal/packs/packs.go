// Package packs keeps the lesson packs a learner installed, one directory
// per pack id under the shipshape data directory, and opens packs given as
// a directory, a .tar.gz or a .zip.
//
// A pack from a stranger is checked in full before it is used: archives
// are unpacked by internal/packarchive (which refuses anything that could
// write outside its destination), local directories are copied without
// following symbolic links, and the result must load and validate against
// the check engine's kinds. Only then does it replace an installed version,
// by renames in the same directory, so a failed install leaves the old
// version as it was.
package packs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing/fstest"

	"github.com/gofrs/flock"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/ids"
	"shipshape/internal/packarchive"
	"shipshape/internal/scratch"
	"shipshape/internal/xdgdir"
)

// EnvDataDir overrides where installed packs live.
const EnvDataDir = "SHIPSHAPE_DATA_DIR"

// DefaultDir returns the directory of installed packs: $SHIPSHAPE_DATA_DIR/packs
// if set, else $XDG_DATA_HOME/shipshape/packs (by default
// ~/.local/share/shipshape/packs).
func DefaultDir() (string, error) {
	dir, err := xdgdir.Dir(xdgdir.Data, EnvDataDir)
	if errors.Is(err, xdgdir.ErrNoHome) {
		return "", fmt.Errorf("cannot find a directory for installed packs: %w", err)
	}
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "packs"), nil
}

// Options is how packs are validated: against the check engine's kinds
// and their parameters.
func Options() course.Options {
	return course.Options{CheckKind: check.ValidateParams}
}

// Store is a directory of installed packs.
type Store struct {
	// Dir holds one directory per pack id.
	Dir string
}

// Default returns the store in DefaultDir.
func Default() (*Store, error) {
	dir, err := DefaultDir()
	if err != nil {
		return nil, err
	}
	return &Store{Dir: dir}, nil
}

// Installed describes one installed pack.
type Installed struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Version string `json:"version,omitempty"`
	Path    string `json:"path"`
	// Replaced is the version that was installed before, when Install
	// replaced one ("" otherwise).
	Replaced string `json:"replaced,omitempty"`
	// Err is why an installed pack no longer loads (List only).
	Err error `json:"-"`
	// Warnings are lint problems of a pack that loads (Install only).
	Warnings []course.Problem `json:"-"`
}

// ErrRefused is matched (with errors.Is) by refusals of a local pack
// directory: symbolic links, special files, and sizes past the limits.
// Archive refusals match packarchive's sentinels instead, and invalid
// packs give a *course.Error.
var ErrRefused = errors.New("lesson pack refused")

type refusal struct{ msg string }

func (r *refusal) Error() string        { return r.msg }
func (r *refusal) Is(target error) bool { return target == ErrRefused }

// Refused reports whether err means the pack was refused (its problems
// are in the message) rather than that something else went wrong.
func Refused(err error) bool {
	var pe *course.Error
	var ee *packarchive.EntryError
	return errors.As(err, &pe) || errors.Is(err, course.ErrNewerFormat) || errors.As(err, &ee) ||
		errors.Is(err, packarchive.ErrUnsafe) || errors.Is(err, packarchive.ErrLimit) ||
		errors.Is(err, packarchive.ErrCorrupt) || errors.Is(err, packarchive.ErrUnknownFormat) ||
		errors.Is(err, packarchive.ErrUnsupported) || errors.Is(err, ErrRefused)
}

func refuse(format string, args ...any) error { return &refusal{msg: fmt.Sprintf(format, args...)} }

// ErrNotInstalled is matched by the error for an id with no installed pack.
var ErrNotInstalled = errors.New("pack is not installed")

// Install validates the pack at path (a directory, .tar.gz or .zip) and
// installs it under its id, replacing an installed version of the same id
// only once the new one has validated. Progress is kept per pack id, so
// learners keep it across versions.
func (s *Store) Install(src string) (Installed, error) {
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return Installed{}, fmt.Errorf("cannot create the pack directory: %w", err)
	}
	lock := flock.New(filepath.Join(s.Dir, ".lock"))
	if err := lock.Lock(); err != nil {
		return Installed{}, fmt.Errorf("cannot lock the pack directory %s: %w", s.Dir, err)
	}
	defer lock.Unlock()
	s.removeStale()

	tmp, err := os.MkdirTemp(s.Dir, ".install-")
	if err != nil {
		return Installed{}, fmt.Errorf("cannot prepare the install: %w", err)
	}
	defer os.RemoveAll(tmp)
	unpacked := filepath.Join(tmp, "pack")
	if err := os.Mkdir(unpacked, 0o755); err != nil {
		return Installed{}, fmt.Errorf("cannot prepare the install: %w", err)
	}
	root, err := materialize(src, unpacked)
	if err != nil {
		return Installed{}, err
	}
	p, err := course.Load(os.DirFS(root), src, Options())
	if err != nil {
		return Installed{}, err
	}
	inst := Installed{ID: p.ID, Title: p.Title, Version: p.Version, Warnings: course.Lint(p)}
	target := filepath.Join(s.Dir, p.ID)
	inst.Path = target

	if _, err := os.Lstat(target); err == nil {
		inst.Replaced = "unknown"
		if old, err := course.LoadDir(target, course.Options{}); err == nil {
			inst.Replaced = old.Version
		}
		aside := filepath.Join(tmp, "old")
		if err := os.Rename(target, aside); err != nil {
			return Installed{}, fmt.Errorf("cannot replace the installed %s: %w", p.ID, err)
		}
		if err := os.Rename(root, target); err != nil {
			// Put the old version back so a failed install changes nothing.
			if rerr := os.Rename(aside, target); rerr != nil {
				return Installed{}, fmt.Errorf("cannot install %s: %w; restoring the old version also failed: %v", p.ID, err, rerr)
			}
			return Installed{}, fmt.Errorf("cannot install %s: %w", p.ID, err)
		}
		return inst, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Installed{}, fmt.Errorf("cannot install %s: %w", p.ID, err)
	}
	if err := os.Rename(root, target); err != nil {
		return Installed{}, fmt.Errorf("cannot install %s: %w", p.ID, err)
	}
	return inst, nil
}

// removeStale deletes what an install or removal killed midway left
// behind. The caller holds the lock, so no other install is using them.
func (s *Store) removeStale() {
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, ".install-") || strings.HasPrefix(n, ".remove-") {
			_ = os.RemoveAll(filepath.Join(s.Dir, n))
		}
	}
}

// List returns the installed packs sorted by id. A pack that no longer
// loads (edited by hand, or installed by a newer shipshape) is listed with
// Err set rather than hidden, so it can be removed or reinstalled.
func (s *Store) List() ([]Installed, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot list installed packs: %w", err)
	}
	var out []Installed
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		inst := Installed{ID: name, Path: filepath.Join(s.Dir, name)}
		switch {
		case !e.IsDir():
			inst.Err = errors.New("not a directory; remove it")
		case !ids.Valid(name):
			inst.Err = errors.New("the directory name is not a pack id; remove it")
		default:
			p, err := course.LoadDir(inst.Path, Options())
			if err != nil {
				inst.Err = err
			} else if p.ID != name {
				inst.Err = fmt.Errorf("the pack inside has id %q; reinstall it", p.ID)
			} else {
				inst.Title, inst.Version = p.Title, p.Version
			}
		}
		out = append(out, inst)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Remove deletes the installed pack id. The learner's progress is kept.
func (s *Store) Remove(id string) error {
	target, err := s.path(id)
	if err != nil {
		return err
	}
	lock := flock.New(filepath.Join(s.Dir, ".lock"))
	if err := lock.Lock(); err != nil {
		return fmt.Errorf("cannot lock the pack directory %s: %w", s.Dir, err)
	}
	defer lock.Unlock()
	if _, err := os.Lstat(target); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot remove %q: %w (see `shipshape pack list`)", id, ErrNotInstalled)
		}
		return fmt.Errorf("cannot remove %q: %w", id, err)
	}
	// Renaming first makes the removal all-or-nothing for readers.
	trash, err := os.MkdirTemp(s.Dir, ".remove-")
	if err != nil {
		return fmt.Errorf("cannot remove %q: %w", id, err)
	}
	defer os.RemoveAll(trash)
	if err := os.Rename(target, filepath.Join(trash, id)); err != nil {
		return fmt.Errorf("cannot remove %q: %w", id, err)
	}
	return nil
}

// Open loads the installed pack id.
func (s *Store) Open(id string) (*course.Pack, error) {
	target, err := s.path(id)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(target); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cannot open pack %q: %w (see `shipshape pack list`)", id, ErrNotInstalled)
	}
	return course.LoadDir(target, Options())
}

// Has reports whether a pack with this id is installed.
func (s *Store) Has(id string) bool {
	target, err := s.path(id)
	if err != nil {
		return false
	}
	st, err := os.Stat(target)
	return err == nil && st.IsDir()
}

func (s *Store) path(id string) (string, error) {
	if !ids.Valid(id) {
		return "", fmt.Errorf("%q is not a pack id: ids are "+ids.Rule, id)
	}
	return filepath.Join(s.Dir, id), nil
}

// materialize puts the pack at src into the empty directory dest and
// returns the pack's root inside it.
func materialize(src, dest string) (string, error) {
	st, err := os.Stat(src)
	if err != nil {
		return "", fmt.Errorf("cannot open lesson pack %s: %w", src, err)
	}
	if st.IsDir() {
		if err := copyDir(src, dest, packarchive.DefaultLimits()); err != nil {
			return "", err
		}
		return dest, nil
	}
	if err := packarchive.Extract(src, dest, packarchive.DefaultLimits()); err != nil {
		return "", fmt.Errorf("cannot unpack lesson pack %s: %w", src, err)
	}
	root, err := packarchive.PackRoot(dest)
	if err != nil {
		return "", refuse("lesson pack %s: %v", src, err)
	}
	return root, nil
}

// copyDir copies the regular files and directories below src into dest,
// refusing symbolic links and special files: a link in a pack directory
// could point at anything on the author's machine (or the learner's),
// and the installed copy must not depend on it. The archive limits apply.
func copyDir(src, dest string, lim packarchive.Limits) error {
	var entries int
	var total int64
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("cannot read lesson pack %s: %w", src, err)
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		entries++
		if entries > lim.MaxEntries {
			return refuse("lesson pack %s has more than %d files and directories, more than a pack may have", src, lim.MaxEntries)
		}
		target := filepath.Join(dest, rel)
		switch {
		case d.IsDir():
			return os.Mkdir(target, 0o755)
		case d.Type().IsRegular():
		case d.Type()&fs.ModeSymlink != 0:
			return refuse("lesson pack %s: %q is a symbolic link; packs may contain only regular files and directories (copy the file in instead)", src, filepath.ToSlash(rel))
		default:
			return refuse("lesson pack %s: %q is not a regular file; packs may contain only regular files and directories", src, filepath.ToSlash(rel))
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > lim.MaxFileBytes {
			return refuse("lesson pack %s: %q is %d bytes, more than the %d a pack file may have", src, filepath.ToSlash(rel), info.Size(), lim.MaxFileBytes)
		}
		n, err := copyFile(p, target, info.Mode().Perm()&0o111 != 0, lim.MaxFileBytes)
		total += n
		if err != nil {
			return fmt.Errorf("lesson pack %s: cannot copy %q: %w", src, filepath.ToSlash(rel), err)
		}
		if total > lim.MaxTotalBytes {
			return refuse("lesson pack %s is larger than the %d bytes a pack may have", src, lim.MaxTotalBytes)
		}
		return nil
	})
}

func copyFile(src, dest string, exec bool, limit int64) (int64, error) {
	// O_NOFOLLOW-like behaviour: the walk saw a regular file; Lstat again
	// so a file swapped for a link meanwhile is not followed.
	if st, err := os.Lstat(src); err != nil || !st.Mode().IsRegular() {
		return 0, errors.New("not a regular file")
	}
	// O_NONBLOCK: a FIFO swapped in after the Lstat must not block the open.
	in, err := os.OpenFile(src, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil || !st.Mode().IsRegular() {
		return 0, errors.New("not a regular file")
	}
	mode := os.FileMode(0o644)
	if exec {
		mode = 0o755
	}
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, io.LimitReader(in, limit+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > limit {
		err = fmt.Errorf("larger than %d bytes", limit)
	}
	return n, err
}

// OpenFS returns the files of the pack at path: the directory itself, or
// for a .tar.gz or .zip an in-memory copy of the archive's pack, unpacked
// safely into a temporary directory that is removed before OpenFS returns.
// Keeping the archive's files in memory (at most the archive limits) means
// nothing is left on disk once OpenFS returns; the directory is in tmp, so
// a kill -9 during the unpacking leaves it for the next shipshape to
// remove.
func OpenFS(src string, tmpDir *scratch.Dir) (fs.FS, error) {
	st, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("cannot open lesson pack %s: %w", src, err)
	}
	if st.IsDir() {
		return course.DirFS(src)
	}
	tmp, err := tmpDir.MkdirTemp("pack")
	if err != nil {
		return nil, fmt.Errorf("cannot unpack lesson pack %s: %w", src, err)
	}
	defer os.RemoveAll(tmp)
	root, err := materialize(src, tmp)
	if err != nil {
		return nil, err
	}
	return readTree(root)
}

// readTree reads a directory tree into memory.
func readTree(root string) (fs.FS, error) {
	m := fstest.MapFS{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		name := filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			m[name] = &fstest.MapFile{Mode: fs.ModeDir | 0o755, ModTime: info.ModTime()}
			return nil
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		m[name] = &fstest.MapFile{Data: data, Mode: info.Mode().Perm(), ModTime: info.ModTime()}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot read the unpacked pack: %w", err)
	}
	return m, nil
}

// Load opens the pack at src (a directory, .tar.gz or .zip) and loads it
// with opts; an archive is unpacked in tmp (see OpenFS).
func Load(src string, opts course.Options, tmpDir *scratch.Dir) (*course.Pack, error) {
	fsys, err := OpenFS(src, tmpDir)
	if err != nil {
		return nil, err
	}
	return course.Load(fsys, src, opts)
}
