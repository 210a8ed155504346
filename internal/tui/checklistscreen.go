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
	var lines []string
	title := c.st.title.Render("Deployment checklist")
	// The legend gives way to the title on a narrow window.
	right := "✓ judged by shipshape · [x] ticked by you"
	for _, legend := range []string{right, "✓ judged · [x] ticked by you", ""} {
		right = legend
		if ansi.StringWidth(title)+1+ansi.StringWidth(legend) <= w {
			break
		}
	}
	lines = append(lines, joinEnds(title, c.st.muted.Render(right), w))
	if len(c.items) == 0 {
		lines = append(lines, "", c.st.muted.Render("This pack has no deployment checklist."))
	}
	rows, selRow := c.itemRows(ticked)
	// Below the items: a rule, the selected item's details, the status
	// line. The details get what they need up to half the window, and at
	// least three lines, or one when the items would vanish for them.
	details := c.detailLines()
	room := max(1, c.height-len(lines)-2)
	detailRoom := min(len(details), max(3, room/2))
	if room-detailRoom < 1 {
		detailRoom = min(len(details), max(1, room/3))
	}
	if len(rows) < room-detailRoom {
		detailRoom = min(len(details), room-len(rows))
	}
	switch {
	case len(details) <= detailRoom:
	case detailRoom <= 1:
		details = details[:1]
	default:
		details = append(details[:detailRoom-1], c.st.muted.Render("  … (shipshape checklist prints all)"))
	}
	lines = append(lines, scrollWindow(rows, selRow, max(1, room-len(details)), c.st)...)
	lines = append(lines, c.st.muted.Render(strings.Repeat("─", w)))
	lines = append(lines, details...)
	for len(lines) < c.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines, c.statusLine(ticked))
	if len(lines) > c.height {
		// A window too short even for this: the title and the status stay.
		lines = append(lines[:max(1, c.height-1)], lines[len(lines)-1])
	}
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], w, "")
	}
	return strings.Join(lines, "\n")
}

// itemRows are the checklist's lines, section headers included, and the
// line of the selected item.
func (c *checklistScreen) itemRows(ticked map[string]bool) ([]string, int) {
	var rows []string
	selRow, section := 0, ""
	for i, it := range c.items {
		if it.Section != section {
			section = it.Section
			rows = append(rows, c.st.header.Render(section))
		}
		if i == c.selected {
			selRow = len(rows)
		}
		rows = append(rows, c.itemView(i, it, ticked))
	}
	return rows, selRow
}

// scrollWindow shows height of the rows with the selected one in view; a
// line at either end says how many rows are hidden there.
func scrollWindow(rows []string, sel, height int, st styles) []string {
	if len(rows) <= height {
		return rows
	}
	if height < 3 {
		start := min(max(0, sel-height+1), len(rows)-height)
		return rows[start : start+height]
	}
	// One line above and one below may be marks; the rest shows rows.
	body := height - 2
	start := min(max(0, sel-body/2), len(rows)-body)
	if start <= 1 {
		start, body = 0, height-1 // no mark above: the top is in view
	} else if start+body >= len(rows)-1 {
		start, body = len(rows)-(height-1), height-1 // the bottom is in view
	}
	var out []string
	if start > 0 {
		out = append(out, st.muted.Render(fmt.Sprintf("  ↑ %d more", start)))
	}
	out = append(out, rows[start:start+body]...)
	if below := len(rows) - start - body; below > 0 {
		out = append(out, st.muted.Render(fmt.Sprintf("  ↓ %d more", below)))
	}
	return out
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
			return wrapLines(c.st.muted.Render("No machine can judge this; the checklist lesson says how to verify it. Space ticks it."), c.width, "")
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
		out = append(out, wrapLines(c.st.warn.Render("hint: ")+c.st.inline(r.Hint), c.width-2, "  ")...)
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
	machine, judged, passed, manual, tickedN := 0, 0, 0, 0, 0
	for _, it := range c.items {
		if c.manual(it) {
			manual++
			if ticked[it.ID] {
				tickedN++
			}
			continue
		}
		machine++
		if r, ok := c.results[it.ID]; ok {
			judged++
			if r.Status == checklist.Pass {
				passed++
			}
		}
	}
	if judged == 0 && machine > 0 {
		// Before the first c: "0/0 pass" reads as a verdict.
		return c.st.muted.Render(fmt.Sprintf("%d items for shipshape to judge: press c · %d/%d ticked by you", machine, tickedN, manual))
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
