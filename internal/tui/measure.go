package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

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

// measureLines draws exercise 3.4's comparison: sizes and layer counts
// with bars against the pack's size bounds, then for each image what the
// exercise asks the learner to record (time to /health, Docker's own
// healthy, idle use, the stop), and the largest layers of prod.
func measureLines(m lab.Measurement, bounds sizeBounds, width int, st styles) []string {
	images := []struct {
		name string
		f    lab.ImageFacts
	}{{"dev ", m.Dev}, {"prod", m.Prod}}
	// The bar takes what the names and numbers leave of the line, so the
	// layer counts are never cut off.
	refW, tailW := 0, 0
	for _, im := range images {
		refW = max(refW, ansi.StringWidth(termsafe.Line(im.f.Ref)))
		tailW = max(tailW, ansi.StringWidth(sizeTail(im.f)))
	}
	refW = min(refW, max(12, width/3))
	barW := max(4, min(40, width-2-len("prod")-1-refW-1-1-tailW-1))
	maxSize := max(m.Dev.Size, m.Prod.Size, 1)
	var out []string
	for _, im := range images {
		ref := ansi.Truncate(termsafe.Line(im.f.Ref), refW, "…")
		ref += strings.Repeat(" ", refW-ansi.StringWidth(ref))
		if im.f.Missing {
			out = append(out, fmt.Sprintf("%s %s not built", im.name, ref))
			continue
		}
		n := int(int64(barW) * im.f.Size / maxSize)
		out = append(out, fmt.Sprintf("%s %s %s%s %s", im.name, ref, strings.Repeat("█", n), strings.Repeat("░", barW-n), sizeTail(im.f)))
	}
	if m.Dev.Size > 0 && m.Prod.Size > 0 && !m.Dev.Missing && !m.Prod.Missing {
		out = append(out, fmt.Sprintf("prod is %.0f%% of dev%s", 100*float64(m.Prod.Size)/float64(m.Dev.Size), bounds.describe()))
	}
	sampled := false
	for _, im := range images {
		out = append(out, "")
		sampled = sampled || im.f.Idle.MemoryBytes > 0
		for _, l := range runLines(im.name, im.f) {
			// Wrapped under the image's indent: the reasons are sentences.
			wrapped := strings.Split(ansi.Wrap(l, max(20, width-2), " "), "\n")
			out = append(out, wrapped[0])
			for _, w := range wrapped[1:] {
				out = append(out, runIndent+w)
			}
		}
	}
	if sampled {
		out = append(out, "")
		for _, l := range wrapLines("Idle use is read right after healthy; write down what docker stats shows after 10 s of idling, as the exercise asks.", max(20, width-2), "") {
			out = append(out, st.muted.Render(l))
		}
	}
	if len(m.Prod.Layers) > 0 && m.Prod.Layers[0].Size > 0 {
		out = append(out, "", "largest layers of prod:")
		for i, l := range m.Prod.Layers {
			// Steps that add no bytes (LABEL, ENV, USER) are no place to look.
			if i == 6 || l.Size == 0 {
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

// sizeTail is the size and layer count after an image's bar.
func sizeTail(f lab.ImageFacts) string {
	return human.Size(f.Size) + " · " + human.Count(f.LayerCount, "layer")
}

// runLines are what one image did when started: the numbers the exercise
// asks for, as far as they were measured.
func runLines(name string, f lab.ImageFacts) []string {
	const indent = runIndent
	if f.Missing {
		return nil
	}
	var out []string
	health := name + "  "
	switch {
	case f.StartupToHealthy > 0 && f.ProbeFrom != "":
		health += fmt.Sprintf("/health answers after %s (probed with %s's HEALTHCHECK)", seconds(f.StartupToHealthy), termsafe.Line(f.ProbeFrom))
	case f.StartupToHealthy > 0:
		health += "/health answers after " + seconds(f.StartupToHealthy)
	case f.Measured:
		health += "no HEALTHCHECK here or in the other image to time /health with"
	}
	if f.StartupToHealthy > 0 || f.Measured {
		out = append(out, health)
	}
	if f.ReportedHealthy > 0 {
		out = append(out, fmt.Sprintf("%sDocker reports it healthy after about %s: %s", indent, seconds(f.ReportedHealthy), termsafe.Line(f.ReportedRule)))
	}
	if f.IdleErr != "" {
		out = append(out, indent+"idle use not sampled: "+termsafe.Line(f.IdleErr))
	} else if f.Idle.MemoryBytes > 0 {
		procs := fmt.Sprintf("%d processes", f.Idle.PIDs)
		if f.Idle.PIDs == 1 {
			procs = "1 process"
		}
		when := "over " + seconds(f.IdleWindow) + ", once healthy"
		if f.StartupToHealthy == 0 {
			when = "over " + seconds(f.IdleWindow) + ", once it ran a moment"
		}
		if f.ProbedWhileIdle {
			// No start interval before Engine 25: the fast probe that timed
			// the start kept running through the window, a Python process
			// four times a second, and its CPU would be most of the share
			// (38 % for an idle Task API on Engine 20.10).
			out = append(out, fmt.Sprintf("%sidle: %s memory · %s (%s)", indent,
				human.Size(int64(f.Idle.MemoryBytes)), procs, when))
			out = append(out, indent+"CPU not shown: without a start interval (Engine 25+) the fast probe keeps running, and its CPU would be most of the number")
		} else {
			out = append(out, fmt.Sprintf("%sidle: %s memory · %.1f%% CPU · %s (%s)", indent,
				human.Size(int64(f.Idle.MemoryBytes)), f.Idle.CPUPercent, procs, when))
		}
	}
	if f.Stopped {
		stop := fmt.Sprintf("%sdocker stop: %s, exit code %d", indent, seconds(f.StopTime), f.ExitCode)
		if f.ExitCode == 137 {
			stop += " (killed after the grace period)"
		}
		out = append(out, stop)
	}
	if f.Err != "" {
		prefix := name + "  not measured: "
		if len(out) > 0 {
			prefix = indent + "stopped measuring: "
		}
		out = append(out, prefix+termsafe.Line(f.Err))
	}
	return out
}

// runIndent lines up an image's numbers under its first line.
const runIndent = "      "

// seconds prints a measured duration as the lessons do ("1.4s").
func seconds(d time.Duration) string {
	if d < time.Second {
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
