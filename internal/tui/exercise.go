package tui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/lab"
)

// exerciseKeys are the exercise screen's bindings.
type exerciseKeys struct {
	Up, Down, Check, BuildProd, BuildDev, Run, Watch, Scan, Measure key.Binding
	Hint, Solution, Reset, Init, Details, Cancel, Back, Help, Quit  key.Binding
	Yes, No, Import, Edit                                           key.Binding
	// Open shows the selected check's details; PageUp and PageDown
	// scroll the pane below the checks. scroll only labels them together
	// in the full help.
	Open, PageUp, PageDown, scroll key.Binding
	// PrevFile and NextFile choose the file a reset asks about.
	PrevFile, NextFile key.Binding
	// Accept and Abandon end typing a report path.
	Accept, Abandon key.Binding
}

func newExerciseKeys() exerciseKeys {
	b := func(k, h, d string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(h, d)) }
	return exerciseKeys{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "prev check")),
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
		Details:   b("tab", "tab", "tasks/log"),
		Import:    b("I", "I", "import report"),
		Open:      b("enter", "enter", "details"),
		Edit:      b("e", "e", "edit file"),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "scroll down")),
		scroll:    key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "scroll")),
		Cancel:    b("x", "x", "cancel"),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:      b("?", "?", "help"),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Yes:       key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y", "yes")),
		No:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
		PrevFile:  key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous file")),
		NextFile:  key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next file")),
		Accept:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use it")),
		Abandon:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// ShortHelp implements help.KeyMap; it fits 80 columns.
func (k exerciseKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Check, k.BuildProd, k.Run, k.Watch, k.Hint, k.Back, k.Help}
}

// FullHelp implements help.KeyMap. Its four columns fit 80 columns with
// these short descriptions; a longer one pushes a column below.
func (k exerciseKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Check, k.Open, k.Up, k.Down, k.Details},
		{k.BuildProd, k.BuildDev, k.Run, k.Watch, k.Measure, k.Edit},
		{k.Scan, k.Import, k.Hint, k.Solution, k.scroll},
		{k.Reset, k.Init, k.Cancel, k.Back, k.Help, k.Quit},
	}
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
	// confirmReplaceDev asks before B replaces the dev image (the baseline).
	confirmReplaceDev
)

// exerciseDeps is what the exercise screen works with.
type exerciseDeps struct {
	pack     *course.Pack
	checker  Checker
	workflow Workflow
	save     saver
	workspaceFacts
}

// workspaceFacts are the plain values the exercise screen shows: the
// workspace directory, the image names and what the checker checks. They
// are read once, outside Update (in New, or in the command that opens
// another pack), so that neither Update nor View asks the workflow.
type workspaceFacts struct {
	dir, prodImage, devImage, describe string
}

func readWorkspaceFacts(checker Checker, wf Workflow) workspaceFacts {
	var f workspaceFacts
	if checker != nil {
		f.describe = checker.Describe()
	}
	if wf != nil {
		f.dir = wf.Dir()
		f.prodImage, f.devImage = wf.Images()
	}
	return f
}

// exerciseScreen is where a learner works on one exercise: the checks
// with live status (exercise_panel.go), the loop around them
// (exercise_ops.go, exercise_run.go) and their display (exercise_view.go).
type exerciseScreen struct {
	common
	exerciseDeps
	keys  exerciseKeys
	dkeys detailKeys
	spin  spinner.Model

	// pane is the area below the checks; paneShown names what it was
	// last given (see paneSubject). detail is the full-window view of
	// one check, shown while detailOpen.
	pane      viewport.Model
	paneShown string
	// hintToView scrolls the pane to the hint just revealed, its last
	// lines, once.
	hintToView bool
	detail     viewport.Model
	detailOpen bool
	// headings are the names of the headings the checks link to, by
	// check id, read when the exercise opens.
	headings map[string]string

	exercise *course.Exercise
	lesson   *course.Lesson
	rows     []checkRow
	selected int
	passed   bool
	// shown is false once the learner has left the screen; work goes on,
	// but a container started for a screen that is gone is removed.
	shown bool
	// closing is set when the program quits: nothing new starts, and what
	// runs is cancelled and cleaned up.
	closing bool
	// recording counts check runs being saved; the program waits for them.
	recording int

	// The operation in progress.
	op       opKind
	opID     int
	opCancel context.CancelFunc
	opStart  time.Time
	// elapsed is how long the operation has run, as of the last spinner
	// tick: View reads no clock.
	elapsed  time.Duration
	canceled bool

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
	running  lab.Running
	runID    int
	runImage string
	// runURL is where the running app answers on the host, once known.
	runURL      string
	health      string
	runEvents   <-chan lab.RunEvent
	runStopping bool

	watching    bool
	watchGen    int
	watchCancel context.CancelFunc
	// pending is a rebuild asked for by the watcher while busy.
	pending bool

	// hasProject and starterFiles describe the workspace, as last read in
	// the background (never from View).
	hasProject   bool
	starterFiles []string

	// notesShown is set while the activity area holds a solution's notes,
	// read from the top (pgup/pgdown scroll the pane).
	notesShown bool

	hints     int
	confirm   confirmKind
	resetFile string
	measure   *lab.Measurement
}

func newExerciseScreen(c common, deps exerciseDeps) *exerciseScreen {
	k := newExerciseKeys()
	// Without a workflow only the checks, hints and navigation work.
	for _, b := range []*key.Binding{&k.BuildProd, &k.BuildDev, &k.Run, &k.Watch, &k.Scan, &k.Measure, &k.Solution, &k.Reset, &k.Init, &k.Import, &k.Edit} {
		b.SetEnabled(deps.workflow != nil)
	}
	pane := viewport.New(0, 0)
	pane.KeyMap = viewport.KeyMap{} // the screen's keys scroll it
	return &exerciseScreen{common: c, exerciseDeps: deps, keys: k, dkeys: newDetailKeys(), pane: pane,
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
}

// KeyMap implements component.
func (e *exerciseScreen) KeyMap() help.KeyMap {
	if e.detailOpen {
		return e.dkeys
	}
	return e.keys
}

// SetSize implements component; the panes wrap to the new width.
func (e *exerciseScreen) SetSize(width, height int) {
	e.common.SetSize(width, height)
	e.syncPanes()
}

// InputActive reports whether keys are answers or text now, not commands
// (the root then leaves q and ? to the screen).
func (e *exerciseScreen) InputActive() bool { return e.confirm != confirmNone || e.importing }

// Open shows lesson l's exercise with hints of its hints revealed and,
// the first time, checks it: at once
// without a workflow, else once the workspace is known to have a project.
func (e *exerciseScreen) Open(l *course.Lesson, passed bool, hints int) tea.Cmd {
	e.shown = true
	if e.lesson == l {
		e.passed, e.hints = passed, hints
		return projectCmd(e.workflow, l, false)
	}
	e.cancelOp()
	e.stopWatch()
	e.lesson, e.exercise, e.passed = l, l.Exercise, passed
	e.rows = make([]checkRow, len(l.Exercise.Checks))
	for i, d := range l.Exercise.Checks {
		e.rows[i] = checkRow{decl: d, title: d.ID}
	}
	e.selected, e.report, e.runErr, e.hints, e.confirm = 0, nil, "", hints, confirmNone
	e.detailOpen, e.headings = false, linkedHeadings(e.pack, l.Exercise)
	e.showTasks, e.importing = true, false
	e.activity, e.activityTitle, e.notice, e.measure = nil, "", "", nil
	if e.workflow == nil {
		if e.busy() {
			return nil
		}
		return e.startCheck()
	}
	// Whether the workspace has a project is a file system question: ask
	// in the background, and check once the answer is in.
	return projectCmd(e.workflow, l, true)
}

// Working reports whether work that makes containers runs, a container is
// up, or a verdict is being saved: the program must not end before they
// are done.
func (e *exerciseScreen) Working() bool { return e.busy() || e.running != nil || e.recording > 0 }

// Shutdown cancels the work in progress and stops the container, for a
// program that is ending; Working turns false once they are cleaned up.
func (e *exerciseScreen) Shutdown() tea.Cmd {
	e.closing = true
	e.stopWatch()
	e.cancelOp()
	if e.running != nil && !e.runStopping {
		// Quitting can take the stop timeout: say why the program waits.
		e.addActivity("── quitting: stopping and removing the container first…")
	}
	return e.stopContainer()
}

// Update implements component.
func (e *exerciseScreen) Update(msg tea.Msg) tea.Cmd {
	cmd := e.update(msg)
	e.syncPanes()
	return cmd
}

func (e *exerciseScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return e.updateKey(msg)
	case spinner.TickMsg:
		if !e.busy() {
			return nil // let the tick chain end
		}
		e.elapsed = time.Since(e.opStart).Round(time.Second)
		var cmd tea.Cmd
		e.spin, cmd = e.spin.Update(msg)
		return cmd
	case attemptSavedMsg:
		e.onAttemptSaved(msg)
	case projectMsg:
		return e.onProject(msg)
	case checkEventMsg:
		e.onCheckEvent(msg)
	case checkDoneMsg:
		return e.onCheckDone(msg)
	case buildEventMsg:
		e.onBuildEvent(msg)
	case buildDoneMsg:
		return e.onBuildDone(msg)
	case scanDoneMsg:
		e.onScanDone(msg)
		return e.afterOp()
	case measureProgressMsg:
		if msg.opID == e.opID {
			e.addActivity(msg.text)
		}
	case measureDoneMsg:
		e.onMeasureDone(msg)
		return e.afterOp()
	case filesDoneMsg:
		if !e.onFilesDone(msg) {
			return nil
		}
		return tea.Batch(e.afterOp(), projectCmd(e.workflow, e.lesson, false))
	case reportImportedMsg:
		return e.onReportImported(msg)
	case runStartedMsg:
		return e.onRunStarted(msg)
	case runEventMsg:
		return e.onRunEvent(msg)
	case runStoppedMsg:
		e.onRunStopped(msg)
	case devImageMsg:
		return e.onDevImage(msg)
	case editorReadyMsg:
		return e.onEditorReady(msg)
	case editorDoneMsg:
		return e.onEditorDone(msg)
	case fileChangedMsg:
		return e.onFileChanged(msg)
	case watchStoppedMsg:
		e.onWatchStopped(msg)
	}
	return nil
}

// updateKey handles a key; questions and typing take it first.
func (e *exerciseScreen) updateKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case e.confirm != confirmNone:
		return e.updateConfirm(msg)
	case e.importing:
		return e.updateImport(msg)
	case e.detailOpen:
		return e.updateDetail(msg)
	}
	k := e.keys
	// A notice answers the previous key; the next key replaces it.
	e.notice = ""
	if e.updatePaneKey(msg) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Open):
		e.openDetail()
	case key.Matches(msg, k.Up):
		e.move(-1)
		e.showActivity, e.showTasks = false, false
	case key.Matches(msg, k.Down):
		e.move(1)
		e.showActivity, e.showTasks = false, false
	case key.Matches(msg, k.Details):
		// tasks → log → details → tasks
		switch {
		case e.showTasks:
			e.showTasks, e.showActivity = false, true
		case e.showActivity:
			e.showActivity = false
		default:
			e.showTasks = true
		}
	case key.Matches(msg, k.Cancel):
		e.cancelOp()
	case key.Matches(msg, k.Back):
		// Work goes on in the background; leaving the exercise ends watch
		// mode and the running container, as the learner would expect.
		e.shown = false
		e.stopWatch()
		return tea.Batch(leave, e.stopContainer())
	case key.Matches(msg, k.Hint):
		e.showActivity = false
		if e.hints < len(e.exercise.Hints) {
			e.hints++
			e.hintToView = true
			msg := hintRevealedMsg{lessonID: e.lesson.ID, exerciseID: e.exercise.ID, n: e.hints}
			return func() tea.Msg { return msg }
		}
		e.notice = "That was the last hint; the solution is on s."
	case key.Matches(msg, k.Check):
		if e.busy() {
			return nil
		}
		return e.startCheck()
	case e.workflow == nil:
		// The keys below need the workspace.
	case key.Matches(msg, k.BuildProd), key.Matches(msg, k.BuildDev):
		if e.busy() {
			e.notice = "Busy; press x to cancel first."
			return nil
		}
		if key.Matches(msg, k.BuildDev) {
			return e.askBuildDev()
		}
		return e.startBuild(e.prodImage, false)
	case key.Matches(msg, k.Run):
		return e.toggleRun()
	case key.Matches(msg, k.Watch):
		if e.watching {
			e.stopWatch()
			e.notice = "Stopped watching."
			return nil
		}
		e.notice = "Watching " + e.dir + ": saving a file rebuilds " + e.prodImage + " and checks again."
		return e.startWatch()
	case key.Matches(msg, k.Scan):
		if e.busy() {
			return nil
		}
		return e.startScan(e.prodImage)
	case key.Matches(msg, k.Import):
		return e.startImport()
	case key.Matches(msg, k.Edit):
		return e.startEdit()
	case key.Matches(msg, k.Measure):
		if e.busy() {
			return nil
		}
		return e.startMeasure()
	case e.busy() && (key.Matches(msg, k.Init) || key.Matches(msg, k.Solution) || key.Matches(msg, k.Reset)):
		e.notice = "Busy; press x to cancel first."
	case key.Matches(msg, k.Init):
		if e.hasProject {
			e.notice = "The workspace already has a Dockerfile; f resets single files to the starter."
			return nil
		}
		return e.startFiles("Starter written to "+e.dir, "Could not write the starter to "+e.dir, e.workflow.Init)
	case key.Matches(msg, k.Solution):
		if e.exercise.Solution == "" {
			e.notice = "This pack has no reference solution for exercise " + e.exercise.ID + "."
			return nil
		}
		// Asked even after a pass: the copy replaces the learner's files.
		e.confirm = confirmSolution
	case key.Matches(msg, k.Reset):
		e.askReset()
	}
	return nil
}

// onFileChanged rebuilds prod and checks again after a saved change, or
// queues that while other work runs.
func (e *exerciseScreen) onFileChanged(msg fileChangedMsg) tea.Cmd {
	if !e.watching || e.workflow == nil || msg.gen != e.watchGen {
		return nil
	}
	e.notice = "changed: " + strings.Join(msg.paths, ", ")
	cmds := []tea.Cmd{projectCmd(e.workflow, e.lesson, false)}
	if e.busy() {
		e.pending = true
	} else {
		cmds = append(cmds, e.startBuild(e.prodImage, true))
	}
	return tea.Batch(cmds...)
}

// afterOp runs what waited for the operation that just ended: the cleanup
// of a program that is quitting, or a rebuild the watcher asked for
// meanwhile.
func (e *exerciseScreen) afterOp() tea.Cmd {
	if e.closing {
		return e.stopContainer()
	}
	if e.pending && e.watching && e.workflow != nil {
		e.pending = false
		return e.startBuild(e.prodImage, true)
	}
	return nil
}
