package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"shipshape/internal/termsafe"
	"shipshape/internal/workspace"
)

// updateExercise handles a key on the exercise screen.
func (m Model) updateExercise(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.ex.keys
	wf := m.cfg.Workflow
	if m.ex.confirm != confirmNone {
		return m.updateConfirm(msg)
	}
	if m.ex.importing {
		return m.updateImport(msg)
	}
	// A notice answers the previous key; the next key replaces it.
	m.ex.notice = ""
	switch {
	case key.Matches(msg, k.Up):
		m.ex.move(-1)
		m.ex.showActivity, m.ex.showTasks = false, false
	case key.Matches(msg, k.Down):
		m.ex.move(1)
		m.ex.showActivity, m.ex.showTasks = false, false
	case key.Matches(msg, k.Details):
		// tasks → log → details → tasks
		switch {
		case m.ex.showTasks:
			m.ex.showTasks, m.ex.showActivity = false, true
		case m.ex.showActivity:
			m.ex.showActivity = false
		default:
			m.ex.showTasks = true
		}
	case key.Matches(msg, k.Cancel):
		m.ex.cancelOp()
	case key.Matches(msg, k.Back):
		// Work goes on in the background; leaving the exercise ends watch
		// mode and the running container, as the learner would expect.
		m.ex.stopWatch()
		m.screen = screenPager
		m.layout()
		if m.ex.running != nil && !m.ex.runStopping {
			m.ex.runStopping = true
			return m, stopRunCmd(m.ex.running, m.ex.runID)
		}
	case key.Matches(msg, k.Hint):
		if m.ex.hints < len(m.ex.exercise.Hints) {
			m.ex.hints++
		} else {
			m.ex.notice = "That was the last hint; the solution is on s."
		}
		m.ex.showActivity = false
	case key.Matches(msg, k.Check):
		if m.ex.busy() {
			return m, nil
		}
		cmd := m.ex.startCheck(m.cfg.Checker)
		return m, cmd
	}
	if wf == nil {
		return m, nil
	}
	prod, dev := wf.Images()
	switch {
	case key.Matches(msg, k.BuildProd), key.Matches(msg, k.BuildDev):
		if m.ex.busy() {
			m.ex.notice = "Busy; press x to cancel first."
			return m, nil
		}
		tag := prod
		if key.Matches(msg, k.BuildDev) {
			tag = dev
		}
		cmd := m.ex.startBuild(wf, tag, false)
		return m, cmd
	case key.Matches(msg, k.Run):
		if m.ex.running != nil {
			if !m.ex.runStopping {
				m.ex.runStopping = true
				m.ex.addActivity("── stopping (SIGTERM, then the stop timeout)…")
				return m, stopRunCmd(m.ex.running, m.ex.runID)
			}
			return m, nil
		}
		m.ex.showActivity, m.ex.showTasks = true, false
		m.ex.activityTitle = "Starting " + prod + "…"
		m.ex.activity, m.ex.measure = nil, nil
		m.ex.runID++
		return m, startRunCmd(wf, prod, m.ex.runID)
	case key.Matches(msg, k.Watch):
		if m.ex.watching {
			m.ex.stopWatch()
			m.ex.notice = "Stopped watching."
			return m, nil
		}
		m.ex.notice = "Watching " + wf.Dir() + ": saving a file rebuilds " + prod + " and checks again."
		cmd := m.ex.startWatch(wf)
		return m, cmd
	case key.Matches(msg, k.Scan):
		if m.ex.busy() {
			return m, nil
		}
		cmd := m.ex.startScan(wf, prod)
		return m, cmd
	case key.Matches(msg, k.Import):
		m.ex.importing = true
		m.ex.runImage = prod
		m.ex.input = textinput.New()
		m.ex.input.Placeholder = "report.json"
		m.ex.input.Prompt = "path: "
		m.ex.input.CharLimit = 4096
		m.ex.input.Width = max(20, m.width-12)
		cmd := m.ex.input.Focus()
		return m, cmd
	case key.Matches(msg, k.Measure):
		if m.ex.busy() {
			return m, nil
		}
		cmd := m.ex.startMeasure(wf)
		return m, cmd
	case m.ex.busy() && (key.Matches(msg, k.Init) || key.Matches(msg, k.Solution) || key.Matches(msg, k.Reset)):
		m.ex.notice = "Busy; press x to cancel first."
		return m, nil
	case key.Matches(msg, k.Init):
		if m.ex.hasProject {
			m.ex.notice = "The workspace already has a Dockerfile; f resets single files to the starter."
			return m, nil
		}
		cmd := m.ex.startFiles("Starter written to "+wf.Dir(), wf.Init)
		return m, cmd
	case key.Matches(msg, k.Solution):
		if m.ex.exercise.Solution == "" {
			m.ex.notice = "This pack has no reference solution for exercise " + m.ex.exercise.ID + "."
			return m, nil
		}
		if m.ex.passed {
			cmd := m.applySolution()
			return m, cmd
		}
		m.ex.confirm = confirmSolution
	case key.Matches(msg, k.Reset):
		files := m.ex.starterFiles
		if len(files) == 0 {
			return m, nil
		}
		m.ex.resetFile = files[0]
		for _, f := range files {
			if f == "Dockerfile" {
				m.ex.resetFile = f
			}
		}
		m.ex.confirm = confirmReset
	}
	return m, nil
}

func (m *Model) applySolution() tea.Cmd {
	wf, ex := m.cfg.Workflow, m.ex.exercise
	return m.ex.startFiles("Reference solution of exercise "+ex.ID+" copied into "+wf.Dir(), func() (workspace.Result, error) {
		return wf.ApplySolution(ex)
	})
}

// updateConfirm answers the pending y/n question.
func (m Model) updateConfirm(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.ex.keys
	switch {
	case key.Matches(msg, k.Yes):
		what := m.ex.confirm
		m.ex.confirm = confirmNone
		switch what {
		case confirmSolution:
			cmd := m.applySolution()
			return m, cmd
		case confirmReset:
			wf, name := m.cfg.Workflow, m.ex.resetFile
			cmd := m.ex.startFiles(name+" reset to the starter's version", func() (workspace.Result, error) {
				return wf.ResetFile(name)
			})
			return m, cmd
		}
	case key.Matches(msg, k.No):
		m.ex.confirm = confirmNone
	case m.ex.confirm == confirmReset && (msg.String() == "left" || msg.String() == "right"):
		files := m.ex.starterFiles
		i := 0
		for j, f := range files {
			if f == m.ex.resetFile {
				i = j
			}
		}
		if msg.String() == "right" {
			i = (i + 1) % len(files)
		} else {
			i = (i - 1 + len(files)) % len(files)
		}
		m.ex.resetFile = files[i]
	case key.Matches(msg, m.ex.keys.Quit) && msg.String() == "ctrl+c":
		cmd := m.quit()
		return m, cmd
	}
	return m, nil
}

// updateExerciseMsg handles the messages of the exercise screen's work.
func (m Model) updateExerciseMsg(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	wf := m.cfg.Workflow
	switch msg := msg.(type) {
	case checkEventMsg:
		m.ex.onCheckEvent(msg)
		if msg.opID == m.ex.opID {
			cmds = append(cmds, next(m.ex.events))
		}
	case checkDoneMsg:
		if m.ex.onCheckDone(msg) {
			cmds = append(cmds, m.reloadCmd())
		}
		cmds = append(cmds, m.afterOp())
	case buildEventMsg:
		m.ex.onBuildEvent(msg)
		if msg.opID == m.ex.opID {
			cmds = append(cmds, next(m.ex.events))
		}
	case buildDoneMsg:
		ok := m.ex.onBuildDone(msg)
		cmds = append(cmds, projectCmd(wf, m.ex.lesson, false))
		if ok && msg.thenCheck && !m.quitting {
			cmds = append(cmds, m.ex.startCheck(m.cfg.Checker))
		} else {
			cmds = append(cmds, m.afterOp())
		}
	case scanDoneMsg:
		m.ex.onScanDone(msg)
		cmds = append(cmds, m.afterOp())
	case measureProgressMsg:
		if msg.opID == m.ex.opID {
			m.ex.addActivity(msg.text)
			cmds = append(cmds, next(m.ex.events))
		}
	case measureDoneMsg:
		m.ex.onMeasureDone(msg)
		cmds = append(cmds, m.afterOp())
	case filesDoneMsg:
		m.ex.onFilesDone(msg)
		cmds = append(cmds, m.afterOp(), projectCmd(wf, m.ex.lesson, false))
	case runStartedMsg:
		if msg.runID != m.ex.runID || m.quitting || m.screen != screenExercise {
			// Started for a screen that is gone: remove it at once.
			if msg.running != nil {
				return m, stopRunCmd(msg.running, msg.runID)
			}
			return m, nil
		}
		cmds = append(cmds, m.ex.onRunStarted(msg))
	case runEventMsg:
		cmds = append(cmds, m.ex.onRunEvent(msg))
	case runStoppedMsg:
		if msg.runID != m.ex.runID {
			return m, nil
		}
		if msg.err != nil {
			m.ex.addActivity("── could not stop the container: " + msg.err.Error())
		}
		if m.ex.running != nil {
			m.ex.activityTitle = "Stopped " + m.ex.runImage + "; its container was removed"
		}
		m.ex.running, m.ex.runEvents, m.ex.runStopping = nil, nil, false
		cmds = append(cmds, m.finishQuit())
	case reportImportedMsg:
		if msg.err != nil {
			m.ex.notice = "Not imported: " + termsafe.Line(msg.err.Error())
		} else {
			m.ex.notice = "Using " + termsafe.Line(msg.path) + " for the scan check; press c."
		}
		m.ex.showActivity, m.ex.showTasks = false, false
	case fileChangedMsg:
		if !m.ex.watching || wf == nil || msg.gen != m.ex.watchGen {
			return m, nil
		}
		cmds = append(cmds, projectCmd(wf, m.ex.lesson, false))
		cmds = append(cmds, next(m.ex.watchEvents))
		m.ex.notice = "changed: " + strings.Join(msg.paths, ", ")
		if m.ex.busy() {
			m.ex.pending = true
		} else {
			prod, _ := wf.Images()
			cmds = append(cmds, m.ex.startBuild(wf, prod, true))
		}
	case watchStoppedMsg:
		if msg.gen != m.ex.watchGen {
			return m, nil
		}
		if m.ex.watching && msg.err != nil {
			m.ex.notice = "watching stopped: " + msg.err.Error()
		}
		m.ex.watching = false
	}
	return m, tea.Batch(cmds...)
}

// afterOp runs what waited for the operation that just ended: quitting,
// or a rebuild the watcher asked for meanwhile.
func (m *Model) afterOp() tea.Cmd {
	if m.quitting {
		return m.finishQuit()
	}
	if m.ex.pending && m.ex.watching && m.cfg.Workflow != nil {
		m.ex.pending = false
		prod, _ := m.cfg.Workflow.Images()
		return m.ex.startBuild(m.cfg.Workflow, prod, true)
	}
	return nil
}

// openChecklist shows the deployment checklist.
func (m Model) openChecklist() (Model, tea.Cmd) {
	if m.screen != screenChecklist {
		m.cl.from = m.screen
	}
	m.screen = screenChecklist
	m.layout()
	return m, nil
}

func (m Model) updateChecklist(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.cl.keys
	switch {
	case key.Matches(msg, k.Up):
		m.cl.move(-1)
	case key.Matches(msg, k.Down):
		m.cl.move(1)
	case key.Matches(msg, k.Tick):
		cmd := m.toggleTick()
		return m, cmd
	case key.Matches(msg, k.Run):
		if m.cfg.Checklist != nil && !m.cl.running {
			cmd := m.cl.start(m.cfg.Checklist)
			return m, cmd
		}
	case key.Matches(msg, k.Back):
		m.cl.stop()
		m.screen = m.cl.from
		m.layout()
	}
	return m, nil
}

// updateImport edits the path of a Trivy report to import.
func (m Model) updateImport(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "esc":
		m.ex.importing = false
		return m, nil
	case "ctrl+c":
		cmd := m.quit()
		return m, cmd
	case "enter":
		m.ex.importing = false
		path := strings.TrimSpace(m.ex.input.Value())
		if path == "" {
			return m, nil
		}
		wf, image := m.cfg.Workflow, m.ex.runImage
		return m, func() tea.Msg { return reportImportedMsg{path: path, err: wf.ImportReport(image, path)} }
	}
	var cmd tea.Cmd
	m.ex.input, cmd = m.ex.input.Update(msg)
	return m, cmd
}
