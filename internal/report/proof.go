package report

import (
	"fmt"
	"io"
	"strings"

	"shipshape/internal/attempt"
	"shipshape/internal/check"
	"shipshape/internal/termsafe"
)

// Proof writes one exercise's Docker validation: whether the starter
// failed and the solution passed, and the checks that say otherwise.
func Proof(w io.Writer, pr attempt.Proof) {
	say := func(format string, args ...any) {
		fmt.Fprintf(w, "exercise %s: %s\n", termsafe.Line(pr.Exercise), fmt.Sprintf(format, args...))
	}
	if pr.Skipped != "" {
		say("skipped: %s", termsafe.Line(pr.Skipped))
		return
	}
	if !pr.Starter.Built() {
		say("the starter does not build: %s", termsafe.Line(pr.Starter.BuildError))
		return
	}
	switch rep := pr.Starter.Report; rep.Outcome() {
	case check.OutcomeFailed:
		say("starter fails as it should (%s)", summarize(rep, check.StatusFail))
	case check.OutcomePassed:
		say("the starter PASSES every required check: the exercise asks for nothing; make a required check fail on the starter")
	default:
		say("the starter could not be judged: %s", summarize(rep, check.StatusError))
		proofFailures(w, rep)
	}
	if !pr.Solution.Built() {
		say("the solution does not build: %s", termsafe.Line(pr.Solution.BuildError))
		return
	}
	switch rep := pr.Solution.Report; rep.Outcome() {
	case check.OutcomePassed:
		say("solution passes")
	case check.OutcomeFailed:
		say("the solution FAILS: %s", summarize(rep, check.StatusFail))
		proofFailures(w, rep)
	default:
		say("the solution could not be judged: %s", summarize(rep, check.StatusError))
		proofFailures(w, rep)
	}
}

// summarize names the required checks that failed (st fail) or could
// not be judged.
func summarize(rep check.Report, st check.Status) string {
	tally := rep.Tally()
	ids, what := tally.RequiredFailed, "failed"
	if st != check.StatusFail {
		ids, what = tally.RequiredUnjudged, "could not be judged"
	}
	return fmt.Sprintf("%d required %s: %s", len(ids), what, strings.Join(ids, ", "))
}

func proofFailures(w io.Writer, rep check.Report) {
	for _, r := range rep.Results {
		if r.Status == check.StatusPass || r.Status == check.StatusWarn {
			continue
		}
		fmt.Fprintf(w, "  %s %s\n", r.Status, r.ID)
		for _, e := range r.Evidence {
			fmt.Fprintf(w, "    %s\n", termsafe.Line(e))
		}
		if r.Status == check.StatusError && r.Hint != "" {
			fmt.Fprintf(w, "    hint: %s\n", termsafe.Line(r.Hint))
		}
	}
}
