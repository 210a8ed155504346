package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStaleness(t *testing.T) {
	dir := t.TempDir()
	df := []byte("FROM scratch\n")
	path := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(path, df, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	built := func(ctx string, b []byte) ImageInfo {
		return ImageInfo{Ref: "task-api:prod", Labels: map[string]string{LabelSource: SourceLabel(b, ctx)}}
	}
	now := time.Now()
	for _, c := range []struct {
		name string
		info ImageInfo
		want string
	}{
		{"built here from this Dockerfile", built(abs, df), ""},
		{"Dockerfile edited since", built(abs, []byte("FROM scratch\nUSER 1\n")), "changed after task-api:prod was built"},
		{"built from another project", built("/elsewhere", df), "was built from /elsewhere"},
		{"built elsewhere, older than the Dockerfile", ImageInfo{Ref: "task-api:prod", Created: now.Add(-time.Hour)}, "was changed"},
		{"built elsewhere, newer", ImageInfo{Ref: "task-api:prod", Created: now.Add(time.Hour)}, ""},
		{"no creation time", ImageInfo{Ref: "task-api:prod"}, ""},
	} {
		got := staleness(c.info, dir)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if got := staleness(ImageInfo{Created: now.Add(-time.Hour)}, filepath.Join(dir, "none")); got != "" {
		t.Errorf("no Dockerfile: %q", got)
	}
}
