package tui

import "github.com/charmbracelet/bubbles/key"

// listKeys are the lesson list's bindings. Movement and filtering are the
// bubbles list's own; they are repeated here so help can show them.
type listKeys struct {
	Up, Down, PageUp, PageDown key.Binding
	Open, Filter, ClearFilter  key.Binding
	Checklist, Packs           key.Binding
	Help, Quit                 key.Binding
	// ForceQuit quits from every screen, also while typing or answering.
	ForceQuit key.Binding
}

func newListKeys() listKeys {
	return listKeys{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "left", "h"), key.WithHelp("pgup/←", "prev page")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "right", "l"), key.WithHelp("pgdn/→", "next page")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open lesson")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Checklist:   key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "deployment checklist")),
		Packs:       key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "lesson packs")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		ForceQuit:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// ShortHelp implements help.KeyMap.
func (k listKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Filter, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k listKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown},
		{k.Open, k.Filter, k.ClearFilter},
		{k.Checklist, k.Packs, k.Help, k.Quit},
	}
}

// filterKeys are the keys that mean something while a filter is typed.
type filterKeys struct{ Open, Cancel, ForceQuit key.Binding }

func (k listKeys) whileFiltering() filterKeys {
	return filterKeys{
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open lesson")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel filter")),
		ForceQuit: k.ForceQuit,
	}
}

// ShortHelp implements help.KeyMap.
func (k filterKeys) ShortHelp() []key.Binding { return []key.Binding{k.Open, k.Cancel, k.ForceQuit} }

// FullHelp implements help.KeyMap.
func (k filterKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Open, k.Cancel, k.ForceQuit}}
}

// pagerKeys are the lesson reader's bindings.
type pagerKeys struct {
	Up, Down, PageUp, PageDown, HalfUp, HalfDown, Top, Bottom key.Binding
	Next, Prev, Back                                          key.Binding
	Help, Quit                                                key.Binding
	// Check and Hint work on exercise lessons only.
	Check, Hint key.Binding
	Checklist   key.Binding
	// Copy copies the marked code block to the clipboard.
	Copy key.Binding
	// nextPrev only labels n and p together in the short help.
	nextPrev key.Binding
}

func newPagerKeys() pagerKeys {
	return pagerKeys{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", " ", "f"), key.WithHelp("pgdn/space", "page down")),
		HalfUp:    key.NewBinding(key.WithKeys("u", "ctrl+u"), key.WithHelp("u", "½ page up")),
		HalfDown:  key.NewBinding(key.WithKeys("d", "ctrl+d"), key.WithHelp("d", "½ page down")),
		Top:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "top")),
		Bottom:    key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "bottom")),
		Next:      key.NewBinding(key.WithKeys("n", "]"), key.WithHelp("n", "next lesson")),
		Prev:      key.NewBinding(key.WithKeys("p", "["), key.WithHelp("p", "previous lesson")),
		Back:      key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "lesson list")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Check:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check exercise")),
		Hint:      key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "next hint")),
		Checklist: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "deployment checklist")),
		Copy:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy code block")),
		nextPrev:  key.NewBinding(key.WithKeys("n", "p"), key.WithHelp("n/p", "next/prev lesson")),
	}
}

// ShortHelp implements help.KeyMap. It fits in 80 columns, with the
// exercise's c in short words.
func (k pagerKeys) ShortHelp() []key.Binding {
	check := key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check"))
	check.SetEnabled(k.Check.Enabled())
	return []key.Binding{
		key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "page down")),
		k.nextPrev,
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "lessons")),
		check, k.Help, k.Quit,
	}
}

// FullHelp implements help.KeyMap.
func (k pagerKeys) FullHelp() [][]key.Binding {
	// Three columns fit 80 terminal columns.
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.HalfUp, k.HalfDown},
		{k.Top, k.Bottom, k.Next, k.Prev, k.Back, k.Copy},
		{k.Check, k.Hint, k.Checklist, k.Help, k.Quit},
	}
}
