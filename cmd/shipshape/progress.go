package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"shipshape/internal/course"
	"shipshape/internal/progress"
	"shipshape/internal/summary"
	"shipshape/internal/termsafe"
)

// progressJSON is the stable shape of `shipshape progress --json`.
type progressJSON struct {
	Pack          packJSON               `json:"pack"`
	File          string                 `json:"file"`
	Done          int                    `json:"done"`
	Total         int                    `json:"total"`
	CurrentLesson string                 `json:"current_lesson,omitempty"`
	Lessons       []lessonProgressJSON   `json:"lessons"`
	Exercises     []exerciseProgressJSON `json:"exercises"`
}

type lessonProgressJSON struct {
	ID     string     `json:"id"`
	State  string     `json:"state"`
	ReadAt *time.Time `json:"read_at,omitempty"`
	Offset int        `json:"offset"`
}

type exerciseProgressJSON struct {
	ID          string            `json:"id"`
	State       string            `json:"state"`
	PassedAt    *time.Time        `json:"passed_at,omitempty"`
	Attempts    int               `json:"attempts"`
	LastAttempt *progress.Attempt `json:"last_attempt,omitempty"`
}

func newProgressCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "progress",
		Short: "Show your progress: lessons read, exercises passed, last check results",
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
			dir, _ := a.stateDir()
			file := progress.FilePath(dir, pack.ID)
			sum := summary.Of(pack, st)
			if asJSON {
				return writeJSON(a.stdout, progressDoc(pack, st, sum, file))
			}
			printProgress(a, pack, st, sum, file)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON for scripts")
	cmd.AddCommand(newResetCmd(a))
	return cmd
}

func progressDoc(pack *course.Pack, st progress.State, sum summary.Summary, file string) progressJSON {
	doc := progressJSON{
		Pack:          packJSON{ID: pack.ID, Title: pack.Title, Version: pack.Version, Source: pack.Source},
		File:          file,
		Done:          sum.Done,
		Total:         sum.Total,
		CurrentLesson: st.Current,
		Lessons:       []lessonProgressJSON{},
		Exercises:     []exerciseProgressJSON{},
	}
	for _, ls := range sum.Lessons {
		lp := lessonProgressJSON{ID: ls.Lesson.ID, State: string(ls.State), ReadAt: ls.ReadAt}
		if p := st.Lessons[ls.Lesson.ID]; p != nil {
			lp.Offset = p.Offset
		}
		doc.Lessons = append(doc.Lessons, lp)
		if ex := ls.Lesson.Exercise; ex != nil {
			ej := exerciseProgressJSON{ID: ex.ID, State: exerciseState(ls), PassedAt: ls.PassedAt, Attempts: ls.Attempts}
			if ep := st.Exercises[ex.ID]; ep != nil && len(ep.Attempts) > 0 {
				last := ep.Attempts[len(ep.Attempts)-1]
				ej.LastAttempt = &last
			}
			doc.Exercises = append(doc.Exercises, ej)
		}
	}
	return doc
}

func printProgress(a *app, pack *course.Pack, st progress.State, sum summary.Summary, file string) {
	w := a.stdout
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
		line := fmt.Sprintf("  %-5s %-40s %s", termsafe.Line(ex.ID), termsafe.Line(ex.Title), exerciseState(ls))
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

func newResetCmd(a *app) *cobra.Command {
	var all, yes bool
	cmd := &cobra.Command{
		Use:   "reset [LESSON | --all]",
		Short: "Forget progress of one lesson (id, number or exercise id) or of the whole pack",
		Example: `  shipshape progress reset non-root
  shipshape progress reset 3.1
  shipshape progress reset --all --yes`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if all == (len(args) == 1) {
				return usageError("name one lesson to reset, or use --all for the whole pack")
			}
			pack, err := a.loadPack()
			if err != nil {
				return err
			}
			var lesson *course.Lesson
			what := "all progress in " + termsafe.Line(pack.Title)
			if !all {
				lesson = findLesson(pack, args[0])
				if lesson == nil {
					return usageError("no lesson %q in %s: use a lesson id, number or exercise id from 'shipshape list'", termsafe.Line(args[0]), pack.Title)
				}
				what = fmt.Sprintf("progress of lesson %q", lesson.Title)
				if lesson.Exercise != nil {
					what += fmt.Sprintf(" and the check history of exercise %s", lesson.Exercise.ID)
				}
			}
			if !yes {
				ok, err := confirm(a, "Reset "+what+"?", "Not resetting")
				if err != nil {
					return err
				}
				if !ok {
					fmt.Fprintln(a.stdout, "Nothing was reset.")
					return nil
				}
			}
			store, err := a.openProgress(pack)
			if err != nil {
				return err
			}
			defer store.Close()
			switch {
			case errors.Is(store.ReadOnlyReason(), progress.ErrNewerFile):
				return &exitError{code: 2, err: errors.New("the progress file is from a newer shipshape, so this one resets nothing; use the newer shipshape to reset it")}
			case store.ReadOnly():
				return &exitError{code: 2, err: errors.New("another shipshape is using this progress; close it, then reset again")}
			}
			if all {
				err = store.ResetAll()
			} else {
				exID := ""
				if lesson.Exercise != nil {
					exID = lesson.Exercise.ID
				}
				err = store.ResetLesson(lesson.ID, exID)
			}
			if err != nil {
				return fmt.Errorf("cannot reset progress: %w", err)
			}
			fmt.Fprintf(a.stdout, "Reset %s.\n", what)
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "reset every lesson and exercise of the pack")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// findLesson accepts a lesson id, a 1-based lesson number or an exercise id.
func findLesson(pack *course.Pack, arg string) *course.Lesson {
	if l := pack.Lesson(arg); l != nil {
		return l
	}
	if _, l := pack.Exercise(arg); l != nil {
		return l
	}
	if n, err := strconv.Atoi(arg); err == nil && n >= 1 && n <= len(pack.Lessons) {
		return pack.Lessons[n-1]
	}
	return nil
}

// confirm asks a yes/no question on the terminal; anything but y or yes,
// end of input included, is no. Without a terminal it refuses rather than
// guess, saying "<refusal> without confirmation": scripts say --yes.
func confirm(a *app, question, refusal string) (bool, error) {
	if f, ok := a.stdin.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return false, usageError("%s %s without confirmation: run it in a terminal or add --yes", question, refusal)
	}
	fmt.Fprintf(a.stdout, "%s [y/N] ", question)
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("cannot read the answer: %w", err)
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}
