// Package checklist is the syllabus's deployment checklist as data, with
// the check kinds that judge each item, and runs those checks once each
// against a prod image and workspace.
package checklist

import (
	"context"

	"shipshape/internal/check"
)

// Status is the verdict on one checklist item.
type Status string

// The statuses an item can have.
const (
	// Pass means every check judging the item passed.
	Pass Status = "pass"
	// Fail means a check judging the item failed.
	Fail Status = "fail"
	// Manual means no machine can judge the item: the learner checks it.
	Manual Status = "manual"
	// Error means a check judging the item could not be run.
	Error Status = "error"
)

// Item is one line of the deployment checklist.
type Item struct {
	// ID is stable: progress stores ticks under it.
	ID      string
	Section string
	Text    string
	// Kinds are the check kinds that judge the item; empty means "check
	// yourself".
	Kinds []string
}

// Sections in the order the syllabus lists them.
const (
	PreDeployment = "Pre-deployment"
	ImageBuilding = "Image building"
	Configuration = "Configuration"
	Orchestration = "Orchestration (Kubernetes or similar)"
)

// Items is the deployment checklist of the syllabus, with the checks that
// lesson 19 maps to each item. Items only partly judged by a check (the
// secrets item: the image, not the code) still count as judged; the lesson
// tells the learner the rest.
var Items = []Item{
	{ID: "tests-pass", Section: PreDeployment, Text: "All tests pass"},
	{ID: "health-endpoints", Section: PreDeployment, Text: "Health endpoints are implemented",
		Kinds: []string{"image.healthcheck_defined", "container.healthy"}},
	{ID: "logging-configured", Section: PreDeployment, Text: "Logging is configured"},
	{ID: "env-documented", Section: PreDeployment, Text: "Environment variables are documented"},
	{ID: "migrations-tested", Section: PreDeployment, Text: "Database migrations are tested"},
	{ID: "dockerignore", Section: PreDeployment, Text: "A .dockerignore exists and excludes .git, .env, virtual environments and caches",
		Kinds: []string{"dockerignore.present"}},

	{ID: "build-no-warnings", Section: ImageBuilding, Text: "The build succeeds without warnings"},
	{ID: "image-size", Section: ImageBuilding, Text: "The image is under 300 MB, ideally under 200 MB",
		Kinds: []string{"image.size_max", "image.smaller_than", "image.no_build_tools"}},
	{ID: "non-root", Section: ImageBuilding, Text: "It runs as a non-root user",
		Kinds: []string{"image.user_nonroot"}},
	{ID: "health-check-works", Section: ImageBuilding, Text: "The health check works",
		Kinds: []string{"image.healthcheck_defined", "container.healthy"}},
	{ID: "security-scan", Section: ImageBuilding, Text: "The security scan passes (no CRITICAL vulnerabilities)",
		Kinds: []string{"scan.no_critical"}},

	{ID: "secrets-from-env", Section: Configuration, Text: "Secrets come from the environment at run time, never from code or the image",
		Kinds: []string{"image.no_secrets"}},
	{ID: "production-database", Section: Configuration, Text: "The database setting points at the production database"},
	{ID: "production-logging", Section: Configuration, Text: "Logging is configured for production"},
	{ID: "resource-limits", Section: Configuration, Text: "Resource limits are set (memory, CPU)"},

	{ID: "readiness-probe", Section: Orchestration, Text: "A readiness probe is configured"},
	{ID: "liveness-probe", Section: Orchestration, Text: "A liveness probe is configured"},
	{ID: "requests-limits", Section: Orchestration, Text: "Resource requests and limits are set"},
	{ID: "graceful-shutdown", Section: Orchestration, Text: "Graceful shutdown is implemented",
		Kinds: []string{"container.graceful_shutdown"}},
}

// MB is a megabyte as the course counts image sizes.
const MB = 1000 * 1000

// params are the parameters each kind runs with: the checklist's numbers.
var params = map[string]map[string]any{
	"image.size_max": {"max_bytes": 300 * MB, "target_bytes": 200 * MB},
}

// ItemResult is the verdict on one item and what the checks observed.
type ItemResult struct {
	Item     Item
	Status   Status
	Evidence []string
	// Hint is the first hint of a failed or unjudged check.
	Hint string
}

// Run judges every item against target, running each check kind once even
// when several items use it. Kinds that cannot apply are left out and
// their items become Manual with a note: image.smaller_than without a dev
// image, scan.no_critical without a Trivy report. onEvent, when not nil,
// hears the engine's progress.
func Run(ctx context.Context, engine *check.Engine, target check.Target, onEvent func(check.Event)) []ItemResult {
	skipped := map[string]string{}
	if target.DevImage == "" {
		skipped["image.smaller_than"] = "not compared with a dev image (none given or built)"
	}
	if target.TrivyReport == "" {
		skipped["scan.no_critical"] = "no Trivy report given: scan the image (trivy image --scanners vuln --format json --output report.json IMAGE) and pass --trivy-report report.json"
	}
	var specs []check.Spec
	index := map[string]int{}
	for _, it := range Items {
		for _, k := range it.Kinds {
			if _, done := index[k]; done || skipped[k] != "" {
				continue
			}
			index[k] = len(specs)
			specs = append(specs, check.Spec{ID: k, Kind: k, Required: true, Params: params[k]})
		}
	}
	rep := engine.Run(ctx, specs, target, onEvent)

	out := make([]ItemResult, 0, len(Items))
	for _, it := range Items {
		r := ItemResult{Item: it, Status: Manual}
		judged := false
		for _, k := range it.Kinds {
			i, ok := index[k]
			if !ok {
				r.Evidence = append(r.Evidence, skipped[k])
				continue
			}
			res := rep.Results[i]
			st := statusOf(res.Status)
			if st == "" {
				continue
			}
			judged = true
			if rank(st) > rank(r.Status) || r.Status == Manual {
				r.Status = st
			}
			for _, e := range res.Evidence {
				// Items judged by several checks say which saw what.
				if len(it.Kinds) > 1 {
					e = res.Title + ": " + e
				}
				r.Evidence = append(r.Evidence, e)
			}
			if st != Pass && r.Hint == "" {
				r.Hint = res.Hint
			}
		}
		if !judged {
			r.Status = Manual
		}
		out = append(out, r)
	}
	return out
}

// statusOf maps a check verdict; a warning on a required check is an
// advisory part (a size target) and does not fail the item.
func statusOf(s check.Status) Status {
	switch s {
	case check.StatusPass, check.StatusWarn:
		return Pass
	case check.StatusFail:
		return Fail
	case check.StatusError:
		return Error
	}
	return ""
}

func rank(s Status) int {
	switch s {
	case Pass:
		return 1
	case Error:
		return 2
	case Fail:
		return 3
	}
	return 0
}

// Outcome is what a checklist run means for an exit code.
type Outcome int

// The outcomes, in the order of the exit codes they map to.
const (
	// Passed means no judged item failed or was left unjudged.
	Passed Outcome = iota
	// Failed means at least one judged item failed.
	Failed
	// Incomplete means nothing failed but a check could not run.
	Incomplete
)

// OutcomeOf summarises results: a failure outranks a check that could not
// run, as in `shipshape check`.
func OutcomeOf(results []ItemResult) Outcome {
	o := Passed
	for _, r := range results {
		switch r.Status {
		case Fail:
			return Failed
		case Error:
			o = Incomplete
		}
	}
	return o
}

// Lookup returns the item with id.
func Lookup(id string) (Item, bool) {
	for _, it := range Items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}
