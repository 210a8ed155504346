package tui

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"shipshape/internal/course"
)

// readingSizes are the window sizes the reading goldens are taken at.
var readingSizes = [][2]int{{80, 24}, {200, 50}}

// longCode is wider than 80 columns and narrower than 200.
const longCode = `docker run --rm --read-only --tmpfs /tmp --user 10001:10001 --health-cmd 'python -c "import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:8000/health\")"' task-api:prod`

// readingPack is a pack whose lesson has a long code line and inline code
// where a word wrapper would break it, and whose exercise's tasks and
// hints hold inline code.
func readingPack(t *testing.T) *course.Pack {
	t.Helper()
	lesson := "---\nid: code\ntitle: Code lesson\nsummary: Code.\nminutes: 2\n---\n# Code lesson\n\n" +
		"## Run it\n\n" +
		"Start the container with the flags below and remove it afterwards with `docker run --rm`; the image stays at most 300 MB.\n\n" +
		"```bash\n" + longCode + "\ndocker ps\n```\n\n" +
		"Exclude caches with `**/*.py[cod]` in the ignore file next to the Dockerfile, so they stay out.\n"
	ex := "exercise:\n  id: \"9.2\"\n  title: Code it\n  solution: ws/solution\n" +
		"  tasks: [\"Build the starter as `task-api:dev` and run it with `docker run --rm`.\"]\n" +
		"  hints: [\"Use `USER 10001:10001` at the end.\"]\n  checks:\n" +
		"    - {id: nonroot, kind: image.user_nonroot, hint: \"Add `USER 10001`.\", lesson: \"code#run-it\"}\n"
	exLesson := "---\nid: ex\ntitle: Exercise\nsummary: Do it.\nminutes: 3\n" + ex + "---\n# Exercise\n\nDo it.\n"
	fsys := fstest.MapFS{
		"pack.yaml": {Data: []byte("format_version: 1\nid: reading\ntitle: Reading\nversion: \"0.1\"\nlessons: [a.md, b.md]\n" +
			"workspace: {starter: ws/starter}\n")},
		"ws/starter/Dockerfile":  {Data: []byte("FROM scratch\n")},
		"ws/solution/Dockerfile": {Data: []byte("FROM scratch\nUSER 1000\n")},
		"a.md":                   {Data: []byte(lesson)},
		"b.md":                   {Data: []byte(exLesson)},
	}
	p, err := course.Load(fsys, "test", course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// syncBuffer is a clipboard the copy command writes to from its goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCodeBlockCopiedWhole reads the code lesson at 80x24 and 200x50 and
// copies its code block with y: the golden shows the layout (the long line
// whole at 200, broken at a space with ↩ at 80), inline code in one piece,
// the marked block and what was copied; the clipboard got the block as
// written, in one OSC 52 sequence.
func TestCodeBlockCopiedWhole(t *testing.T) {
	for _, size := range readingSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			cfg := testConfig(t, newMemProgress("reading"))
			cfg.Pack = readingPack(t)
			clip := &syncBuffer{}
			cfg.Clipboard = clip
			tm := startModel(t, cfg, size[0], size[1])
			tm.Send(press("enter"))
			waitFor(t, tm, "y: copy the bash block")
			tm.Send(press("y"))
			waitFor(t, tm, "copied 2 lines of bash block")
			m := finalModel(t, tm)
			view := m.View()
			golden.RequireEqual(t, []byte(view))
			want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(longCode+"\ndocker ps\n")) + "\a"
			if got := clip.String(); got != want {
				t.Errorf("clipboard got %q, want %q", got, want)
			}
			if size[0] >= 200 && !strings.Contains(view, longCode) {
				t.Errorf("the long code line is not whole at %d columns:\n%s", size[0], view)
			}
			for _, whole := range []string{"docker run --rm;", "**/*.py[cod]", "300 MB"} {
				if !strings.Contains(view, whole) {
					t.Errorf("%q is split:\n%s", whole, view)
				}
			}
			if strings.Contains(view, "## ") {
				t.Errorf("a heading shows its Markdown marker:\n%s", view)
			}
		})
	}
}

// TestCopyWithoutCodeOnScreen says so instead of copying something else.
func TestCopyWithoutCodeOnScreen(t *testing.T) {
	cfg := testConfig(t, newMemProgress("reading"))
	cfg.Pack = readingPack(t)
	clip := &syncBuffer{}
	cfg.Clipboard = clip
	tm := startModel(t, cfg, 80, 24)
	tm.Send(press("j"))
	tm.Send(press("enter"))
	waitFor(t, tm, "lines 1")
	tm.Send(press("y"))
	waitFor(t, tm, "no code block on screen")
	finalModel(t, tm)
	if clip.String() != "" {
		t.Errorf("clipboard got %q", clip.String())
	}
}

// TestExerciseShowsInlineCode shows the tasks pane and a hint of an
// exercise whose text holds inline code: as code, without backticks.
func TestExerciseShowsInlineCode(t *testing.T) {
	for _, size := range readingSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			cfg := testConfig(t, newMemProgress("reading"))
			cfg.Pack = readingPack(t)
			cfg.Checker = &fakeChecker{fail: map[string]bool{"nonroot": true}}
			tm := startModel(t, cfg, size[0], size[1])
			tm.Send(press("j"))
			tm.Send(press("enter"))
			waitFor(t, tm, "exercise 9.2")
			tm.Send(press("c"))
			waitFor(t, tm, "required check(s) not passed")
			tm.Send(press("h"))
			waitFor(t, tm, "hint 1/1")
			m := finalModel(t, tm)
			view := m.View()
			golden.RequireEqual(t, []byte(view))
			if strings.Contains(view, "`") {
				t.Errorf("backticks shown raw:\n%s", view)
			}
		})
	}
}

// TestPackPickerShowsInlineCode shows the pack picker's note as code.
func TestPackPickerShowsInlineCode(t *testing.T) {
	for _, size := range readingSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			cfg := testConfig(t, newMemProgress("test-pack"))
			cfg.Packs = fakeCatalog{t: t}
			tm := startModel(t, cfg, size[0], size[1])
			tm.Send(press("P"))
			waitFor(t, tm, "Other pack")
			m := finalModel(t, tm)
			view := m.View()
			golden.RequireEqual(t, []byte(view))
			if strings.Contains(view, "`") {
				t.Errorf("backticks shown raw:\n%s", view)
			}
		})
	}
}

func TestInlineCode(t *testing.T) {
	st := newStyles()
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"use `USER 10001` here", "use USER 10001 here"},
		{"two `a` and `b`", "two a and b"},
		{"double ``a ` b`` run", "double a ` b run"},
		{"lone ` tick", "lone ` tick"},
		{"escape `\x1b[31m` gone", "escape `` gone"},
		{"escape `a\x1b[31mb` gone", "escape ab gone"},
	} {
		if got := st.inline(c.in); got != c.want {
			t.Errorf("inline(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestExerciseTasksShowInlineCode shows the tasks pane as the exercise
// opens: its inline code as code, without backticks.
func TestExerciseTasksShowInlineCode(t *testing.T) {
	for _, size := range readingSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			cfg := testConfig(t, newMemProgress("reading"))
			cfg.Pack = readingPack(t)
			cfg.Checker = &fakeChecker{}
			tm := startModel(t, cfg, size[0], size[1])
			tm.Send(press("j"))
			tm.Send(press("enter"))
			waitFor(t, tm, "exercise 9.2")
			tm.Send(press("c"))
			waitFor(t, tm, "passed in")
			tm.Send(tea.KeyMsg{Type: tea.KeyTab}) // details → tasks
			waitFor(t, tm, "Tasks")
			m := finalModel(t, tm)
			view := m.View()
			golden.RequireEqual(t, []byte(view))
			if strings.Contains(view, "`") || !strings.Contains(view, "Build the starter as task-api:dev") {
				t.Errorf("task shown raw or not at all:\n%s", view)
			}
		})
	}
}
