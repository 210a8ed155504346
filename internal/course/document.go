package course

import (
	"fmt"
	"strings"
)

// Document is the Markdown a reader sees for the lesson: the body and, for
// an exercise lesson, the tasks and the checks it is judged by, which the
// author declared in the front matter, and the first hints hints.
func (l *Lesson) Document(hints int) string {
	if l.Exercise == nil {
		return l.Body
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(l.Body, "\n"))
	ex := l.Exercise
	fmt.Fprintf(&b, "\n\n## Exercise %s tasks\n\n", ex.ID)
	for i, t := range ex.Tasks {
		fmt.Fprintf(&b, "%d. %s\n", i+1, oneParagraph(t))
	}
	fmt.Fprintf(&b, "\n## How exercise %s is checked\n\n", ex.ID)
	for _, c := range ex.Checks {
		level := "required"
		if !c.Required() {
			level = "advisory"
		}
		fmt.Fprintf(&b, "- **%s** (`%s`, %s)\n", c.ID, c.Kind, level)
	}
	fmt.Fprintf(&b, "\nRun `shipshape check %s` in your project directory, or press `c` here, to get the verdict with evidence and a hint for every check that fails.\n", ex.ID)
	hints = min(max(hints, 0), len(ex.Hints))
	fmt.Fprintf(&b, "\n## Hints\n\n")
	for i := 0; i < hints; i++ {
		fmt.Fprintf(&b, "%d. %s\n", i+1, oneParagraph(ex.Hints[i]))
	}
	switch left := len(ex.Hints) - hints; {
	case left == 0:
		b.WriteString("\nThat was the last hint.\n")
	case hints == 0:
		fmt.Fprintf(&b, "Stuck? Press `h` to reveal a hint (%d in all), one at a time.\n", len(ex.Hints))
	default:
		fmt.Fprintf(&b, "\nPress `h` for the next hint (%d more).\n", left)
	}
	return b.String()
}

// oneParagraph keeps a multi-line task inside its list item.
func oneParagraph(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
