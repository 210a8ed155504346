package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
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

// packPicker lists the built-in course and the installed packs. Choosing
// one asks the root to switch (packChosenMsg): only the root knows whether
// work still runs that must finish first.
type packPicker struct {
	common
	keys     packKeys
	catalog  PackCatalog
	current  string
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
	// packChosenMsg asks the root to open the pack Ref names.
	packChosenMsg   struct{ ref string }
	packSwitchedMsg struct {
		session PackSession
		facts   workspaceFacts
		err     error
	}
)

func newPackPicker(c common, catalog PackCatalog) *packPicker {
	return &packPicker{common: c, keys: newPackKeys(), catalog: catalog}
}

// KeyMap implements component.
func (p *packPicker) KeyMap() help.KeyMap { return p.keys }

// Open lists the packs anew; current is the Ref of the open pack.
func (p *packPicker) Open(current string) tea.Cmd {
	p.current, p.loading, p.err = current, true, ""
	c := p.catalog
	return func() tea.Msg {
		ch, err := c.Choices()
		return packChoicesMsg{choices: ch, err: err}
	}
}

// Switch opens the pack ref names in the background.
func (p *packPicker) Switch(ref string) tea.Cmd {
	p.loading = true
	c := p.catalog
	return func() tea.Msg {
		s, err := c.Switch(ref)
		if err != nil {
			return packSwitchedMsg{err: err}
		}
		return packSwitchedMsg{session: s, facts: readWorkspaceFacts(s.Checker, s.Workflow)}
	}
}

// Fail shows why the chosen pack was not opened.
func (p *packPicker) Fail(reason string) {
	p.loading = false
	p.err = termsafe.Line(reason)
}

// Update implements component.
func (p *packPicker) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case packChoicesMsg:
		p.loading = false
		p.choices = msg.choices
		if msg.err != nil {
			p.err = termsafe.Line(msg.err.Error())
		}
		p.selected = 0
		for i, c := range p.choices {
			if c.Ref == p.current {
				p.selected = i
			}
		}
	case tea.KeyMsg:
		return p.updateKey(msg)
	}
	return nil
}

func (p *packPicker) updateKey(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	n := len(p.choices)
	switch {
	case key.Matches(msg, k.Up) && n > 0:
		p.selected = (p.selected - 1 + n) % n
	case key.Matches(msg, k.Down) && n > 0:
		p.selected = (p.selected + 1) % n
	case key.Matches(msg, k.Back):
		return leave
	case key.Matches(msg, k.Choose) && n > 0 && !p.loading:
		c := p.choices[p.selected]
		switch {
		case c.Err != "":
			return nil
		case c.Ref == p.current:
			// Already open: opening it again would lock it against itself.
			return leave
		}
		ref := c.Ref
		return func() tea.Msg { return packChosenMsg{ref: ref} }
	}
	return nil
}

// View implements component.
func (p *packPicker) View() string {
	current := p.current
	lines := []string{p.st.title.Render("Lesson packs"),
		ansi.Truncate(p.st.muted.Render("Install more with ")+p.st.inline("`shipshape pack install FILE`")+p.st.muted.Render("; they appear here."), p.width, "…"), ""}
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
