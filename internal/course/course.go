// Package course defines the lesson pack format (version 1) and loads and
// validates packs: the built-in course and instructors' packs alike.
//
// A pack is a directory (or any fs.FS) with a pack.yaml manifest and one
// Markdown file per lesson. Each lesson starts with YAML front matter; an
// exercise lesson declares its tasks, hints and checks there. The format is
// documented for authors in docs/pack-format.md.
package course

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// FormatVersion is the newest pack format this binary understands.
const FormatVersion = 1

// ManifestName is the file name of a pack's manifest at the pack root.
const ManifestName = "pack.yaml"

// Levels a check can be declared with.
const (
	LevelRequired = "required"
	LevelAdvisory = "advisory"
)

// Pack is a loaded, validated lesson pack.
type Pack struct {
	FormatVersion int
	ID            string
	Title         string
	Version       string
	Description   string
	Lessons       []*Lesson
	// Workspace describes the learner's project, when the pack has one.
	Workspace *Workspace
	// Checklist is the deployment checklist, in order; empty when the pack
	// has none.
	Checklist []ChecklistItem
	// Source says where the pack came from ("built-in" or a path), for messages.
	Source string
	// FS holds the pack's files, for starters and solutions.
	FS fs.FS
}

// The image references of a workspace that names none, and of a pack
// without a workspace, as the pack format defines them.
const (
	DefaultImage    = "task-api:prod"
	DefaultDevImage = "task-api:dev"
)

// Workspace is the project a pack's exercises are done in: the starter
// files `shipshape init` writes and the images the checks judge by default.
type Workspace struct {
	// Starter is a directory in the pack with the starter project.
	Starter string
	// Image and DevImage are the default production and development image
	// references (task-api:prod and task-api:dev in the built-in course).
	Image    string
	DevImage string
}

// Lesson is one Markdown lesson with its front matter.
type Lesson struct {
	ID       string
	Title    string
	Summary  string
	Minutes  int
	Exercise *Exercise
	// Body is the Markdown after the front matter, unrendered.
	Body string
	// File is the lesson's path inside the pack.
	File string
	// BodyLine is the file line where Body starts, so body positions map to file lines.
	BodyLine int
	// Anchors holds the heading slugs of Body, in order.
	Anchors []string
}

// Exercise is the optional hands-on part of a lesson.
type Exercise struct {
	ID     string
	Title  string
	Tasks  []string
	Hints  []string
	Checks []Check
	// Solution is a directory in the pack with the files of a reference
	// solution that differ from the starter; empty when the pack has none.
	Solution string
	Line     int
}

// Check declares one check an exercise is judged by. Kind names a check
// kind of the check engine; Params are that kind's parameters.
type Check struct {
	ID    string
	Kind  string
	Level string
	// Points is what the check is worth when `shipshape grade` scores an
	// attempt: DefaultPoints unless the pack says otherwise.
	Points int
	Params map[string]any
	Hint   string
	// Lesson points at the lesson (and optional "#anchor") that teaches the fix.
	Lesson string
	Line   int
}

// The points a check is worth when the pack gives none, and the most it
// may give: a bound that keeps a typo (1000 for 10) from swamping a
// gradebook.
const (
	DefaultPoints = 1
	MaxPoints     = 100
)

// Required reports whether a failure of this check fails the exercise.
func (c Check) Required() bool { return c.Level != LevelAdvisory }

// LessonRef splits Lesson into its lesson id and anchor.
func (c Check) LessonRef() (lessonID, anchor string) {
	lessonID, anchor, _ = strings.Cut(c.Lesson, "#")
	return lessonID, anchor
}

// Lesson returns the lesson with the given id, or nil.
func (p *Pack) Lesson(id string) *Lesson {
	for _, l := range p.Lessons {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// Index returns the position of the lesson with the given id, or -1.
func (p *Pack) Index(id string) int {
	for i, l := range p.Lessons {
		if l.ID == id {
			return i
		}
	}
	return -1
}

// Exercise returns the exercise with the given id and its lesson, or nils.
func (p *Pack) Exercise(id string) (*Exercise, *Lesson) {
	for _, l := range p.Lessons {
		if l.Exercise != nil && l.Exercise.ID == id {
			return l.Exercise, l
		}
	}
	return nil, nil
}

// Exercises lists the pack's exercises in lesson order.
func (p *Pack) Exercises() []*Exercise {
	var out []*Exercise
	for _, l := range p.Lessons {
		if l.Exercise != nil {
			out = append(out, l.Exercise)
		}
	}
	return out
}

// Images are the production and development image references the pack's
// checks judge unless the learner names others.
func (p *Pack) Images() (prod, dev string) {
	if p.Workspace == nil {
		return DefaultImage, DefaultDevImage
	}
	return p.Workspace.Image, p.Workspace.DevImage
}

// Find is the lesson arg names: a lesson id, a 1-based lesson number or
// an exercise id; nil when none matches.
func (p *Pack) Find(arg string) *Lesson {
	if l := p.Lesson(arg); l != nil {
		return l
	}
	if _, l := p.Exercise(arg); l != nil {
		return l
	}
	if n, err := strconv.Atoi(arg); err == nil && n >= 1 && n <= len(p.Lessons) {
		return p.Lessons[n-1]
	}
	return nil
}

// FindExercise is the exercise id names, or an error that lists the
// pack's exercises.
func (p *Pack) FindExercise(id string) (*Exercise, error) {
	if ex, _ := p.Exercise(id); ex != nil {
		return ex, nil
	}
	var ids []string
	for _, e := range p.Exercises() {
		ids = append(ids, e.ID)
	}
	return nil, fmt.Errorf("no exercise %q in %s (exercises: %s)", id, p.Title, strings.Join(ids, ", "))
}
