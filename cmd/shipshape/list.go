package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"shipshape/internal/course"
	"shipshape/internal/report"
	"shipshape/internal/summary"
	"shipshape/internal/termsafe"
)

// listJSON is the stable shape of `shipshape list --json`.
type listJSON struct {
	Pack      packJSON       `json:"pack"`
	Done      int            `json:"done"`
	Total     int            `json:"total"`
	Lessons   []lessonJSON   `json:"lessons"`
	Exercises []exerciseJSON `json:"exercises"`
}

type packJSON struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version string `json:"version"`
	Source  string `json:"source"`
}

type lessonJSON struct {
	Number   int    `json:"number"`
	ID       string `json:"id"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Minutes  int    `json:"minutes"`
	State    string `json:"state"`
	Exercise string `json:"exercise,omitempty"`
}

type exerciseJSON struct {
	ID       string      `json:"id"`
	Title    string      `json:"title"`
	Lesson   string      `json:"lesson"`
	State    string      `json:"state"`
	Attempts int         `json:"attempts"`
	Checks   []checkJSON `json:"checks"`
}

type checkJSON struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Level  string `json:"level"`
	Lesson string `json:"lesson"`
}

func newListCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the lessons and exercises with your progress",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			pack, err := a.loadPack()
			if err != nil {
				return err
			}
			st, err := a.loadProgress(pack)
			if err != nil {
				return err
			}
			sum := summary.Of(pack, st)
			if asJSON {
				return writeJSON(a.stdout, listDoc(pack, sum))
			}
			printList(a.stdout, pack, sum)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON for scripts")
	return cmd
}

// exerciseState is "passed", "failed" (attempted, not passed) or "not-attempted".
func exerciseState(ls summary.Lesson) string {
	switch {
	case ls.PassedAt != nil:
		return "passed"
	case ls.Attempts > 0:
		return "failed"
	default:
		return "not-attempted"
	}
}

func listDoc(pack *course.Pack, sum summary.Summary) listJSON {
	doc := listJSON{
		Pack:      packJSON{ID: pack.ID, Title: pack.Title, Version: pack.Version, Source: pack.Source},
		Done:      sum.Done,
		Total:     sum.Total,
		Lessons:   []lessonJSON{},
		Exercises: []exerciseJSON{},
	}
	for i, ls := range sum.Lessons {
		l := ls.Lesson
		lj := lessonJSON{Number: i + 1, ID: l.ID, Title: l.Title, Summary: l.Summary, Minutes: l.Minutes, State: string(ls.State)}
		if ex := l.Exercise; ex != nil {
			lj.Exercise = ex.ID
			ej := exerciseJSON{ID: ex.ID, Title: ex.Title, Lesson: l.ID, State: exerciseState(ls), Attempts: ls.Attempts, Checks: []checkJSON{}}
			for _, c := range ex.Checks {
				ej.Checks = append(ej.Checks, checkJSON{ID: c.ID, Kind: c.Kind, Level: c.Level, Lesson: c.Lesson})
			}
			doc.Exercises = append(doc.Exercises, ej)
		}
		doc.Lessons = append(doc.Lessons, lj)
	}
	return doc
}

func printList(w io.Writer, pack *course.Pack, sum summary.Summary) {
	fmt.Fprintf(w, "%s (%s %s): %d of %d lessons done\n\n", termsafe.Line(pack.Title), termsafe.Line(pack.ID),
		termsafe.Line(pack.Version), sum.Done, sum.Total)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, ls := range sum.Lessons {
		l := ls.Lesson
		state := string(ls.State)
		ex := ""
		if l.Exercise != nil {
			ex = "exercise " + termsafe.Line(l.Exercise.ID) + ": " + exerciseState(ls)
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

func writeJSON(w io.Writer, v any) error {
	return report.JSON(w, v, true)
}
