package packarchive

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// cleanName validates an entry name as stored in the archive and returns it
// as a clean slash-separated relative path without a trailing slash. It
// returns "" for the archive's own root ("./"), which tar -C dir . writes.
//
// The checks run on the raw name, before any cleaning, because cleaning is
// what hides traversal ("a/../../x" cleans to "../x", but "a/b/../../x" to
// "x", and a name that only becomes safe after cleaning is still a sign of a
// crafted archive).
func cleanName(raw string, lim Limits) (string, *EntryError) {
	refuse := func(format string, args ...any) (string, *EntryError) {
		return "", &EntryError{Entry: raw, Reason: fmt.Sprintf(format, args...), Err: ErrUnsafe}
	}
	if raw == "" {
		return refuse("has an empty name")
	}
	if len(raw) > lim.MaxPathLen {
		return "", &EntryError{Entry: raw, Err: ErrLimit,
			Reason: fmt.Sprintf("name is %d bytes long; a pack allows at most %d", len(raw), lim.MaxPathLen)}
	}
	if !utf8.ValidString(raw) {
		return refuse("name is not valid UTF-8")
	}
	for _, r := range raw {
		// C0, DEL and C1 controls: NUL truncates names in C APIs, and the
		// rest can rewrite a terminal when the name is printed.
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return refuse("name contains a NUL or control character")
		}
	}
	if strings.HasPrefix(raw, "/") {
		return refuse("is an absolute path; pack archives may contain only relative paths")
	}
	if len(raw) >= 2 && raw[1] == ':' && isASCIILetter(raw[0]) {
		return refuse("starts with a Windows drive letter; pack archives may contain only relative paths")
	}
	if strings.Contains(raw, `\`) {
		return refuse(`name contains a backslash, which Windows reads as a directory separator; use "/" between directories`)
	}
	if strings.Contains(raw, ":") {
		// Windows reads a colon as a drive or an alternate data stream
		// ("file:stream"); refusing it everywhere keeps a pack portable.
		return refuse("name contains a colon, which is not portable to Windows")
	}

	name := strings.TrimSuffix(raw, "/")
	for strings.HasPrefix(name, "./") {
		name = name[2:]
	}
	if name == "" || name == "." {
		return "", nil
	}
	parts := strings.Split(name, "/")
	for _, p := range parts {
		if p == ".." {
			return refuse(`contains a ".." component, which could write outside the pack directory`)
		}
	}
	for _, p := range parts {
		switch p {
		case "":
			return refuse(`contains an empty path component ("//")`)
		case ".":
			return refuse(`contains a "." component inside the path`)
		}
	}
	if len(parts) > lim.MaxDepth {
		return "", &EntryError{Entry: raw, Err: ErrLimit,
			Reason: fmt.Sprintf("is nested %d directories deep; a pack allows at most %d", len(parts), lim.MaxDepth)}
	}
	// Belt and braces: the checks above should make these impossible.
	if path.Clean(name) != name || !filepath.IsLocal(filepath.FromSlash(name)) {
		return refuse("is not a plain relative path")
	}
	return name, nil
}

func isASCIILetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// seenEntry is what the extractor knows about one path already claimed.
type seenEntry struct {
	raw      string // entry name as stored, for messages
	name     string // clean name, exact case
	dir      bool
	explicit bool // named by an entry, not only implied by a file's parent
}

// names tracks every path an archive claims, keyed case-insensitively.
//
// Names that differ only in case are refused: on macOS and Windows they are
// the same file, so the same pack would extract differently per machine, and
// a pack that validates on Linux could lose a file on a learner's Mac.
type names struct {
	seen map[string]*seenEntry
}

func fold(s string) string { return strings.ToLower(s) }

// claim records name (clean, non-empty) for the entry raw, together with its
// parent directories, and refuses duplicates, case collisions and a file
// used as a directory or the reverse.
func (n *names) claim(raw, name string, dir bool) *EntryError {
	refuse := func(format string, args ...any) *EntryError {
		return &EntryError{Entry: raw, Reason: fmt.Sprintf(format, args...), Err: ErrUnsafe}
	}
	parts := strings.Split(name, "/")
	for i := 1; i < len(parts); i++ {
		parent := strings.Join(parts[:i], "/")
		s, ok := n.seen[fold(parent)]
		switch {
		case !ok:
			n.seen[fold(parent)] = &seenEntry{raw: raw, name: parent, dir: true}
		case !s.dir:
			return refuse("uses %q as a directory, but entry %q is a file", parent, s.raw)
		case s.name != parent:
			return refuse("directory %q differs only in case from %q (entry %q)", parent, s.name, s.raw)
		}
	}
	s, ok := n.seen[fold(name)]
	if !ok {
		n.seen[fold(name)] = &seenEntry{raw: raw, name: name, dir: dir, explicit: true}
		return nil
	}
	switch {
	case s.name != name:
		return refuse("differs only in case from entry %q", s.raw)
	case s.dir && dir && !s.explicit:
		// A directory entry after files inside it, as zip tools often write.
		s.explicit, s.raw = true, raw
		return nil
	case s.dir && !dir:
		return refuse("is a file, but entry %q already made it a directory", s.raw)
	case !s.dir && dir:
		return refuse("is a directory, but entry %q already made it a file", s.raw)
	default:
		return refuse("duplicates entry %q", s.raw)
	}
}
