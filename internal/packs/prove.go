package packs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/lab"
	"shipshape/internal/scratch"
	"shipshape/internal/workspace"
)

// Builder is what Prove needs of a Docker engine: the checks' interface,
// building images, and removing the images it built. The adapter in
// internal/docker implements it.
type Builder interface {
	check.Docker
	BuildImage(ctx context.Context, req lab.BuildRequest, onEvent func(lab.BuildEvent)) (lab.BuildResult, error)
	RemoveBuiltImage(ctx context.Context, ref string) error
}

// ImageRepo is the repository Prove tags its images in.
const ImageRepo = "shipshape-validate"

// Stage is one build-and-check of an exercise: the starter or the solution.
type Stage struct {
	// Tag is the image built, e.g. shipshape-validate/mypack-1.1:starter.
	Tag string
	// BuildError is set when the image did not build: the failed step and
	// the builder's message.
	BuildError string
	// Report is the checks' verdicts, when the image built.
	Report check.Report
}

// Built reports whether the stage's image was built.
func (s Stage) Built() bool { return s.BuildError == "" && s.Tag != "" }

// Proof is the Docker validation of one exercise.
type Proof struct {
	Exercise string
	// Skipped says why the exercise was not proved (no solution...).
	Skipped  string
	Starter  Stage
	Solution Stage
}

// OK reports whether the starter built and failed a required check, and
// the solution built and passed every required check.
func (p Proof) OK() bool {
	return p.Skipped == "" && p.Starter.Built() && p.Starter.Report.Outcome() == check.OutcomeFailed &&
		p.Solution.Built() && p.Solution.Report.Outcome() == check.OutcomePassed
}

// Prove builds the starter and the reference solution of every exercise
// that has one and runs the exercise's checks against both: a starter that
// passes asks nothing of the learner, and a solution that fails means the
// checks or the solution are wrong. onProof, when not nil, gets each proof
// as it is ready. The images are removed before Prove returns. The error
// is for trouble with Docker or the files, or ctx ending; the verdicts are
// in the proofs. The workspaces are made in tmp, so that a kill -9 leaves
// them for the next shipshape to remove.
func Prove(ctx context.Context, b Builder, p *course.Pack, tmpDir *scratch.Dir, onProof func(Proof)) (proofs []Proof, err error) {
	if onProof == nil {
		onProof = func(Proof) {}
	}
	tmp, err := tmpDir.MkdirTemp("validate")
	if err != nil {
		return nil, fmt.Errorf("cannot prepare the Docker validation: %w", err)
	}
	defer os.RemoveAll(tmp)
	var tags []string
	defer func() {
		if ce := removeImages(ctx, b, tags); ce != nil {
			err = errors.Join(err, ce)
		}
	}()
	for _, ex := range p.Exercises() {
		pr := Proof{Exercise: ex.ID}
		switch {
		case p.Workspace == nil:
			pr.Skipped = "the pack has no workspace with a starter"
		case ex.Solution == "":
			pr.Skipped = "the exercise has no reference solution (add solution: to it)"
		default:
			if err := prove(ctx, b, p, ex, filepath.Join(tmp, tagPart(ex.ID)), &pr, &tags); err != nil {
				return proofs, err
			}
		}
		proofs = append(proofs, pr)
		onProof(pr)
	}
	return proofs, nil
}

// CleanupError names the validation images Prove could not make sure
// were removed: the removal failed, or was not tried because the daemon
// had stopped answering. An image whose build never finished may not
// exist at all.
type CleanupError struct {
	Images []string
	Err    error
}

func (e *CleanupError) Error() string {
	return fmt.Sprintf("cannot make sure the validation images %s were removed: %v", strings.Join(e.Images, ", "), e.Err)
}

func (e *CleanupError) Unwrap() error { return e.Err }

// removeImages removes the images Prove tagged, also after ctx ended.
// Once the daemon leaves one removal unanswered the rest are not tried:
// each would wait as long, and the learner is waiting after a Ctrl-C.
func removeImages(ctx context.Context, b Builder, tags []string) *CleanupError {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	var ce *CleanupError
	for i, t := range tags {
		rerr := b.RemoveBuiltImage(rctx, t)
		if rerr == nil {
			continue
		}
		if ce == nil {
			ce = &CleanupError{}
		}
		ce.Images = append(ce.Images, t)
		ce.Err = errors.Join(ce.Err, fmt.Errorf("%s: %w", t, rerr))
		if errors.Is(rerr, context.DeadlineExceeded) || !checkEngineOK(rerr) {
			ce.Images = append(ce.Images, tags[i+1:]...)
			break
		}
	}
	return ce
}

// checkEngineOK reports whether err leaves the engine usable: not one of
// the errors that say it cannot be reached or has stopped answering.
func checkEngineOK(err error) bool {
	var ep interface{ EngineProblem() bool }
	return !errors.As(err, &ep) || !ep.EngineProblem()
}

func prove(ctx context.Context, b Builder, p *course.Pack, ex *course.Exercise, ws string, pr *Proof, tags *[]string) error {
	if _, err := workspace.Init(p.FS, p.Workspace.Starter, ws, false); err != nil {
		return fmt.Errorf("cannot copy the starter of exercise %s: %w", ex.ID, err)
	}
	base := ImageRepo + "/" + tagPart(p.ID) + "-" + tagPart(ex.ID)
	pr.Starter.Tag, pr.Solution.Tag = base+":starter", base+":solution"
	specs := make([]check.Spec, 0, len(ex.Checks))
	for _, c := range ex.Checks {
		specs = append(specs, check.Spec{ID: c.ID, Kind: c.Kind, Required: c.Required(), Params: c.Params, Hint: c.Hint, Lesson: c.Lesson})
	}
	eng := check.NewEngine(b)
	stage := func(st *Stage) error {
		*tags = append(*tags, st.Tag)
		res, err := b.BuildImage(ctx, lab.BuildRequest{Dir: ws, Tag: st.Tag}, nil)
		if err != nil {
			if strings.Contains(err.Error(), st.Tag) {
				return err // the adapter's errors already say what was built
			}
			return fmt.Errorf("cannot build %s: %w", st.Tag, err)
		}
		if !res.OK() {
			st.BuildError = strings.TrimSpace(res.FailedStep + " " + res.Error)
			if st.BuildError == "" {
				st.BuildError = "the build produced no image"
			}
			return nil
		}
		// The starter stands in for the dev image, for image.smaller_than.
		st.Report = eng.Run(ctx, specs, check.Target{Image: st.Tag, DevImage: pr.Starter.Tag, Dir: ws}, nil)
		if ctx.Err() != nil {
			return fmt.Errorf("validation of exercise %s stopped: %w", ex.ID, ctx.Err())
		}
		return nil
	}
	if err := stage(&pr.Starter); err != nil || !pr.Starter.Built() {
		return err
	}
	if _, err := workspace.Apply(p.FS, ex.Solution, ws); err != nil {
		return fmt.Errorf("cannot apply the solution of exercise %s: %w", ex.ID, err)
	}
	return stage(&pr.Solution)
}

var notTagChars = regexp.MustCompile(`[^a-z0-9._-]+`)

// tagPart makes an id usable in an image reference.
func tagPart(s string) string {
	return strings.Trim(notTagChars.ReplaceAllString(strings.ToLower(s), "-"), ".-_")
}
