package checklist_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
	"shipshape/internal/docker/dockertest"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m, nil)) }

// builtin is the built-in course's checklist, which the tests judge.
func builtin(t *testing.T) []checklist.Item {
	t.Helper()
	p, err := course.Builtin(course.Options{CheckKind: check.ValidateParams})
	if err != nil {
		t.Fatal(err)
	}
	return checklist.FromPack(p)
}

func TestBuiltinChecklist(t *testing.T) {
	items := builtin(t)
	manual := 0
	sections := []string{}
	for _, it := range items {
		if len(sections) == 0 || sections[len(sections)-1] != it.Section {
			sections = append(sections, it.Section)
		}
		if len(it.Kinds) == 0 {
			manual++
		}
	}
	// The syllabus has 19 items in four sections; 11 no machine can judge.
	if len(items) != 19 || manual != 11 || len(sections) != 4 {
		t.Errorf("%d items, %d manual, sections %q", len(items), manual, sections)
	}
	var size checklist.Item
	for _, it := range items {
		if it.ID == "image-size" {
			size = it
		}
	}
	want := map[string]any{"max_bytes": 300_000_000, "target_bytes": 200_000_000}
	if got := size.Params["image.size_max"]; !reflect.DeepEqual(got, want) {
		t.Errorf("image-size runs image.size_max with %v, want %v", got, want)
	}
}

func TestFromPackWithoutChecklist(t *testing.T) {
	if items := checklist.FromPack(&course.Pack{}); len(items) != 0 {
		t.Errorf("a pack without a checklist has %d items", len(items))
	}
}

func TestRunWithoutDocker(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(".git\n.env\n.venv\nvenv\n**/__pycache__\n**/*.pyc\n"), 0o644)
	res := checklist.RunItems(context.Background(), check.NewEngine(nil), builtin(t), check.Target{Image: "x:y", Dir: dir}, nil)
	byID := map[string]checklist.ItemResult{}
	for _, r := range res {
		byID[r.Item.ID] = r
	}
	if st := byID["dockerignore"].Status; st != checklist.Pass {
		t.Errorf("dockerignore %s %v", st, byID["dockerignore"].Evidence)
	}
	if st := byID["non-root"].Status; st != checklist.Error {
		t.Errorf("non-root without docker: %s", st)
	}
	if r := byID["security-scan"]; r.Status != checklist.Manual || !strings.Contains(strings.Join(r.Evidence, " "), "--trivy-report") {
		t.Errorf("security-scan without a report: %+v", r)
	}
	if st := byID["tests-pass"].Status; st != checklist.Manual {
		t.Errorf("tests-pass %s", st)
	}
	if checklist.OutcomeOf(res) != checklist.Incomplete {
		t.Errorf("outcome %v", checklist.OutcomeOf(res))
	}
}

func TestRunAgainstImages(t *testing.T) {
	e := dockertest.Need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	good, err := e.Build(ctx, "checklist-good", `FROM BASE
HEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O /dev/null http://127.0.0.1:8080/index.html
USER 10001
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
`)
	if err != nil {
		t.Fatal(err)
	}
	root, err := e.Build(ctx, "checklist-root", "FROM BASE\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(".git\n.env\n.venv\nvenv\n**/__pycache__\n**/*.pyc\n"), 0o644)
	// busybox httpd ignores SIGTERM as PID 1, so graceful_shutdown waits the
	// whole stop timeout on both images; its verdict is not judged here.
	engine := check.NewEngine(e.Docker, check.WithStopTimeout(time.Second))

	res := checklist.RunItems(ctx, engine, builtin(t), check.Target{Image: good, DevImage: root, Dir: dir}, nil)
	for _, r := range res {
		want := checklist.Manual
		if len(r.Item.Kinds) > 0 && r.Item.ID != "security-scan" {
			want = checklist.Pass
		}
		// busybox httpd ignores SIGTERM as PID 1.
		if r.Item.ID == "graceful-shutdown" || r.Item.ID == "image-size" {
			continue
		}
		if r.Status != want {
			t.Errorf("%s: %s, want %s: %v", r.Item.ID, r.Status, want, r.Evidence)
		}
	}

	res = checklist.RunItems(ctx, engine, builtin(t), check.Target{Image: root, Dir: dir}, nil)
	for _, r := range res {
		if r.Item.ID == "non-root" && (r.Status != checklist.Fail || !strings.Contains(strings.Join(r.Evidence, " "), "uid")) {
			t.Errorf("root image: %+v", r)
		}
		if r.Item.ID == "health-check-works" && r.Status != checklist.Fail {
			t.Errorf("no healthcheck: %+v", r)
		}
	}
	if checklist.OutcomeOf(res) != checklist.Failed {
		t.Error("a root image passed the checklist")
	}
}
