package grade

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/report"
)

func exercise() *course.Exercise {
	return &course.Exercise{ID: "3.1", Checks: []course.Check{
		{ID: "nonroot", Kind: "image.user_nonroot", Level: course.LevelRequired, Points: 3},
		{ID: "size", Kind: "image.size_max", Level: course.LevelRequired, Points: 2},
		{ID: "secrets", Kind: "image.no_secrets", Level: course.LevelAdvisory, Points: 1},
		{ID: "free", Kind: "image.healthcheck_defined", Level: course.LevelAdvisory, Points: 0},
	}}
}

func reportOf(statuses ...check.Status) check.Report {
	var rep check.Report
	for i, c := range exercise().Checks {
		if i < len(statuses) {
			rep.Results = append(rep.Results, check.Result{ID: c.ID, Kind: c.Kind, Status: statuses[i], Required: c.Required()})
		}
	}
	return rep
}

func TestScore(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rep      check.Report
		want     int
		statuses string
	}{
		{"all pass", reportOf(check.StatusPass, check.StatusPass, check.StatusPass, check.StatusPass), 6, "pass,pass,pass,pass"},
		{"required warn earns, advisory warn does not", reportOf(check.StatusPass, check.StatusWarn, check.StatusWarn, check.StatusPass), 5, "pass,warn,warn,pass"},
		{"fail and error earn nothing", reportOf(check.StatusFail, check.StatusError, check.StatusPass, check.StatusPass), 1, "fail,error,pass,pass"},
		{"a check missing from the report is skipped", reportOf(check.StatusPass), 3, "pass,skip,skip,skip"},
	} {
		var row Row
		score(&row, exercise(), tc.rep)
		var st []string
		for _, c := range row.Checks {
			st = append(st, c.Status)
		}
		if row.Score != tc.want || row.MaxScore != 6 || strings.Join(st, ",") != tc.statuses {
			t.Errorf("%s: %d/%d %v; want %d/6 %s", tc.name, row.Score, row.MaxScore, st, tc.want, tc.statuses)
		}
	}
}

func TestBookSavesAndResumes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "grades")
	ex := exercise()
	b, done, err := OpenBook(out, report.FormatJSON, ex, false)
	if err != nil || len(done) != 0 {
		t.Fatal(done, err)
	}
	graded := Row{Student: "=HYPERLINK(\"x\")", Exercise: "3.1", Status: StatusGraded, Passed: true, GradedAt: time.Now()}
	score(&graded, ex, reportOf(check.StatusPass, check.StatusPass, check.StatusPass, check.StatusPass))
	incomplete := Row{Student: "bob", Exercise: "3.1", Status: StatusIncomplete}
	for _, s := range []struct {
		st  Student
		row *Row
	}{{Student{Name: graded.Student, ID: "HYPERLINK-x"}, &graded}, {Student{Name: "bob", ID: "bob"}, &incomplete}} {
		if err := b.Save(s.st, s.row, reportOf(check.StatusPass)); err != nil {
			t.Fatal(err)
		}
	}
	var doc report.CheckDoc
	data, err := os.ReadFile(filepath.Join(out, "HYPERLINK-x.json"))
	if err != nil || json.Unmarshal(data, &doc) != nil || doc.Exercise != "3.1" {
		t.Errorf("the student's report: %v\n%s", err, data)
	}
	if err := b.Write("demo", []Row{graded, incomplete}, []string{"cat"}); err != nil {
		t.Fatal(err)
	}

	// The spreadsheet sees text, not a formula, and a column per check.
	f, err := os.ReadFile(filepath.Join(out, GradebookCSV))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(f)).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("%v\n%s", err, f)
	}
	if got := strings.Join(recs[0], ","); got != "student,exercise,status,passed,score,max_score,duration_seconds,image_bytes,error,report,nonroot,size,secrets,free" {
		t.Errorf("header %s", got)
	}
	if recs[1][0] != `'=HYPERLINK("x")` || recs[1][4] != "6" || recs[1][5] != "6" || recs[1][10] != "pass" {
		t.Errorf("row %v", recs[1])
	}
	var gb Gradebook
	if data, err := os.ReadFile(filepath.Join(out, GradebookJSON)); err != nil || json.Unmarshal(data, &gb) != nil {
		t.Fatal(err)
	}
	if gb.MaxScore != 6 || len(gb.Students) != 2 || strings.Join(gb.Pending, ",") != "cat" || gb.Checks[0].Points != 3 {
		t.Errorf("gradebook %+v", gb)
	}

	// A second run must not overwrite the first by accident.
	if _, _, err := OpenBook(out, report.FormatJSON, ex, false); err == nil || !strings.Contains(err.Error(), "pass --resume") {
		t.Errorf("a second run without --resume: %v", err)
	}
	// --resume keeps the graded student and grades the incomplete one again.
	_, done, err = OpenBook(out, report.FormatJSON, ex, true)
	if err != nil || len(done) != 1 || done["HYPERLINK-x"].Score != 6 {
		t.Errorf("resume: %v %v", done, err)
	}
	other := *ex
	other.ID = "3.2"
	if _, _, err := OpenBook(out, report.FormatJSON, &other, true); err == nil || !strings.Contains(err.Error(), "holds grades of exercise 3.1") {
		t.Errorf("resuming another exercise: %v", err)
	}
}

func TestDisplay(t *testing.T) {
	var buf bytes.Buffer
	d := NewDisplay(&buf, false, 0, 2)
	clock := d.start
	d.now = func() time.Time { return clock }
	ann, bob := Student{Name: "ann", ID: "ann"}, Student{Name: "b\x1b]0;x\x07ob", ID: "bob"}
	d.Handle(Event{Started: true, Student: ann})
	d.Handle(Event{Started: true, Student: bob})
	clock = clock.Add(10 * time.Second)
	d.Handle(Event{Student: ann, Finished: &Row{Student: "ann", Status: StatusGraded, Passed: true, Score: 3, MaxScore: 3, DurationSeconds: 9}})
	clock = clock.Add(10 * time.Second)
	d.Handle(Event{Student: bob, Finished: &Row{Student: bob.Name, Status: StatusError, Error: "no Dockerfile"}})
	d.Close()
	want := "grading ann\ngrading b" // the control sequence is gone
	got := buf.String()
	if !strings.HasPrefix(got, want) || strings.ContainsRune(got, '\x1b') || strings.Contains(got, "\r") {
		t.Errorf("plain output %q", got)
	}
	for _, line := range []string{"✓ ann: passed, 3/3 (9s) [1/2, ETA 10s]", ": not graded: no Dockerfile [2/2, done in 20s]"} {
		if !strings.Contains(got, line) {
			t.Errorf("no %q in\n%s", line, got)
		}
	}

	buf.Reset()
	d = NewDisplay(&buf, true, 40, 3)
	d.Handle(Event{Started: true, Student: Student{Name: "a-very-long-student-name", ID: "a"}})
	d.Handle(Event{Started: true, Student: Student{Name: "another", ID: "b"}})
	d.Close()
	lines := strings.Split(buf.String(), "\r\x1b[K")
	last := lines[len(lines)-2]
	if !strings.HasPrefix(last, "[0/3, ETA ?] grading a-very-long-stud") || len([]rune(last)) > 39 || !strings.HasSuffix(last, "…") {
		t.Errorf("live line %q (of %q)", last, buf.String())
	}
}
