package report

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"shipshape/internal/check"
)

// evidenceLine finds the Dockerfile line an evidence names: the Dockerfile
// checks write "line 12: USER root" or "(line 12)".
var evidenceLine = regexp.MustCompile(`\bline (\d+)\b`)

// location is where an annotation points: a file of the workspace and,
// when the evidence names one, a line.
type location struct {
	file string
	line int
}

// locate points a check's result at the file it judged: the Dockerfile
// (at the line its evidence names) for the Dockerfile checks and for the
// image built from it, .dockerignore for its check.
func locate(dir string, r check.Result) location {
	name := "Dockerfile"
	if strings.HasPrefix(r.Kind, "dockerignore.") {
		name = ".dockerignore"
	}
	loc := location{file: filepath.ToSlash(filepath.Join(dir, name))}
	if !strings.HasPrefix(r.Kind, "dockerfile.") {
		return loc
	}
	for _, e := range r.Evidence {
		if m := evidenceLine.FindStringSubmatch(e); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
				loc.line = n
				return loc
			}
		}
	}
	return loc
}

// explanation is a result's evidence, hint and lesson as lines.
func explanation(r check.Result) []string {
	lines := append([]string(nil), r.Evidence...)
	if r.Hint != "" {
		lines = append(lines, "hint: "+r.Hint)
	}
	if r.Lesson != "" && r.Status != check.StatusError {
		lines = append(lines, "read: "+r.Lesson)
	}
	return lines
}

// Locate is the file of dir a check's result points at (the Dockerfile, or
// .dockerignore for its check) and, when its evidence names one, the line;
// 0 when it names none. The exercise screen opens it in the editor.
func Locate(dir string, r check.Result) (file string, line int) {
	loc := locate(dir, r)
	return filepath.FromSlash(loc.file), loc.line
}
