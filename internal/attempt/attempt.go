// Package attempt is the one pipeline that judges a learner's work: an
// exercise's checks (Runner.Check) and the deployment checklist
// (Runner.Checklist), for the CLI, the TUI and pack validation alike. It
// connects, makes sure the image exists, scans when a check needs a Trivy
// report, runs the check engine and explains what could not be judged.
//
// Saving a verdict is the caller's job: the CLI writes it to the progress
// file, the TUI sends it to its own store as an intent. Record converts a
// report for either.
package attempt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/lab"
	"shipshape/internal/termsafe"
)

// Engine is what an attempt needs of a Docker engine: the checks'
// interface, and the workflow's for scanning and finding images.
type Engine = lab.Docker

// Connector gives the engine an attempt runs against. Session is the real
// one; tests pass fakes.
type Connector interface {
	Connect(ctx context.Context) (Engine, error)
}

// ErrCancelled is returned when ctx ended while checks ran; the containers
// they made have been removed by then.
var ErrCancelled = errors.New("cancelled; the containers made for it were removed")

// Target is what an attempt judges: the learner's images and the
// directory with their Dockerfile.
type Target struct {
	Image, DevImage, Dir string
	// DevImageNamed means the learner named the dev image: the checklist
	// then judges with it even when it is missing (and says so), instead
	// of falling back to the size bound alone.
	DevImageNamed bool
}

// TargetFor is what the learner names (image and devImage, "" for the
// pack's) in dir.
func TargetFor(pack *course.Pack, image, devImage, dir string) Target {
	prod, dev := pack.Images()
	if image == "" {
		image = prod
	}
	if devImage == "" {
		devImage = dev
	}
	return Target{Image: image, DevImage: devImage, Dir: dir}
}

// Runner runs attempts. Its zero value is not usable: Engines and Reports
// are required.
type Runner struct {
	Engines Connector
	// Reports is where Trivy reports are looked up (one given by the
	// learner, or made by a scan of this session) and remembered.
	Reports *Reports
	// ReportDir is where a scan made for a check writes its report.
	ReportDir string
	// ImportAdvice says how this front end takes a Trivy report made
	// elsewhere, e.g. "press I to import it"; empty means the CLI's
	// "pass the report with --trivy-report report.json".
	ImportAdvice string
	// Notify, when not nil, gets one-line notes on long steps ("scanning
	// task-api:prod with Trivy…"), for a CLI that has no progress display.
	Notify func(string)
}

func (r *Runner) notify(format string, args ...any) {
	if r.Notify != nil {
		r.Notify(fmt.Sprintf(format, args...))
	}
}

// Check runs ex's checks against t. onEvent, when not nil, gets each check
// as it starts and ends. The error means nothing could be judged (no
// Dockerfile where one is needed, the daemon or the image missing, ctx
// ended: ErrCancelled); it reads as advice. Without the daemon or the
// image the report still holds the verdicts of the checks that read only
// the Dockerfile, the others unjudged with the reason: the learner sees
// what they can fix before Docker is back, and the caller still treats
// the attempt as one that could not be checked.
func (r *Runner) Check(ctx context.Context, ex *course.Exercise, t Target, onEvent func(check.Event)) (check.Report, error) {
	specs := Specs(ex)
	// A directory without a Dockerfile is a wrong directory, not a failed
	// exercise: say where shipshape looked. An advisory check of the
	// Dockerfile (Docker's build checks in 3.1) does not stop an exercise
	// judged by its image: it reports the missing file itself.
	if NeedsDockerfile(requiredOnly(specs)) {
		abs, err := filepath.Abs(t.Dir)
		if err != nil {
			abs = t.Dir
		}
		if st, err := os.Stat(filepath.Join(abs, "Dockerfile")); err != nil || !st.Mode().IsRegular() {
			return check.Report{}, fmt.Errorf("no Dockerfile in %s; run the check in the directory that holds your Dockerfile, or pass --dir DIR", abs)
		}
	}
	target := check.Target{Image: t.Image, DevImage: t.DevImage, Dir: t.Dir, TrivyReport: r.Reports.Get(t.Image)}
	// Without a report, Trivy runs when it is available (never pulled).
	wantScan := NeedsScan(specs) && target.TrivyReport == ""
	var d check.Docker
	var eng Engine
	var connErr error
	if NeedsDocker(specs) || wantScan {
		eng, connErr = r.engineWithImage(ctx, t.Image)
		if connErr == nil && NeedsDocker(specs) {
			d = eng
		}
	}
	var scanErr error
	if wantScan && connErr == nil {
		r.notify("scanning %s with Trivy…", t.Image)
		var res lab.ScanResult
		if res, scanErr = lab.New(eng).Scan(ctx, t.Image, r.ReportDir); scanErr == nil {
			target.TrivyReport = res.ReportPath
			r.Reports.Set(t.Image, res.ReportPath)
		}
	}
	rep := judge(ctx, d, specs, target, onEvent)
	explainMissingScan(&rep, scanErr, r.ImportAdvice)
	if ctx.Err() != nil {
		return rep, ErrCancelled
	}
	if connErr != nil {
		// The Dockerfile's checks were judged without the engine; the
		// others carry the reason they were not.
		markUnjudged(&rep, connErr)
		return rep, connErr
	}
	return rep, nil
}

// markUnjudged gives the checks that needed the engine (and the scan
// check, which needed it for Trivy) the reason it could not be used.
func markUnjudged(rep *check.Report, reason error) {
	why := "could not check: " + termsafe.Line(reason.Error())
	for i, res := range rep.Results {
		if res.Status == check.StatusError && (check.NeedsDocker(res.Kind) || res.Kind == "scan.no_critical") {
			rep.Results[i].Evidence = []string{why}
		}
	}
}

// judge runs specs on d: the one place a verdict is made, for checks and
// for pack validation.
func judge(ctx context.Context, d check.Docker, specs []check.Spec, t check.Target, onEvent func(check.Event)) check.Report {
	return check.NewEngine(d).Run(ctx, specs, t, onEvent)
}

// engineWithImage connects and makes sure image exists: checking a missing
// image would only produce a wall of errors.
func (r *Runner) engineWithImage(ctx context.Context, image string) (Engine, error) {
	eng, err := r.Engines.Connect(ctx)
	if err != nil {
		return nil, Reason(err)
	}
	if _, err := eng.InspectImage(ctx, image); err != nil {
		return nil, Reason(err)
	}
	return eng, nil
}

// Checklist is the deployment checklist judged against one image.
type Checklist struct {
	Image, ImageID string
	Items          []checklist.ItemResult
}

// Checklist judges pack's deployment checklist against t. The size item
// compares with the dev image when there is one (or when t names it);
// without it the size bound alone judges.
func (r *Runner) Checklist(ctx context.Context, pack *course.Pack, t Target, onEvent func(check.Event)) (Checklist, error) {
	eng, err := r.Engines.Connect(ctx)
	if err != nil {
		return Checklist{}, Reason(err)
	}
	info, err := eng.InspectImage(ctx, t.Image)
	if err != nil {
		return Checklist{}, Reason(err)
	}
	if !t.DevImageNamed {
		if ok, err := eng.ImageExists(ctx, t.DevImage); err != nil || !ok {
			t.DevImage = ""
		}
	}
	target := check.Target{Image: t.Image, DevImage: t.DevImage, Dir: t.Dir, TrivyReport: r.Reports.Get(t.Image)}
	items := checklist.RunItems(ctx, check.NewEngine(eng), checklist.FromPack(pack), target, onEvent)
	if ctx.Err() != nil {
		return Checklist{}, ErrCancelled
	}
	return Checklist{Image: t.Image, ImageID: info.ID, Items: items}, nil
}

// Reason is the one-line message for a Docker error: what happened and
// what to do.
func Reason(err error) error {
	if adv := docker.Advice(err); adv != "" {
		return fmt.Errorf("%v. %s", err, adv)
	}
	return err
}

// explainMissingScan adds why there was no report to the result of the
// scan check, so the learner reads how to install Trivy where it failed.
// importAdvice is how a front end takes a report made elsewhere ("" is
// the CLI's flag).
func explainMissingScan(rep *check.Report, scanErr error, importAdvice string) {
	if importAdvice == "" {
		importAdvice = "pass the report with --trivy-report report.json"
	}
	for i, r := range rep.Results {
		if r.Kind != "scan.no_critical" || r.Status != check.StatusError {
			continue
		}
		switch {
		case scanErr != nil:
			rep.Results[i].Evidence = append(rep.Results[i].Evidence, strings.Split(scanErr.Error(), "\n")...)
			rep.Results[i].Hint = "Install Trivy (see above), or scan elsewhere and " + importAdvice + "."
		case rep.Target.TrivyReport == "":
			// No report at all (no daemon for Trivy to scan with).
			rep.Results[i].Hint = "Scan the image with `trivy image --format json --output report.json " + rep.Target.Image + "` and " + importAdvice + "."
		}
	}
}
