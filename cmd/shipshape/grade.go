package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"shipshape/internal/attempt"
	"shipshape/internal/grade"
	"shipshape/internal/report"
	"shipshape/internal/termsafe"
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
		Long: `Grade an exercise, such as 3.1, for a whole class. ROSTER is a directory
with one workspace per student (the student is the directory's name) or a CSV
of student,path (paths relative to the CSV; a header row is optional).

For each student shipshape builds the Dockerfile of the workspace into an
image of its own (shipshape-grade/..., labelled with the student; the
student's own images are never touched), runs the exercise's checks, and
removes what it built. A workspace without a Dockerfile, a build that fails
and a student that takes longer than --timeout get an error row; the run goes
on. Each result is written as it comes, so after an interruption --resume
grades only the students left.

Written under --out: gradebook.csv and gradebook.json (student, passed, score
out of the points the pack gives each check, each check's status, duration,
image size) and a report per student, STUDENT.EXT, in --format.

Exit status: 0 when the run completed, whatever the grades; 2 for a usage
error, an unreadable roster, no Docker daemon, or a run that was interrupted
or could not go on (the reason is printed; finished results are kept).`,
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
	format, err := report.ParseFormat(o.format, report.FormatText, report.FormatJSON, report.FormatJUnit, report.FormatGitHub, report.FormatSARIF)
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
	students, err := grade.ReadRoster(rosterPath)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	for _, st := range students {
		if st.ID != st.Name {
			fmt.Fprintf(a.stderr, "shipshape: note: student %q is %s in file names\n", termsafe.Line(st.Name), termsafe.Line(st.ID))
		}
	}
	book, done, err := grade.OpenBook(o.out, format, ex, o.resume)
	if err != nil {
		return &exitError{code: 2, err: err}
	}

	ctx, stop := interruptible(ctx)
	defer stop()
	session := a.session()
	defer session.Close()
	dc, err := session.Client(ctx)
	if err != nil {
		return &exitError{code: 2, err: attempt.Reason(err)}
	}
	g := &grade.Grader{Engine: dc, Runner: &attempt.Runner{Engines: session, Reports: attempt.NewReports(""), ReportDir: reportDir()},
		Scratch: a.scratch()}
	plan := grade.Plan{Pack: pack, Exercise: ex, Students: students, Jobs: o.jobs, Timeout: o.timeout, BuildArgs: buildArgs, DevImage: o.devImage}

	if len(done) > 0 {
		fmt.Fprintf(a.stderr, "shipshape: resuming: %d of %d students were graded by an earlier run and are kept\n", min(len(done), len(students)), len(students))
	}
	disp := grade.StartDisplay(a.stderr, grade.Todo(students, done))
	sum, err := g.Run(ctx, plan, book, done, disp.Handle)
	disp.Close()

	if sum.Cleanup != nil {
		fmt.Fprintln(a.stderr, "shipshape: note: "+termsafe.Text(sum.Cleanup.Error()))
	}
	passed, failed, errored := sum.Counts()
	where := fmt.Sprintf("%s/%s and %s/%s", o.out, grade.GradebookCSV, o.out, grade.GradebookJSON)
	switch {
	case errors.Is(err, grade.ErrInterrupted):
		return &exitError{code: 2, err: fmt.Errorf("interrupted with %d of %d students graded (%s); what was built for the others was removed; "+
			"run the same command with --resume to grade the rest", len(sum.Rows), len(students), where)}
	case err != nil:
		return &exitError{code: 2, err: fmt.Errorf("the run stopped with %d of %d students graded: %w; once that is fixed, run the same command with --resume",
			len(sum.Rows), len(students), err)}
	}
	fmt.Fprintf(a.stdout, "graded %d students of exercise %s: %d passed, %d failed, %d could not be graded; see %s\n",
		len(sum.Rows), ex.ID, passed, failed, errored, where)
	return nil
}
