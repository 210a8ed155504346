package tui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"shipshape/internal/course"
)

// auditSizes are the windows every screen must fit: a small terminal, the
// classic one, and two large ones.
var auditSizes = [][2]int{{60, 15}, {80, 24}, {120, 40}, {200, 50}}

// driver runs a model the way the program does, but in step with the test:
// after each message it runs the commands that came back and feeds their
// messages in, until nothing more arrives promptly. Timers (spinners, the
// cursor's blink, the pause before a position save) are left out: they
// change no layout.
type driver struct {
	t *testing.T
	m tea.Model
}

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	d.settle(cmd)
}

func (d *driver) keys(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.send(press(k))
	}
}

func (d *driver) model() Model { return d.m.(Model) }

func (d *driver) settle(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for rounds := 0; len(queue) > 0 && rounds < 50; rounds++ {
		msgs := runAll(queue, 300*time.Millisecond)
		queue = nil
		for len(msgs) > 0 {
			msg := msgs[0]
			msgs = msgs[1:]
			if cmds, ok := commandsIn(msg); ok {
				queue = append(queue, cmds...)
				continue
			}
			switch msg.(type) {
			case spinner.TickMsg, positionSaveDueMsg, probeAgainMsg, tea.QuitMsg:
				continue
			}
			var next tea.Cmd
			d.m, next = d.m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// collect runs cmd and the commands it batches, and returns their
// messages without handing them to a model.
func collect(cmd tea.Cmd) []tea.Msg {
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		msgs := runAll(queue, 300*time.Millisecond)
		queue = nil
		for _, msg := range msgs {
			if cmds, ok := commandsIn(msg); ok {
				queue = append(queue, cmds...)
				continue
			}
			out = append(out, msg)
		}
	}
	return out
}

// runAll runs the commands at once and returns the messages of those that
// finish within wait, in the commands' order.
func runAll(cmds []tea.Cmd, wait time.Duration) []tea.Msg {
	results := make([]chan tea.Msg, len(cmds))
	for i, c := range cmds {
		results[i] = make(chan tea.Msg, 1)
		if c == nil {
			results[i] <- nil
			continue
		}
		go func(c tea.Cmd, out chan<- tea.Msg) { out <- c() }(c, results[i])
	}
	deadline := time.After(wait)
	var out []tea.Msg
	for _, r := range results {
		select {
		case msg := <-r:
			if msg != nil {
				out = append(out, msg)
			}
		case <-deadline:
			return out
		}
	}
	return out
}

// commandsIn unpacks tea.Batch and tea.Sequence (whose message type is not
// exported).
func commandsIn(msg tea.Msg) ([]tea.Cmd, bool) {
	if b, ok := msg.(tea.BatchMsg); ok {
		return b, true
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		cmds := make([]tea.Cmd, v.Len())
		for i := range cmds {
			cmds[i] = v.Index(i).Interface().(tea.Cmd)
		}
		return cmds, true
	}
	return nil, false
}

// assertFits fails when the view is taller or wider than the window: the
// terminal would scroll, and the title row is lost for good.
func assertFits(t *testing.T, step string, view string, width, height int) {
	t.Helper()
	if h := lipgloss.Height(view); h > height {
		t.Errorf("%s: view is %d lines in a %d-line window:\n%s", step, h, height, view)
	}
	for i, line := range strings.Split(view, "\n") {
		if w := lipgloss.Width(line); w > width {
			t.Errorf("%s: line %d is %d columns in a %d-column window: %q", step, i+1, w, width, line)
		}
	}
}

// auditConfig is the built-in course (enough lessons for several pages)
// with every screen enabled.
func auditConfig(t *testing.T) Config {
	cfg := exerciseConfig(t, &fakeWorkflow{hasProj: true}, &fakeChecker{})
	p, err := course.Builtin(course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Pack = p
	cfg.Checklist = fakeChecklist{}
	cfg.Packs = fakeCatalog{t: t, other: p, progress: newMemProgress("other")}
	return cfg
}

// TestEveryScreenFitsTheWindow walks every screen at each audit size, with
// the full help closed and open, and checks each frame fits the window.
// The walk follows what a learner does: filter, open with one enter, the
// checklist from the lesson, the exercise, back out with esc twice, the pack
// picker and the checklist from the list.
func TestEveryScreenFitsTheWindow(t *testing.T) {
	for _, size := range auditSizes {
		for _, fullHelp := range []bool{false, true} {
			w, h := size[0], size[1]
			t.Run(fmt.Sprintf("%dx%d/help=%v", w, h, fullHelp), func(t *testing.T) {
				t.Parallel()
				cfg := auditConfig(t)
				// The reader shows the lesson from the cache at once.
				_, l := cfg.Pack.Exercise("3.2")
				if _, err := cfg.Renderer.RenderDoc(l.ID, l.Document(0), w, cfg.Style); err != nil {
					t.Fatal(err)
				}
				d := &driver{t: t, m: New(cfg)}
				d.settle(d.m.Init())
				d.send(tea.WindowSizeMsg{Width: w, Height: h})
				if fullHelp {
					d.keys("?")
				}
				steps := []struct {
					keys   []string
					screen screen
				}{
					{nil, screenList},
					{[]string{"/"}, screenList},
					{[]string{"3", ".", "2"}, screenList},
					{[]string{"enter"}, screenPager},
					{[]string{"D"}, screenChecklist},
					{[]string{"esc"}, screenPager},
					{[]string{"c"}, screenExercise},
					{[]string{"esc"}, screenPager},
					{[]string{"esc"}, screenList},
					{[]string{"esc"}, screenList},
					{[]string{"P"}, screenPacks},
					{[]string{"esc"}, screenList},
					{[]string{"D"}, screenChecklist},
					{[]string{"esc"}, screenList},
				}
				var walked []string
				for _, s := range steps {
					d.keys(s.keys...)
					walked = append(walked, s.keys...)
					m := d.model()
					name := "after " + strings.Join(walked, " ")
					if m.screen != s.screen {
						t.Fatalf("%s: screen %d, want %d", name, m.screen, s.screen)
					}
					assertFits(t, name, m.View(), w, h)
					// The root cuts a screen that overdraws (keepToHeight);
					// each screen should still keep to its share itself.
					if c := m.active(); c != nil {
						share := h - lipgloss.Height(m.helpView()) - 1
						if got := lipgloss.Height(c.View()); got > share {
							t.Errorf("%s: the screen drew %d lines for its %d", name, got, share)
						}
					}
				}
			})
		}
	}
}

// TestKeyBurstIsEachKey: keys typed faster than the terminal is read come
// as one message ("jjj"); each moves the cursor, as three presses do, and
// a burst typed into the filter stays text.
func TestKeyBurstIsEachKey(t *testing.T) {
	d := &driver{t: t, m: New(auditConfig(t))}
	d.settle(d.m.Init())
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj")})
	if got := d.model().list.Index(); got != 3 {
		t.Errorf("after a burst of jjj the cursor is on row %d, want 3", got)
	}
	d.keys("/")
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("3.2")})
	if got := d.model().list.FilterValue(); got != "3.2" {
		t.Errorf("a burst typed into the filter reads %q", got)
	}
}

// TestWrapKeepsCommandsWhole: a command in a wrapped line breaks at a
// space, never inside "-b" or "--pull".
func TestWrapKeepsCommandsWhole(t *testing.T) {
	s := "or: curl -sfL https://raw.githubusercontent.com/aquasecurity/trivy/main/contrib/install.sh | sh -s -- -b /usr/local/bin"
	for width := 20; width <= 90; width++ {
		lines := wrapLines(s, width, "  ")
		for _, l := range lines {
			if l := strings.TrimRight(l, " "); strings.HasSuffix(l, "-") && !strings.HasSuffix(l, " --") {
				t.Fatalf("at %d a line ends inside a flag:\n%s", width, strings.Join(lines, "\n"))
			}
		}
	}
}
