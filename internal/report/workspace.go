package report

import (
	"fmt"
	"io"
	"sort"

	"shipshape/internal/course"
	"shipshape/internal/human"
	"shipshape/internal/packs"
	"shipshape/internal/termsafe"
	"shipshape/internal/workspace"
)

// Init says what `shipshape init` wrote to dir (abs is its absolute
// path), what of the learner's it kept, and what to do next; packPath is
// --pack, repeated in the next command.
func Init(w io.Writer, pack *course.Pack, res workspace.Result, abs, dir, packPath string) {
	fmt.Fprintf(w, "Wrote %d file(s) of the starter to %s", len(res.Written), termsafe.Line(abs))
	if len(res.Unchanged) > 0 {
		fmt.Fprintf(w, " (%d already up to date)", len(res.Unchanged))
	}
	fmt.Fprintln(w, ".")
	var kept []string
	for f, b := range res.BackedUp {
		kept = append(kept, fmt.Sprintf("  your %s is kept as %s", termsafe.Line(f), termsafe.Line(b)))
	}
	sort.Strings(kept)
	for _, k := range kept {
		fmt.Fprintln(w, k)
	}
	first := ""
	if exs := pack.Exercises(); len(exs) > 0 {
		first = " (then open exercise " + termsafe.Line(exs[0].ID) + ")"
	}
	packFlag := ""
	if packPath != "" {
		packFlag = " --pack " + termsafe.Line(packPath)
	}
	fmt.Fprintf(w, "\nNext:\n  cd %s\n  docker build -t %s .\n  shipshape%s%s\n",
		termsafe.Line(dir), termsafe.Line(pack.Workspace.DevImage), packFlag, first)
}

// Installed says which pack `pack install` installed, replaced or updated.
func Installed(w io.Writer, inst packs.Installed) {
	title := termsafe.Line(inst.Title)
	switch inst.Replaced {
	case inst.Version:
		fmt.Fprintf(w, "Reinstalled %s %s (%s).\n", termsafe.Line(inst.ID), termsafe.Line(inst.Version), title)
	case "":
		fmt.Fprintf(w, "Installed %s %s (%s).\n", termsafe.Line(inst.ID), termsafe.Line(inst.Version), title)
	default:
		fmt.Fprintf(w, "Updated %s from %s to %s (%s). Progress of lessons and exercises whose ids did not change is kept.\n",
			termsafe.Line(inst.ID), termsafe.Line(inst.Replaced), termsafe.Line(inst.Version), title)
	}
	fmt.Fprintf(w, "Open it with: shipshape --pack %s\n", termsafe.Line(inst.ID))
}

// Validation writes what `pack validate` found in the pack at path, every
// problem as file:line: message, or a line of what the pack holds; it
// reports whether the pack is clean.
func Validation(w io.Writer, path string, p *course.Pack, problems []course.Problem) bool {
	for _, pr := range problems {
		fmt.Fprintln(w, termsafe.Text(pr.String()))
	}
	if p == nil || len(problems) > 0 {
		fmt.Fprintf(w, "%s: %d problem(s)\n", termsafe.Line(path), len(problems))
		return false
	}
	checks := 0
	for _, ex := range p.Exercises() {
		checks += len(ex.Checks)
	}
	fmt.Fprintf(w, "%s: ok: %q %s: %s, %s, %s\n", termsafe.Line(path),
		termsafe.Line(p.Title), termsafe.Line(p.Version), human.Count(len(p.Lessons), "lesson"),
		human.Count(len(p.Exercises()), "exercise"), human.Count(checks, "check"))
	return true
}
