package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"shipshape/internal/course"
	"shipshape/internal/termsafe"
)

// PackChoice is one lesson pack the learner can switch to.
type PackChoice struct {
	// Ref is what Switch takes: "" for the built-in course, else a pack id.
	Ref     string
	Title   string
	Version string
	// Where says where the pack comes from, e.g. "built-in" or a path.
	Where string
	// Err is set for an installed pack that does not load.
	Err string
}

// PackSession is everything the TUI needs for one pack.
type PackSession struct {
	Pack      *course.Pack
	Progress  Progress
	Checker   Checker
	Workflow  Workflow
	Checklist ChecklistRunner
}

// PackCatalog lists the packs and opens one. Switch releases the previous
// pack's progress once the new one is open.
type PackCatalog interface {
	Choices() ([]PackChoice, error)
	Switch(ref string) (PackSession, error)
}

type packKeys struct {
	Up, Down, Choose, Back, Quit key.Binding
}

// ShortHelp implements help.KeyMap.
func (k packKeys) ShortHelp() []key.Binding { return []key.Binding{k.Choose, k.Back, k.Quit} }

// FullHelp implements help.KeyMap.
func (k packKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down}, {k.Choose, k.Back, k.Quit}}
}

func newPackKeys() packKeys {
	return packKeys{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open this pack")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Quit:   key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// packPicker lists the built-in course and the installed packs.
type packPicker struct {
	st       styles
	keys     packKeys
	width    int
	height   int
	choices  []PackChoice
	selected int
	loading  bool
	err      string
}

type (
	packChoicesMsg struct {
		choices []PackChoice
		err     error
	}
	packSwitchedMsg struct {
		session PackSession
		err     error
	}
)

func listPacksCmd(c PackCatalog) tea.Cmd {
	return func() tea.Msg {
		ch, err := c.Choices()
		return packChoicesMsg{choices: ch, err: err}
	}
}

func switchPackCmd(c PackCatalog, ref string) tea.Cmd {
	return func() tea.Msg {
		s, err := c.Switch(ref)
		return packSwitchedMsg{session: s, err: err}
	}
}

func (p packPicker) view(current string) string {
	lines := []string{p.st.title.Render("Lesson packs"),
		p.st.muted.Render(ansi.Truncate("Install more with `shipshape pack install FILE`; they appear here.", p.width, "…")), ""}
	if p.loading {
		lines = append(lines, p.st.muted.Render("Loading…"))
	}
	if p.err != "" {
		lines = append(lines, wrapLines(p.st.bad.Render(p.err), p.width, "")...)
	}
	for i, c := range p.choices {
		cursor := "  "
		title := termsafe.Line(c.Title)
		if i == p.selected {
			cursor = p.st.selected.Render("› ")
			title = p.st.selected.Render(title)
		}
		mark := " "
		if c.Ref == current {
			mark = p.st.ok.Render("●")
		}
		right := termsafe.Line(c.Version + " · " + c.Where)
		if c.Err != "" {
			right = "does not load"
		}
		lines = append(lines, joinEnds(cursor+mark+" "+title, p.st.muted.Render(right), p.width))
		if c.Err != "" && i == p.selected {
			lines = append(lines, wrapLines(p.st.bad.Render(termsafe.Line(c.Err)), p.width-4, "    ")...)
		}
	}
	for len(lines) < p.height {
		lines = append(lines, "")
	}
	if len(lines) > p.height {
		lines = lines[:p.height]
	}
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], p.width, "")
	}
	return strings.Join(lines, "\n")
}

// openPacks shows the pack picker.
func (m Model) openPacks() (Model, tea.Cmd) {
	if m.cfg.Packs == nil {
		return m, nil
	}
	m.screen = screenPacks
	m.packs.loading, m.packs.err = true, ""
	m.layout()
	return m, listPacksCmd(m.cfg.Packs)
}

func (m Model) updatePacks(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.packs.keys
	n := len(m.packs.choices)
	switch {
	case key.Matches(msg, k.Up) && n > 0:
		m.packs.selected = (m.packs.selected - 1 + n) % n
	case key.Matches(msg, k.Down) && n > 0:
		m.packs.selected = (m.packs.selected + 1) % n
	case key.Matches(msg, k.Back):
		m.screen = screenList
		m.layout()
	case key.Matches(msg, k.Choose) && n > 0 && !m.packs.loading:
		c := m.packs.choices[m.packs.selected]
		if c.Err != "" {
			return m, nil
		}
		if c.Ref == m.currentPackRef() {
			// Already open: opening it again would lock it against itself.
			m.screen = screenList
			m.layout()
			return m, nil
		}
		if m.ex.busy() || m.ex.running != nil || m.cl.running {
			m.packs.err = "Finish or cancel the running exercise work first."
			return m, nil
		}
		m.packs.loading = true
		return m, switchPackCmd(m.cfg.Packs, c.Ref)
	}
	return m, nil
}

// switchTo replaces the pack and everything that depends on it.
func (m Model) switchTo(s PackSession) (Model, tea.Cmd) {
	m.ex.stopWatch()
	m.gen++
	m.cfg.Pack, m.cfg.Progress = s.Pack, s.Progress
	m.cfg.Checker, m.cfg.Workflow, m.cfg.Checklist = s.Checker, s.Workflow, s.Checklist
	m.progress = s.Progress.State()
	m.notices = s.Progress.Notices()
	m.readOnly = s.Progress.ReadOnly()
	m.hints = map[string]int{}
	m.pager = newPager(m.st)
	m.pager.canCheck = s.Checker != nil
	m.ex = newExerciseScreen(m.st, s.Pack, s.Workflow != nil)
	m.cl = newChecklistScreen(m.st)
	m.list.ResetFilter()
	m.list.Select(0)
	cmd := m.refreshList()
	m.screen = screenList
	m.layout()
	return m, cmd
}

// currentPackRef is the Ref of the open pack in the picker's terms.
func (m Model) currentPackRef() string {
	if m.cfg.Pack.Source == course.BuiltinSource {
		return ""
	}
	return m.cfg.Pack.ID
}
