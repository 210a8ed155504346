package tui

import (
	"errors"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"shipshape/internal/check"
	"shipshape/internal/course"
	store "shipshape/internal/progress"
	"shipshape/internal/termsafe"
)

// The check panel: the exercise's declared checks, their live status
// during a run and the verdict after it.

// checkRow is one declared check and what is known of it so far.
type checkRow struct {
	decl    course.Check
	title   string
	running bool
	done    bool
	result  check.Result
}

// Messages of a check run; opID tells a cancelled run's late messages from
// the current one's.
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
	projectMsg struct {
		lesson       *course.Lesson
		has          bool
		starterFiles []string
		autoCheck    bool
	}
)

// startCheck runs the exercise's checks.
func (e *exerciseScreen) startCheck() tea.Cmd {
	ctx, id := e.begin(opCheck, "")
	for i := range e.rows {
		e.rows[i].running, e.rows[i].done = false, false
	}
	e.report, e.runErr = nil, ""
	e.showActivity = false
	checker, ex := e.checker, e.exercise
	return e.stream(ctx, func(s sender) tea.Msg {
		rep, err := checker.Check(ctx, ex, func(ev check.Event) { s.Send(checkEventMsg{opID: id, ev: ev}) })
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

// onCheckDone shows the verdict and records the attempt in the progress,
// unless the run was cancelled or could not judge anything.
func (e *exerciseScreen) onCheckDone(msg checkDoneMsg) tea.Cmd {
	if msg.opID != e.opID {
		return nil
	}
	canceled := e.canceled
	e.end()
	e.showTasks = false
	if msg.err != nil {
		// Nothing is recorded; what could be judged without the daemon
		// (the Dockerfile's checks) is shown, the rest with the reason.
		e.runErr = termsafe.Line(msg.err.Error())
		for i := range e.rows {
			e.rows[i].running = false
		}
		e.showResults(msg.report)
		return e.afterOp()
	}
	rep := msg.report
	e.report = &rep
	if len(rep.Notes) > 0 {
		// An image older than its Dockerfile: say so above the verdicts.
		e.notice = termsafe.Line(strings.Join(rep.Notes, " "))
	}
	e.showResults(rep)
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
	if canceled {
		return e.afterOp()
	}
	record := e.save.recordAttempt(e.exercise.ID, rep)
	if record != nil {
		e.recording++
	}
	return tea.Batch(record, e.afterOp())
}

// showResults puts rep's verdicts on the rows.
func (e *exerciseScreen) showResults(rep check.Report) {
	for i, r := range rep.Results {
		if i < len(e.rows) {
			e.rows[i].done, e.rows[i].running, e.rows[i].result = true, false, r
			if r.Title != "" {
				e.rows[i].title = r.Title
			}
		}
	}
}

// onAttemptSaved says when a verdict could not be kept. A read-only
// progress (another shipshape has it open) is already on the status bar.
func (e *exerciseScreen) onAttemptSaved(msg attemptSavedMsg) {
	if msg.gen != e.save.gen {
		return
	}
	e.recording = max(0, e.recording-1)
	if msg.err == nil || errors.Is(msg.err, store.ErrReadOnly) {
		return
	}
	e.notice = "Checked, but the result could not be saved: " + termsafe.Line(msg.err.Error())
}

// onProject takes in what the workspace holds, and runs the first check
// of an exercise once there is something to check.
func (e *exerciseScreen) onProject(msg projectMsg) tea.Cmd {
	if msg.lesson != e.lesson {
		return nil // an answer for an exercise no longer open
	}
	e.hasProject, e.starterFiles = msg.has, msg.starterFiles
	if msg.autoCheck && msg.has && !e.busy() && e.shown && !e.closing {
		return e.startCheck()
	}
	return nil
}

func (e *exerciseScreen) move(delta int) {
	if len(e.rows) == 0 {
		return
	}
	e.selected = (e.selected + delta + len(e.rows)) % len(e.rows)
}
