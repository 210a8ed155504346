package grade

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Student is one workspace of a roster.
type Student struct {
	// Name is the student as the roster gives it (a directory name or the
	// CSV's first column); the gradebook shows it.
	Name string
	// ID is Name made safe for a file name and an image tag: it names the
	// student's report, result record and image.
	ID string
	// Dir is the student's workspace, absolute.
	Dir string
}

// maxIDLength bounds a student's ID: it is part of an image tag (at most
// 128 characters) beside a run id, and of file names.
const maxIDLength = 64

// reservedIDs are the names of the run's own files in the output
// directory, which no student's report may take.
var reservedIDs = []string{"gradebook"}

var notIDChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// StudentID makes name safe for a file name and an image tag: runs of
// characters other than ASCII letters, digits, '.', '_' and '-' become
// one '-', and leading or trailing dots and hyphens go (no hidden files,
// no "..", tags start with a letter, digit or '_'). It fails for a name
// with nothing left, or one of the run's own file names.
func StudentID(name string) (string, error) {
	id := strings.Trim(notIDChars.ReplaceAllString(name, "-"), ".-")
	if len(id) > maxIDLength {
		id = strings.TrimRight(id[:maxIDLength], ".-")
	}
	if id == "" {
		return "", fmt.Errorf("student %q has no letters or digits to name their files with; rename them in the roster", name)
	}
	for _, r := range reservedIDs {
		if strings.EqualFold(id, r) {
			return "", fmt.Errorf("student %q would have the file name %q, which the gradebook uses; rename them in the roster", name, id)
		}
	}
	return id, nil
}

// RosterError is a roster that cannot be read, or whose students cannot
// be told apart; nothing was graded.
type RosterError struct {
	Path     string
	Problems []string
}

func (e *RosterError) Error() string {
	return fmt.Sprintf("cannot use the roster %s: %s", e.Path, strings.Join(e.Problems, "; "))
}

// ReadRoster reads the students of path: a directory holds one workspace
// per subdirectory (the student is the directory's name; hidden ones are
// skipped), a file is a CSV of student,path (paths relative to the CSV's
// directory; a header row "student,path" is optional; '#' starts a
// comment). Every student gets an ID (see StudentID); two whose IDs would
// be the same, even in case only, are refused. A workspace that does not
// exist is not a roster problem: that student gets an error row.
func ReadRoster(path string) ([]Student, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &RosterError{Path: path, Problems: []string{err.Error()}}
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, &RosterError{Path: path, Problems: []string{unwrapPath(err)}}
	}
	var students []Student
	if st.IsDir() {
		students, err = readRosterDir(abs)
	} else {
		students, err = readRosterCSV(abs)
	}
	if err != nil {
		return nil, &RosterError{Path: path, Problems: []string{err.Error()}}
	}
	if problems := assignIDs(students); len(problems) > 0 {
		return nil, &RosterError{Path: path, Problems: problems}
	}
	if len(students) == 0 {
		what := "no student: the CSV has no rows"
		if st.IsDir() {
			what = "no student: the directory has no subdirectories (one workspace per student)"
		}
		return nil, &RosterError{Path: path, Problems: []string{what}}
	}
	return students, nil
}

func readRosterDir(dir string) ([]Student, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errors.New(unwrapPath(err))
	}
	var out []Student
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		// A symlink to a workspace counts; a file beside the workspaces
		// (a README, the CSV) does not.
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			out = append(out, Student{Name: e.Name(), Dir: p})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func readRosterCSV(file string) ([]Student, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, errors.New(unwrapPath(err))
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	base := filepath.Dir(file)
	var out []Student
	for first := true; ; first = false {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("not a CSV of student,path: %w", err)
		}
		line, _ := r.FieldPos(0)
		if first && len(rec) >= 2 && strings.EqualFold(strings.TrimSpace(rec[0]), "student") && strings.EqualFold(strings.TrimSpace(rec[1]), "path") {
			continue
		}
		if len(rec) != 2 {
			return nil, fmt.Errorf("line %d has %d fields; each row is student,path", line, len(rec))
		}
		name, p := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if name == "" || p == "" {
			return nil, fmt.Errorf("line %d: both the student and the path must be given", line)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		out = append(out, Student{Name: name, Dir: filepath.Clean(p)})
	}
}

// assignIDs sets each student's ID and reports those that have none or
// share one.
func assignIDs(students []Student) []string {
	var problems []string
	byID := map[string]string{}
	for i := range students {
		id, err := StudentID(students[i].Name)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		key := strings.ToLower(id)
		if other, dup := byID[key]; dup {
			if other == students[i].Name {
				problems = append(problems, fmt.Sprintf("student %q is listed twice", other))
			} else {
				problems = append(problems, fmt.Sprintf("students %q and %q would share the file name %q "+
					"(names keep only letters, digits, '.', '_' and '-', and case is ignored); rename one in the roster",
					other, students[i].Name, id))
			}
			continue
		}
		byID[key] = students[i].Name
		students[i].ID = id
	}
	return problems
}

// unwrapPath is a file error's cause without the path, which the roster
// error names already.
func unwrapPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
