package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/termsafe"
)

// ChecklistRunner judges the deployment checklist against the learner's
// prod image and workspace.
type ChecklistRunner interface {
	RunChecklist(ctx context.Context, onEvent func(check.Event)) ([]checklist.ItemResult, error)
}

type checklistKeys struct {
	Up, Down, Tick, Run, Back, Help, Quit key.Binding
}

func newChecklistKeys() checklistKeys {
	return checklistKeys{
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Tick: key.NewBinding(key.WithKeys(" ", "x"), key.WithHelp("space", "tick/untick")),
		Run:  key.NewBinding(key.WithKeys("c", "r"), key.WithHelp("c", "run the checks")),
		Back: key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		Help: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp implements help.KeyMap.
func (k checklistKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Tick, k.Run, k.Back, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k checklistKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down}, {k.Tick, k.Run}, {k.Back, k.Help, k.Quit}}
}

// checklistScreen shows the deployment checklist: machine-judged items
// with their verdicts, the others for the learner to tick.
type checklistScreen struct {
	common
	keys   checklistKeys
	spin   spinner.Model
	runner ChecklistRunner
	save   saver
	// items is the open pack's checklist.
	items []checklist.Item
	// ticked is the learner's ticks, as the progress last reported them.
	ticked   map[string]bool
	selected int
	results  map[string]checklist.ItemResult
	running  bool
	runID    int
	cancel   context.CancelFunc
	done     int
	err      string
}

type (
	checklistEventMsg struct {
		runID int
		ev    check.Event
	}
	checklistDoneMsg struct {
		runID   int
		results []checklist.ItemResult
		err     error
	}
)

// newChecklistScreen makes the screen; without a runner the learner can
// still tick items.
func newChecklistScreen(c common, items []checklist.Item, runner ChecklistRunner, save saver, ticked map[string]bool) *checklistScreen {
	return &checklistScreen{common: c, keys: newChecklistKeys(), spin: spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		items: items, runner: runner, save: save, ticked: ticked, results: map[string]checklist.ItemResult{}}
}

// KeyMap implements component.
func (c *checklistScreen) KeyMap() help.KeyMap { return c.keys }

// SetTicked shows the ticks the progress now holds.
func (c *checklistScreen) SetTicked(ticked map[string]bool) { c.ticked = ticked }

// Working reports whether the checks run (they make containers).
func (c *checklistScreen) Working() bool { return c.running }

// Shutdown cancels the checks; Working turns false once they cleaned up.
func (c *checklistScreen) Shutdown() tea.Cmd {
	c.stop()
	return nil
}

// Update implements component.
func (c *checklistScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return c.updateKey(msg)
	case spinner.TickMsg:
		if !c.running {
			return nil
		}
		var cmd tea.Cmd
		c.spin, cmd = c.spin.Update(msg)
		return cmd
	case checklistEventMsg:
		if msg.runID == c.runID && msg.ev.Type == check.EventFinished {
			c.done++
		}
	case checklistDoneMsg:
		c.onDone(msg)
	}
	return nil
}

func (c *checklistScreen) updateKey(msg tea.KeyMsg) tea.Cmd {
	k := c.keys
	switch {
	case key.Matches(msg, k.Up):
		c.move(-1)
	case key.Matches(msg, k.Down):
		c.move(1)
	case key.Matches(msg, k.Tick):
		return c.toggleTick()
	case key.Matches(msg, k.Run):
		if c.runner != nil && !c.running {
			return c.start()
		}
	case key.Matches(msg, k.Back):
		c.stop()
		return leave
	}
	return nil
}

// start judges the checklist in the background.
func (c *checklistScreen) start() tea.Cmd {
	if len(c.items) == 0 {
		return nil // nothing to judge
	}
	if c.cancel != nil {
		c.cancel()
	}
	c.runID++
	c.running, c.done, c.err = true, 0, ""
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	id, runner := c.runID, c.runner
	run := streamCmd(ctx, func(s sender) tea.Msg {
		defer cancel()
		res, err := runner.RunChecklist(ctx, func(ev check.Event) {
			// Progress only; never block the checks.
			s.Offer(checklistEventMsg{runID: id, ev: ev})
		})
		return checklistDoneMsg{runID: id, results: res, err: err}
	})
	return tea.Batch(run, c.spin.Tick)
}

func (c *checklistScreen) stop() {
	if c.running && c.cancel != nil {
		c.cancel()
	}
}

func (c *checklistScreen) onDone(msg checklistDoneMsg) {
	if msg.runID != c.runID {
		return
	}
	c.running = false
	if msg.err != nil {
		c.err = termsafe.Line(msg.err.Error())
		return
	}
	c.results = map[string]checklist.ItemResult{}
	for _, r := range msg.results {
		c.results[r.Item.ID] = r
	}
}

func (c *checklistScreen) move(d int) {
	n := len(c.items)
	if n == 0 {
		return
	}
	c.selected = (c.selected + d + n) % n
}

// manual reports whether the learner ticks item i themselves.
func (c *checklistScreen) manual(it checklist.Item) bool {
	r, ok := c.results[it.ID]
	return len(it.Kinds) == 0 || (ok && r.Status == checklist.Manual)
}

// View implements component: the items (a window around the selected one
// when they do not fit), the selected item's details and a status line.
// The details keep their room, so that a reason is never cut off.
func (c *checklistScreen) View() string {
	ticked := c.ticked
	w := c.width
	title := c.st.title.Render("Deployment checklist")
	right := c.st.muted.Render("✓ judged by shipshape · [x] ticked by you")
	lines := []string{joinEnds(title, right, w)}
	var items []string
	selectedLine := 0
	if len(c.items) == 0 {
		items = append(items, "", c.st.muted.Render("This pack has no deployment checklist."))
	}
	section := ""
	for i, it := range c.items {
		if it.Section != section {
			section = it.Section
			items = append(items, c.st.header.Render(section))
		}
		if i == c.selected {
			selectedLine = len(items)
		}
		items = append(items, c.itemView(i, it, ticked))
	}
	details := c.detailLines()
	// The header, the rule and the status line; the details get what they
	// need up to half the window, and never less than three lines.
	room := max(1, c.height-3)
	detailRoom := min(len(details), max(3, room/2))
	itemRoom := max(1, room-detailRoom)
	if len(items) > itemRoom {
		first := min(max(0, selectedLine-itemRoom/2), len(items)-itemRoom)
		items = items[first : first+itemRoom]
	}
	lines = append(lines, items...)
	lines = append(lines, c.st.muted.Render(strings.Repeat("─", w)))
	if len(details) > max(0, c.height-1-len(lines)) {
		details = details[:max(0, c.height-1-len(lines))]
	}
	lines = append(lines, details...)
	for len(lines) < c.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:max(0, c.height-1)], c.statusLine(ticked))
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], w, "")
	}
	return strings.Join(lines, "\n")
}

// itemView is one item's line: cursor, mark, text and what it needs.
func (c *checklistScreen) itemView(i int, it checklist.Item, ticked map[string]bool) string {
	cursor := "  "
	text := termsafe.Line(it.Text)
	if i == c.selected {
		cursor = c.st.selected.Render("› ")
		text = c.st.selected.Render(text)
	}
	var mark, note string
	switch r, ok := c.results[it.ID]; {
	case c.manual(it):
		mark = "[ ]"
		if ticked[it.ID] {
			mark = c.st.ok.Render("[x]")
		}
		note = "check yourself"
	case c.running:
		mark, note = " "+c.spin.View()+" ", "checking"
	case !ok && c.err != "":
		mark, note = c.st.warn.Render(" ? "), "not judged"
	case !ok:
		mark, note = " · ", "press c"
	case r.Status == checklist.Pass:
		mark, note = c.st.ok.Render(" ✓ "), "passed"
	case r.Status == checklist.Fail:
		mark, note = c.st.bad.Render(" ✗ "), "failed"
	default:
		mark, note = c.st.warn.Render(" ? "), "not judged"
	}
	return joinEnds(cursor+mark+" "+text, c.st.muted.Render(note), c.width)
}

func (c *checklistScreen) detailLines() []string {
	if c.err != "" {
		return wrapLines(c.st.bad.Render("Could not check: ")+c.err, c.width, "")
	}
	if len(c.items) == 0 {
		return nil
	}
	it := c.items[c.selected]
	r, ok := c.results[it.ID]
	if !ok || c.manual(it) {
		if len(it.Kinds) == 0 {
			return []string{c.st.muted.Render("No machine can judge this; the checklist lesson says how to verify it. Space ticks it.")}
		}
		if ok && len(r.Evidence) > 0 {
			return wrapLines("• "+termsafe.Line(r.Evidence[0]), c.width-2, "  ")
		}
		return []string{c.st.muted.Render("Judged by: " + strings.Join(it.Kinds, ", "))}
	}
	var out []string
	for i, e := range r.Evidence {
		if i == 3 {
			out = append(out, c.st.muted.Render(fmt.Sprintf("  … %d more (shipshape checklist prints all)", len(r.Evidence)-3)))
			break
		}
		out = append(out, wrapLines("• "+termsafe.Line(e), c.width-2, "  ")...)
	}
	if r.Status != checklist.Pass && r.Hint != "" {
		out = append(out, wrapLines(c.st.warn.Render("hint: ")+termsafe.Line(r.Hint), c.width-2, "  ")...)
	}
	return out
}

func (c *checklistScreen) statusLine(ticked map[string]bool) string {
	if c.running {
		return c.st.muted.Render(fmt.Sprintf("%s %d checks done", c.spin.View(), c.done))
	}
	if c.err != "" {
		// The reason is above, whole: the details keep their room.
		return c.st.bad.Render("not judged: fix the problem above, then press c")
	}
	judged, passed, manual, tickedN := 0, 0, 0, 0
	for _, it := range c.items {
		if c.manual(it) {
			manual++
			if ticked[it.ID] {
				tickedN++
			}
			continue
		}
		if r, ok := c.results[it.ID]; ok {
			judged++
			if r.Status == checklist.Pass {
				passed++
			}
		}
	}
	return c.st.muted.Render(fmt.Sprintf("%d/%d judged items pass · %d/%d ticked by you", passed, judged, tickedN, manual))
}

// toggleTick flips the selected manual item in the progress.
func (c *checklistScreen) toggleTick() tea.Cmd {
	if len(c.items) == 0 {
		return nil
	}
	it := c.items[c.selected]
	if !c.manual(it) {
		return nil
	}
	id := it.ID
	return c.save.save(func(p Progress) error { return p.ToggleTick(id) })
}
