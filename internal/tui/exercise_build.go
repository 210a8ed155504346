package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"shipshape/internal/lab"
	"shipshape/internal/termsafe"
)

// Building the dev image (B). The dev image is the baseline exercises 3.2
// and 3.4 compare the prod image with, so it is built from the starter's
// Dockerfile, never from the learner's, and one that exists is replaced
// only once the learner says so.

// devLookupTimeout bounds asking the daemon whether the dev image exists.
const devLookupTimeout = 15 * time.Second

// devImageMsg says whether the dev image exists, before B builds it.
type devImageMsg struct {
	exists bool
	err    error
}

// askBuildDev looks for the dev image in the background; onDevImage then
// asks or builds.
func (e *exerciseScreen) askBuildDev() tea.Cmd {
	wf, ref := e.workflow, e.devImage
	e.notice = "Looking for " + ref + "…"
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), devLookupTimeout)
		defer cancel()
		ok, err := wf.ImageExists(ctx, ref)
		return devImageMsg{exists: ok, err: err}
	}
}

func (e *exerciseScreen) onDevImage(msg devImageMsg) tea.Cmd {
	e.notice = ""
	switch {
	case e.busy() || e.confirm != confirmNone || e.closing:
		// Something else began meanwhile; B can be pressed again.
		return nil
	case msg.exists:
		e.confirm = confirmReplaceDev
		return nil
	}
	// Not there, or the daemon could not say: the build reports the latter.
	return e.startBuildDev()
}

// startBuildDev builds the dev image from the starter's Dockerfile.
func (e *exerciseScreen) startBuildDev() tea.Cmd {
	wf := e.workflow
	return e.startBuildWith(e.devImage, "Building "+e.devImage+" from the starter's Dockerfile on "+e.dir, false,
		func(ctx context.Context, on func(lab.BuildEvent)) (lab.BuildResult, error) {
			return wf.BuildDev(ctx, on)
		})
}

// buildConfirmLines are the questions of this file, for confirmLines.
func (e *exerciseScreen) buildConfirmLines() []string {
	if e.confirm != confirmReplaceDev {
		return nil
	}
	dev, prod := termsafe.Line(e.devImage), termsafe.Line(e.prodImage)
	// Wrapped: image names can be long, and every word here matters.
	out := wrapLines(e.st.warn.Render("Replace "+dev+"? It is your baseline."), e.width, "")
	out = append(out, wrapLines("Exercises 3.2 and 3.4 compare "+prod+" with it. It is rebuilt from the starter's Dockerfile (not yours) on the files of your workspace.", e.width, "  ")...)
	return append(out, e.st.header.Render("  y: rebuild it   n: keep it"))
}
