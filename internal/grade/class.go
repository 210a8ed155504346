package grade

import (
	"context"
	"errors"
	"fmt"
	"io"

	"shipshape/internal/course"
	"shipshape/internal/report"
	"shipshape/internal/termsafe"
)

// Prepare reads the roster at rosterPath and opens the book under out,
// telling notes on progress: a student whose name is changed for file
// names, and the students an earlier run graded (resume).
func Prepare(rosterPath, out string, format report.Format, ex *course.Exercise, resume bool, progress io.Writer) ([]Student, *Book, map[string]Row, error) {
	students, err := ReadRoster(rosterPath)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, st := range students {
		if st.ID != st.Name {
			fmt.Fprintf(progress, "shipshape: note: student %q is %s in file names\n", termsafe.Line(st.Name), termsafe.Line(st.ID))
		}
	}
	book, done, err := OpenBook(out, format, ex, resume)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(done) > 0 {
		fmt.Fprintf(progress, "shipshape: resuming: %d of %d students were graded by an earlier run and are kept\n",
			min(len(done), len(students)), len(students))
	}
	return students, book, done, nil
}

// RunShown is Run with its progress shown on w (see StartDisplay), and a
// note there on what could not be cleaned up.
func (g *Grader) RunShown(ctx context.Context, plan Plan, book *Book, done map[string]Row, w io.Writer) (Summary, error) {
	disp := StartDisplay(w, Todo(plan.Students, done))
	sum, err := g.Run(ctx, plan, book, done, disp.Handle)
	disp.Close()
	if sum.Cleanup != nil {
		fmt.Fprintln(w, "shipshape: note: "+termsafe.Text(sum.Cleanup.Error()))
	}
	return sum, err
}

// Describe is the last word of a run that ended with err: a line of
// counts when it completed, else an error that says how to go on.
func (s Summary) Describe(err error, exerciseID, out string, students int) (string, error) {
	where := fmt.Sprintf("%s/%s and %s/%s", out, GradebookCSV, out, GradebookJSON)
	switch {
	case errors.Is(err, ErrInterrupted):
		return "", fmt.Errorf("interrupted with %d of %d students graded (%s); what was built for the others was removed; "+
			"run the same command with --resume to grade the rest", len(s.Rows), students, where)
	case err != nil:
		return "", fmt.Errorf("the run stopped with %d of %d students graded: %w; once that is fixed, run the same command with --resume",
			len(s.Rows), students, err)
	}
	passed, failed, errored := s.Counts()
	return fmt.Sprintf("graded %d students of exercise %s: %d passed, %d failed, %d could not be graded; see %s",
		len(s.Rows), exerciseID, passed, failed, errored, where), nil
}
