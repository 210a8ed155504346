// Package dockerfile analyses Dockerfiles and .dockerignore files without a
// Docker daemon. It parses with BuildKit's own parser so that what it judges
// is exactly what a build would see, and it reports findings with evidence
// that names Dockerfile lines, for the check engine to turn into results.
package dockerfile

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"shipshape/internal/safefile"
)

// MaxSize is the largest Dockerfile Parse accepts. Real Dockerfiles are a few
// kilobytes; the bound keeps a wrong path (an image tarball, say) from being
// read into memory.
const MaxSize = 1 << 20

// Status is the outcome of one analysis.
type Status int

// The outcomes. Unknown means the Dockerfile does not say (for example a USER
// that depends on a build argument), so the engine must not guess.
const (
	Unknown Status = iota
	Pass
	Fail
)

// String returns "pass", "fail" or "unknown".
func (s Status) String() string {
	switch s {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	default:
		return "unknown"
	}
}

// Finding is the result of one analysis: a status, short human-readable
// evidence lines (each naming the Dockerfile line it is about), and the line
// most worth showing (0 when there is none).
type Finding struct {
	Status   Status
	Evidence []string
	Line     int
}

// ParseError is a Dockerfile that BuildKit would refuse. Line is 1-based, or 0
// when the parser did not say where.
type ParseError struct {
	Line int
	Msg  string
}

// Error returns the message, prefixed with the line when known.
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// File is a parsed Dockerfile.
type File struct {
	stages   []instructions.Stage
	metaArgs []instructions.ArgCommand
	escape   rune
}

// Stage describes one build stage.
type Stage struct {
	// Index is the stage's position, from 0; COPY --from=<Index> refers to it.
	Index int
	// Name is the name after AS, lower-cased as BuildKit does; empty if unnamed.
	Name string
	// BaseImage is the FROM argument as written (an image or an earlier stage).
	BaseImage string
	// BaseStage is the index of the earlier stage this one is built FROM, or -1
	// when it starts from an image.
	BaseStage int
	// Platform is the --platform flag of FROM, if any.
	Platform string
	// Line is the line of the FROM instruction.
	Line int
}

// Label is how evidence names the stage: `stage 1 "builder"` or `stage 0`.
func (s Stage) Label() string {
	if s.Name != "" {
		return fmt.Sprintf("stage %d %q", s.Index, s.Name)
	}
	return fmt.Sprintf("stage %d", s.Index)
}

// ParseFile reads and parses the Dockerfile at path.
func ParseFile(path string) (*File, error) {
	fh, err := safefile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open Dockerfile: %w", err)
	}
	defer fh.Close()
	f, err := Parse(fh)
	if err != nil {
		return nil, fmt.Errorf("cannot parse %s: %w", path, err)
	}
	return f, nil
}

// Parse parses a Dockerfile. Errors are *ParseError values naming the line.
func Parse(r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read Dockerfile: %w", err)
	}
	if len(data) > MaxSize {
		return nil, &ParseError{Msg: fmt.Sprintf("Dockerfile is larger than %d bytes; is this the right file?", MaxSize)}
	}
	res, err := parser.Parse(strings.NewReader(string(data)))
	if err != nil {
		return nil, toParseError(err)
	}
	// A linter without a Warn function reports nothing; the course teaches
	// its own rules and BuildKit's style warnings would only add noise.
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, toParseError(err)
	}
	if len(stages) == 0 {
		return nil, &ParseError{Msg: "no FROM instruction: a Dockerfile must start a stage with FROM"}
	}
	// RUN --mount options other than from= are only parsed when expanded;
	// expanding each word to itself fills them in without guessing values.
	for _, st := range stages {
		for _, c := range st.Commands {
			if run, ok := c.(*instructions.RunCommand); ok {
				if err := run.Expand(func(w string) (string, error) { return w, nil }); err != nil {
					return nil, &ParseError{Line: cmdLine(run), Msg: "invalid --mount: " + err.Error()}
				}
			}
		}
	}
	return &File{stages: stages, metaArgs: metaArgs, escape: res.EscapeToken}, nil
}

func toParseError(err error) *ParseError {
	var le *parser.LocationError
	if errors.As(err, &le) {
		pe := &ParseError{Msg: le.Error()}
		if len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
			pe.Line = le.Locations[0][0].Start.Line
		}
		return pe
	}
	return &ParseError{Msg: err.Error()}
}

// Stages returns every stage in order.
func (f *File) Stages() []Stage {
	out := make([]Stage, len(f.stages))
	for i := range f.stages {
		out[i] = f.stage(i)
	}
	return out
}

// FinalStage returns the last stage, the one `docker build` produces without
// --target.
func (f *File) FinalStage() Stage { return f.stage(len(f.stages) - 1) }

func (f *File) stage(i int) Stage {
	s := f.stages[i]
	return Stage{
		Index:     i,
		Name:      s.Name,
		BaseImage: s.BaseName,
		BaseStage: f.stageRef(s.BaseName, i),
		Platform:  s.Platform,
		Line:      startLine(s.Location),
	}
}

// stageRef resolves a FROM or --from reference to the index of a stage
// before `before`, or -1 when it names an image. Stage names match
// case-insensitively, as in BuildKit; a number refers to a stage by index.
func (f *File) stageRef(ref string, before int) int {
	ref = f.expandMeta(ref)
	if n, err := strconv.Atoi(ref); err == nil {
		if n >= 0 && n < before {
			return n
		}
		return -1
	}
	for i := 0; i < before; i++ {
		if f.stages[i].Name != "" && strings.EqualFold(f.stages[i].Name, ref) {
			return i
		}
	}
	return -1
}

// expandMeta substitutes ARGs declared before the first FROM with their
// defaults, which is what FROM and --from see when no --build-arg is given.
func (f *File) expandMeta(word string) string {
	if !strings.Contains(word, "$") {
		return word
	}
	env := newVars()
	for _, a := range f.metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				env.set(kv.Key, *kv.Value)
			}
		}
	}
	res, _, err := newLex(f.escape).ProcessWord(word, env)
	if err != nil {
		return word
	}
	return res
}

// chain returns the stage indexes whose instructions the stage i runs on top
// of, oldest first, ending with i itself (FROM builder AS final inherits all
// of builder's filesystem and config).
func (f *File) chain(i int) []int {
	var out []int
	seen := map[int]bool{}
	for i >= 0 && !seen[i] {
		seen[i] = true
		out = append([]int{i}, out...)
		i = f.stageRef(f.stages[i].BaseName, i)
	}
	return out
}

func startLine(loc []parser.Range) int {
	if len(loc) == 0 {
		return 0
	}
	return loc[0].Start.Line
}

func cmdLine(c instructions.Command) int { return startLine(c.Location()) }

// source returns the instruction as written, shortened for evidence.
func source(c instructions.Command) string {
	var s string
	if st, ok := c.(fmt.Stringer); ok {
		s = st.String()
	} else {
		s = strings.ToUpper(c.Name())
	}
	s = strings.Join(strings.Fields(s), " ")
	const max = 80
	if len(s) > max {
		s = s[:max-3] + "..."
	}
	return s
}

// at formats an evidence line: "line 12: COPY . .".
func at(c instructions.Command) string {
	return fmt.Sprintf("line %d: %s", cmdLine(c), source(c))
}
