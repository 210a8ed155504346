package tui

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"shipshape/internal/check"
	"shipshape/internal/render"
	"shipshape/internal/report"
	"shipshape/internal/termsafe"
)

// The learner's files from the exercise screen: e opens the Dockerfile (or
// the file the selected check judged) in their editor, and a reference
// solution's NOTES.md is shown here rather than written into the
// workspace.

type (
	// editorReadyMsg is the editor command to run, found in the background.
	editorReadyMsg struct {
		cmd  *exec.Cmd
		file string
		err  error
	}
	// editorDoneMsg is the editor having exited.
	editorDoneMsg struct {
		file string
		err  error
	}
)

// editorFallbacks are tried, in order, when neither $VISUAL nor $EDITOR
// is set.
var editorFallbacks = []string{"nano", "vi"}

// lineEditors take +LINE before the file to open it at a line.
var lineEditors = map[string]bool{"vi": true, "vim": true, "nvim": true, "nano": true, "emacs": true, "micro": true, "kak": true, "hx": true}

// startEdit finds the file and the editor in the background (LookPath and
// the environment are I/O); onEditorReady then hands the terminal over.
func (e *exerciseScreen) startEdit() tea.Cmd {
	file, line := filepath.Join(e.dir, "Dockerfile"), 0
	if len(e.rows) > 0 {
		row := e.rows[e.selected]
		res := row.result
		if !row.done {
			res = check.Result{Kind: row.decl.Kind}
		}
		file, line = report.Locate(e.dir, res)
	}
	return func() tea.Msg {
		cmd, err := editorCommand(os.Getenv("VISUAL"), os.Getenv("EDITOR"), file, line, exec.LookPath)
		return editorReadyMsg{cmd: cmd, file: file, err: err}
	}
}

// editorCommand is the command that opens file (at line, when the editor
// is known to take +LINE) in the learner's editor. Like git, it runs the
// variable through sh, so "code --wait" works.
func editorCommand(visual, editor, file string, line int, lookPath func(string) (string, error)) (*exec.Cmd, error) {
	ed := strings.TrimSpace(visual)
	if ed == "" {
		ed = strings.TrimSpace(editor)
	}
	if ed == "" {
		for _, f := range editorFallbacks {
			if _, err := lookPath(f); err == nil {
				ed = f
				break
			}
		}
	}
	if ed == "" {
		return nil, errors.New("no editor: set $EDITOR (for example export EDITOR=nano) and start shipshape again")
	}
	args := []string{file}
	if fields := strings.Fields(ed); line > 0 && lineEditors[filepath.Base(fields[0])] {
		args = []string{"+" + strconv.Itoa(line), file}
	}
	return exec.Command("sh", append([]string{"-c", ed + ` "$@"`, ed}, args...)...), nil
}

func (e *exerciseScreen) onEditorReady(msg editorReadyMsg) tea.Cmd {
	if msg.err != nil {
		e.notice = msg.err.Error()
		return nil
	}
	if e.closing || !e.shown {
		return nil
	}
	file := msg.file
	return tea.ExecProcess(msg.cmd, func(err error) tea.Msg { return editorDoneMsg{file: file, err: err} })
}

// onEditorDone says what next once the editor is closed; the workspace is
// read again, since the file may be new.
func (e *exerciseScreen) onEditorDone(msg editorDoneMsg) tea.Cmd {
	name := termsafe.Line(filepath.Base(msg.file))
	e.showTasks = false // the notice shows with the details or the log
	switch {
	case msg.err != nil:
		e.notice = "The editor ended with an error (" + termsafe.Line(msg.err.Error()) + "); check " + name + " before you build."
	case e.watching:
		e.notice = "Back from editing " + name + "; watch mode rebuilds and checks saved changes."
	default:
		e.notice = "Back from editing " + name + ": b builds it, c checks it."
	}
	return projectCmd(e.workflow, e.lesson, false)
}

// solutionWhy is the reason line of the solution question: before a pass
// it argues for trying first, after one it offers a comparison.
func (e *exerciseScreen) solutionWhy() string {
	if e.passed {
		return "  You have passed this exercise; compare your files with the reference."
	}
	return "  You have not passed this exercise yet; working it out yourself teaches more."
}

// renderNotes renders a solution's NOTES.md for width; it runs in the
// background. Without a renderer, or when rendering fails, the text is
// shown as it is, made safe for the terminal.
func renderNotes(r Renderer, id, notes string, width int, style render.Style) string {
	if r != nil {
		if out, err := r.RenderDoc("solution-notes:"+id, notes, width, style); err == nil {
			return out.Text
		}
	}
	return termsafe.Text(notes)
}

// notesHeading introduces a solution's notes below the files written.
const notesHeading = "── NOTES.md of the solution, shown here and not copied (pgup/pgdown scroll):"

// readsFromTop reports whether the activity area is a report to read
// from its top (a measurement, a solution's notes), laid out for the
// width already, not a log whose newest lines matter.
func (e *exerciseScreen) readsFromTop() bool { return e.measure != nil || e.notesShown }
