package report

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
	"shipshape/internal/termsafe"
)

// GitHub Actions reads workflow commands from a step's output: one line
// each, "::error file=F,line=N,title=T::message". Values are escaped as
// the Actions toolkit does: %, CR and LF in the message, and also : and ,
// in the properties.
var (
	ghData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// ghCommand is one workflow command line.
func ghCommand(name string, loc location, title, message string) string {
	var props []string
	if loc.file != "" {
		props = append(props, "file="+ghProperty.Replace(loc.file))
	}
	if loc.line > 0 {
		props = append(props, fmt.Sprintf("line=%d", loc.line))
	}
	if title != "" {
		props = append(props, "title="+ghProperty.Replace(termsafe.Line(title)))
	}
	cmd := "::" + name
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	return cmd + "::" + ghData.Replace(termsafe.Text(message))
}

// ghLevel is the command for a result: failures of required checks and
// checks that could not run are errors, the rest that did not pass warnings.
func ghLevel(r check.Result) string {
	switch {
	case r.Status == check.StatusPass, r.Status == check.StatusSkip:
		return ""
	case r.Status == check.StatusError, r.Status == check.StatusFail && r.Required:
		return "error"
	}
	return "warning"
}

// quoted writes text that came from the pack, the image or its containers
// between ::stop-commands:: and its token, so that a line of it that looks
// like a workflow command ("::add-mask::", "::error::") is printed, never
// obeyed.
func quoted(w io.Writer, text func(io.Writer)) error {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	token := "shipshape-" + hex.EncodeToString(b)
	fmt.Fprintf(w, "::stop-commands::%s\n", token)
	text(w)
	_, err := fmt.Fprintf(w, "::%s::\n", token)
	return err
}

// CheckGitHub writes rep for GitHub Actions: the text report (quoted),
// then an error or warning annotation per check that did not pass, on the
// Dockerfile line its evidence names.
func CheckGitHub(w io.Writer, ex *course.Exercise, rep check.Report) error {
	if err := quoted(w, func(w io.Writer) { CheckText(w, ex, rep) }); err != nil {
		return err
	}
	for _, r := range rep.Results {
		level := ghLevel(r)
		if level == "" {
			continue
		}
		title := fmt.Sprintf("%s %s: %s", ex.ID, r.ID, r.Title)
		if r.Status == check.StatusError {
			title += " (could not check)"
		}
		if _, err := fmt.Fprintln(w, ghCommand(level, locate(rep.Target.Dir, r), title, strings.Join(explanation(r), "\n"))); err != nil {
			return err
		}
	}
	return nil
}

// CheckSummary writes rep as the Markdown of a GitHub job summary.
func CheckSummary(w io.Writer, ex *course.Exercise, rep check.Report) error {
	tally := rep.Tally()
	verdict := map[check.Outcome]string{check.OutcomePassed: "✅ passed", check.OutcomeFailed: "❌ not passed",
		check.OutcomeIncomplete: "⚠️ could not check"}[tally.Outcome()]
	fmt.Fprintf(w, "### shipshape %s: %s — %s\n\n", mdCell(ex.ID), mdCell(ex.Title), verdict)
	fmt.Fprintf(w, "Image `%s` · %d of %d required checks passed\n\n", mdCode(rep.Target.Image), tally.RequiredPassed, tally.Required)
	fmt.Fprintln(w, "| | Check | Level | Evidence |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range rep.Results {
		level := "required"
		if !r.Required {
			level = "advisory"
		}
		_, err := fmt.Fprintf(w, "| %s | %s | %s | %s |\n", statusIcon[r.Status], mdCell(r.Title), level, mdCell(strings.Join(explanation(r), " · ")))
		if err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

var statusIcon = map[check.Status]string{
	check.StatusPass: "✅", check.StatusFail: "❌", check.StatusWarn: "⚠️", check.StatusError: "❗", check.StatusSkip: "➖",
}

// mdCell makes text safe in a Markdown table cell: one line, no pipe
// breaking the row, no HTML.
var mdEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "\n", " ")

func mdCell(s string) string { return mdEscaper.Replace(termsafe.Line(s)) }

// mdCode is text for inline code: backticks would end it.
func mdCode(s string) string { return strings.ReplaceAll(termsafe.Line(s), "`", "'") }

// ChecklistGitHub writes the checklist for GitHub Actions: the text
// (quoted) and an error annotation per failed or unjudged item, on the
// Dockerfile in dir.
func ChecklistGitHub(w io.Writer, dir, image, imageID string, items []checklist.ItemResult, ticked map[string]bool) error {
	if err := quoted(w, func(w io.Writer) { ChecklistText(w, image, imageID, items, ticked) }); err != nil {
		return err
	}
	loc := location{file: filepath.ToSlash(filepath.Join(dir, "Dockerfile"))}
	for _, r := range items {
		if r.Status != checklist.Fail && r.Status != checklist.Error {
			continue
		}
		lines := append([]string(nil), r.Evidence...)
		if r.Hint != "" {
			lines = append(lines, "hint: "+r.Hint)
		}
		title := "checklist " + r.Item.ID + ": " + r.Item.Text
		if r.Status == checklist.Error {
			title += " (could not check)"
		}
		if _, err := fmt.Fprintln(w, ghCommand("error", loc, title, strings.Join(lines, "\n"))); err != nil {
			return err
		}
	}
	return nil
}

// AppendJobSummary adds Markdown to the GitHub Actions job summary, the
// file $GITHUB_STEP_SUMMARY names, when it is set.
func AppendJobSummary(write func(io.Writer) error) error {
	path := os.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("cannot append to the job summary: %w", err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
