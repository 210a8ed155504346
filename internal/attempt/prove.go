package attempt

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
	"shipshape/internal/docker"
	"shipshape/internal/lab"
	"shipshape/internal/scratch"
	"shipshape/internal/workspace"
)

// Builder is what Prove needs of a Docker engine: an attempt's Engine
// (which builds), and removing the images it built. The adapter in
// internal/docker implements it.
type Builder interface {
	Engine
	RemoveBuiltImage(ctx context.Context, ref string) error
}

var _ Builder = (*docker.Client)(nil)

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
	specs := Specs(ex)
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
		st.Report = judge(ctx, b, specs, check.Target{Image: st.Tag, DevImage: pr.Starter.Tag, Dir: ws}, nil)
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

// ExplainProofError is the message for an error of Prove, after removing
// what is left of this session's containers: the cause first (or that the
// learner interrupted), then what was cleaned up. Removal is claimed only
// where it happened; for the rest it says how to remove it.
func (s *Session) ExplainProofError(err error, interrupted bool) string {
	var ce *CleanupError
	errors.As(err, &ce)
	if interrupted {
		return "interrupted; " + s.cleanupAfterProof(ce)
	}
	msg := Reason(withoutCleanup(err)).Error()
	if ce != nil {
		msg += "\n" + s.cleanupAfterProof(ce)
	}
	return msg
}

func (s *Session) cleanupAfterProof(ce *CleanupError) string {
	ctx, cancel := context.WithTimeout(context.Background(), sessionCloseTimeout)
	defer cancel()
	cerr := s.removeMade(ctx)
	if ce == nil && cerr == nil {
		return "the images and containers made for the validation were removed"
	}
	var parts []string
	if ce == nil {
		parts = append(parts, "the validation images were removed")
	} else {
		parts = append(parts, fmt.Sprintf("shipshape could not make sure the validation images %s were removed (%s); "+
			"once Docker answers, see `docker images %s` and remove what is there with `docker rmi IMAGE`",
			strings.Join(ce.Images, ", "), removalProblem(ce.Err), ImageRepo+"/*"))
	}
	if cerr == nil {
		parts = append(parts, "no containers of the validation are left")
	} else {
		parts = append(parts, fmt.Sprintf("some of its containers could not be removed (%s); the next shipshape command that reaches the daemon removes them",
			removalProblem(cerr)))
	}
	return strings.Join(parts, "; ")
}

// removalProblem says briefly why a removal failed.
func removalProblem(err error) string {
	if errors.Is(err, context.DeadlineExceeded) || docker.KindOf(err) == docker.Stalled {
		return "the Docker daemon did not answer"
	}
	return err.Error()
}

// withoutCleanup drops the CleanupError from the errors Prove joined, so
// the cause of the failure is shown first and the cleanup once.
func withoutCleanup(err error) error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	var rest []error
	for _, e := range j.Unwrap() {
		var ce *CleanupError
		if !errors.As(e, &ce) {
			rest = append(rest, e)
		}
	}
	if len(rest) == 1 {
		return rest[0]
	}
	return errors.Join(rest...)
}
