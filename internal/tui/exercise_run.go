package tui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"shipshape/internal/lab"
	"shipshape/internal/termsafe"
)

// Running the prod image (r) and watch mode (w) on the exercise screen.
// A container runs beside the operations; runID tells its messages from
// those of an earlier one.

type (
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
	fileChangedMsg struct {
		gen   int
		paths []string
	}
	watchStoppedMsg struct {
		gen int
		err error
	}
)

// runStartTimeout bounds starting a container; stopTimeout its removal.
const (
	runStartTimeout = 30 * time.Second
	stopTimeout     = 30 * time.Second
)

// toggleRun starts the prod image, or stops the container r started.
func (e *exerciseScreen) toggleRun() tea.Cmd {
	if e.running != nil {
		if e.runStopping {
			return nil
		}
		e.addActivity("── stopping (SIGTERM, then the stop timeout)…")
		return e.stopContainer()
	}
	e.showActivity, e.showTasks = true, false
	e.activityTitle = "Starting " + e.prodImage + "…"
	e.activity, e.measure = nil, nil
	e.runID++
	return startRunCmd(e.workflow, e.prodImage, e.runID)
}

// stopContainer stops and removes the running container, once.
func (e *exerciseScreen) stopContainer() tea.Cmd {
	if e.running == nil || e.runStopping {
		return nil
	}
	e.runStopping = true
	return stopRunCmd(e.running, e.runID)
}

// startRunCmd starts image; runID tells this container's messages from
// those of an earlier one.
func startRunCmd(wf Workflow, image string, runID int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), runStartTimeout)
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
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		return runStoppedMsg{runID: runID, err: r.Stop(ctx)}
	}
}

func (e *exerciseScreen) onRunStarted(msg runStartedMsg) tea.Cmd {
	if msg.runID != e.runID || e.closing || !e.shown {
		// Started for a screen that is gone: remove it at once.
		if msg.running != nil {
			return stopRunCmd(msg.running, msg.runID)
		}
		return nil
	}
	e.showActivity, e.showTasks = true, false
	if msg.err != nil {
		e.activityTitle = "Could not run " + msg.image
		e.addActivity(msg.err.Error())
		return nil
	}
	e.running, e.runImage, e.health, e.runEvents, e.runURL = msg.running, msg.image, "", msg.running.Events(), ""
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
		return e.stopContainer()
	}
	ev := msg.ev
	switch {
	case ev.Address != "":
		// Published on the loopback: the learner can try it from a shell.
		e.runURL = "http://" + termsafe.Line(ev.Address)
		e.activityTitle = "Running " + e.runImage + " at " + e.runURL + " (r stops it)"
		e.addActivity("── listening on " + e.runURL + " · try: curl " + e.runURL + "/health")
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

func (e *exerciseScreen) onRunStopped(msg runStoppedMsg) {
	if msg.runID != e.runID {
		return
	}
	if msg.err != nil {
		e.addActivity("── could not stop the container: " + msg.err.Error())
	}
	if e.running != nil {
		e.activityTitle = "Stopped " + e.runImage + "; its container was removed"
	}
	e.running, e.runEvents, e.runStopping = nil, nil, false
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
func (e *exerciseScreen) startWatch() tea.Cmd {
	e.stopWatch()
	ctx, cancel := context.WithCancel(context.Background())
	e.watchGen++
	gen := e.watchGen
	e.watching, e.watchCancel = true, cancel
	wf := e.workflow
	return streamCmd(ctx, func(s sender) tea.Msg {
		err := wf.Watch(ctx, func(paths []string) {
			// A change while one is queued is covered by the rebuild it starts.
			s.Offer(fileChangedMsg{gen: gen, paths: paths})
		})
		return watchStoppedMsg{gen: gen, err: err}
	})
}

func (e *exerciseScreen) stopWatch() {
	if e.watchCancel != nil {
		e.watchCancel()
	}
	e.watching, e.watchCancel, e.pending = false, nil, false
}

func (e *exerciseScreen) onWatchStopped(msg watchStoppedMsg) {
	if msg.gen != e.watchGen {
		return
	}
	if e.watching && msg.err != nil {
		e.notice = "watching stopped: " + msg.err.Error()
	}
	e.watching = false
}
