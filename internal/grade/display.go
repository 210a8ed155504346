package grade

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"shipshape/internal/termsafe"
)

// Display shows a run's progress: how many students are done, who is
// being graded and when the run should end. On a terminal (live) it
// redraws one status line, with a line per finished student above it;
// elsewhere (a CI log, a file) it writes plain lines only.
type Display struct {
	w     io.Writer
	live  bool
	width int
	now   func() time.Time

	mu      sync.Mutex
	start   time.Time
	total   int
	done    int
	current []Student
	drawn   bool
	// stopTicks ends the redraws of a live display.
	stopTicks func()
}

// StartDisplay shows progress on w for total students still to grade: a
// live line redrawn every second (so its ETA moves during a long build)
// when w is a terminal, plain lines otherwise. Close stops it.
func StartDisplay(w io.Writer, total int) *Display {
	live, width := false, 0
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		live = true
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil {
			width = cols
		}
	}
	d := NewDisplay(w, live, width, total)
	if live {
		t := time.NewTicker(time.Second)
		done := make(chan struct{})
		go func() {
			for {
				select {
				case <-t.C:
					d.Tick()
				case <-done:
					return
				}
			}
		}()
		d.stopTicks = func() { t.Stop(); close(done) }
	}
	return d
}

// NewDisplay shows progress on w for total students still to grade.
// width bounds the live line (80 when 0 or less).
func NewDisplay(w io.Writer, live bool, width, total int) *Display {
	if width <= 0 {
		width = 80
	}
	return &Display{w: w, live: live, width: width, total: total, now: time.Now, start: time.Now()}
}

// Handle takes one event of Grader.Run.
func (d *Display) Handle(ev Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case ev.Started:
		d.current = append(d.current, ev.Student)
		if !d.live {
			fmt.Fprintf(d.w, "grading %s\n", termsafe.Line(ev.Student.Name))
		}
	case ev.Finished != nil:
		d.done++
		d.current = slices.DeleteFunc(d.current, func(s Student) bool { return s.ID == ev.Student.ID })
		d.clear()
		fmt.Fprintf(d.w, "%s %s\n", Outcome(*ev.Finished), d.counter())
	}
	d.draw()
}

// Tick redraws the live line, so that its ETA moves between events.
func (d *Display) Tick() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.draw()
}

// Close ends the live line.
func (d *Display) Close() {
	if d.stopTicks != nil {
		d.stopTicks()
		d.stopTicks = nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clear()
}

// Outcome is a finished row in one line: who, how it went, the score.
func Outcome(r Row) string {
	name := termsafe.Line(r.Student)
	switch {
	case r.Status == StatusError:
		return fmt.Sprintf("✗ %s: not graded: %s", name, termsafe.Line(r.Error))
	case r.Status == StatusIncomplete:
		return fmt.Sprintf("? %s: %d/%d, not every check could be judged: %s", name, r.Score, r.MaxScore, termsafe.Line(r.Error))
	case r.Passed:
		return fmt.Sprintf("✓ %s: passed, %d/%d (%.0fs)", name, r.Score, r.MaxScore, r.DurationSeconds)
	}
	return fmt.Sprintf("✗ %s: not passed, %d/%d (%.0fs)", name, r.Score, r.MaxScore, r.DurationSeconds)
}

// counter is "[3/30, ETA 1m20s]".
func (d *Display) counter() string {
	return fmt.Sprintf("[%d/%d, %s]", d.done, d.total, d.eta())
}

// eta extrapolates from the students finished so far: the time per
// student of this run, which the concurrency is part of.
func (d *Display) eta() string {
	if d.done == 0 {
		return "ETA ?" // nothing to extrapolate from yet
	}
	if d.done >= d.total {
		return "done in " + d.now().Sub(d.start).Round(time.Second).String()
	}
	per := d.now().Sub(d.start) / time.Duration(d.done)
	return "ETA " + (per * time.Duration(d.total-d.done)).Round(time.Second).String()
}

func (d *Display) draw() {
	if !d.live || d.done >= d.total {
		return
	}
	names := make([]string, len(d.current))
	for i, s := range d.current {
		names[i] = termsafe.Line(s.Name)
	}
	line := fmt.Sprintf("%s grading %s", d.counter(), strings.Join(names, ", "))
	if r := []rune(line); len(r) > d.width-1 {
		line = string(r[:d.width-2]) + "…"
	}
	fmt.Fprint(d.w, "\r\x1b[K"+line)
	d.drawn = true
}

func (d *Display) clear() {
	if d.drawn {
		fmt.Fprint(d.w, "\r\x1b[K")
		d.drawn = false
	}
}
