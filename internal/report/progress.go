package report

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"shipshape/internal/course"
	"shipshape/internal/progress"
	"shipshape/internal/summary"
	"shipshape/internal/termsafe"
)

// ListDoc is the stable shape of `shipshape list --json`.
type ListDoc struct {
	Pack      PackDoc       `json:"pack"`
	Done      int           `json:"done"`
	Total     int           `json:"total"`
	Lessons   []LessonDoc   `json:"lessons"`
	Exercises []ExerciseDoc `json:"exercises"`
}

// PackDoc is part of a List or Progress document.
type PackDoc struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version string `json:"version"`
	Source  string `json:"source"`
}

// LessonDoc is part of a List or Progress document.
type LessonDoc struct {
	Number   int    `json:"number"`
	ID       string `json:"id"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Minutes  int    `json:"minutes"`
	State    string `json:"state"`
	Exercise string `json:"exercise,omitempty"`
}

// ExerciseDoc is part of a List or Progress document.
type ExerciseDoc struct {
	ID       string         `json:"id"`
	Title    string         `json:"title"`
	Lesson   string         `json:"lesson"`
	State    string         `json:"state"`
	Attempts int            `json:"attempts"`
	Checks   []CheckDeclDoc `json:"checks"`
}

// CheckDeclDoc is part of a List or Progress document.
type CheckDeclDoc struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Level  string `json:"level"`
	Lesson string `json:"lesson"`
}

// exerciseState is "passed", "failed" (attempted, not passed) or "not-attempted".
func ExerciseState(ls summary.Lesson) string {
	switch {
	case ls.PassedAt != nil:
		return "passed"
	case ls.Attempts > 0:
		return "failed"
	default:
		return "not-attempted"
	}
}

// List is the document of `shipshape list --json`.
func List(pack *course.Pack, sum summary.Summary) ListDoc {
	doc := ListDoc{
		Pack:      PackDoc{ID: pack.ID, Title: pack.Title, Version: pack.Version, Source: pack.Source},
		Done:      sum.Done,
		Total:     sum.Total,
		Lessons:   []LessonDoc{},
		Exercises: []ExerciseDoc{},
	}
	for i, ls := range sum.Lessons {
		l := ls.Lesson
		lj := LessonDoc{Number: i + 1, ID: l.ID, Title: l.Title, Summary: l.Summary, Minutes: l.Minutes, State: string(ls.State)}
		if ex := l.Exercise; ex != nil {
			lj.Exercise = ex.ID
			ej := ExerciseDoc{ID: ex.ID, Title: ex.Title, Lesson: l.ID, State: ExerciseState(ls), Attempts: ls.Attempts, Checks: []CheckDeclDoc{}}
			for _, c := range ex.Checks {
				ej.Checks = append(ej.Checks, CheckDeclDoc{ID: c.ID, Kind: c.Kind, Level: c.Level, Lesson: c.Lesson})
			}
			doc.Exercises = append(doc.Exercises, ej)
		}
		doc.Lessons = append(doc.Lessons, lj)
	}
	return doc
}

// ListText writes the lessons with their states, one per line.
func ListText(w io.Writer, pack *course.Pack, sum summary.Summary) {
	fmt.Fprintf(w, "%s (%s %s): %d of %d lessons done\n\n", termsafe.Line(pack.Title), termsafe.Line(pack.ID),
		termsafe.Line(pack.Version), sum.Done, sum.Total)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, ls := range sum.Lessons {
		l := ls.Lesson
		state := string(ls.State)
		ex := ""
		if l.Exercise != nil {
			ex = "exercise " + termsafe.Line(l.Exercise.ID) + ": " + ExerciseState(ls)
		}
		fmt.Fprintf(tw, "%s %02d\t%s\t%s\t%d min\t%s\t%s\n", stateGlyph(ls), i+1, termsafe.Line(l.ID),
			termsafe.Line(l.Title), l.Minutes, state, ex)
	}
	tw.Flush()
}

func stateGlyph(ls summary.Lesson) string {
	switch {
	case ls.Done:
		return "✓"
	case ls.State == summary.NotStarted:
		return " "
	default:
		return "·"
	}
}

// ProgressDoc is the stable shape of `shipshape progress --json`.
type ProgressDoc struct {
	Pack          PackDoc               `json:"pack"`
	File          string                `json:"file"`
	Done          int                   `json:"done"`
	Total         int                   `json:"total"`
	CurrentLesson string                `json:"current_lesson,omitempty"`
	Lessons       []LessonProgressDoc   `json:"lessons"`
	Exercises     []ExerciseProgressDoc `json:"exercises"`
}

// LessonProgressDoc is part of a List or Progress document.
type LessonProgressDoc struct {
	ID     string     `json:"id"`
	State  string     `json:"state"`
	ReadAt *time.Time `json:"read_at,omitempty"`
	Offset int        `json:"offset"`
}

// ExerciseProgressDoc is part of a List or Progress document.
type ExerciseProgressDoc struct {
	ID          string            `json:"id"`
	State       string            `json:"state"`
	PassedAt    *time.Time        `json:"passed_at,omitempty"`
	Attempts    int               `json:"attempts"`
	LastAttempt *progress.Attempt `json:"last_attempt,omitempty"`
}

// Progress is the document of `shipshape progress --json`; file is the
// progress file's path.
func Progress(pack *course.Pack, st progress.State, sum summary.Summary, file string) ProgressDoc {
	doc := ProgressDoc{
		Pack:          PackDoc{ID: pack.ID, Title: pack.Title, Version: pack.Version, Source: pack.Source},
		File:          file,
		Done:          sum.Done,
		Total:         sum.Total,
		CurrentLesson: st.Current,
		Lessons:       []LessonProgressDoc{},
		Exercises:     []ExerciseProgressDoc{},
	}
	for _, ls := range sum.Lessons {
		lp := LessonProgressDoc{ID: ls.Lesson.ID, State: string(ls.State), ReadAt: ls.ReadAt}
		if p := st.Lessons[ls.Lesson.ID]; p != nil {
			lp.Offset = p.Offset
		}
		doc.Lessons = append(doc.Lessons, lp)
		if ex := ls.Lesson.Exercise; ex != nil {
			ej := ExerciseProgressDoc{ID: ex.ID, State: ExerciseState(ls), PassedAt: ls.PassedAt, Attempts: ls.Attempts}
			if ep := st.Exercises[ex.ID]; ep != nil && len(ep.Attempts) > 0 {
				last := ep.Attempts[len(ep.Attempts)-1]
				ej.LastAttempt = &last
			}
			doc.Exercises = append(doc.Exercises, ej)
		}
	}
	return doc
}

// ProgressText writes the learner's progress for a person.
func ProgressText(w io.Writer, pack *course.Pack, st progress.State, sum summary.Summary, file string) {
	fmt.Fprintf(w, "%s: %d of %d lessons done (%.0f%%)\n", termsafe.Line(pack.Title), sum.Done, sum.Total, sum.Percent()*100)
	fmt.Fprintf(w, "progress file: %s\n", termsafe.Line(file))
	if l := pack.Lesson(st.Current); l != nil {
		fmt.Fprintf(w, "last lesson:   %s (%s)\n", termsafe.Line(l.Title), l.ID)
	}
	read := 0
	for _, ls := range sum.Lessons {
		if ls.State == summary.Read || ls.State == summary.Passed {
			read++
		}
	}
	fmt.Fprintf(w, "lessons read:  %d of %d\n\nexercises:\n", read, len(pack.Lessons))
	for _, ls := range sum.Lessons {
		ex := ls.Lesson.Exercise
		if ex == nil {
			continue
		}
		line := fmt.Sprintf("  %-5s %-40s %s", termsafe.Line(ex.ID), termsafe.Line(ex.Title), ExerciseState(ls))
		if ep := st.Exercises[ex.ID]; ep != nil && len(ep.Attempts) > 0 {
			last := ep.Attempts[len(ep.Attempts)-1]
			failed := 0
			for _, c := range last.Checks {
				if c.Required && c.Status != "pass" {
					failed++
				}
			}
			line += fmt.Sprintf(" · %d attempt(s), last %s", len(ep.Attempts), last.StartedAt.Local().Format("2006-01-02 15:04"))
			if !last.Passed {
				line += fmt.Sprintf(", which did not pass (%d required check(s) failed)", failed)
			}
		}
		fmt.Fprintln(w, line)
	}
}
