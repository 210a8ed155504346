package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"shipshape/internal/attempt"
	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/report"
	"shipshape/internal/termsafe"
)

// checkOptions are the flags of `shipshape check`.
type checkOptions struct {
	image, devImage, dir, format, output, trivyReport string
}

func newCheckCmd(a *app) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check EXERCISE",
		Short: "Check an exercise against your image and Dockerfile (exit 0 passed, 1 failed, 2 could not check)",
		Long:  help("check"),
		Example: `  shipshape check 3.1
  shipshape check 3.2 --image task-api:prod --dev-image task-api:dev --dir .
  shipshape check 3.3 --trivy-report report.json --format json
  shipshape check 3.4 --format junit --output results.xml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("check needs exactly one EXERCISE, such as 3.1 (see '%s --help')", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd.Context(), a, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.image, "image", "", "the image to check, `REF` (default: the pack's, task-api:prod)")
	f.StringVar(&o.devImage, "dev-image", "", "the dev image to compare sizes with, `REF` (default: the pack's, task-api:dev)")
	f.StringVar(&o.dir, "dir", ".", "the `DIR` holding the Dockerfile and .dockerignore")
	f.StringVar(&o.format, "format", "text", "output `FORMAT`: text, json, junit, github (Actions annotations) or sarif")
	f.StringVarP(&o.output, "output", "o", "", "write the results to `FILE` instead of standard output")
	f.StringVar(&o.trivyReport, "trivy-report", "", "a Trivy JSON report (`FILE`) of the image, for scan.no_critical")
	return cmd
}

func runCheck(ctx context.Context, a *app, exerciseID string, o checkOptions) error {
	format, err := report.ParseFormat(o.format, report.CheckFormats...)
	if err != nil {
		return usageError("%v", err)
	}
	pack, err := a.loadPack()
	if err != nil {
		return err
	}
	ex, err := findExercise(pack, exerciseID)
	if err != nil {
		return err
	}
	target := attempt.TargetFor(pack, o.image, o.devImage, o.dir)

	ctx, stop := interruptible(ctx)
	defer stop()
	session := a.session()
	defer session.Close()
	runner := a.runner(session, o.trivyReport)
	if format != report.FormatText {
		// Machine-readable output: notes on stderr would only be noise
		// beside it.
		runner.Notify = nil
	}
	rep, err := runner.Check(ctx, ex, target, nil)
	switch {
	case errors.Is(err, attempt.ErrCancelled):
		return &exitError{code: 2, err: errors.New("interrupted; the containers made for the check were removed")}
	case err != nil:
		return couldNotCheck(a, ex, target, format, o.output, err)
	}

	recordAttempt(a, pack, ex.ID, rep)
	if err := writeCheckReport(a, ex, rep, format, o.output); err != nil {
		return err
	}

	tally := rep.Tally()
	switch tally.Outcome() {
	case check.OutcomeFailed:
		return &exitError{code: 1, err: fmt.Errorf("exercise %s not passed: %d required check(s) failed: %s",
			ex.ID, len(tally.RequiredFailed), strings.Join(tally.RequiredFailed, ", "))}
	case check.OutcomeIncomplete:
		r, _ := rep.FirstUnjudged()
		return &exitError{code: 2, err: fmt.Errorf("could not check exercise %s: %s", ex.ID, termsafe.Line(r.Reason()))}
	}
	return nil
}

// findExercise is the pack's exercise id, or a usage error that lists them.
func findExercise(pack *course.Pack, id string) (*course.Exercise, error) {
	ex, err := pack.FindExercise(id)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return ex, nil
}

// writeCheckReport writes rep in format to output (a file) or stdout.
func writeCheckReport(a *app, ex *course.Exercise, rep check.Report, format report.Format, output string) error {
	if err := report.WriteCheck(a.stdout, output, format, ex, rep); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("cannot write the results: %w", err)}
	}
	return nil
}

// couldNotCheck ends a check that could not run (exit 2, the reason on
// stderr). A machine-readable report is still written, every check an
// error with the reason, because CI needs a report to show even then;
// the text format has only the message.
func couldNotCheck(a *app, ex *course.Exercise, t attempt.Target, format report.Format, output string, reason error) error {
	if format != report.FormatText {
		if err := writeCheckReport(a, ex, attempt.Unjudged(ex, t, reason.Error()), format, output); err != nil {
			return err
		}
	}
	return &exitError{code: 2, err: reason}
}

// interruptible is ctx (or a background context) cancelled by Ctrl-C or
// SIGTERM, so the commands that make containers can remove them on the
// way out.
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// recordAttempt stores the run in the progress store; failing to do so is worth
// a note but does not change the verdict.
func recordAttempt(a *app, pack *course.Pack, exerciseID string, rep check.Report) {
	store, err := a.openProgress(pack)
	if err == nil {
		err = store.RecordAttempt(exerciseID, attempt.Record(rep))
		if cerr := store.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(a.stderr, "shipshape: note: "+attempt.NotSaved(err))
	}
}
