package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/lab"
	"shipshape/internal/scan"
	"shipshape/internal/workspace"
	"shipshape/internal/xdgdir"
)

// watchDebounce is how long the workspace must be quiet after a save
// before watch mode rebuilds: editors write a file in several steps.
const watchDebounce = 400 * time.Millisecond

// tuiWorkflow is the exercise loop for the TUI: the learner's workspace
// and their images, through the lab package and the session's daemon.
type tuiWorkflow struct {
	session              *dockerSession
	pack                 *course.Pack
	dir, image, devImage string
	// reports remembers the Trivy report of each image scanned in this
	// session, for exercise 3.3's check.
	reports *trivyReports
}

// trivyReports maps image references to the path of their latest report:
// one scanned or imported in this session, else the --trivy-report the
// TUI was started with. The checks and the checklist both read it, so
// they judge the same report.
type trivyReports struct {
	mu   sync.Mutex
	path map[string]string
	// flag is --trivy-report.
	flag string
}

func (r *trivyReports) get(image string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.path[image]; p != "" {
		return p
	}
	return r.flag
}

func (r *trivyReports) set(image, path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.path == nil {
		r.path = map[string]string{}
	}
	r.path[image] = path
}

// Dir is the workspace; sessionFor made it absolute once, so the TUI's
// View can show it without touching the file system.
func (w *tuiWorkflow) Dir() string { return w.dir }

func (w *tuiWorkflow) Images() (string, string) { return w.image, w.devImage }

func (w *tuiWorkflow) HasProject() bool {
	st, err := os.Stat(filepath.Join(w.dir, "Dockerfile"))
	return err == nil && st.Mode().IsRegular()
}

func (w *tuiWorkflow) starter() (string, error) {
	if w.pack.Workspace == nil {
		return "", errors.New("this pack has no starter project")
	}
	return w.pack.Workspace.Starter, nil
}

func (w *tuiWorkflow) Init() (workspace.Result, error) {
	starter, err := w.starter()
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Init(w.pack.FS, starter, w.dir, false)
}

func (w *tuiWorkflow) ApplySolution(ex *course.Exercise) (workspace.Result, error) {
	if ex.Solution == "" {
		return workspace.Result{}, errors.New("this exercise has no reference solution")
	}
	return workspace.Apply(w.pack.FS, ex.Solution, w.dir)
}

func (w *tuiWorkflow) ResetFile(name string) (workspace.Result, error) {
	starter, err := w.starter()
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.ResetFile(w.pack.FS, starter, w.dir, name)
}

func (w *tuiWorkflow) StarterFiles() []string {
	starter, err := w.starter()
	if err != nil {
		return nil
	}
	files, _ := workspace.Files(w.pack.FS, starter)
	return files
}

// lab connects to the daemon (once per session) for one operation.
func (w *tuiWorkflow) lab(ctx context.Context) (*lab.Lab, error) {
	dc, err := w.session.connect(ctx)
	if err != nil {
		return nil, dockerReason(err)
	}
	return lab.New(dc), nil
}

func (w *tuiWorkflow) Build(ctx context.Context, tag string, onEvent func(lab.BuildEvent)) (lab.BuildResult, error) {
	if !w.HasProject() {
		return lab.BuildResult{}, errors.New("there is no Dockerfile in " + w.Dir() + ": press i to write the starter, or start shipshape with --dir")
	}
	l, err := w.lab(ctx)
	if err != nil {
		return lab.BuildResult{}, err
	}
	return l.Build(ctx, lab.BuildRequest{Dir: w.dir, Tag: tag}, onEvent)
}

func (w *tuiWorkflow) Run(ctx context.Context, image string) (lab.Running, error) {
	l, err := w.lab(ctx)
	if err != nil {
		return nil, err
	}
	r, err := l.Run(ctx, image)
	if err != nil {
		return nil, dockerReason(err)
	}
	return r, nil
}

func (w *tuiWorkflow) Scan(ctx context.Context, image string) (lab.ScanResult, error) {
	l, err := w.lab(ctx)
	if err != nil {
		return lab.ScanResult{}, err
	}
	res, err := l.Scan(ctx, image, reportDir())
	if err != nil {
		return res, dockerReason(err)
	}
	w.reports.set(image, res.ReportPath)
	return res, nil
}

func (w *tuiWorkflow) Measure(ctx context.Context, onProgress func(string)) (lab.Measurement, error) {
	l, err := w.lab(ctx)
	if err != nil {
		return lab.Measurement{}, err
	}
	return l.Measure(ctx, w.devImage, w.image, onProgress), nil
}

func (w *tuiWorkflow) Watch(ctx context.Context, onChange func([]string)) error {
	// Watching files needs no daemon.
	return lab.New(nil).Watch(ctx, w.dir, watchDebounce, onChange)
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

// needsScan reports whether specs judge a Trivy report.
func needsScan(specs []check.Spec) bool {
	for _, s := range specs {
		if s.Kind == "scan.no_critical" {
			return true
		}
	}
	return false
}

// scanForCheck runs Trivy for exercise 3.3 when no report was given. It
// returns the report path, or the reason there is none, which the check
// result then carries (install instructions, never a pass).
func scanForCheck(ctx context.Context, dc *docker.Client, image string) (string, error) {
	res, err := lab.New(dc).Scan(ctx, image, reportDir())
	if err != nil {
		return "", err
	}
	return res.ReportPath, nil
}

// explainMissingScan adds why there was no report to the result of the
// scan check, so the learner reads how to install Trivy where it failed.
func explainMissingScan(rep *check.Report, scanErr error) {
	if scanErr == nil {
		return
	}
	for i, r := range rep.Results {
		if r.Kind == "scan.no_critical" && r.Status == check.StatusError {
			rep.Results[i].Evidence = append(rep.Results[i].Evidence, strings.Split(scanErr.Error(), "\n")...)
			rep.Results[i].Hint = "Install Trivy (see above), or scan elsewhere and pass the report with --trivy-report report.json."
		}
	}
}

// RunChecklist judges the deployment checklist for the TUI, against the
// prod image and the workspace, with the session's Trivy report if any.
func (w *tuiWorkflow) RunChecklist(ctx context.Context, onEvent func(check.Event)) ([]checklist.ItemResult, error) {
	dc, err := w.session.connect(ctx)
	if err != nil {
		return nil, dockerReason(err)
	}
	if _, err := dc.InspectImage(ctx, w.image); err != nil {
		return nil, dockerReason(err)
	}
	target := check.Target{Image: w.image, Dir: w.dir, TrivyReport: w.reports.get(w.image)}
	if ok, _ := dc.ImageExists(ctx, w.devImage); ok {
		target.DevImage = w.devImage
	}
	return checklist.Run(ctx, check.NewEngine(dc), target, onEvent), nil
}

// ImportReport uses a report made elsewhere for image's scan check. The
// check itself compares the report's image ID with the image's.
func (w *tuiWorkflow) ImportReport(image, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", path, err)
	}
	defer f.Close()
	if _, err := scan.ParseReport(f); err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	w.reports.set(image, abs)
	return nil
}
