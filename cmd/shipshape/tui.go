package main

import (
	"context"
	"fmt"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/term"

	"shipshape/internal/attempt"
	"shipshape/internal/render"
	"shipshape/internal/tui"
)

// maxReadableWidth caps how wide lesson text is wrapped: long lines are
// hard to read however wide the terminal is.
const maxReadableWidth = 100

func runTUI(ctx context.Context, a *app) error {
	if !term.IsTerminal(int(os.Stdout.Fd())) || !term.IsTerminal(int(os.Stdin.Fd())) {
		return usageError("the course needs an interactive terminal; for scripts use 'shipshape list' or 'shipshape progress'")
	}
	style, err := render.Choose(a.style)
	if err != nil {
		return usageError("%v", err)
	}
	if a.buildArgs, err = parseBuildArgs(a.buildArgList); err != nil {
		return err
	}
	pack, err := a.loadPack()
	if err != nil {
		return err
	}
	// The TUI shows the daemon's state itself: no notes on stderr.
	session := attempt.NewSession(a.dockerOptions(), nil)
	defer session.Close()
	catalog := &tuiCatalog{a: a, session: session}
	defer catalog.close()
	first, err := catalog.sessionFor(pack, a.trivyReport)
	if err != nil {
		return err
	}
	model := tui.New(tui.Config{
		Pack:       first.Pack,
		Progress:   first.Progress,
		Renderer:   render.New(maxReadableWidth),
		Style:      style,
		Probe:      func(ctx context.Context) tui.DaemonStatus { return tui.DaemonStatus(session.Probe(ctx)) },
		ProbeEvery: 15 * time.Second,
		Checker:    first.Checker,
		Workflow:   first.Workflow,
		Checklist:  first.Checklist,
		Packs:      catalog,
		Clipboard:  os.Stdout,
	})
	if ctx == nil {
		ctx = context.Background()
	}
	prog := tea.NewProgram(model, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx))
	if _, err := prog.Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("the terminal interface stopped: %w", err)
	}
	return nil
}
