package grade

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/renameio/v2"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/report"
)

// The files of an output directory.
const (
	GradebookCSV  = "gradebook.csv"
	GradebookJSON = "gradebook.json"
	// resultsDir holds one record per finished student, written as each
	// finishes: what --resume reads after an interruption.
	resultsDir = "results"
)

// Book is a run's output directory: a report per student, a result
// record per student, and the gradebook. Every file is written
// atomically (renameio), so a kill -9 leaves each either whole or absent.
type Book struct {
	dir    string
	format report.Format
	ex     *course.Exercise
}

// Extension is the file extension of a student's report in format.
func Extension(f report.Format) string {
	switch f {
	case report.FormatJSON:
		return "json"
	case report.FormatJUnit:
		return "xml"
	case report.FormatSARIF:
		return "sarif"
	case report.FormatGitHub:
		return "github.txt"
	}
	return "txt"
}

// OpenBook prepares dir for grading ex. With resume it returns the rows
// of the students already graded there (by student ID), who are not
// graded again; without it a directory that already holds grades is
// refused, so that a second run never overwrites the first by accident.
func OpenBook(dir string, format report.Format, ex *course.Exercise, resume bool) (*Book, map[string]Row, error) {
	b := &Book{dir: dir, format: format, ex: ex}
	if err := os.MkdirAll(filepath.Join(dir, resultsDir), 0o755); err != nil {
		return nil, nil, fmt.Errorf("cannot prepare the output directory: %w", err)
	}
	done, err := b.finished()
	if err != nil {
		return nil, nil, err
	}
	if !resume && len(done) > 0 {
		return nil, nil, fmt.Errorf("%s already holds the grades of %d students; pass --resume to finish that run, "+
			"or choose another --out (or remove it) to start again", dir, len(done))
	}
	return b, done, nil
}

// finished reads the result records: the final rows by student ID.
func (b *Book) finished() (map[string]Row, error) {
	files, err := filepath.Glob(filepath.Join(b.dir, resultsDir, "*.json"))
	if err != nil {
		return nil, err
	}
	done := map[string]Row{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("cannot read the earlier result %s: %w", f, err)
		}
		var row Row
		if err := json.Unmarshal(data, &row); err != nil {
			return nil, fmt.Errorf("the earlier result %s is not a result record (%v); remove it to grade that student again", f, err)
		}
		if row.Exercise != b.ex.ID {
			return nil, fmt.Errorf("%s holds grades of exercise %s, not %s; choose another --out", b.dir, row.Exercise, b.ex.ID)
		}
		if row.final() {
			done[strings.TrimSuffix(filepath.Base(f), ".json")] = row
		}
	}
	return done, nil
}

// Save writes a student's report, then their result record: a record
// means the report is there too.
func (b *Book) Save(st Student, row *Row, rep check.Report) error {
	row.Report = st.ID + "." + Extension(b.format)
	var buf bytes.Buffer
	if err := report.Check(&buf, b.format, b.ex, rep); err != nil {
		return fmt.Errorf("cannot write the report of %s: %w", st.Name, err)
	}
	if err := renameio.WriteFile(filepath.Join(b.dir, row.Report), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("cannot write the report of %s: %w", st.Name, err)
	}
	data, err := json.MarshalIndent(row, "", "  ")
	if err != nil {
		return err
	}
	if err := renameio.WriteFile(filepath.Join(b.dir, resultsDir, st.ID+".json"), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot record the result of %s: %w", st.Name, err)
	}
	return nil
}

// Gradebook is gradebook.json.
type Gradebook struct {
	Exercise string `json:"exercise"`
	Pack     string `json:"pack"`
	MaxScore int    `json:"max_score"`
	// Checks are the exercise's checks and what each is worth.
	Checks   []GradebookCheck `json:"checks"`
	Students []Row            `json:"students"`
	// Pending lists the students of the roster not graded yet (the run
	// was interrupted); --resume grades them.
	Pending   []string  `json:"pending"`
	WrittenAt time.Time `json:"written_at"`
}

// GradebookCheck is one check of the exercise in the gradebook.
type GradebookCheck struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Required bool   `json:"required"`
	Points   int    `json:"points"`
}

// Write writes gradebook.csv and gradebook.json with rows (roster order)
// and the names of the students still pending.
func (b *Book) Write(packID string, rows []Row, pending []string) error {
	gb := Gradebook{Exercise: b.ex.ID, Pack: packID, MaxScore: MaxScore(b.ex), Students: rows, Pending: pending, WrittenAt: time.Now().UTC()}
	if gb.Students == nil {
		gb.Students = []Row{}
	}
	if gb.Pending == nil {
		gb.Pending = []string{}
	}
	for _, c := range b.ex.Checks {
		gb.Checks = append(gb.Checks, GradebookCheck{ID: c.ID, Kind: c.Kind, Required: c.Required(), Points: c.Points})
	}
	var js bytes.Buffer
	if err := report.JSON(&js, gb, false); err != nil {
		return err
	}
	csvData, err := b.csv(rows)
	if err != nil {
		return err
	}
	var errs []error
	for name, data := range map[string][]byte{GradebookJSON: js.Bytes(), GradebookCSV: csvData} {
		if err := renameio.WriteFile(filepath.Join(b.dir, name), data, 0o644); err != nil {
			errs = append(errs, fmt.Errorf("cannot write %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// csv is the gradebook as a spreadsheet: one column per check, holding
// its status.
func (b *Book) csv(rows []Row) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"student", "exercise", "status", "passed", "score", "max_score", "duration_seconds", "image_bytes", "error", "report"}
	for _, c := range b.ex.Checks {
		head = append(head, c.ID)
	}
	_ = w.Write(head)
	for _, r := range rows {
		rec := []string{cell(r.Student), r.Exercise, r.Status, strconv.FormatBool(r.Passed), strconv.Itoa(r.Score), strconv.Itoa(r.MaxScore),
			strconv.FormatFloat(r.DurationSeconds, 'f', 1, 64), strconv.FormatInt(r.ImageBytes, 10), cell(r.Error), cell(r.Report)}
		byID := map[string]string{}
		for _, c := range r.Checks {
			byID[c.ID] = c.Status
		}
		for _, c := range b.ex.Checks {
			rec = append(rec, byID[c.ID])
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// cell keeps text from a roster or a daemon from being read as a formula
// by a spreadsheet (CSV injection): a leading =, +, -, @, tab or carriage
// return gets a quote in front.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
