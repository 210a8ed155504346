package tui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"shipshape/internal/course"
	"shipshape/internal/lab"
	"shipshape/internal/termsafe"
	"shipshape/internal/workspace"
)

// The operations of the exercise screen besides checking: build, scan,
// measure, import a report, and the workspace files (starter, solution,
// reset). One runs at a time; each streams its progress.

// maxActivityLines bounds the build log kept on screen.
const maxActivityLines = 400

// Messages of the operations; opID tells a cancelled operation's late
// messages from the current one's.
type (
	buildEventMsg struct {
		opID int
		ev   lab.BuildEvent
	}
	buildDoneMsg struct {
		opID   int
		tag    string
		result lab.BuildResult
		err    error
		// thenCheck runs the checks after a successful build (watch mode).
		thenCheck bool
	}
	scanDoneMsg struct {
		opID   int
		result lab.ScanResult
		err    error
	}
	measureProgressMsg struct {
		opID int
		text string
	}
	measureDoneMsg struct {
		opID int
		m    lab.Measurement
		err  error
	}
	filesDoneMsg struct {
		opID int
		// done and failed title the outcome.
		done, failed string
		res          workspace.Result
		err          error
	}
	reportImportedMsg struct {
		path string
		err  error
	}
)

// busy reports whether an operation is in progress.
func (e *exerciseScreen) busy() bool { return e.op != opNone }

// begin starts a new operation and returns its context. A title shows the
// activity log under it.
func (e *exerciseScreen) begin(kind opKind, title string) (context.Context, int) {
	e.cancelOp()
	e.opID++
	e.op, e.canceled, e.opStart, e.elapsed = kind, false, time.Now(), 0
	ctx, cancel := context.WithCancel(context.Background())
	e.opCancel = cancel
	if title != "" {
		e.activityTitle = title
		e.activity = nil
		e.showActivity, e.showTasks = true, false
		e.measure = nil
	}
	e.notesShown = false
	return ctx, e.opID
}

// stream runs the operation's work in the background, with the spinner.
func (e *exerciseScreen) stream(ctx context.Context, work func(s sender) tea.Msg) tea.Cmd {
	return tea.Batch(streamCmd(ctx, work), e.spin.Tick)
}

// end closes the current operation.
func (e *exerciseScreen) end() {
	if e.opCancel != nil {
		e.opCancel()
	}
	e.op, e.opCancel = opNone, nil
}

// cancelOp cancels a running operation; its containers are removed by the
// code that made them before its done message arrives.
func (e *exerciseScreen) cancelOp() {
	if e.op != opNone && e.opCancel != nil {
		e.opCancel()
		e.canceled = true
	}
}

func (e *exerciseScreen) addActivity(lines ...string) {
	for _, l := range lines {
		e.activity = append(e.activity, termsafe.Line(l))
	}
	if over := len(e.activity) - maxActivityLines; over > 0 {
		e.activity = append([]string(nil), e.activity[over:]...)
	}
}

// startBuild builds tag from the workspace's Dockerfile.
func (e *exerciseScreen) startBuild(tag string, thenCheck bool) tea.Cmd {
	wf := e.workflow
	return e.startBuildWith(tag, "Building "+tag+" from "+e.dir, thenCheck,
		func(ctx context.Context, on func(lab.BuildEvent)) (lab.BuildResult, error) {
			return wf.Build(ctx, tag, on)
		})
}

// startBuildWith runs build, a build of tag, as the current operation.
func (e *exerciseScreen) startBuildWith(tag, title string, thenCheck bool, build func(context.Context, func(lab.BuildEvent)) (lab.BuildResult, error)) tea.Cmd {
	ctx, id := e.begin(opBuild, title)
	return e.stream(ctx, func(s sender) tea.Msg {
		res, err := build(ctx, func(ev lab.BuildEvent) { s.Send(buildEventMsg{opID: id, ev: ev}) })
		return buildDoneMsg{opID: id, tag: tag, result: res, err: err, thenCheck: thenCheck}
	})
}

func (e *exerciseScreen) onBuildEvent(msg buildEventMsg) {
	if msg.opID != e.opID {
		return
	}
	if msg.ev.Step != "" {
		e.activityTitle = "Building: " + termsafe.Line(msg.ev.Step)
	}
	if msg.ev.Line != "" {
		e.addActivity(msg.ev.Line)
	}
}

// onBuildDone shows how the build ended; a good build in watch mode is
// checked at once.
func (e *exerciseScreen) onBuildDone(msg buildDoneMsg) tea.Cmd {
	if msg.opID != e.opID {
		return nil
	}
	e.end()
	project := projectCmd(e.workflow, e.lesson, false)
	switch {
	case e.canceled:
		e.activityTitle = "Build of " + msg.tag + " cancelled"
	case msg.err != nil:
		e.activityTitle = "Could not build " + msg.tag
		e.addActivity(msg.err.Error())
	case !msg.result.OK():
		e.activityTitle = "Build of " + msg.tag + " failed"
		// The builders end their log with the error; the pane wraps it
		// whole, so it is not repeated below the failed step.
		logged := len(e.activity) > 0 && strings.Contains(e.activity[len(e.activity)-1], termsafe.Line(msg.result.Error))
		if msg.result.FailedStep != "" {
			e.addActivity("", "failed step: "+msg.result.FailedStep)
		}
		if !logged {
			e.addActivity("error: " + msg.result.Error)
		}
	default:
		e.activityTitle = fmt.Sprintf("Built %s in %s", msg.tag, msg.result.Duration.Round(100*time.Millisecond))
		// A check that could not run (often: no image yet) is worth retrying now.
		e.runErr = ""
		if msg.thenCheck && !e.closing {
			return tea.Batch(project, e.startCheck())
		}
	}
	return tea.Batch(project, e.afterOp())
}

// startScan runs Trivy on image.
func (e *exerciseScreen) startScan(image string) tea.Cmd {
	ctx, id := e.begin(opScan, "Scanning "+image+" with Trivy (this can take a minute the first time)")
	wf := e.workflow
	return e.stream(ctx, func(sender) tea.Msg {
		res, err := wf.Scan(ctx, image)
		return scanDoneMsg{opID: id, result: res, err: err}
	})
}

func (e *exerciseScreen) onScanDone(msg scanDoneMsg) {
	if msg.opID != e.opID {
		return
	}
	e.end()
	if msg.err != nil {
		e.activityTitle = "Could not scan"
		e.addActivity(strings.Split(msg.err.Error(), "\n")...)
		if errors.Is(msg.err, lab.ErrNoScanner) {
			e.addActivity("", "Press I to import a report made elsewhere; the check then uses it.")
		}
		return
	}
	rep := msg.result.Report
	e.activityTitle = "Trivy scan (" + termsafe.Line(msg.result.Scanner) + ")"
	counts := rep.Counts()
	e.addActivity(fmt.Sprintf("CRITICAL %d · HIGH %d · MEDIUM %d · LOW %d · UNKNOWN %d",
		counts["CRITICAL"], counts["HIGH"], counts["MEDIUM"], counts["LOW"], counts["UNKNOWN"]))
	e.addActivity("report: " + msg.result.ReportPath)
	findings := rep.Findings("CRITICAL", "HIGH")
	if len(findings) > 0 {
		e.addActivity("", "CRITICAL and HIGH findings (package installed → fixed):")
	}
	for _, f := range findings {
		fixed := f.FixedVersion
		if fixed == "" {
			fixed = "no fix yet"
		}
		e.addActivity(fmt.Sprintf("%-8s %-18s %s %s → %s", f.Severity, f.ID, f.PkgName, f.InstalledVersion, fixed))
	}
	e.addActivity("", "Press c to check exercise "+e.exercise.ID+" with this report.")
}

// startMeasure measures dev against prod.
func (e *exerciseScreen) startMeasure() tea.Cmd {
	ctx, id := e.begin(opMeasure, "Measuring dev against prod")
	wf := e.workflow
	return e.stream(ctx, func(s sender) tea.Msg {
		m, err := wf.Measure(ctx, func(text string) { s.Send(measureProgressMsg{opID: id, text: text}) })
		return measureDoneMsg{opID: id, m: m, err: err}
	})
}

func (e *exerciseScreen) onMeasureDone(msg measureDoneMsg) {
	if msg.opID != e.opID {
		return
	}
	e.end()
	if e.canceled || msg.m.Cancelled {
		e.activityTitle = "Measuring cancelled"
		e.activity = nil
		e.addActivity("Nothing was measured to the end, and the containers were removed.", "Press m to measure again.")
		return
	}
	if msg.err != nil {
		e.activityTitle = "Could not measure"
		e.addActivity(msg.err.Error())
		return
	}
	e.activityTitle = "Dev against prod"
	m := msg.m
	e.measure = &m
	e.activity = measureLines(m, sizeBoundsOf(e.exercise, e.pack), e.width, e.st)
}

// startFiles runs a workspace file operation (init, solution, reset);
// done or failed is the title of its outcome.
func (e *exerciseScreen) startFiles(done, failed string, fn func() (workspace.Result, error)) tea.Cmd {
	ctx, id := e.begin(opFiles, "")
	return e.stream(ctx, func(sender) tea.Msg {
		res, err := fn()
		return filesDoneMsg{opID: id, done: done, failed: failed, res: res, err: err}
	})
}

// onFilesDone lists what was written; it reports whether msg was for the
// current operation.
func (e *exerciseScreen) onFilesDone(msg filesDoneMsg) bool {
	if msg.opID != e.opID {
		return false
	}
	e.end()
	e.showActivity, e.showTasks = true, false
	e.activityTitle = msg.done
	e.activity = nil
	e.notesShown = false
	if errors.Is(msg.err, workspace.ErrNotEmpty) {
		e.activityTitle = msg.failed
		e.addActivity(e.dir+" has files already, so the starter was not written over them.",
			"Start shipshape in an empty directory (one holding only shipshape.yaml is fine), or run `shipshape init --force` there to add the starter beside your files (changed ones are kept as backups).")
		return true
	}
	if msg.err != nil {
		e.activityTitle = msg.failed
		e.addActivity("error: " + msg.err.Error())
		return true
	}
	e.addActivity(fmt.Sprintf("%d file(s) written, %d already up to date", len(msg.res.Written), len(msg.res.Unchanged)))
	for _, f := range msg.res.Written {
		e.addActivity("  wrote " + f)
	}
	var kept []string
	for f, b := range msg.res.BackedUp {
		kept = append(kept, "  your "+f+" is kept as "+b)
	}
	sort.Strings(kept)
	e.addActivity(kept...)
	if msg.res.Notes != "" {
		// Rendered and made safe by renderNotes; kept whole, not as a log.
		e.activity = append(e.activity, "", notesHeading)
		e.activity = append(e.activity, strings.Split(strings.TrimRight(msg.res.Notes, "\n"), "\n")...)
		e.notesShown = true
	}
	return true
}

// applySolution copies the solution; its NOTES.md comes back rendered in
// the result's Notes, for the screen.
func (e *exerciseScreen) applySolution() tea.Cmd {
	wf, ex := e.workflow, e.exercise
	r, width, style := e.renderer, max(20, e.width-2), e.renderStyle
	return e.startFiles("Reference solution of exercise "+ex.ID+" copied into "+e.dir, "Could not copy the reference solution of exercise "+ex.ID, func() (workspace.Result, error) {
		res, err := wf.ApplySolution(ex)
		if res.Notes != "" {
			res.Notes = renderNotes(r, ex.ID, res.Notes, width, style)
		}
		return res, err
	})
}

// askReset asks which starter file to reset, the Dockerfile first.
func (e *exerciseScreen) askReset() {
	files := e.starterFiles
	if len(files) == 0 {
		return
	}
	e.resetFile = files[0]
	for _, f := range files {
		if f == "Dockerfile" {
			e.resetFile = f
		}
	}
	e.confirm = confirmReset
}

// updateConfirm answers the pending y/n question.
func (e *exerciseScreen) updateConfirm(msg tea.KeyMsg) tea.Cmd {
	k := e.keys
	switch {
	case key.Matches(msg, k.Yes):
		what := e.confirm
		e.confirm = confirmNone
		switch what {
		case confirmSolution:
			return e.applySolution()
		case confirmReset:
			wf, name := e.workflow, e.resetFile
			return e.startFiles(name+" reset to the starter's version", "Could not reset "+name, func() (workspace.Result, error) {
				return wf.ResetFile(name)
			})
		case confirmReplaceDev:
			if e.busy() {
				e.notice = "Busy; press x to cancel first."
				return nil
			}
			return e.startBuildDev()
		}
	case key.Matches(msg, k.No):
		e.confirm = confirmNone
	case e.confirm == confirmReset && (key.Matches(msg, k.PrevFile) || key.Matches(msg, k.NextFile)):
		files := e.starterFiles
		i := 0
		for j, f := range files {
			if f == e.resetFile {
				i = j
			}
		}
		if key.Matches(msg, k.NextFile) {
			i = (i + 1) % len(files)
		} else {
			i = (i - 1 + len(files)) % len(files)
		}
		e.resetFile = files[i]
	}
	return nil
}

// startImport asks for the path of a Trivy report made elsewhere.
func (e *exerciseScreen) startImport() tea.Cmd {
	e.importing = true
	e.runImage = e.prodImage
	e.input = textinput.New()
	// Not a path: a placeholder that reads as a value gets accepted as one.
	e.input.Placeholder = "(type the path of a trivy JSON report)"
	e.input.Prompt = "path: "
	e.input.CharLimit = 4096
	e.input.Width = max(20, e.width-12)
	return e.input.Focus()
}

// updateImport edits the path of a Trivy report to import.
func (e *exerciseScreen) updateImport(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, e.keys.Abandon):
		e.importing = false
		return nil
	case key.Matches(msg, e.keys.Accept):
		e.importing = false
		path := strings.TrimSpace(e.input.Value())
		if path == "" {
			return nil
		}
		wf, image := e.workflow, e.runImage
		return func() tea.Msg { return reportImportedMsg{path: path, err: wf.ImportReport(image, path)} }
	}
	var cmd tea.Cmd
	e.input, cmd = e.input.Update(msg)
	return cmd
}

// onReportImported says how the import went and checks again with the
// report (unless other work runs: then c does it).
func (e *exerciseScreen) onReportImported(msg reportImportedMsg) tea.Cmd {
	e.showActivity, e.showTasks = false, false
	if msg.err != nil {
		e.notice = "Not imported: " + termsafe.Line(msg.err.Error())
		return nil
	}
	if e.busy() || e.closing {
		e.notice = "Using " + termsafe.Line(msg.path) + " for the scan check; press c once the work in progress ends."
		return nil
	}
	cmd := e.startCheck()
	e.notice = "Using " + termsafe.Line(msg.path) + " for the scan check; checking again."
	return cmd
}

// projectCmd reads whether the workspace has a Dockerfile, and the
// starter's files; autoCheck runs the checks when it has.
func projectCmd(wf Workflow, l *course.Lesson, autoCheck bool) tea.Cmd {
	if wf == nil {
		return nil
	}
	return func() tea.Msg {
		return projectMsg{lesson: l, has: wf.HasProject(), starterFiles: wf.StarterFiles(), autoCheck: autoCheck}
	}
}
