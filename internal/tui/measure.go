package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/human"
	"shipshape/internal/lab"
	"shipshape/internal/termsafe"
)

// sizeCheckKind is the check kind whose parameters bound an image's size.
const sizeCheckKind = "image.size_max"

// sizeBounds are the size limits a pack sets on the prod image; zero
// means the pack sets none.
type sizeBounds struct {
	max, target int64
}

// sizeBoundsOf finds the bounds the pack declares: on the open exercise's
// size check, else on the first exercise of the pack that has one, so
// measuring on any exercise screen shows the course's own numbers.
func sizeBoundsOf(ex *course.Exercise, pack *course.Pack) sizeBounds {
	exercises := []*course.Exercise{ex}
	if pack != nil {
		exercises = append(exercises, pack.Exercises()...)
	}
	for _, e := range exercises {
		if e == nil {
			continue
		}
		for _, c := range e.Checks {
			if c.Kind != sizeCheckKind {
				continue
			}
			maxB, _ := wholeNumber(c.Params["max_bytes"])
			target, _ := wholeNumber(c.Params["target_bytes"])
			if maxB > 0 {
				return sizeBounds{max: maxB, target: target}
			}
		}
	}
	return sizeBounds{}
}

// wholeNumber reads an integer parameter as YAML decodes it (int, or a
// float such as 3e8).
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < math.MaxInt64 {
			return int64(n), true
		}
	}
	return 0, false
}

// describe is the bounds as a parenthesis after the size ratio, or "".
func (b sizeBounds) describe() string {
	switch {
	case b.max <= 0:
		return ""
	case b.target > 0:
		return fmt.Sprintf(" (bound %s, target %s)", boundSize(b.max), boundSize(b.target))
	}
	return fmt.Sprintf(" (bound %s)", boundSize(b.max))
}

// boundSize prints a round bound as the lessons write it ("300 MB").
func boundSize(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d MB", n/1_000_000)
	}
	return human.Size(n)
}

// measureLines draws exercise 3.4's comparison: sizes with bars against
// the pack's size bounds, startup, idle use and the largest layers of prod.
func measureLines(m lab.Measurement, bounds sizeBounds, width int, st styles) []string {
	barW := max(10, min(40, width-40))
	maxSize := max(m.Dev.Size, m.Prod.Size, 1)
	var out []string
	for _, f := range []struct {
		name string
		f    lab.ImageFacts
	}{{"dev ", m.Dev}, {"prod", m.Prod}} {
		if f.f.Missing {
			out = append(out, fmt.Sprintf("%s %-22s not built", f.name, termsafe.Line(f.f.Ref)))
			continue
		}
		n := int(int64(barW) * f.f.Size / maxSize)
		out = append(out, fmt.Sprintf("%s %-22s %s%s %s", f.name, termsafe.Line(f.f.Ref), strings.Repeat("█", n), strings.Repeat("░", barW-n), human.Size(f.f.Size)))
	}
	if m.Dev.Size > 0 && m.Prod.Size > 0 && !m.Dev.Missing && !m.Prod.Missing {
		out = append(out, fmt.Sprintf("prod is %.0f%% of dev%s", 100*float64(m.Prod.Size)/float64(m.Dev.Size), bounds.describe()))
	}
	out = append(out, "")
	for _, f := range []struct {
		name string
		f    lab.ImageFacts
	}{{"dev ", m.Dev}, {"prod", m.Prod}} {
		if !f.f.Measured {
			if f.f.Err != "" {
				out = append(out, f.name+" not started: "+termsafe.Line(f.f.Err))
			}
			continue
		}
		startup := "no health check"
		if f.f.StartupToHealthy > 0 {
			startup = "healthy after " + f.f.StartupToHealthy.Round(100*time.Millisecond).String()
		}
		out = append(out, fmt.Sprintf("%s %s · idle memory %s · CPU %.1f%% · %d processes", f.name, startup,
			human.Size(int64(f.f.Idle.MemoryBytes)), f.f.Idle.CPUPercent, f.f.Idle.PIDs))
	}
	if len(m.Prod.Layers) > 0 {
		out = append(out, "", "largest layers of prod:")
		for i, l := range m.Prod.Layers {
			if i == 6 {
				break
			}
			row := fmt.Sprintf("  %9s  %s", human.Size(l.Size), termsafe.Line(check.Instruction(l.CreatedBy)))
			if i == 0 {
				row = st.warn.Render(row + "  ← largest")
			}
			out = append(out, row)
		}
	}
	return out
}
