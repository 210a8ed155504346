package tui

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"shipshape/internal/checklist"
	"shipshape/internal/course"
)

// goldenSizes are the windows the navigation goldens are taken at.
var goldenSizes = [][2]int{{80, 24}, {200, 50}}

func sizeName(size [2]int) string { return fmt.Sprintf("%dx%d", size[0], size[1]) }

// longPack has more lessons than a 200x50 window shows on one page; lesson
// 25 holds exercise 9.1.
func longPack(t *testing.T) *course.Pack {
	t.Helper()
	fsys := fstest.MapFS{}
	var files []string
	for i := 1; i <= 30; i++ {
		name := fmt.Sprintf("l%02d.md", i)
		files = append(files, name)
		extra := ""
		if i == 25 {
			extra = "exercise:\n  id: \"9.1\"\n  title: Try it\n  tasks: [Build it.]\n  hints: [Look.]\n  checks:\n" +
				"    - {id: nonroot, kind: image.user_nonroot, hint: Add USER., lesson: \"l01#part-1\"}\n"
		}
		fsys[name] = &fstest.MapFile{Data: []byte(testLesson(fmt.Sprintf("l%02d", i), fmt.Sprintf("Lesson %d", i), 1, extra))}
	}
	fsys["pack.yaml"] = &fstest.MapFile{Data: []byte("format_version: 1\nid: long\ntitle: Long course\nversion: \"1\"\nlessons: [" +
		strings.Join(files, ", ") + "]\n")}
	p, err := course.Load(fsys, "test", course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestChecklistFromLesson: D in a lesson opens the deployment checklist,
// as the reader's help says, and esc goes back to the lesson where it was.
func TestChecklistFromLesson(t *testing.T) {
	for _, size := range goldenSizes {
		t.Run(sizeName(size), func(t *testing.T) {
			cfg := testConfig(t, newMemProgress("test-pack"))
			cfg.Checklist = fakeChecklist{}
			tm := startModel(t, cfg, size[0], size[1])
			tm.Send(press("enter"))
			waitFor(t, tm, "lines 1")
			tm.Send(press("D"))
			waitFor(t, tm, "Deployment checklist")
			m := finalModel(t, tm)
			if m.screen != screenChecklist || m.checklistFrom != screenPager {
				t.Fatalf("screen %d (from %d), want the checklist opened from the lesson", m.screen, m.checklistFrom)
			}
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
	t.Run("esc returns to the lesson", func(t *testing.T) {
		cfg := testConfig(t, newMemProgress("test-pack"))
		l := cfg.Pack.Lesson("alpha")
		if _, err := cfg.Renderer.RenderDoc(l.ID, l.Document(0), 80, cfg.Style); err != nil {
			t.Fatal(err)
		}
		d := &driver{t: t, m: New(cfg)}
		d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
		d.keys("enter", "pgdown", "D", "esc")
		m := d.model()
		if m.screen != screenPager || m.pager.lesson.ID != "alpha" || m.pager.offset() != 20 {
			t.Errorf("screen %d, lesson %v at %d; want alpha at 20", m.screen, m.pager.lesson, m.pager.offset())
		}
	})
}

// TestFilterOpenBackBack follows issue 11's item 14: filter, open with one
// enter, esc to the list, esc again. The list shows the filter it applies
// with the cursor on the lesson just read; clearing it keeps that lesson
// selected; and no frame is taller than the window.
func TestFilterOpenBackBack(t *testing.T) {
	for _, size := range goldenSizes {
		w, h := size[0], size[1]
		for _, steps := range []int{1, 2} {
			name := map[int]string{1: "filtered", 2: "cleared"}[steps]
			t.Run(sizeName(size)+"/"+name, func(t *testing.T) {
				cfg := testConfig(t, newMemProgress("long"))
				cfg.Pack = longPack(t)
				tm := startModel(t, cfg, w, h)
				tm.Send(press("/"))
				tm.Type("9.1")
				waitFor(t, tm, "Lesson 25")
				tm.Send(press("enter"))
				waitFor(t, tm, "lesson 25/30")
				tm.Send(press("esc"))
				waitFor(t, tm, "esc shows all")
				if steps == 2 {
					tm.Send(press("esc"))
					waitFor(t, tm, "24  Lesson 24")
				}
				m := finalModel(t, tm)
				it, _ := m.list.SelectedItem().(lessonItem)
				if it.index != 24 {
					t.Errorf("cursor on lesson %d, want 25", it.index+1)
				}
				want := map[int]list.FilterState{1: list.FilterApplied, 2: list.Unfiltered}[steps]
				if m.list.FilterState() != want {
					t.Errorf("filter %v, want %v", m.list.FilterState(), want)
				}
				assertFits(t, name, m.View(), w, h)
				golden.RequireEqual(t, []byte(m.View()))
			})
		}
	}
}

// TestEnterOpensBeforeTheFilterAnswers: the list filters in the background;
// an enter typed before the matches came back still opens the lesson the
// filter names, not the first of the whole list.
func TestEnterOpensBeforeTheFilterAnswers(t *testing.T) {
	cfg := testConfig(t, newMemProgress("long"))
	cfg.Pack = longPack(t)
	var tm tea.Model = New(cfg)
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, k := range []string{"/", "9", ".", "1"} {
		tm, _ = tm.Update(press(k)) // the filter's commands never run
	}
	tm, _ = tm.Update(press("enter"))
	m := tm.(Model)
	if m.screen != screenPager || m.pager.lesson.ID != "l25" {
		t.Fatalf("screen %d with %v, want lesson 25 open", m.screen, m.pager.lesson)
	}
	if m.list.FilterState() != list.FilterApplied || m.list.FilterValue() != "9.1" {
		t.Errorf("filter %v %q, want 9.1 applied", m.list.FilterState(), m.list.FilterValue())
	}
	// A filter nothing matches opens nothing: the learner goes on typing.
	tm, _ = tm.Update(press("esc"))
	tm, _ = tm.Update(press("esc"))
	for _, k := range []string{"/", "z", "z", "z", "enter"} {
		tm, _ = tm.Update(press(k))
	}
	if m := tm.(Model); m.screen != screenList || !m.list.SettingFilter() {
		t.Errorf("screen %d, filtering %v; want the filter still being typed", m.screen, m.list.SettingFilter())
	}
}

// TestFullHelpFitsEveryScreen opens the full help on every screen: it fits
// the window, the title stays on the first line, and keys that do not fit
// end in a mark rather than a word cut in half (issue 11's item 17).
func TestFullHelpFitsEveryScreen(t *testing.T) {
	screens := []struct {
		name, title string
		open        func(t *testing.T, tm *teatest.TestModel)
	}{
		{"list", "Test course", func(*testing.T, *teatest.TestModel) {}},
		{"reader", "Alpha basics", func(t *testing.T, tm *teatest.TestModel) {
			tm.Send(press("enter"))
			waitFor(t, tm, "lines 1")
		}},
		{"exercise", "Exercise 9.1", func(t *testing.T, tm *teatest.TestModel) {
			tm.Send(press("j"))
			tm.Send(press("j"))
			tm.Send(press("enter"))
			waitFor(t, tm, "exercise 9.1")
			tm.Send(press("c"))
			waitFor(t, tm, "exercise 9.1 passed")
		}},
		{"checklist", "Deployment checklist", func(t *testing.T, tm *teatest.TestModel) {
			tm.Send(press("D"))
			waitFor(t, tm, "Deployment checklist")
		}},
		{"packs", "Lesson packs", func(t *testing.T, tm *teatest.TestModel) {
			tm.Send(press("P"))
			waitFor(t, tm, "Other pack")
		}},
	}
	for _, size := range [][2]int{{60, 15}, {80, 24}, {200, 50}} {
		for _, s := range screens {
			t.Run(sizeName(size)+"/"+s.name, func(t *testing.T) {
				cfg := exerciseConfig(t, &fakeWorkflow{hasProj: true}, &fakeChecker{})
				cfg.Checklist = fakeChecklist{}
				cfg.Packs = fakeCatalog{t: t, other: cfg.Pack, progress: newMemProgress("other")}
				tm := startModel(t, cfg, size[0], size[1])
				s.open(t, tm)
				tm.Send(press("?"))
				m := finalModel(t, tm)
				if !m.fullHelp {
					t.Fatal("? did not open the full help")
				}
				v := m.View()
				assertFits(t, s.name, v, size[0], size[1])
				if first := strings.SplitN(v, "\n", 2)[0]; !strings.Contains(first, s.title) {
					t.Errorf("first line %q, want the title %q", first, s.title)
				}
				help := m.helpView()
				if lipgloss.Height(help) > m.helpLines() {
					t.Errorf("help is %d lines, more than its %d", lipgloss.Height(help), m.helpLines())
				}
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

// TestHelpMarksWhatItLeavesOut: a help too big for its lines ends in "…"
// after a whole key, and a short help never wraps.
func TestHelpMarksWhatItLeavesOut(t *testing.T) {
	m := New(testConfig(t, newMemProgress("test-pack")))
	keys := newExerciseKeys()
	for _, tc := range []struct{ width, lines int }{{60, 3}, {40, 2}, {30, 1}} {
		m.help.Width = tc.width
		full := fittedFullHelp(m.help, keys.FullHelp(), tc.lines)
		lines := strings.Split(full, "\n")
		if len(lines) > tc.lines || !strings.HasSuffix(full, "…") {
			t.Errorf("%d cols, %d lines: want at most %d lines ending in …:\n%s", tc.width, tc.lines, tc.lines, full)
		}
		for _, l := range lines {
			if lipgloss.Width(l) > tc.width {
				t.Errorf("%d cols: line %q is %d wide", tc.width, l, lipgloss.Width(l))
			}
		}
		short := fittedShortHelp(m.help, keys.ShortHelp())
		if strings.Contains(short, "\n") || lipgloss.Width(short) > tc.width || !strings.HasSuffix(short, "…") {
			t.Errorf("%d cols: short help %q", tc.width, short)
		}
	}
	// Room for everything: no mark.
	m.help.Width = 200
	if full := fittedFullHelp(m.help, keys.FullHelp(), 10); strings.Contains(full, "…") {
		t.Errorf("nothing left out, yet marked:\n%s", full)
	}
}

// TestChecklistScrollsToTheSelectedItem: on a small window the checklist
// shows a window of its items around the cursor, with marks saying how
// many are hidden, and the window never grows past the screen.
func TestChecklistScrollsToTheSelectedItem(t *testing.T) {
	cfg := testConfig(t, newMemProgress("test-pack"))
	items := checklist.FromPack(cfg.Pack)
	d := &driver{t: t, m: New(cfg)}
	d.send(tea.WindowSizeMsg{Width: 60, Height: 15})
	d.keys("D")
	for i, it := range items {
		v := d.model().View()
		assertFits(t, it.ID, v, 60, 15)
		if !strings.Contains(v, "› ") || !strings.Contains(v, ansi.Truncate(it.Text, 20, "")) {
			t.Errorf("item %d %q selected but not shown:\n%s", i, it.Text, v)
		}
		if i == len(items)-1 && (!strings.Contains(v, "↑") || strings.Contains(v, "↓")) {
			t.Errorf("last item: want a mark above and none below:\n%s", v)
		}
		d.keys("j")
	}
}

// TestLateFilterAnswerIsIgnored: the background filter of a shorter text,
// arriving after enter applied the whole one, must not bring back rows the
// filter excludes.
func TestLateFilterAnswerIsIgnored(t *testing.T) {
	cfg := testConfig(t, newMemProgress("long"))
	cfg.Pack = longPack(t)
	var tm tea.Model = New(cfg)
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	var late tea.Cmd
	for _, k := range []string{"/", "9", ".", "1"} {
		var cmd tea.Cmd
		tm, cmd = tm.Update(press(k))
		if k == "9" {
			late = cmd // the filter for "9": lessons 9, 19, 25 (exercise 9.1) and 29
		}
	}
	tm, _ = tm.Update(press("enter"))
	tm, _ = tm.Update(press("esc"))
	for _, msg := range collect(late) {
		tm, _ = tm.Update(msg)
	}
	m := tm.(Model)
	if n := len(m.list.VisibleItems()); n != 1 {
		t.Errorf("%d rows shown for filter %q, want 1", n, m.list.FilterValue())
	}
}
