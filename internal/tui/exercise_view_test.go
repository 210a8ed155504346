package tui

import "testing"

func TestShortenTailKeepsImagesWhole(t *testing.T) {
	const dir = "/home/learner/courses/docker/phase3/task-api"
	line := "checking registry.example.com/team/task-api:prod (dev image task-api:dev) · Dockerfile in " + dir
	for _, c := range []struct {
		width int
		want  string
	}{
		{200, line},
		{110, "checking registry.example.com/team/task-api:prod (dev image task-api:dev) · Dockerfile in …ker/phase3/task-api"},
		// Too little of the path would be left: the caller cuts the end.
		{80, line},
	} {
		if got := shortenTail(line, dir, c.width); got != c.want {
			t.Errorf("at %d: %q, want %q", c.width, got, c.want)
		}
	}
	if got := shortenTail("checking x · .", "/elsewhere", 5); got != "checking x · ." {
		t.Errorf("a line not ending in the path changed: %q", got)
	}
}
