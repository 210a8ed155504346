package course

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"shipshape/internal/ids"
)

// Size limits keep a hostile or broken pack from exhausting memory.
const (
	maxManifestBytes = 256 << 10
	maxLessonBytes   = 1 << 20
	maxLessons       = 500
)

// Options tune loading.
type Options struct {
	// CheckKind, when set, validates a check declaration's kind and params
	// (the check engine knows them). A nil CheckKind accepts any kind name
	// of the right shape.
	CheckKind func(kind string, params map[string]any) error
}

var (
	exerciseIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	kindPattern       = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
)

// manifest is pack.yaml as written.
type manifest struct {
	FormatVersion int            `yaml:"format_version"`
	ID            string         `yaml:"id"`
	Title         string         `yaml:"title"`
	Version       string         `yaml:"version"`
	Description   string         `yaml:"description"`
	Lessons       []string       `yaml:"lessons"`
	Workspace     *workspaceYAML `yaml:"workspace"`
	// Checklist is the deployment checklist, by section; optional.
	Checklist []checklistSectionYAML `yaml:"checklist"`
}

type workspaceYAML struct {
	Starter  string `yaml:"starter"`
	Image    string `yaml:"image"`
	DevImage string `yaml:"dev_image"`
}

// frontMatter is a lesson's YAML header as written.
type frontMatter struct {
	ID       string        `yaml:"id"`
	Title    string        `yaml:"title"`
	Summary  string        `yaml:"summary"`
	Minutes  int           `yaml:"minutes"`
	Exercise *exerciseYAML `yaml:"exercise"`
}

type exerciseYAML struct {
	ID       string      `yaml:"id"`
	Title    string      `yaml:"title"`
	Tasks    []string    `yaml:"tasks"`
	Hints    []string    `yaml:"hints"`
	Checks   []checkYAML `yaml:"checks"`
	Solution string      `yaml:"solution"`
}

type checkYAML struct {
	ID    string `yaml:"id"`
	Kind  string `yaml:"kind"`
	Level string `yaml:"level"`
	// Points is decoded as written: YAML would truncate 1.5 into an int.
	Points any            `yaml:"points"`
	Params map[string]any `yaml:"params"`
	Hint   string         `yaml:"hint"`
	Lesson string         `yaml:"lesson"`
}

// Load reads and validates the pack at the root of fsys. source names the
// pack in messages. Every problem found is reported at once in an *Error;
// a pack of a newer format gives a *NewerFormatError instead.
func Load(fsys fs.FS, source string, opts Options) (*Pack, error) {
	var ps problems
	data, err := readLimited(fsys, ManifestName, maxManifestBytes)
	if err != nil {
		ps.add(ManifestName, 0, "%v", err)
		return nil, &Error{Source: source, Problems: ps.list}
	}
	// Refuse a newer format before anything else: it may have fields this
	// binary cannot know, and "update shipshape" is the useful message.
	var version struct {
		FormatVersion int `yaml:"format_version"`
	}
	if yaml.Unmarshal(data, &version) == nil && version.FormatVersion > FormatVersion {
		return nil, &NewerFormatError{Source: source, Want: version.FormatVersion}
	}
	var m manifest
	root, err := decodeStrict(data, &m, 0)
	if err != nil {
		ps.add(ManifestName, yamlErrLine(err), "%v", err)
		return nil, &Error{Source: source, Problems: ps.list}
	}
	at := func(p ...any) int { return lineOf(root, 0, p...) }
	refuseBinary(&ps, ManifestName, root, 0)
	if m.FormatVersion < 1 {
		ps.add(ManifestName, at("format_version"), "format_version must be set to %d", FormatVersion)
	}
	if !ids.Valid(m.ID) {
		ps.add(ManifestName, at("id"), "id %q must be "+ids.Rule, m.ID)
	}
	requireText(&ps, ManifestName, at("title"), "title", m.Title)
	requireText(&ps, ManifestName, at("version"), "version", m.Version)
	checkText(&ps, ManifestName, at("description"), "description", m.Description)
	if len(m.Lessons) == 0 {
		ps.add(ManifestName, at("lessons"), "lessons must list at least one lesson file")
	}
	if len(m.Lessons) > maxLessons {
		ps.add(ManifestName, at("lessons"), "too many lessons (%d; the limit is %d)", len(m.Lessons), maxLessons)
		return nil, &Error{Source: source, Problems: ps.list}
	}

	p := &Pack{FormatVersion: m.FormatVersion, ID: m.ID, Title: m.Title, Version: m.Version,
		Description: strings.TrimSpace(m.Description), Source: source, FS: fsys}
	if w := m.Workspace; w != nil {
		p.Workspace = &Workspace{Starter: w.Starter, Image: w.Image, DevImage: w.DevImage}
		if p.Workspace.Image == "" {
			p.Workspace.Image = DefaultImage
		}
		if p.Workspace.DevImage == "" {
			p.Workspace.DevImage = DefaultDevImage
		}
		if w.Starter == "" {
			ps.add(ManifestName, at("workspace"), "workspace needs starter: the directory with the starter project")
		} else {
			checkPackDir(fsys, &ps, ManifestName, at("workspace", "starter"), "starter", w.Starter)
		}
		checkImageRef(&ps, ManifestName, at("workspace", "image"), "image", p.Workspace.Image)
		checkImageRef(&ps, ManifestName, at("workspace", "dev_image"), "dev_image", p.Workspace.DevImage)
	}
	files := map[string]bool{}
	complete := true
	for i, name := range m.Lessons {
		line := at("lessons", i)
		clean := path.Clean(name)
		if !fs.ValidPath(clean) || strings.Contains(name, `\`) || path.IsAbs(name) {
			ps.add(ManifestName, line, "lesson path %q must be relative and stay inside the pack", name)
			continue
		}
		if path.Ext(clean) != ".md" {
			ps.add(ManifestName, line, "lesson %q must be a Markdown file ending in .md", name)
			continue
		}
		if files[clean] {
			ps.add(ManifestName, line, "lesson %q is listed twice", name)
			continue
		}
		files[clean] = true
		l := loadLesson(fsys, clean, &ps, p.Workspace != nil)
		if l != nil {
			p.Lessons = append(p.Lessons, l)
			continue
		}
		complete = false
		if _, statErr := fs.Stat(fsys, clean); errors.Is(statErr, fs.ErrNotExist) {
			// loadLesson reported it against the lesson file; point at the manifest too.
			ps.add(ManifestName, line, "lists %q, which does not exist", name)
		}
	}
	p.Checklist = loadChecklist(m.Checklist, at, &ps, opts)
	validatePack(p, &ps, opts, complete)
	if len(ps.list) > 0 {
		return nil, &Error{Source: source, Problems: ps.list}
	}
	return p, nil
}

func yamlErrLine(err error) int {
	var ye *yamlError
	if errors.As(err, &ye) {
		return ye.line
	}
	return 0
}

func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := openRegular(fsys, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("file not found")
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("cannot open: %w", err)
		}
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file is larger than the limit of %d KiB", limit>>10)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("file is not valid UTF-8 text")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	return bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), nil
}

// splitFrontMatter separates the YAML header from the Markdown body. The
// header sits between a first line "---" and the next line "---" or "...".
func splitFrontMatter(data []byte) (header []byte, body string, bodyLine int, ok bool) {
	s := string(data)
	if !strings.HasPrefix(s, "---\n") {
		return nil, "", 0, false
	}
	rest := s[4:]
	line := 2
	for off := 0; off <= len(rest); {
		end := strings.IndexByte(rest[off:], '\n')
		var cur string
		if end < 0 {
			cur = rest[off:]
		} else {
			cur = rest[off : off+end]
		}
		if t := strings.TrimRight(cur, " \t"); t == "---" || t == "..." {
			bodyStart := len(rest)
			if end >= 0 {
				bodyStart = off + end + 1
			}
			return []byte(rest[:off]), rest[bodyStart:], line + 1, true
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	return nil, "", 0, false
}

func loadLesson(fsys fs.FS, file string, ps *problems, hasWorkspace bool) *Lesson {
	data, err := readLimited(fsys, file, maxLessonBytes)
	if err != nil {
		ps.add(file, 0, "%v", err)
		return nil
	}
	header, body, bodyLine, ok := splitFrontMatter(data)
	if !ok {
		ps.add(file, 1, "lesson must start with front matter: a line \"---\", YAML fields (id, title, summary, minutes), and a closing \"---\"")
		return nil
	}
	var fm frontMatter
	root, err := decodeStrict(header, &fm, 1)
	if err != nil {
		ps.add(file, yamlErrLine(err), "%v", err)
		return nil
	}
	at := func(p ...any) int { return lineOf(root, 1, p...) }
	refuseBinary(ps, file, root, 1)
	if !ids.Valid(fm.ID) {
		ps.add(file, at("id"), "id %q must be "+ids.Rule, fm.ID)
	}
	requireText(ps, file, at("title"), "title", fm.Title)
	requireText(ps, file, at("summary"), "summary", fm.Summary)
	if fm.Minutes < 1 || fm.Minutes > 600 {
		ps.add(file, at("minutes"), "minutes must be the estimated reading time in whole minutes, from 1 to 600")
	}
	if strings.TrimSpace(body) == "" {
		ps.add(file, bodyLine, "lesson has no content after its front matter")
	}
	l := &Lesson{ID: fm.ID, Title: strings.TrimSpace(fm.Title), Summary: strings.TrimSpace(fm.Summary),
		Minutes: fm.Minutes, Body: body, File: file, BodyLine: bodyLine}
	// Bounds come before Headings: a lesson beyond them may be slow even
	// for goldmark to parse.
	extra := 0
	if ex := fm.Exercise; ex != nil {
		// The reader also shows the tasks, checks and hints, under headings.
		extra = len(ex.Tasks) + len(ex.Checks) + len(ex.Hints) + 8
	}
	if !checkRenderBounds(ps, file, data, body, bodyLine, extra) {
		return nil
	}
	for _, h := range Headings(body) {
		l.Anchors = append(l.Anchors, h.Slug)
	}
	if fm.Exercise != nil {
		l.Exercise = loadExercise(fm.Exercise, file, at, ps)
		if sol := fm.Exercise.Solution; sol != "" {
			if !hasWorkspace {
				ps.add(file, at("exercise", "solution"), "a solution needs a workspace with a starter in %s", ManifestName)
			}
			checkPackDir(fsys, ps, file, at("exercise", "solution"), "solution", sol)
			l.Exercise.Solution = path.Clean(sol)
		}
	}
	return l
}

func loadExercise(ex *exerciseYAML, file string, at func(...any) int, ps *problems) *Exercise {
	e := &Exercise{ID: ex.ID, Title: strings.TrimSpace(ex.Title), Line: at("exercise")}
	if !exerciseIDPattern.MatchString(ex.ID) {
		ps.add(file, at("exercise", "id"), "exercise id %q must be letters, digits, dots, hyphens or underscores, such as \"3.1\" (quote it in YAML)", ex.ID)
	}
	requireText(ps, file, at("exercise", "title"), "exercise title", ex.Title)
	if len(ex.Tasks) == 0 {
		ps.add(file, at("exercise", "tasks"), "exercise needs at least one task under tasks:")
	}
	for i, t := range ex.Tasks {
		requireText(ps, file, at("exercise", "tasks", i), "task", t)
		e.Tasks = append(e.Tasks, strings.TrimSpace(t))
	}
	if len(ex.Hints) == 0 {
		ps.add(file, at("exercise", "hints"), "exercise needs at least one hint under hints:")
	}
	for i, h := range ex.Hints {
		requireText(ps, file, at("exercise", "hints", i), "hint", h)
		e.Hints = append(e.Hints, strings.TrimSpace(h))
	}
	if len(ex.Checks) == 0 {
		ps.add(file, at("exercise", "checks"), "exercise needs at least one check under checks:")
	}
	seen := map[string]bool{}
	required := 0
	for i, c := range ex.Checks {
		cat := func(field string) int { return at("exercise", "checks", i, field) }
		line := at("exercise", "checks", i)
		if !ids.Valid(c.ID) {
			ps.add(file, cat("id"), "check id %q must be lowercase letters, digits and hyphens", c.ID)
		} else if seen[c.ID] {
			ps.add(file, cat("id"), "check id %q is used twice in exercise %s", c.ID, ex.ID)
		}
		seen[c.ID] = true
		if !kindPattern.MatchString(c.Kind) {
			ps.add(file, cat("kind"), "check kind %q must look like \"image.user_nonroot\"", c.Kind)
		}
		level := c.Level
		if level == "" {
			level = LevelRequired
		}
		if level != LevelRequired && level != LevelAdvisory {
			ps.add(file, cat("level"), "check level %q must be %q or %q", c.Level, LevelRequired, LevelAdvisory)
		}
		if level == LevelRequired {
			required++
		}
		points := DefaultPoints
		if c.Points != nil {
			n, ok := c.Points.(int)
			if !ok || n < 0 || n > MaxPoints {
				ps.add(file, cat("points"), "check points %#v must be a whole number from 0 to %d (omit it for %d)", c.Points, MaxPoints, DefaultPoints)
			}
			points = n
		}
		requireText(ps, file, cat("hint"), "check hint", c.Hint)
		if c.Lesson == "" {
			ps.add(file, cat("lesson"), "check %q needs lesson: the lesson (and #anchor) that teaches the fix", c.ID)
		}
		e.Checks = append(e.Checks, Check{ID: c.ID, Kind: c.Kind, Level: level, Points: points, Params: c.Params,
			Hint: strings.TrimSpace(c.Hint), Lesson: c.Lesson, Line: line})
	}
	if len(ex.Checks) > 0 && required == 0 {
		ps.add(file, at("exercise", "checks"), "exercise %s needs at least one required check", ex.ID)
	}
	return e
}

// validatePack checks what spans lessons: unique ids, check kinds and the
// lesson links of checks.
// A link to a lesson that is missing only because its file failed to load
// is not reported again (complete is false then).
func validatePack(p *Pack, ps *problems, opts Options, complete bool) {
	lessonIDs := map[string]*Lesson{}
	exerciseIDs := map[string]bool{}
	for _, l := range p.Lessons {
		if prev, dup := lessonIDs[l.ID]; dup {
			ps.add(l.File, 2, "lesson id %q is already used by %s", l.ID, prev.File)
		}
		lessonIDs[l.ID] = l
		if l.Exercise == nil {
			continue
		}
		if exerciseIDs[l.Exercise.ID] {
			ps.add(l.File, l.Exercise.Line, "exercise id %q is used by another lesson too", l.Exercise.ID)
		}
		exerciseIDs[l.Exercise.ID] = true
	}
	for _, l := range p.Lessons {
		if l.Exercise == nil {
			continue
		}
		for _, c := range l.Exercise.Checks {
			if opts.CheckKind != nil && kindPattern.MatchString(c.Kind) {
				if err := opts.CheckKind(c.Kind, c.Params); err != nil {
					ps.add(l.File, c.Line, "check %q: %v", c.ID, err)
				}
			}
			if c.Lesson == "" {
				continue
			}
			id, anchor := c.LessonRef()
			target, ok := lessonIDs[id]
			switch {
			case !ok && complete:
				ps.add(l.File, c.Line, "check %q links to lesson %q, which is not in this pack", c.ID, id)
			case ok && anchor != "" && !hasAnchor(target, anchor):
				ps.add(l.File, c.Line, "check %q links to #%s, but lesson %q has no heading with that anchor", c.ID, anchor, id)
			}
		}
	}
}

// checkPackDir reports a directory reference that leaves the pack or
// names no directory in it.
func checkPackDir(fsys fs.FS, ps *problems, file string, line int, field, dir string) {
	clean := path.Clean(dir)
	if !fs.ValidPath(clean) || strings.Contains(dir, `\`) || path.IsAbs(dir) || clean == "." {
		ps.add(file, line, "%s %q must be a relative directory inside the pack", field, dir)
		return
	}
	st, err := fs.Stat(fsys, clean)
	switch {
	case err != nil:
		ps.add(file, line, "%s directory %q does not exist in the pack", field, dir)
	case !st.IsDir():
		ps.add(file, line, "%s %q is a file; it must be a directory", field, dir)
	}
}

// imageRef is the shape of an image reference: name[:tag][@digest], lowercase name.
var imageRef = regexp.MustCompile(`^[a-z0-9]+([._/-]+[a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$`)

func checkImageRef(ps *problems, file string, line int, field, ref string) {
	if !imageRef.MatchString(ref) {
		ps.add(file, line, "%s %q is not an image reference like \"task-api:prod\"", field, ref)
	}
}

func hasAnchor(l *Lesson, anchor string) bool {
	for _, a := range l.Anchors {
		if a == anchor {
			return true
		}
	}
	return false
}

func requireText(ps *problems, file string, line int, field, value string) {
	if strings.TrimSpace(value) == "" {
		ps.add(file, line, "%s must not be empty", field)
		return
	}
	checkText(ps, file, line, field, value)
}

// refuseBinary reports every !!binary value in the YAML under root;
// offset is the line of the YAML's first line in file, less one.
func refuseBinary(ps *problems, file string, root *yaml.Node, offset int) {
	for _, l := range binaryTags(root) {
		ps.add(file, l+offset, "!!binary values are not allowed: they decode to raw bytes that the text checks cannot see; write the text itself")
	}
}

// checkText refuses control characters in front-matter text: they would
// reach the terminal in lists and headers, where nothing good comes of them.
// Bytes that are not UTF-8 (only a decoded value can hold them, the file
// itself is checked) are refused too: ranging over them yields U+FFFD,
// which would hide a raw C1 byte.
func checkText(ps *problems, file string, line int, field, value string) {
	if !utf8.ValidString(value) {
		ps.add(file, line, "%s contains bytes that are not UTF-8 text; write plain text", field)
		return
	}
	for _, r := range value {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			ps.add(file, line, "%s contains the control character %U; remove it", field, r)
			return
		}
	}
}
