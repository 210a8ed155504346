package report

import (
	"io"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
	"shipshape/internal/termsafe"
)

// sarifLevel maps a verdict to SARIF's levels: what did not pass is an
// error when the check is required (or could not run), else a warning.
func sarifLevel(r check.Result) string {
	switch ghLevel(r) {
	case "error":
		return "error"
	case "warning":
		return "warning"
	}
	return "none"
}

// sarifKind is SARIF's result kind: pass for what passed, fail for the rest.
func sarifKind(r check.Result) string {
	switch r.Status {
	case check.StatusPass:
		return "pass"
	case check.StatusSkip:
		return "notApplicable"
	}
	return "fail"
}

func newSARIFRun() *sarif.Run {
	run := sarif.NewRun()
	name := "shipshape"
	run.Tool = sarif.NewTool()
	run.Tool.Driver = sarif.NewToolComponent()
	run.Tool.Driver.Name = &name
	return run
}

func sarifLocation(loc location) *sarif.Location {
	pl := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(loc.file))
	if loc.line > 0 {
		pl = pl.WithRegion(sarif.NewRegion().WithStartLine(loc.line))
	}
	return sarif.NewLocationWithPhysicalLocation(pl)
}

// CheckSARIF writes rep as a SARIF 2.1.0 log, as Trivy, hadolint and
// dockle do: one rule per check (its title, hint and lesson as help), one
// result per check, located in the Dockerfile.
func CheckSARIF(w io.Writer, ex *course.Exercise, rep check.Report) error {
	run := newSARIFRun()
	for _, r := range rep.Results {
		id := ex.ID + "/" + r.ID
		help := r.Hint
		if r.Lesson != "" {
			help = strings.TrimSpace(help + " Read: " + r.Lesson)
		}
		rule := run.AddRule(id).WithName(r.Kind).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(termsafe.Line(r.Title)))
		if help != "" {
			rule.WithHelp(sarif.NewMultiformatMessageString().WithText(termsafe.Line(help)))
		}
		msg := strings.Join(r.Evidence, "\n")
		if msg == "" {
			msg = r.Title
		}
		loc := locate(rep.Target.Dir, r)
		run.AddDistinctArtifact(loc.file)
		run.CreateResultForRule(id).WithLevel(sarifLevel(r)).WithKind(sarifKind(r)).
			WithMessage(sarif.NewTextMessage(termsafe.Text(msg))).AddLocation(sarifLocation(loc))
	}
	return writeSARIF(w, run)
}

// ChecklistSARIF writes the checklist as a SARIF 2.1.0 log, one rule and
// one result per item that a check judges, located at the Dockerfile.
func ChecklistSARIF(w io.Writer, dir string, items []checklist.ItemResult) error {
	run := newSARIFRun()
	file := locate(dir, check.Result{}).file
	run.AddDistinctArtifact(file)
	for _, it := range items {
		if it.Status == checklist.Manual {
			continue
		}
		id := "checklist/" + it.Item.ID
		run.AddRule(id).WithShortDescription(sarif.NewMultiformatMessageString().WithText(termsafe.Line(it.Item.Text)))
		level, kind := "none", "pass"
		if it.Status != checklist.Pass {
			level, kind = "error", "fail"
		}
		msg := strings.Join(append(append([]string(nil), it.Evidence...), it.Hint), "\n")
		if strings.TrimSpace(msg) == "" {
			msg = it.Item.Text
		}
		run.CreateResultForRule(id).WithLevel(level).WithKind(kind).
			WithMessage(sarif.NewTextMessage(termsafe.Text(strings.TrimSpace(msg)))).AddLocation(sarifLocation(location{file: file}))
	}
	return writeSARIF(w, run)
}

// writeSARIF writes the log through the JSON writer, so that C1 controls
// are escaped as in every JSON shipshape writes.
func writeSARIF(w io.Writer, run *sarif.Run) error {
	log := sarif.NewReport()
	log.AddRun(run)
	return JSON(w, log, false)
}
