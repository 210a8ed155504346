package attempt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
	"shipshape/internal/lab"
	"shipshape/internal/workspace"
)

// watchDebounce is how long the workspace must be quiet after a save
// before watch mode rebuilds: editors write a file in several steps.
const watchDebounce = 400 * time.Millisecond

// Workspace is the exercise loop of one pack in one directory, for an
// interactive front end: the learner's files and images, their checks
// and checklist through the Runner, and building, running, scanning and
// measuring through the lab. Every method may block.
type Workspace struct {
	runner *Runner
	pack   *course.Pack
	target Target
	flags  BuildFlags
}

// BuildFlags are the learner's build settings from the command line;
// they win over the workspace's shipshape.yaml.
type BuildFlags struct {
	// Args are --build-arg values.
	Args map[string]string
	// Pull is --pull: pull the base images before every build.
	Pull bool
}

// NewWorkspace binds r to pack and t. t.Dir should be absolute, so that
// Dir can be shown without touching the file system. flags apply to every
// build, over the workspace's shipshape.yaml.
func NewWorkspace(r *Runner, pack *course.Pack, t Target, flags BuildFlags) *Workspace {
	return &Workspace{runner: r, pack: pack, target: t, flags: flags}
}

// Dir is the workspace directory.
func (w *Workspace) Dir() string { return w.target.Dir }

// Images are the prod and dev image references.
func (w *Workspace) Images() (string, string) { return w.target.Image, w.target.DevImage }

// Describe says what is checked.
func (w *Workspace) Describe() string {
	return fmt.Sprintf("%s (dev image %s) · Dockerfile in %s", w.target.Image, w.target.DevImage, w.target.Dir)
}

// Check runs ex's checks against the workspace's images.
func (w *Workspace) Check(ctx context.Context, ex *course.Exercise, onEvent func(check.Event)) (check.Report, error) {
	rep, err := w.runner.Check(ctx, ex, w.target, onEvent)
	if errors.Is(err, ErrCancelled) {
		return rep, errors.New("the check was cancelled; the containers it made were removed")
	}
	return rep, err
}

// RunChecklist judges the pack's deployment checklist against the prod image.
func (w *Workspace) RunChecklist(ctx context.Context, onEvent func(check.Event)) ([]checklist.ItemResult, error) {
	cl, err := w.runner.Checklist(ctx, w.pack, w.target, onEvent)
	return cl.Items, err
}

// HasProject reports whether the directory holds a Dockerfile.
func (w *Workspace) HasProject() bool {
	st, err := os.Stat(filepath.Join(w.target.Dir, "Dockerfile"))
	return err == nil && st.Mode().IsRegular()
}

func (w *Workspace) starter() (string, error) {
	if w.pack.Workspace == nil {
		return "", errors.New("this pack has no starter project")
	}
	return w.pack.Workspace.Starter, nil
}

// Init writes the starter into the directory (empty or missing).
func (w *Workspace) Init() (workspace.Result, error) {
	starter, err := w.starter()
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Init(w.pack.FS, starter, w.target.Dir, false)
}

// ApplySolution copies ex's reference solution over the workspace.
func (w *Workspace) ApplySolution(ex *course.Exercise) (workspace.Result, error) {
	if ex.Solution == "" {
		return workspace.Result{}, errors.New("this exercise has no reference solution")
	}
	return workspace.Apply(w.pack.FS, ex.Solution, w.target.Dir)
}

// ResetFile restores one file to the starter's version.
func (w *Workspace) ResetFile(name string) (workspace.Result, error) {
	starter, err := w.starter()
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.ResetFile(w.pack.FS, starter, w.target.Dir, name)
}

// StarterFiles lists the files ResetFile accepts.
func (w *Workspace) StarterFiles() []string {
	starter, err := w.starter()
	if err != nil {
		return nil
	}
	files, _ := workspace.Files(w.pack.FS, starter)
	return files
}

// lab connects to the daemon for one operation.
func (w *Workspace) lab(ctx context.Context) (*lab.Lab, error) {
	eng, err := w.runner.Engines.Connect(ctx)
	if err != nil {
		return nil, Reason(err)
	}
	return lab.New(eng), nil
}

// Build builds the workspace's Dockerfile as tag.
func (w *Workspace) Build(ctx context.Context, tag string, onEvent func(lab.BuildEvent)) (lab.BuildResult, error) {
	if !w.HasProject() {
		return lab.BuildResult{}, errors.New("there is no Dockerfile in " + w.target.Dir + ": press i to write the starter, or start shipshape with --dir")
	}
	return w.build(ctx, lab.BuildRequest{Dir: w.target.Dir, Tag: tag}, onEvent)
}

// BuildDev builds the dev image as the lessons define it: the starter's
// Dockerfile, unchanged, on the workspace's files (the same context and
// .dockerignore as the prod build), so that the baseline holds the same
// code whatever the learner made of their Dockerfile.
func (w *Workspace) BuildDev(ctx context.Context, onEvent func(lab.BuildEvent)) (lab.BuildResult, error) {
	starter, err := w.starter()
	if err != nil {
		return lab.BuildResult{}, err
	}
	df, err := fs.ReadFile(w.pack.FS, path.Join(starter, "Dockerfile"))
	if err != nil {
		return lab.BuildResult{}, fmt.Errorf("the pack's starter has no Dockerfile to build %s from: %w", w.target.DevImage, err)
	}
	if st, err := os.Stat(w.target.Dir); err != nil || !st.IsDir() {
		return lab.BuildResult{}, errors.New("there is no workspace in " + w.target.Dir + ": press i to write the starter, or start shipshape with --dir")
	}
	return w.build(ctx, lab.BuildRequest{Dir: w.target.Dir, Tag: w.target.DevImage, DockerfileData: df}, onEvent)
}

// build adds the workspace's build settings to req and builds it.
func (w *Workspace) build(ctx context.Context, req lab.BuildRequest, onEvent func(lab.BuildEvent)) (lab.BuildResult, error) {
	cfg, err := workspace.LoadConfig(w.target.Dir)
	if err != nil {
		return lab.BuildResult{}, fmt.Errorf("%w; fix it or remove it to build with the Dockerfile's defaults", err)
	}
	l, err := w.lab(ctx)
	if err != nil {
		return lab.BuildResult{}, err
	}
	req.BuildArgs = workspace.MergeArgs(cfg.Build.Args, w.flags.Args)
	req.Pull = w.flags.Pull || cfg.Build.Pull
	return l.Build(ctx, req, onEvent)
}

// ImageExists reports whether ref is on the daemon (it never pulls).
func (w *Workspace) ImageExists(ctx context.Context, ref string) (bool, error) {
	eng, err := w.runner.Engines.Connect(ctx)
	if err != nil {
		return false, Reason(err)
	}
	ok, err := eng.ImageExists(ctx, ref)
	if err != nil {
		return false, Reason(err)
	}
	return ok, nil
}

// Run starts image for the learner to try.
func (w *Workspace) Run(ctx context.Context, image string) (lab.Running, error) {
	l, err := w.lab(ctx)
	if err != nil {
		return nil, err
	}
	r, err := l.Run(ctx, image)
	if err != nil {
		return nil, Reason(err)
	}
	return r, nil
}

// Scan runs Trivy on image; its report then serves the scan check and
// the checklist.
func (w *Workspace) Scan(ctx context.Context, image string) (lab.ScanResult, error) {
	l, err := w.lab(ctx)
	if err != nil {
		return lab.ScanResult{}, err
	}
	res, err := l.Scan(ctx, image, w.runner.ReportDir)
	if err != nil {
		return res, Reason(err)
	}
	w.runner.Reports.Set(image, res.ReportPath)
	return res, nil
}

// ImportReport uses a Trivy report made elsewhere for image.
func (w *Workspace) ImportReport(image, path string) error {
	return w.runner.Reports.Import(image, path)
}

// Measure compares the dev and prod images for exercise 3.4.
func (w *Workspace) Measure(ctx context.Context, onProgress func(string)) (lab.Measurement, error) {
	l, err := w.lab(ctx)
	if err != nil {
		return lab.Measurement{}, err
	}
	return l.Measure(ctx, w.target.DevImage, w.target.Image, onProgress), nil
}

// Watch calls onChange after saved changes in the directory, until ctx
// ends. Watching files needs no daemon.
func (w *Workspace) Watch(ctx context.Context, onChange func([]string)) error {
	return lab.New(nil).Watch(ctx, w.target.Dir, watchDebounce, onChange)
}
