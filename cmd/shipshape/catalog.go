package main

import (
	"path/filepath"
	"sync"

	"shipshape/internal/attempt"
	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/packs"
	"shipshape/internal/progress"
	"shipshape/internal/tui"
)

// tuiCatalog lets the TUI switch between the built-in course and the
// installed packs. It owns the open pack's progress store, so that
// switching releases the previous pack's lock.
type tuiCatalog struct {
	a       *app
	session *attempt.Session

	mu    sync.Mutex
	store *progress.Store
}

// Choices lists the built-in course and every installed pack.
func (c *tuiCatalog) Choices() ([]tui.PackChoice, error) {
	list, err := packs.Choices()
	out := make([]tui.PackChoice, len(list))
	for i, ch := range list {
		out[i] = tui.PackChoice(ch)
	}
	return out, err
}

// Switch opens the pack ref names ("" for the built-in course).
func (c *tuiCatalog) Switch(ref string) (tui.PackSession, error) {
	pack, err := packs.Open(ref, course.Options{CheckKind: check.ValidateParams})
	if err != nil {
		return tui.PackSession{}, err
	}
	return c.sessionFor(pack, "")
}

// sessionFor opens pack's progress and makes its checker and workflow.
// The previous pack's store is closed only once the new one is open.
func (c *tuiCatalog) sessionFor(pack *course.Pack, trivyReport string) (tui.PackSession, error) {
	store, err := c.a.openProgressQuiet(pack)
	if err != nil {
		return tui.PackSession{}, err
	}
	c.mu.Lock()
	old := c.store
	c.store = store
	c.mu.Unlock()
	if old != nil {
		old.Close()
	}
	a := c.a
	dir, err := filepath.Abs(a.dir)
	if err != nil {
		dir = a.dir
	}
	t := attempt.TargetFor(pack, a.image, a.devImage, dir)
	// The TUI shows its progress itself: no notes on stderr. It records
	// the attempts too, through tuiProgress: the checker saves nothing.
	runner := &attempt.Runner{Engines: c.session, Reports: attempt.NewReports(trivyReport), ReportDir: reportDir(),
		ImportAdvice: "press I to import it"}
	ws := attempt.NewWorkspace(runner, pack, t, attempt.BuildFlags{Args: a.buildArgs, Pull: a.pull})
	return tui.PackSession{Pack: pack, Progress: tuiProgress{store: store}, Checker: ws, Workflow: ws, Checklist: ws}, nil
}

func (c *tuiCatalog) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.store != nil {
		c.store.Close()
		c.store = nil
	}
}
