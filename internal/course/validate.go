package course

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"shipshape/internal/ids"
	"shipshape/internal/termsafe"
)

// maxControlReports bounds the control-character problems reported per
// file: a file full of them needs one fix, not ten thousand lines.
const maxControlReports = 20

// Validate loads the pack at the root of fsys like Load and, when it
// loads, also runs Lint, so an author sees every problem at once. The
// returned problems are sorted by file and line. err is non-nil only for a
// pack of a newer format (a *NewerFormatError); a pack that does not load
// comes back as nil with the loader's problems.
func Validate(fsys fs.FS, source string, opts Options) (*Pack, []Problem, error) {
	p, err := Load(fsys, source, opts)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			ps := append([]Problem(nil), pe.Problems...)
			sortProblems(ps)
			return nil, ps, nil
		}
		return nil, nil, err
	}
	ps := Lint(p)
	sortProblems(ps)
	return p, ps, nil
}

// Lint finds what Load accepts but an author should fix before sharing a
// pack: control characters and character references that decode to them
// in any file of the pack's text (lesson bodies included, which Load does
// not judge; the TUI neutralises them, but a pack should not carry them),
// and Markdown links and images in lesson bodies that point at lessons,
// anchors or files that do not exist. p must come from Load.
func Lint(p *Pack) []Problem {
	var ps problems
	files := []string{ManifestName}
	byFile := map[string]*Lesson{}
	for _, l := range p.Lessons {
		files = append(files, l.File)
		byFile[l.File] = l
	}
	for _, f := range files {
		lintControls(p.FS, f, &ps)
	}
	for _, l := range p.Lessons {
		lintLinks(p, l, byFile, &ps)
	}
	return ps.list
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}

// lintControls reports control characters line by line.
func lintControls(fsys fs.FS, file string, ps *problems) {
	data, err := readRegular(fsys, file)
	if err != nil {
		ps.add(file, 0, "cannot read: %v", err)
		return
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	found := termsafe.FindControls(text, maxControlReports+1)
	for i, c := range found {
		if i == maxControlReports {
			ps.add(file, lineAt(text, c.Offset), "more control characters follow; remove them all")
			break
		}
		ps.add(file, lineAt(text, c.Offset), "contains %s; remove it (escape sequences in a pack could drive the learner's terminal)", c.Desc)
	}
}

func lineAt(text string, off int) int {
	return strings.Count(text[:off], "\n") + 1
}

var (
	// fence opens or closes a fenced code block.
	fence = regexp.MustCompile("^ {0,3}(```|~~~)")
	// codeSpan is an inline code span; links inside it are not links.
	codeSpan = regexp.MustCompile("`+[^`]*`+")
	// inlineLink is a Markdown inline link or image: [text](dest "title").
	inlineLink = regexp.MustCompile(`(!?)\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)`)
	// scheme starts an absolute URL (https:, mailto:...).
	scheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// lintLinks checks the inline links and images of a lesson body: a link to
// "#anchor", "lesson-id", "lesson-id#anchor" or "file.md#anchor" must name
// a lesson and heading of the pack; any other relative link or image must
// name a file inside the pack.
func lintLinks(p *Pack, l *Lesson, byFile map[string]*Lesson, ps *problems) {
	inFence := ""
	for i, line := range strings.Split(l.Body, "\n") {
		lineNo := l.BodyLine + i
		if m := fence.FindStringSubmatch(line); m != nil {
			switch {
			case inFence == "":
				inFence = m[1]
			case inFence == m[1]:
				inFence = ""
			}
			continue
		}
		if inFence != "" {
			continue
		}
		line = codeSpan.ReplaceAllString(line, "")
		for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
			image, dest := m[1] == "!", m[2]
			if dest == "" || scheme.MatchString(dest) || strings.HasPrefix(dest, "//") {
				continue
			}
			lintLink(p, l, byFile, image, dest, lineNo, ps)
		}
	}
}

// lessonPart is what a link names before its anchor; a link that names a
// lesson by id, with or without an anchor, has an id there.
func lessonPart(dest string) string {
	id, _, _ := strings.Cut(dest, "#")
	return id
}

func lintLink(p *Pack, l *Lesson, byFile map[string]*Lesson, image bool, dest string, line int, ps *problems) {
	target, anchor, hasAnchor := strings.Cut(dest, "#")
	if q := strings.IndexByte(target, '?'); q >= 0 {
		target = target[:q]
	}
	kind := "link"
	if image {
		kind = "image"
	}
	switch {
	case !image && target == "":
		if !hasAnchorIn(l, anchor) {
			ps.add(l.File, line, "link %q: this lesson has no heading with the anchor #%s", dest, anchor)
		}
		return
	case !image && ids.Valid(lessonPart(dest)):
		t := p.Lesson(target)
		if t == nil {
			ps.add(l.File, line, "link %q: no lesson with id %q in this pack (link to a lesson by its id, such as (non-root#why-root-is-risky))", dest, target)
			return
		}
		if hasAnchor && !hasAnchorIn(t, anchor) {
			ps.add(l.File, line, "link %q: lesson %q has no heading with the anchor #%s", dest, target, anchor)
		}
		return
	}
	if strings.Contains(target, `\`) || path.IsAbs(target) {
		ps.add(l.File, line, "%s %q must be a relative path inside the pack, with forward slashes", kind, dest)
		return
	}
	resolved, ok := resolveInPack(p.FS, path.Dir(l.File), target)
	if !ok {
		ps.add(l.File, line, "%s %q: no such file in the pack (paths are relative to the lesson file)", kind, dest)
		return
	}
	if t := byFile[resolved]; t != nil && !image {
		if hasAnchor && !hasAnchorIn(t, anchor) {
			ps.add(l.File, line, "link %q: lesson %q has no heading with the anchor #%s", dest, t.ID, anchor)
		}
		return
	}
	if path.Ext(resolved) == ".md" && !image {
		ps.add(l.File, line, "link %q: %s is not one of the pack's lessons (list it in %s or link to a lesson id)", dest, resolved, ManifestName)
	}
}

// resolveInPack resolves a relative path against the lesson's directory
// and, failing that, the pack root, and reports whether it names a
// regular file inside the pack.
func resolveInPack(fsys fs.FS, dir, rel string) (string, bool) {
	for _, base := range []string{dir, "."} {
		name := path.Clean(path.Join(base, rel))
		if !fs.ValidPath(name) || name == "." {
			continue
		}
		if st, err := fs.Stat(fsys, name); err == nil && st.Mode().IsRegular() {
			return name, true
		}
	}
	return "", false
}

func hasAnchorIn(l *Lesson, anchor string) bool {
	return anchor == "" || hasAnchor(l, anchor)
}

// FormatProblems formats problems one per line, as "file:line: message".
func FormatProblems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintln(&b, p.String())
	}
	return b.String()
}
