package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"shipshape/internal/attempt"
	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/ledger"
	"shipshape/internal/progress"
	"shipshape/internal/scratch"
	"shipshape/internal/termsafe"
	"shipshape/internal/xdgdir"
)

// app holds what the commands share: flags, streams and loaders.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	// packPath is --pack: a pack directory instead of the built-in course.
	packPath string
	// style is --style: auto, dark, light or notty.
	style string
	// host is --host: the Docker daemon to use.
	host string
	// image, devImage, dir and trivyReport say what the TUI's checks judge.
	image, devImage, dir, trivyReport string
	// buildArgList is --build-arg KEY=VALUE, repeated, for the TUI's
	// builds; buildArgs is it parsed.
	buildArgList []string
	buildArgs    map[string]string
	// pull is --pull: the TUI's builds pull their base images first.
	pull bool
	// callTimeout and buildIdle bound Docker calls and build silences;
	// zero means the adapter's defaults. Tests shorten them.
	callTimeout, buildIdle time.Duration
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr}
}

// loadPack loads the pack chosen by --pack, or the built-in course.
func (a *app) loadPack() (*course.Pack, error) {
	opts := course.Options{CheckKind: check.ValidateParams}
	if a.packPath == "" {
		p, err := course.Builtin(opts)
		if err != nil {
			return nil, fmt.Errorf("the built-in course is broken (a bug in this build): %w", err)
		}
		return p, nil
	}
	return a.loadPackArg(opts)
}

// dockerOptions are the options every Docker client of a command gets:
// the --host flag and the ledger of the objects shipshape creates, kept
// beside progress so that a later run removes what a killed one left.
func (a *app) dockerOptions() docker.Options {
	o := docker.Options{Host: a.host, CallTimeout: a.callTimeout, BuildIdle: a.buildIdle}
	if dir, err := progress.DefaultDir(); err == nil {
		o.Ledger = ledger.Open(filepath.Join(dir, ledger.FileName))
	}
	o.Scratch = a.scratch()
	return o
}

// session is a connection to the daemon, made on first use, whose notes
// (a failed sweep of stale leftovers) go to stderr.
func (a *app) session() *attempt.Session {
	return attempt.NewSession(a.dockerOptions(), func(note string) {
		fmt.Fprintln(a.stderr, "shipshape: note: "+note)
	})
}

// connected is a session whose daemon answered, for the commands that
// need one from the start; the error is exit 2 with the adapter's advice.
func (a *app) connected(ctx context.Context) (*attempt.Session, *docker.Client, error) {
	session := a.session()
	dc, err := session.Client(ctx)
	if err != nil {
		session.Close()
		return nil, nil, &exitError{code: 2, err: attempt.Reason(err)}
	}
	return session, dc, nil
}

// runner runs attempts through session, with trivyReport (--trivy-report)
// as the learner's report and notes on long steps on stderr.
func (a *app) runner(session *attempt.Session, trivyReport string) *attempt.Runner {
	return &attempt.Runner{
		Engines: session, Reports: attempt.NewReports(trivyReport), ReportDir: reportDir(),
		Notify: func(note string) { fmt.Fprintln(a.stderr, "shipshape: "+termsafe.Line(note)) },
	}
}

// reportDir is where Trivy reports are kept: they are caches, rebuilt by
// scanning again, so without a home directory the temporary one does.
func reportDir() string {
	dir, err := xdgdir.Dir(xdgdir.Cache, "")
	if err != nil {
		dir = filepath.Join(os.TempDir(), xdgdir.App)
	}
	return filepath.Join(dir, "reports")
}

// scratch is where the commands make their temporary files: the state
// directory's tmp/, swept at every start (see sweepScratch), or, without
// a state directory, the system's temporary directory.
func (a *app) scratch() *scratch.Dir {
	dir, err := progress.DefaultDir()
	if err != nil {
		return nil
	}
	return scratch.Open(filepath.Join(dir, "tmp"))
}

// sweepScratch removes the temporary files of shipshape processes that
// ended without removing them (kill -9). It never stops a command: the
// files are only wasted space, and the next start tries again.
func (a *app) sweepScratch() {
	if _, err := a.scratch().Sweep(); err != nil {
		fmt.Fprintln(a.stderr, "shipshape: note: "+termsafe.Line(err.Error()))
	}
}

// openProgress opens the pack's progress for reading and writing (or
// read-only when another shipshape holds it or the file is from a newer
// one) and prints the store's notices on stderr: a file moved aside or
// opened read-only is news the learner must not miss.
func (a *app) openProgress(p *course.Pack) (*progress.Store, error) {
	s, err := a.openProgressQuiet(p)
	if err != nil {
		return nil, err
	}
	for _, n := range s.Notices() {
		fmt.Fprintln(a.stderr, "shipshape: "+termsafe.Line(n))
	}
	return s, nil
}

// openProgressQuiet is openProgress for the TUI, which shows the notices
// on its own screen.
func (a *app) openProgressQuiet(p *course.Pack) (*progress.Store, error) {
	dir, err := progress.DefaultDir()
	if err != nil {
		return nil, err
	}
	return progress.Open(dir, p.ID)
}

// loadProgress reads the pack's progress without locking or writing.
func (a *app) loadProgress(p *course.Pack) (progress.State, error) {
	dir, err := progress.DefaultDir()
	if err != nil {
		return progress.State{}, err
	}
	st, notices, err := progress.Load(dir, p.ID)
	for _, n := range notices {
		fmt.Fprintln(a.stderr, "shipshape: "+termsafe.Line(n))
	}
	return st, err
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "shipshape",
		Short:         "Learn to make container images production-ready, in your terminal",
		Long:          help("shipshape"),
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Every command starts by removing what killed ones left in the
		// scratch directory (no subcommand has a pre-run of its own, which
		// would replace this one).
		PersistentPreRun: func(*cobra.Command, []string) { a.sweepScratch() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTUI(cmd.Context(), a)
		},
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.PersistentFlags().StringVar(&a.packPath, "pack", "", "use the lesson pack at `PATH` (a directory, .tar.gz or .zip, or the id of an installed pack) instead of the built-in course")
	root.PersistentFlags().StringVar(&a.host, "host", "", "Docker daemon `ADDRESS` (default: DOCKER_HOST, the current context, then the local socket)")
	root.Flags().StringVar(&a.style, "style", "auto", "lesson colours: `auto`, dark, light or notty (plain)")
	root.Flags().StringVar(&a.image, "image", "", "image the exercise checks judge, `REF` (default: the pack's, task-api:prod)")
	root.Flags().StringVar(&a.devImage, "dev-image", "", "dev image to compare with, `REF` (default: the pack's, task-api:dev)")
	root.Flags().StringVar(&a.dir, "dir", ".", "project `DIR` with the Dockerfile and .dockerignore")
	root.Flags().StringVar(&a.trivyReport, "trivy-report", "", "a Trivy JSON report (`FILE`) of the image, for exercise 3.3")
	root.Flags().StringArrayVar(&a.buildArgList, "build-arg", nil, "`KEY=VALUE` for the Dockerfile's ARG KEY in the course's builds (repeat it; over the workspace's shipshape.yaml)")
	root.Flags().BoolVar(&a.pull, "pull", false, "pull the base images before each of the course's builds, as docker build --pull (or build.pull in shipshape.yaml)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &exitError{code: 2, err: fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())}
	})
	root.AddCommand(newListCmd(a), newProgressCmd(a), newVersionCmd(a), newCheckCmd(a), newGradeCmd(a), newDoctorCmd(a), newChecklistCmd(a))
	root.AddCommand(newInitCmd(a))
	root.AddCommand(newPackCmd(a))
	return root
}

// parseBuildArgs reads --build-arg KEY=VALUE flags as docker build does.
func parseBuildArgs(list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	args := make(map[string]string, len(list))
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageError("--build-arg %q: want KEY=VALUE, for the Dockerfile's ARG KEY", kv)
		}
		args[k] = v
	}
	return args, nil
}

// usageError is a mistake in how a command was called: exit code 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}
