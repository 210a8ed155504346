package course

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one thing wrong with a pack, located by file and line.
type Problem struct {
	File string
	Line int // 0 when the problem concerns the whole file
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Error lists every problem found while loading a pack. Loading reports all
// of them at once so an author can fix a pack in one pass.
type Error struct {
	Source   string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		fmt.Fprintf(&b, "invalid lesson pack %s: %s", e.Source, e.Problems[0])
		return b.String()
	}
	fmt.Fprintf(&b, "invalid lesson pack %s: %d problems:", e.Source, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// ErrNewerFormat is matched (with errors.Is) by the error for a pack whose
// format_version is newer than this binary knows.
var ErrNewerFormat = errors.New("pack format is newer than this shipshape")

// NewerFormatError says a pack needs a newer shipshape.
type NewerFormatError struct {
	Source string
	Want   int
}

func (e *NewerFormatError) Error() string {
	return fmt.Sprintf("lesson pack %s uses format_version %d, but this shipshape reads only up to format_version %d: update shipshape to use this pack",
		e.Source, e.Want, FormatVersion)
}

// Is makes errors.Is(err, ErrNewerFormat) true.
func (e *NewerFormatError) Is(target error) bool { return target == ErrNewerFormat }

// problems collects Problems while loading.
type problems struct{ list []Problem }

func (ps *problems) add(file string, line int, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}
