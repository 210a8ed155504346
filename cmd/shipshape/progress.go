package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"shipshape/internal/course"
	"shipshape/internal/progress"
	"shipshape/internal/report"
	"shipshape/internal/summary"
	"shipshape/internal/termsafe"
)

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
			dir, _ := progress.DefaultDir()
			file := progress.FilePath(dir, pack.ID)
			sum := summary.Of(pack, st)
			if asJSON {
				return writeJSON(a.stdout, report.Progress(pack, st, sum, file))
			}
			report.ProgressText(a.stdout, pack, st, sum, file)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON for scripts")
	cmd.AddCommand(newResetCmd(a))
	return cmd
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
				lesson = pack.Find(args[0])
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
