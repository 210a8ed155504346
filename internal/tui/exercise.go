package tui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/lab"
	"shipshape/internal/termsafe"
	"shipshape/internal/workspace"
)

// exerciseKeys are the exercise screen's bindings.
type exerciseKeys struct {
	Up, Down, Check, BuildProd, BuildDev, Run, Watch, Scan, Measure key.Binding
	Hint, Solution, Reset, Init, Details, Cancel, Back, Help, Quit  key.Binding
	Yes, No, Import                                                 key.Binding
}

func newExerciseKeys() exerciseKeys {
	b := func(k, h, d string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(h, d)) }
	return exerciseKeys{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous check")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next check")),
		Check:     b("c", "c", "check"),
		BuildProd: b("b", "b", "build"),
		BuildDev:  b("B", "B", "build dev"),
		Run:       b("r", "r", "run"),
		Watch:     b("w", "w", "watch"),
		Scan:      b("t", "t", "trivy scan"),
		Measure:   b("m", "m", "measure"),
		Hint:      b("h", "h", "hint"),
		Solution:  b("s", "s", "solution"),
		Reset:     b("f", "f", "reset a file"),
		Init:      b("i", "i", "write starter"),
		Details:   b("tab", "tab", "tasks/log/details"),
		Import:    b("I", "I", "import a Trivy report"),
		Cancel:    b("x", "x", "cancel"),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:      b("?", "?", "help"),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Yes:       key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y", "yes")),
		No:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
	}
}

// ShortHelp implements help.KeyMap; it fits 80 columns.
func (k exerciseKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Check, k.BuildProd, k.Run, k.Watch, k.Hint, k.Back, k.Help}
}

// FullHelp implements help.KeyMap.
func (k exerciseKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Check, k.Details},
		{k.BuildProd, k.BuildDev, k.Run, k.Watch},
		{k.Scan, k.Import, k.Measure, k.Hint, k.Solution},
		{k.Reset, k.Init, k.Cancel, k.Back},
		{k.Help, k.Quit},
	}
}

// checkRow is one declared check and what is known of it so far.
type checkRow struct {
	decl    course.Check
	title   string
	running bool
	done    bool
	result  check.Result
}

// opKind names the long operation in progress. One runs at a time.
type opKind int

const (
	opNone opKind = iota
	opCheck
	opBuild
	opScan
	opMeasure
	opFiles
)

// confirmKind names the question waiting for y/n.
type confirmKind int

const (
	confirmNone confirmKind = iota
	confirmSolution
	confirmReset
)

// maxActivityLines bounds the build log kept on screen.
const maxActivityLines = 400

// exerciseScreen is where a learner works on one exercise: the checks
// with live status, and the loop around them (build, run, watch, scan,
// measure, hints, solution).
type exerciseScreen struct {
	st     styles
	keys   exerciseKeys
	spin   spinner.Model
	width  int
	height int
	pack   *course.Pack

	exercise *course.Exercise
	lesson   *course.Lesson
	rows     []checkRow
	selected int
	passed   bool

	// The operation in progress and its message stream.
	op       opKind
	opID     int
	opCancel context.CancelFunc
	opStart  time.Time
	canceled bool
	events   chan tea.Msg

	report *check.Report
	runErr string

	// Activity is the build log, container output or other progress.
	activityTitle string
	activity      []string
	showActivity  bool
	// showTasks shows the exercise's tasks in the lower area (tab cycles
	// tasks, log and check details).
	showTasks bool
	// importing is set while the learner types a Trivy report path.
	importing bool
	input     textinput.Model
	notice    string

	// The prod container started with r.
	running     lab.Running
	runID       int
	runImage    string
	health      string
	runEvents   <-chan lab.RunEvent
	runStopping bool

	watching    bool
	watchGen    int
	watchCancel context.CancelFunc
	watchEvents chan tea.Msg
	// pending is a rebuild asked for by the watcher while busy.
	pending bool

	// hasProject and starterFiles describe the workspace, as last read in
	// the background (never from View).
	hasProject   bool
	starterFiles []string

	hints      int
	confirm    confirmKind
	resetFile  string
	measure    *lab.Measurement
	lastScanOK bool
}

func newExerciseScreen(st styles, pack *course.Pack, hasWorkflow bool) exerciseScreen {
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	k := newExerciseKeys()
	// Without a workflow only the checks, hints and navigation work.
	for _, b := range []*key.Binding{&k.BuildProd, &k.BuildDev, &k.Run, &k.Watch, &k.Scan, &k.Measure, &k.Solution, &k.Reset, &k.Init, &k.Import} {
		b.SetEnabled(hasWorkflow)
	}
	return exerciseScreen{st: st, keys: k, spin: sp, pack: pack}
}

// Messages of the exercise screen's operations; opID tells a cancelled
// operation's late messages from the current one's.
type (
	checkEventMsg struct {
		opID int
		ev   check.Event
	}
	checkDoneMsg struct {
		opID   int
		report check.Report
		err    error
	}
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
	runStartedMsg struct {
		runID   int
		image   string
		running lab.Running
		err     error
	}
	runEventMsg struct {
		runID  int
		ev     lab.RunEvent
		closed bool
	}
	runStoppedMsg struct {
		runID int
		err   error
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
		what string
		res  workspace.Result
		err  error
	}
	reportImportedMsg struct {
		path string
		err  error
	}
	fileChangedMsg struct {
		gen   int
		paths []string
	}
	projectMsg struct {
		lesson       *course.Lesson
		has          bool
		starterFiles []string
		autoCheck    bool
	}
	watchStoppedMsg struct {
		gen int
		err error
	}
)

// open prepares the screen for lesson l's exercise.
func (e *exerciseScreen) open(l *course.Lesson, passed bool) {
	if e.lesson == l {
		e.passed = passed
		return
	}
	e.cancelOp()
	e.stopWatch()
	e.lesson, e.exercise, e.passed = l, l.Exercise, passed
	e.rows = make([]checkRow, len(l.Exercise.Checks))
	for i, d := range l.Exercise.Checks {
		e.rows[i] = checkRow{decl: d, title: d.ID}
	}
	e.selected, e.report, e.runErr, e.hints, e.confirm = 0, nil, "", 0, confirmNone
	e.showTasks, e.importing = true, false
	e.activity, e.activityTitle, e.notice, e.measure = nil, "", "", nil
}

// busy reports whether an operation is in progress.
func (e *exerciseScreen) busy() bool { return e.op != opNone }

// begin starts a new operation and returns its context.
func (e *exerciseScreen) begin(kind opKind, title string) (context.Context, int) {
	e.cancelOp()
	e.opID++
	e.op, e.canceled, e.opStart = kind, false, time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	e.opCancel = cancel
	e.events = make(chan tea.Msg, 256)
	if title != "" {
		e.activityTitle = title
		e.activity = nil
		e.showActivity, e.showTasks = true, false
		e.measure = nil
	}
	return ctx, e.opID
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

// stream runs work in the background and delivers its messages, ending
// with the one work returns. Sends give up once ctx is cancelled, so work
// replaced by a newer operation (whose messages nobody reads any more)
// never blocks and always gets to clean up.
func (e *exerciseScreen) stream(ctx context.Context, work func(send func(tea.Msg)) tea.Msg) tea.Cmd {
	events := e.events
	go func() {
		send := func(m tea.Msg) {
			select {
			case events <- m:
			case <-ctx.Done():
			}
		}
		last := work(send)
		select {
		case events <- last:
		default:
			// Buffer full and nobody reading: the operation was replaced.
			if ctx.Err() == nil {
				events <- last
			}
		}
		close(events)
	}()
	return tea.Batch(next(events), e.spin.Tick)
}

// next delivers the next message of a stream.
func next(events <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-events
		if !ok {
			return nil
		}
		return msg
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

// startCheck runs the exercise's checks.
func (e *exerciseScreen) startCheck(checker Checker) tea.Cmd {
	ctx, id := e.begin(opCheck, "")
	for i := range e.rows {
		e.rows[i].running, e.rows[i].done = false, false
	}
	e.report, e.runErr = nil, ""
	e.showActivity = false
	ex := e.exercise
	return e.stream(ctx, func(send func(tea.Msg)) tea.Msg {
		rep, err := checker.Check(ctx, ex, func(ev check.Event) { send(checkEventMsg{opID: id, ev: ev}) })
		return checkDoneMsg{opID: id, report: rep, err: err}
	})
}

func (e *exerciseScreen) onCheckEvent(msg checkEventMsg) {
	if msg.opID != e.opID {
		return
	}
	ev := msg.ev
	if ev.Index < 0 || ev.Index >= len(e.rows) {
		return
	}
	row := &e.rows[ev.Index]
	if ev.Title != "" {
		row.title = ev.Title
	}
	switch ev.Type {
	case check.EventStarted:
		row.running = true
	case check.EventFinished:
		row.running, row.done, row.result = false, true, ev.Result
	}
}

// onCheckDone records the verdict; it reports whether the checks ran.
func (e *exerciseScreen) onCheckDone(msg checkDoneMsg) bool {
	if msg.opID != e.opID {
		return false
	}
	e.end()
	if msg.err != nil {
		e.runErr = termsafe.Line(msg.err.Error())
		e.showTasks = false
		for i := range e.rows {
			e.rows[i].running = false
		}
		return false
	}
	rep := msg.report
	e.report = &rep
	e.showTasks = false
	if len(rep.Notes) > 0 {
		// An image older than its Dockerfile: say so above the verdicts.
		e.notice = termsafe.Line(strings.Join(rep.Notes, " "))
	}
	for i, r := range rep.Results {
		if i < len(e.rows) {
			e.rows[i].done, e.rows[i].running, e.rows[i].result = true, false, r
			if r.Title != "" {
				e.rows[i].title = r.Title
			}
		}
	}
	if rep.Passed() {
		e.passed = true
	}
	// Show the first thing to fix.
	for i, row := range e.rows {
		if row.result.Status == check.StatusFail || row.result.Status == check.StatusError {
			e.selected = i
			break
		}
	}
	return true
}

// startBuild builds tag from the workspace.
func (e *exerciseScreen) startBuild(wf Workflow, tag string, thenCheck bool) tea.Cmd {
	ctx, id := e.begin(opBuild, "Building "+tag+" from "+wf.Dir())
	return e.stream(ctx, func(send func(tea.Msg)) tea.Msg {
		res, err := wf.Build(ctx, tag, func(ev lab.BuildEvent) { send(buildEventMsg{opID: id, ev: ev}) })
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

// onBuildDone reports whether the build produced an image.
func (e *exerciseScreen) onBuildDone(msg buildDoneMsg) bool {
	if msg.opID != e.opID {
		return false
	}
	e.end()
	switch {
	case e.canceled:
		e.activityTitle = "Build of " + msg.tag + " cancelled"
		return false
	case msg.err != nil:
		e.activityTitle = "Could not build " + msg.tag
		e.addActivity(msg.err.Error())
		return false
	case !msg.result.OK():
		e.activityTitle = "Build of " + msg.tag + " failed"
		if msg.result.FailedStep != "" {
			e.addActivity("", "failed step: "+msg.result.FailedStep)
		}
		e.addActivity("error: " + msg.result.Error)
		return false
	}
	e.activityTitle = fmt.Sprintf("Built %s in %s", msg.tag, msg.result.Duration.Round(100*time.Millisecond))
	// A check that could not run (often: no image yet) is worth retrying now.
	e.runErr = ""
	return true
}

// startScan runs Trivy on the prod image.
func (e *exerciseScreen) startScan(wf Workflow, image string) tea.Cmd {
	ctx, id := e.begin(opScan, "Scanning "+image+" with Trivy (this can take a minute the first time)")
	return e.stream(ctx, func(send func(tea.Msg)) tea.Msg {
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
		e.lastScanOK = false
		return
	}
	e.lastScanOK = true
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
func (e *exerciseScreen) startMeasure(wf Workflow) tea.Cmd {
	ctx, id := e.begin(opMeasure, "Measuring dev against prod")
	e.measure = nil
	return e.stream(ctx, func(send func(tea.Msg)) tea.Msg {
		m, err := wf.Measure(ctx, func(s string) { send(measureProgressMsg{opID: id, text: s}) })
		return measureDoneMsg{opID: id, m: m, err: err}
	})
}

func (e *exerciseScreen) onMeasureDone(msg measureDoneMsg) {
	if msg.opID != e.opID {
		return
	}
	e.end()
	if msg.err != nil {
		e.activityTitle = "Could not measure"
		e.addActivity(msg.err.Error())
		return
	}
	e.activityTitle = "Dev against prod"
	m := msg.m
	e.measure = &m
	e.activity = measureLines(m, e.width, e.st)
}

// startFiles runs a workspace file operation (init, solution, reset).
func (e *exerciseScreen) startFiles(what string, fn func() (workspace.Result, error)) tea.Cmd {
	ctx, id := e.begin(opFiles, "")
	return e.stream(ctx, func(func(tea.Msg)) tea.Msg {
		res, err := fn()
		return filesDoneMsg{opID: id, what: what, res: res, err: err}
	})
}

func (e *exerciseScreen) onFilesDone(msg filesDoneMsg) {
	if msg.opID != e.opID {
		return
	}
	e.end()
	e.showActivity, e.showTasks = true, false
	e.activityTitle = msg.what
	e.activity = nil
	if msg.err != nil {
		e.addActivity("error: " + msg.err.Error())
		return
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

// startRunCmd starts the prod image; runID tells this container's
// messages from those of an earlier one.
func startRunCmd(wf Workflow, image string, runID int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r, err := wf.Run(ctx, image)
		return runStartedMsg{runID: runID, image: image, running: r, err: err}
	}
}

func waitRun(ch <-chan lab.RunEvent, runID int) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return runEventMsg{runID: runID, closed: true}
		}
		return runEventMsg{runID: runID, ev: ev}
	}
}

// stopRunCmd stops and removes the container (Stop is idempotent).
func stopRunCmd(r lab.Running, runID int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return runStoppedMsg{runID: runID, err: r.Stop(ctx)}
	}
}

func (e *exerciseScreen) onRunStarted(msg runStartedMsg) tea.Cmd {
	e.showActivity, e.showTasks = true, false
	if msg.err != nil {
		e.activityTitle = "Could not run " + msg.image
		e.addActivity(msg.err.Error())
		return nil
	}
	e.running, e.runImage, e.health, e.runEvents = msg.running, msg.image, "", msg.running.Events()
	e.activityTitle = "Running " + msg.image + " (r stops it)"
	e.activity = nil
	return waitRun(e.runEvents, e.runID)
}

func (e *exerciseScreen) onRunEvent(msg runEventMsg) tea.Cmd {
	if e.running == nil || msg.runID != e.runID {
		return nil
	}
	if msg.closed {
		// The container ended by itself (or was stopped): make sure it is
		// removed; Stop is idempotent.
		if !e.runStopping {
			e.runStopping = true
			return stopRunCmd(e.running, e.runID)
		}
		return nil
	}
	ev := msg.ev
	switch {
	case ev.Health != "":
		e.health = ev.Health
		e.addActivity("── health: " + ev.Health)
	case ev.LogLine != "":
		e.addActivity(ev.LogLine)
	case ev.Exited:
		e.addActivity(fmt.Sprintf("── container exited with code %d%s", ev.ExitCode, exitHint(ev.ExitCode)))
	case ev.Err != nil:
		e.addActivity("── " + ev.Err.Error())
	}
	return waitRun(e.runEvents, e.runID)
}

// exitHint explains the exit codes a learner meets in these exercises.
func exitHint(code int) string {
	switch code {
	case 137:
		return " (killed: it did not stop on SIGTERM in time, or ran out of memory)"
	case 143:
		return " (ended by SIGTERM)"
	case 0:
		return " (clean exit)"
	}
	return ""
}

// startWatch watches the workspace; saved changes rebuild prod and check.
func (e *exerciseScreen) startWatch(wf Workflow) tea.Cmd {
	e.stopWatch()
	ctx, cancel := context.WithCancel(context.Background())
	e.watchGen++
	gen := e.watchGen
	e.watching, e.watchCancel = true, cancel
	events := make(chan tea.Msg, 16)
	e.watchEvents = events
	go func() {
		err := wf.Watch(ctx, func(paths []string) {
			select {
			case events <- fileChangedMsg{gen: gen, paths: paths}:
			default: // a rebuild is already queued
			}
		})
		events <- watchStoppedMsg{gen: gen, err: err}
		close(events)
	}()
	return next(events)
}

func (e *exerciseScreen) stopWatch() {
	if e.watchCancel != nil {
		e.watchCancel()
	}
	e.watching, e.watchCancel, e.pending = false, nil, false
}

func (e *exerciseScreen) move(delta int) {
	if len(e.rows) == 0 {
		return
	}
	e.selected = (e.selected + delta + len(e.rows)) % len(e.rows)
}

func (e exerciseScreen) mark(row checkRow) string {
	switch {
	case row.running:
		return e.spin.View()
	case !row.done:
		return e.st.muted.Render("·")
	}
	switch row.result.Status {
	case check.StatusPass:
		return e.st.ok.Render("✓")
	case check.StatusFail:
		return e.st.bad.Render("✗")
	case check.StatusWarn:
		return e.st.warn.Render("!")
	case check.StatusSkip:
		return e.st.muted.Render("-")
	default:
		return e.st.warn.Render("?")
	}
}

// view draws the screen in e.height lines.
func (e exerciseScreen) view(wf Workflow, checker Checker) string {
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
	case wf != nil && !e.hasProject:
		sub = "no Dockerfile in " + wf.Dir() + ": press i to write the starter there"
	case checker != nil:
		sub = "checking " + checker.Describe()
	}
	lines = append(lines, e.st.muted.Render(ansi.Truncate(termsafe.Line(sub), w, "…")), "")
	for i, row := range e.rows {
		lines = append(lines, e.rowView(i, row))
	}
	lines = append(lines, e.st.muted.Render(strings.Repeat("─", w)))
	footer := e.footerView()
	room := e.height - len(lines) - 1
	var lower []string
	switch {
	case e.confirm != confirmNone:
		lower = e.confirmLines()
	case e.importing:
		lower = []string{e.st.header.Render("Import a Trivy JSON report of " + termsafe.Line(e.runImage) + ":"),
			"  " + e.input.View(), e.st.muted.Render("  enter: use it for the check · esc: cancel"),
			e.st.muted.Render("  make one with: trivy image --scanners vuln --format json --output report.json IMAGE")}
	case e.showTasks:
		lower = e.taskLines()
	case e.showActivity || (e.op != opNone && e.op != opCheck):
		lower = e.activityLines(room)
	default:
		lower = e.detailLines()
	}
	if len(lower) > room {
		if e.showActivity && e.measure == nil {
			lower = lower[len(lower)-room:] // the newest lines of a log
		} else {
			more := "  … (more with `shipshape check " + e.exercise.ID + "`)"
			if e.showTasks {
				more = "  … (the lesson lists every task; tab shows the log and check details)"
			}
			lower = append(lower[:max(0, room-1)], e.st.muted.Render(more))
		}
	}
	lines = append(lines, lower...)
	for len(lines) < e.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines, footer)
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], w, "")
	}
	return strings.Join(lines, "\n")
}

func (e exerciseScreen) rowView(i int, row checkRow) string {
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

// joinEnds puts left and right on one line of width, truncating left.
func joinEnds(left, right string, width int) string {
	gap := width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		left = ansi.Truncate(left, max(0, width-ansi.StringWidth(right)-2), "…")
		gap = max(1, width-ansi.StringWidth(left)-ansi.StringWidth(right))
	}
	return left + strings.Repeat(" ", gap) + right
}

func (e exerciseScreen) activityLines(room int) []string {
	title := e.activityTitle
	if e.op != opNone && e.op != opCheck {
		title = e.spin.View() + " " + title
	}
	out := []string{e.st.header.Render(ansi.Truncate(termsafe.Line(title), e.width, "…"))}
	if e.notice != "" {
		// Wrapped, not cut: the notice is often the one thing to act on.
		out = append(out, wrapLines(e.st.warn.Render(e.notice), e.width, "")...)
	}
	body := e.activity
	if len(body) > room-len(out) && room > len(out) {
		if e.measure != nil {
			body = body[:room-len(out)] // a report reads from the top
		} else {
			body = body[len(body)-(room-len(out)):] // a log from its newest line
		}
	}
	for _, l := range body {
		out = append(out, "  "+l)
	}
	return out
}

// taskLines are the exercise's tasks, as the lesson declares them.
func (e exerciseScreen) taskLines() []string {
	out := []string{e.st.header.Render("Tasks")}
	for i, t := range e.exercise.Tasks {
		out = append(out, wrapLines(fmt.Sprintf("%d. %s", i+1, termsafe.Line(t)), e.width-2, "   ")...)
	}
	return append(out, e.st.muted.Render("  tab: log and check details · h: a hint"))
}

// detailLines are the selected check's evidence, hint and lesson, and the
// hints revealed so far.
func (e exerciseScreen) detailLines() []string {
	var out []string
	if e.notice != "" {
		// Wrapped, not cut: the notice is often the one thing to act on.
		out = append(out, wrapLines(e.st.warn.Render(e.notice), e.width, "")...)
	}
	if e.runErr != "" {
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
				out = append(out, wrapLines(e.st.warn.Render("hint: ")+termsafe.Line(row.result.Hint), e.width-2, "  ")...)
			}
			if row.result.Status != check.StatusPass && row.decl.Lesson != "" {
				out = append(out, e.st.muted.Render("  learn: "+e.lessonRef(row.decl)))
			}
		}
	}
	for i := 0; i < e.hints && i < len(e.exercise.Hints); i++ {
		out = append(out, wrapLines(e.st.warn.Render(fmt.Sprintf("hint %d/%d: ", i+1, len(e.exercise.Hints)))+termsafe.Line(e.exercise.Hints[i]), e.width-2, "  ")...)
	}
	return out
}

func (e exerciseScreen) confirmLines() []string {
	switch e.confirm {
	case confirmSolution:
		return []string{
			e.st.warn.Render("Copy the reference solution of exercise " + e.exercise.ID + " into your workspace?"),
			"  You have not passed this exercise yet; working it out yourself teaches more.",
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
	return nil
}

// lessonRef names the lesson a check links to by its title and heading.
func (e exerciseScreen) lessonRef(d course.Check) string {
	id, anchor := d.LessonRef()
	i := -1
	if e.pack != nil {
		i = e.pack.Index(id)
	}
	if i < 0 {
		return termsafe.Line(d.Lesson)
	}
	ref := fmt.Sprintf("lesson %d, %q", i+1, termsafe.Line(e.pack.Lessons[i].Title))
	if anchor != "" {
		ref += " › " + termsafe.Line(anchor)
	}
	return ref
}

func (e exerciseScreen) footerView() string {
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
		return e.st.muted.Render(fmt.Sprintf("%s %d of %d checks done · %s · x cancels", e.spin.View(), done, len(e.rows), time.Since(e.opStart).Round(time.Second)))
	case e.op != opNone:
		return e.st.muted.Render(fmt.Sprintf("%s working · %s · x cancels", e.spin.View(), time.Since(e.opStart).Round(time.Second)))
	case e.runErr != "":
		if e.keys.BuildProd.Enabled() {
			return e.st.bad.Render("not judged: fix the problem above, then press c (b builds your prod image here)")
		}
		return e.st.bad.Render("not judged: fix the problem above, then press c")
	case e.report == nil:
		if e.watching {
			return e.st.muted.Render("watching for saved changes: they rebuild " + "prod and check again")
		}
		return e.st.muted.Render("press c to check, b to build your prod image first")
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

// measureLines draws exercise 3.4's comparison: sizes with bars, startup,
// idle use and the largest layers of prod.
func measureLines(m lab.Measurement, width int, st styles) []string {
	barW := max(10, min(40, width-40))
	maxSize := max(m.Dev.Size, m.Prod.Size, 1)
	var out []string
	for _, f := range []struct {
		name string
		f    lab.ImageFacts
	}{{"dev ", m.Dev}, {"prod", m.Prod}} {
		if f.f.Missing {
			out = append(out, fmt.Sprintf("%s %-22s not built", f.name, termsafe.Line(f.f.Ref)))
			continue
		}
		n := int(int64(barW) * f.f.Size / maxSize)
		out = append(out, fmt.Sprintf("%s %-22s %s%s %s", f.name, termsafe.Line(f.f.Ref), strings.Repeat("█", n), strings.Repeat("░", barW-n), humanBytes(f.f.Size)))
	}
	if m.Dev.Size > 0 && m.Prod.Size > 0 && !m.Dev.Missing && !m.Prod.Missing {
		out = append(out, fmt.Sprintf("prod is %.0f%% of dev (bound 300 MB, target 200 MB)", 100*float64(m.Prod.Size)/float64(m.Dev.Size)))
	}
	out = append(out, "")
	for _, f := range []struct {
		name string
		f    lab.ImageFacts
	}{{"dev ", m.Dev}, {"prod", m.Prod}} {
		if !f.f.Measured {
			if f.f.Err != "" {
				out = append(out, f.name+" not started: "+termsafe.Line(f.f.Err))
			}
			continue
		}
		startup := "no health check"
		if f.f.StartupToHealthy > 0 {
			startup = "healthy after " + f.f.StartupToHealthy.Round(100*time.Millisecond).String()
		}
		out = append(out, fmt.Sprintf("%s %s · idle memory %s · CPU %.1f%% · %d processes", f.name, startup,
			humanBytes(int64(f.f.Idle.MemoryBytes)), f.f.Idle.CPUPercent, f.f.Idle.PIDs))
	}
	if len(m.Prod.Layers) > 0 {
		out = append(out, "", "largest layers of prod:")
		for i, l := range m.Prod.Layers {
			if i == 6 {
				break
			}
			row := fmt.Sprintf("  %9s  %s", humanBytes(l.Size), termsafe.Line(check.Instruction(l.CreatedBy)))
			if i == 0 {
				row = st.warn.Render(row + "  ← largest")
			}
			out = append(out, row)
		}
	}
	return out
}

// humanBytes prints decimal units, as `docker image ls` does.
func humanBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// wrapLines wraps s to width and indents continuation lines.
func wrapLines(s string, width int, indent string) []string {
	if width < 10 {
		width = 10
	}
	wrapped := ansi.Wrap(s, width-len(indent), " ")
	out := strings.Split(wrapped, "\n")
	for i := range out {
		out[i] = indent + out[i]
	}
	return out
}
