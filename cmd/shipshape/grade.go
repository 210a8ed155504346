package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"shipshape/internal/attempt"
	"shipshape/internal/grade"
	"shipshape/internal/report"
)

// gradeOptions are the flags of `shipshape grade`.
type gradeOptions struct {
	out, format, devImage string
	jobs                  int
	timeout               time.Duration
	resume                bool
	buildArgs             []string
}

// defaultJobs grades as many students at once as there are CPUs, up to 8:
// beyond that the one daemon doing the builds is the bottleneck.
func defaultJobs() int { return min(max(runtime.NumCPU(), 1), 8) }

func newGradeCmd(a *app) *cobra.Command {
	var o gradeOptions
	cmd := &cobra.Command{
		Use:   "grade EXERCISE ROSTER",
		Short: "Grade a class: build and check every student's workspace (exit 0 when the run completed)",
		Long:  help("grade"),
		Example: `  shipshape grade 3.1 submissions/
  shipshape grade 3.2 roster.csv --out grades-3.2 --format junit --jobs 4
  shipshape grade 3.1 submissions/ --resume`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageError("grade needs an EXERCISE and a ROSTER, such as `grade 3.1 submissions/` (see '%s --help')", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGrade(cmd.Context(), a, args[0], args[1], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "grades", "write the gradebook and the reports to `DIR`")
	f.StringVar(&o.format, "format", "text", "the students' reports' `FORMAT`: text, json, junit, github or sarif")
	f.IntVar(&o.jobs, "jobs", defaultJobs(), "grade `N` students at once")
	f.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up on a student after `DURATION` (build and checks); they get an error row")
	f.BoolVar(&o.resume, "resume", false, "keep the students already graded in --out and grade the rest")
	f.StringArrayVar(&o.buildArgs, "build-arg", nil, "pass `KEY=VALUE` to every build, as docker build --build-arg (repeatable)")
	f.StringVar(&o.devImage, "dev-image", "", "compare sizes with the image `REF` instead of building the pack's starter")
	return cmd
}

func runGrade(ctx context.Context, a *app, exerciseID, rosterPath string, o gradeOptions) error {
	format, err := report.ParseFormat(o.format, report.CheckFormats...)
	if err != nil {
		return usageError("%v", err)
	}
	if o.jobs < 1 {
		return usageError("--jobs must be at least 1")
	}
	if o.timeout <= 0 {
		return usageError("--timeout must be a positive duration, such as 10m")
	}
	buildArgs, err := parseBuildArgs(o.buildArgs)
	if err != nil {
		return err
	}
	pack, err := a.loadPack()
	if err != nil {
		return err
	}
	ex, err := findExercise(pack, exerciseID)
	if err != nil {
		return err
	}
	students, book, done, err := grade.Prepare(rosterPath, o.out, format, ex, o.resume, a.stderr)
	if err != nil {
		return &exitError{code: 2, err: err}
	}

	ctx, stop := interruptible(ctx)
	defer stop()
	session, dc, err := a.connected(ctx)
	if err != nil {
		return err
	}
	defer session.Close()
	g := &grade.Grader{Engine: dc, Runner: &attempt.Runner{Engines: session, Reports: attempt.NewReports(""), ReportDir: reportDir()},
		Scratch: a.scratch()}
	plan := grade.Plan{Pack: pack, Exercise: ex, Students: students, Jobs: o.jobs, Timeout: o.timeout, BuildArgs: buildArgs, DevImage: o.devImage}

	sum, err := g.RunShown(ctx, plan, book, done, a.stderr)
	last, err := sum.Describe(err, ex.ID, o.out, len(students))
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	fmt.Fprintln(a.stdout, last)
	return nil
}
