package docker

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// readIgnore reads dir's .dockerignore; a missing file means no patterns.
func readIgnore(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("cannot read .dockerignore: %w", err)
	}
	defer f.Close()
	pats, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("cannot read .dockerignore: %w", err)
	}
	return pats, nil
}

// dockerfileSource is the Dockerfile of a build: name is what the builder
// is told, relative to the context; data, when not nil, is its text, for
// a Dockerfile that is not a file of the context (see writeContext).
type dockerfileSource struct {
	name string
	data []byte
}

// writeContext writes the build context dir as a tar to w, leaving out what
// .dockerignore excludes. Like the docker CLI, the Dockerfile and the
// .dockerignore are always sent even when a pattern excludes them: the
// builder needs the one and reads the other. Owners are normalised to
// root, as the CLI does, so the context does not depend on who built it.
// A Dockerfile with data is added under its name, and, as `docker build
// -f -` does, named in the .dockerignore sent with it, so that the daemon
// drops it from the context once read and `COPY . .` does not copy it.
func writeContext(w io.Writer, dir string, df dockerfileSource) error {
	pats, err := readIgnore(dir)
	if err != nil {
		return err
	}
	pm, err := patternmatcher.New(pats)
	if err != nil {
		return fmt.Errorf("cannot use .dockerignore: %w", err)
	}
	keep := map[string]bool{".dockerignore": true, filepath.ToSlash(filepath.Clean(df.name)): true}
	tw := tar.NewWriter(w)
	if df.data != nil {
		if err := addInjected(tw, dir, df); err != nil {
			return fmt.Errorf("cannot pack the build context %s: %w", dir, err)
		}
	}
	parents := map[string]patternmatcher.MatchInfo{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if df.data != nil && (rel == ".dockerignore" || rel == df.name) {
			return nil // sent by addInjected
		}
		parentInfo := parents[pathDir(rel)]
		excluded, info, err := pm.MatchesUsingParentResults(rel, parentInfo)
		if err != nil {
			return fmt.Errorf("cannot match %s against .dockerignore: %w", rel, err)
		}
		if d.IsDir() {
			parents[rel] = info
		}
		if excluded && !keep[rel] {
			// An excluded directory may still hold files that a "!pattern"
			// brings back; only without exclusions can it be skipped whole.
			if d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		return addToTar(tw, path, rel, d)
	})
	if err != nil {
		return fmt.Errorf("cannot pack the build context %s: %w", dir, err)
	}
	return tw.Close()
}

// addInjected writes the Dockerfile df.data under df.name and a
// .dockerignore that names it: the learner's own patterns, or, without a
// .dockerignore, itself too, so that the image gets neither file.
func addInjected(tw *tar.Writer, dir string, df dockerfileSource) error {
	ignore, err := os.ReadFile(filepath.Join(dir, ".dockerignore"))
	switch {
	case err == nil:
		ignore = append(ignore, []byte("\n"+df.name+"\n")...)
	case os.IsNotExist(err):
		ignore = []byte(df.name + "\n.dockerignore\n")
	default:
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{df.name, df.data}, {".dockerignore", ignore}} {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	return nil
}

func pathDir(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}

func addToTar(tw *tar.Writer, path, rel string, d fs.DirEntry) error {
	fi, err := d.Info()
	if err != nil {
		return err
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() && link == "" {
		return nil // sockets, devices and pipes are no build input
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	hdr.Name = rel
	if fi.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	hdr.Format = tar.FormatPAX
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyN(tw, f, hdr.Size)
	return err
}
