package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/termsafe"
)

// Drawing the exercise screen: the check rows, then one lower area (a
// question, the tasks, the activity log or the selected check's details),
// then the verdict line.

// verdict is how a check's state shows: its mark, the word for it and
// their style. A running check's mark is the spinner.
func (e *exerciseScreen) verdict(row checkRow) (mark, word string, style lipgloss.Style) {
	switch {
	case row.running:
		return e.spin.View(), "running…", e.st.muted
	case !row.done:
		return "·", "not checked", e.st.muted
	}
	switch row.result.Status {
	case check.StatusPass:
		return "✓", "passed", e.st.ok
	case check.StatusFail:
		return "✗", "failed", e.st.bad
	case check.StatusWarn:
		return "!", "warning", e.st.warn
	case check.StatusSkip:
		return "-", "skipped", e.st.muted
	}
	return "?", "could not check", e.st.warn
}

func (e *exerciseScreen) mark(row checkRow) string {
	mark, _, style := e.verdict(row)
	if row.running {
		return mark
	}
	return style.Render(mark)
}

// View implements component: the screen in e.height lines.
func (e *exerciseScreen) View() string {
	if e.detailOpen {
		return e.detailView()
	}
	w := e.width
	title := e.st.title.Render(fmt.Sprintf("Exercise %s · %s", termsafe.Line(e.exercise.ID), termsafe.Line(e.exercise.Title)))
	var badges []string
	switch {
	case e.passed && e.report != nil && !e.report.Passed():
		badges = append(badges, e.st.warn.Render("passed before"))
	case e.passed:
		badges = append(badges, e.st.ok.Render("passed"))
	}
	if e.watching {
		badges = append(badges, e.st.warn.Render("● watching"))
	}
	if e.running != nil {
		h := e.health
		if h == "" {
			h = "running"
		}
		badges = append(badges, e.st.warn.Render("▶ "+h))
	}
	lines := []string{joinEnds(title, strings.Join(badges, "  "), w)}
	sub := ""
	switch {
	case e.workflow != nil && !e.hasProject:
		sub = "no Dockerfile in " + e.dir + ": press i to write the starter there"
	case e.checker != nil:
		sub = "checking " + e.describe
	}
	lines = append(lines, e.st.muted.Render(ansi.Truncate(shortenTail(termsafe.Line(sub), termsafe.Line(e.dir), w), w, "…")))
	l := e.layout()
	if l.blank {
		lines = append(lines, "")
	}
	for i := l.first; i < l.last; i++ {
		lines = append(lines, e.rowView(i, e.rows[i]))
	}
	lines = append(lines, e.paneRule(l))
	if e.showLog() && e.confirm == confirmNone && !e.importing && !e.showTasks {
		lines = append(lines, e.activityTitleView())
	}
	lines = append(lines, strings.Split(e.pane.View(), "\n")...)
	for len(lines) < e.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:max(0, e.height-1)], e.footerView())
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], w, "")
	}
	return strings.Join(lines, "\n")
}

func (e *exerciseScreen) rowView(i int, row checkRow) string {
	cursor := "  "
	if i == e.selected {
		cursor = e.st.selected.Render("› ")
	}
	level := "required"
	if !row.decl.Required() {
		level = "advisory"
	}
	right := level
	if row.done {
		right = fmt.Sprintf("%s · %s", level, row.result.Duration.Round(100*time.Millisecond))
	}
	title := termsafe.Line(row.title)
	if i == e.selected {
		title = e.st.selected.Render(title)
	}
	return joinEnds(cursor+e.mark(row)+" "+title, e.st.muted.Render(right), e.width)
}

func (e *exerciseScreen) activityTitleView() string {
	title := e.activityTitle
	if e.op != opNone && e.op != opCheck {
		title = e.spin.View() + " " + title
	}
	return e.st.header.Render(ansi.Truncate(termsafe.Line(title), e.width, "…"))
}

// activityLines are the log below its title: every line wrapped, none cut.
func (e *exerciseScreen) activityLines() []string {
	var out []string
	if e.notice != "" {
		// The notice is often the one thing to act on.
		out = append(out, wrapLines(e.st.warn.Render(e.notice), e.width, "")...)
	}
	if e.readsFromTop() {
		// A measurement or notes: laid out for the width already.
		for _, l := range e.activity {
			out = append(out, "  "+l)
		}
		return out
	}
	for _, l := range e.activity {
		out = append(out, wrapLines(l, e.width, "  ")...)
	}
	return out
}

// taskLines are the exercise's tasks, as the lesson declares them.
func (e *exerciseScreen) taskLines() []string {
	out := []string{e.st.header.Render("Tasks")}
	for i, t := range e.exercise.Tasks {
		out = append(out, wrapLines(fmt.Sprintf("%d. %s", i+1, e.st.inline(t)), e.width-2, "   ")...)
	}
	return append(out, e.st.muted.Render("  tab: log and check details · h: a hint"))
}

func (e *exerciseScreen) importLines() []string {
	out := []string{e.st.header.Render("Import a Trivy JSON report of " + termsafe.Line(e.runImage) + ":"), "  " + e.input.View()}
	out = append(out, wrapLines(e.st.muted.Render("enter: use it and check again · esc: cancel"), e.width-2, "  ")...)
	return append(out, wrapLines(e.st.muted.Render("make one with: trivy image --scanners vuln --format json --output report.json "+termsafe.Line(e.runImage)), e.width-2, "  ")...)
}

// detailLines are the selected check's evidence, hint and lesson, and the
// hints revealed so far.
func (e *exerciseScreen) detailLines() []string {
	var out []string
	if e.notice != "" {
		// Wrapped, not cut: the notice is often the one thing to act on.
		out = append(out, wrapLines(e.st.warn.Render(e.notice), e.width, "")...)
	}
	if e.runErr != "" && !e.anyDone() {
		out = append(out, wrapLines(e.st.bad.Render("Could not check: ")+e.runErr, e.width, "")...)
	} else if len(e.rows) > 0 {
		row := e.rows[e.selected]
		out = append(out, e.st.header.Render(termsafe.Line(row.title))+e.st.muted.Render(" ("+row.decl.Kind+")"))
		switch {
		case row.running:
			out = append(out, e.st.muted.Render("  running…"))
		case !row.done:
			out = append(out, e.st.muted.Render("  not checked yet: press c"))
		default:
			for _, ev := range row.result.Evidence {
				out = append(out, wrapLines("• "+termsafe.Line(ev), e.width-2, "  ")...)
			}
			if row.result.Status != check.StatusPass && row.result.Hint != "" {
				out = append(out, wrapLines(e.st.warn.Render("hint: ")+e.st.inline(row.result.Hint), e.width-2, "  ")...)
			}
			if row.result.Status != check.StatusPass && row.decl.Lesson != "" {
				out = append(out, wrapLines(e.st.muted.Render("learn: "+e.lessonRef(row.decl)), e.width-2, "  ")...)
			}
		}
	}
	for i := 0; i < e.hints && i < len(e.exercise.Hints); i++ {
		out = append(out, wrapLines(e.st.warn.Render(fmt.Sprintf("hint %d/%d: ", i+1, len(e.exercise.Hints)))+e.st.inline(e.exercise.Hints[i]), e.width-2, "  ")...)
	}
	return out
}

func (e *exerciseScreen) confirmLines() []string {
	switch e.confirm {
	case confirmSolution:
		return []string{
			e.st.warn.Render("Copy the reference solution of exercise " + e.exercise.ID + " into your workspace?"),
			e.solutionWhy(),
			"  Files of yours that differ are kept as FILE.backup-TIME.",
			e.st.header.Render("  y: copy it   n: not now"),
		}
	case confirmReset:
		return []string{
			e.st.warn.Render("Reset " + e.resetFile + " to the starter's version?"),
			"  Your version is kept as " + e.resetFile + ".backup-TIME.",
			e.st.muted.Render("  ←/→ choose another file"),
			e.st.header.Render("  y: reset it   n: keep it"),
		}
	}
	return e.buildConfirmLines()
}

// lessonRef names the lesson a check links to by its title and heading.
func (e *exerciseScreen) lessonRef(d course.Check) string {
	id, anchor := d.LessonRef()
	i := -1
	if e.pack != nil {
		i = e.pack.Index(id)
	}
	if i < 0 {
		return termsafe.Line(d.Lesson)
	}
	ref := fmt.Sprintf("lesson %d, %q", i+1, termsafe.Line(e.pack.Lessons[i].Title))
	if h := e.headings[d.ID]; h != "" {
		ref += " › " + termsafe.Line(h)
	} else if anchor != "" {
		ref += " › " + termsafe.Line(anchor)
	}
	return ref
}

func (e *exerciseScreen) footerView() string {
	switch {
	case e.op != opNone && e.canceled:
		return e.st.warn.Render("cancelling: removing the containers this made…")
	case e.op == opCheck:
		done := 0
		for _, r := range e.rows {
			if r.done {
				done++
			}
		}
		return e.st.muted.Render(fmt.Sprintf("%s %d of %d checks done · %s · x cancels", e.spin.View(), done, len(e.rows), e.elapsed))
	case e.op != opNone:
		return e.st.muted.Render(fmt.Sprintf("%s working · %s · x cancels", e.spin.View(), e.elapsed))
	case e.runErr != "" && e.anyDone():
		return e.st.warn.Render("? the checks marked ? could not run: fix what their details say, then press c")
	case e.runErr != "":
		if e.keys.BuildProd.Enabled() {
			return e.st.bad.Render("not judged: fix the problem above, then press c (b builds your prod image here)")
		}
		return e.st.bad.Render("not judged: fix the problem above, then press c")
	case e.report == nil:
		if e.watching {
			return e.st.muted.Render("watching for saved changes: they rebuild " + "prod and check again")
		}
		return e.st.muted.Render("press c to check the image as it is; b builds it from your Dockerfile")
	}
	failed, warned := 0, 0
	for _, r := range e.report.Results {
		switch {
		case r.Required && r.Status != check.StatusPass:
			failed++
		case r.Status == check.StatusWarn:
			warned++
		}
	}
	dur := e.report.Duration.Round(100 * time.Millisecond)
	switch e.report.Outcome() {
	case check.OutcomePassed:
		msg := fmt.Sprintf("✓ exercise %s passed in %s", e.exercise.ID, dur)
		if warned > 0 {
			msg += fmt.Sprintf(" · %d advisory note(s)", warned)
		}
		return e.st.ok.Render(msg)
	case check.OutcomeFailed:
		return e.st.bad.Render(fmt.Sprintf("✗ %d required check(s) not passed · %s · fix, save, press c", failed, dur))
	default:
		return e.st.warn.Render(fmt.Sprintf("? %d required check(s) could not be judged · %s", failed, dur))
	}
}

// anyDone reports whether a check has a verdict (or a reason it has none).
func (e *exerciseScreen) anyDone() bool {
	for _, r := range e.rows {
		if r.done {
			return true
		}
	}
	return false
}

// shortenTail fits line into width by cutting the front of the path it
// ends with ("…/work/ws"), so the image names before it stay whole: the
// end of a path names the project, its start the home directory.
func shortenTail(line, path string, width int) string {
	over := ansi.StringWidth(line) - width
	if over <= 0 || path == "" || !strings.HasSuffix(line, path) {
		return line
	}
	keep := ansi.StringWidth(path) - over - 1 // room for the "…"
	if keep < 8 {
		return line
	}
	r := []rune(path)
	for ansi.StringWidth(string(r)) > keep {
		r = r[1:]
	}
	return strings.TrimSuffix(line, path) + "…" + string(r)
}
