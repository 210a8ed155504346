package attempt

import (
	"errors"
	"strings"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/progress"
	"shipshape/internal/termsafe"
)

// Specs converts an exercise's declared checks for the check engine.
func Specs(ex *course.Exercise) []check.Spec {
	specs := make([]check.Spec, 0, len(ex.Checks))
	for _, c := range ex.Checks {
		specs = append(specs, check.Spec{ID: c.ID, Kind: c.Kind, Required: c.Required(), Params: c.Params, Hint: c.Hint, Lesson: c.Lesson})
	}
	return specs
}

// NeedsDocker reports whether a check of specs talks to the daemon.
func NeedsDocker(specs []check.Spec) bool {
	for _, s := range specs {
		if check.NeedsDocker(s.Kind) {
			return true
		}
	}
	return false
}

// NeedsDockerfile reports whether a check of specs reads the Dockerfile.
func NeedsDockerfile(specs []check.Spec) bool {
	for _, s := range specs {
		if strings.HasPrefix(s.Kind, "dockerfile.") {
			return true
		}
	}
	return false
}

// requiredOnly is the required checks of specs.
func requiredOnly(specs []check.Spec) []check.Spec {
	var out []check.Spec
	for _, s := range specs {
		if s.Required {
			out = append(out, s)
		}
	}
	return out
}

// NeedsDevImage reports whether a check of specs judges the dev image:
// image.smaller_than against "dev" (its default), or a container.command
// run in it.
func NeedsDevImage(specs []check.Spec) bool {
	for _, s := range specs {
		switch s.Kind {
		case "image.smaller_than":
			if than, _ := s.Params["than"].(string); than == "" || than == "dev" {
				return true
			}
		case "container.command":
			if img, _ := s.Params["image"].(string); img == "dev" {
				return true
			}
		}
	}
	return false
}

// NeedsScan reports whether a check of specs judges a Trivy report.
func NeedsScan(specs []check.Spec) bool {
	for _, s := range specs {
		if s.Kind == "scan.no_critical" {
			return true
		}
	}
	return false
}

// Record is the progress record of a check run.
func Record(rep check.Report) progress.Attempt {
	att := progress.Attempt{
		StartedAt: rep.StartedAt, DurationMS: rep.Duration.Milliseconds(),
		Image: rep.Target.Image, ImageID: rep.ImageID, Passed: rep.Passed(),
	}
	for _, r := range rep.Results {
		att.Checks = append(att.Checks, progress.CheckRecord{
			ID: r.ID, Kind: r.Kind, Title: r.Title, Status: string(r.Status), Required: r.Required,
			Evidence: r.Evidence, DurationMS: r.Duration.Milliseconds(),
		})
	}
	return att
}

// NotSaved says why a verdict was not kept in the progress file, from the
// error of opening it or of RecordAttempt, and what to do.
func NotSaved(err error) string {
	switch {
	case errors.Is(err, progress.ErrNewerFile):
		return "this result was not recorded, because the progress file is from a newer shipshape (see above)"
	case errors.Is(err, progress.ErrReadOnly):
		return "this result was not recorded: another shipshape (the course in another terminal?) " +
			"holds your progress; check from there with c, or close it and check again"
	}
	return "the result was not saved to your progress: " + termsafe.Line(err.Error())
}

// Unjudged is the report of an attempt that could not run at all: every
// check an error carrying reason, so that CI still gets a report to show.
func Unjudged(ex *course.Exercise, t Target, reason string) check.Report {
	rep := check.Report{Target: check.Target{Image: t.Image, DevImage: t.DevImage, Dir: t.Dir}, StartedAt: time.Now()}
	reason = termsafe.Line(reason)
	for _, sp := range Specs(ex) {
		title := sp.Kind
		if c, err := check.Build(sp); err == nil {
			title = c.Title()
		}
		rep.Results = append(rep.Results, check.Result{ID: sp.ID, Kind: sp.Kind, Title: title, Status: check.StatusError,
			Required: sp.Required, Evidence: []string{reason}, Hint: sp.Hint, Lesson: sp.Lesson})
	}
	return rep
}
