// Package checklist judges a pack's deployment checklist: it runs the check
// kinds the pack names for its items, once each, against a prod image and
// workspace, and gives each item a verdict. The items themselves are course
// data, declared in the pack's manifest.
package checklist

import (
	"context"

	"shipshape/internal/check"
	"shipshape/internal/course"
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
	// Params are the parameters each kind runs with (the checklist's
	// numbers, such as the size bound), by kind.
	Params map[string]map[string]any
}

// FromPack is the checklist the pack declares, in its order; a pack without
// one has an empty checklist. Items only partly judged by a check (the
// secrets item: the image, not the code) still count as judged; the lesson
// tells the learner the rest.
func FromPack(p *course.Pack) []Item {
	out := make([]Item, 0, len(p.Checklist))
	for _, ci := range p.Checklist {
		it := Item{ID: ci.ID, Section: ci.Section, Text: ci.Text}
		for _, c := range ci.Checks {
			it.Kinds = append(it.Kinds, c.Kind)
			if c.Params != nil {
				if it.Params == nil {
					it.Params = map[string]map[string]any{}
				}
				it.Params[c.Kind] = c.Params
			}
		}
		out = append(out, it)
	}
	return out
}

// ItemResult is the verdict on one item and what the checks observed.
type ItemResult struct {
	Item     Item
	Status   Status
	Evidence []string
	// Hint is the first hint of a failed or unjudged check.
	Hint string
}

// RunItems judges every item against target, running each check kind once
// even when several items use it. Kinds that cannot apply are left out and
// their items become Manual with a note: image.smaller_than without a dev
// image, scan.no_critical without a Trivy report. onEvent, when not nil,
// hears the engine's progress.
func RunItems(ctx context.Context, engine *check.Engine, items []Item, target check.Target, onEvent func(check.Event)) []ItemResult {
	skipped := map[string]string{}
	if target.DevImage == "" {
		skipped["image.smaller_than"] = "not compared with a dev image (none given or built)"
	}
	if target.TrivyReport == "" {
		skipped["scan.no_critical"] = "no Trivy report given: scan the image (trivy image --scanners vuln --format json --output report.json IMAGE) and pass --trivy-report report.json"
	}
	var specs []check.Spec
	index := map[string]int{}
	for _, it := range items {
		for _, k := range it.Kinds {
			if _, done := index[k]; done || skipped[k] != "" {
				continue
			}
			index[k] = len(specs)
			specs = append(specs, check.Spec{ID: k, Kind: k, Required: true, Params: it.Params[k]})
		}
	}
	rep := engine.Run(ctx, specs, target, onEvent)

	out := make([]ItemResult, 0, len(items))
	for _, it := range items {
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
