package grade_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"shipshape/internal/attempt"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/grade"
	"shipshape/internal/report"
	"shipshape/internal/scratch"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m, nil)) }

// Workspaces of exercise 3.1 on the busybox base: what passes, what fails
// (root), what does not build, what never finishes building.
const (
	passing = `FROM BASE
USER 10001:10001
HEALTHCHECK --interval=1s --timeout=2s --start-period=5s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/"]
CMD ["httpd", "-f", "-p", "8000", "-h", "/www"]
`
	asRoot       = "FROM BASE\nHEALTHCHECK --interval=1s CMD [\"true\"]\nCMD [\"httpd\", \"-f\", \"-p\", \"8000\", \"-h\", \"/www\"]\n"
	unbuildable  = "FROM BASE\nENV STAGE=one\nRUN echo about to fail && exit 3\n"
	hangingBuild = "FROM BASE\nENV STAGE=two\nRUN sleep 600\n"
)

// engines connects every attempt to the test's client.
type engines struct{ d *docker.Client }

func (e engines) Connect(context.Context) (attempt.Engine, error) { return e.d, nil }

// workspaces writes one workspace per student (no Dockerfile for "").
func workspaces(t *testing.T, e *dockertest.Env, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, df := range files {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if df == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(strings.ReplaceAll(df, "BASE", e.Base)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func sessionImages(t *testing.T, ctx context.Context, e *dockertest.Env) []string {
	t.Helper()
	ids, err := e.ImagesFromBase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func containersOf(t *testing.T, ctx context.Context, e *dockertest.Env) []string {
	t.Helper()
	ids, err := e.ContainersFromBase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestGradeExercise31 grades a class of five on the built-in exercise 3.1:
// one row each, with the right verdict and score, a report each, and
// nothing left on the daemon.
func TestGradeExercise31(t *testing.T) {
	e := dockertest.Need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pack, err := course.Builtin(course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := pack.Exercise("3.1")
	roster := workspaces(t, e, map[string]string{"ann": passing, "bob": asRoot, "cat": unbuildable, "dan": hangingBuild, "eve lee": ""})
	students, err := grade.ReadRoster(roster)
	if err != nil {
		t.Fatal(err)
	}
	imagesBefore := sessionImages(t, ctx, e)
	out := filepath.Join(t.TempDir(), "grades")
	book, done, err := grade.OpenBook(out, report.FormatJUnit, ex, false)
	if err != nil {
		t.Fatal(err)
	}
	g := &grade.Grader{Engine: e.Docker, Runner: &attempt.Runner{Engines: engines{e.Docker}, Reports: attempt.NewReports("")},
		Scratch: scratch.Open(t.TempDir())}
	var events []string
	start := time.Now()
	sum, err := g.Run(ctx, grade.Plan{Pack: pack, Exercise: ex, Students: students, Jobs: 3, Timeout: 25 * time.Second}, book, done,
		func(ev grade.Event) {
			if ev.Finished != nil {
				events = append(events, grade.Outcome(*ev.Finished))
			}
		})
	t.Logf("graded in %s:\n%s", time.Since(start).Round(time.Second), strings.Join(events, "\n"))
	if err != nil || sum.Cleanup != nil {
		t.Fatalf("run: %v, cleanup: %v", err, sum.Cleanup)
	}

	byName := map[string]grade.Row{}
	for _, r := range sum.Rows {
		byName[r.Student] = r
	}
	if len(sum.Rows) != 5 || len(byName) != 5 || len(sum.Pending) != 0 {
		t.Fatalf("rows %+v, pending %v", sum.Rows, sum.Pending)
	}
	// Every check of 3.1 is worth its points (1 each in the built-in pack).
	ex31, _ := pack.Exercise("3.1")
	maxScore := 0
	for _, c := range ex31.Checks {
		maxScore += c.Points
	}
	expect := func(name, status string, passed bool, score int, errPart string) {
		t.Helper()
		r := byName[name]
		if r.Status != status || r.Passed != passed || r.Score != score || r.MaxScore != maxScore || !strings.Contains(r.Error, errPart) {
			t.Errorf("%s: %s passed=%v %d/%d %q; want %s passed=%v %d/%d with %q", name, r.Status, r.Passed, r.Score, r.MaxScore, r.Error, status, passed, score, maxScore, errPart)
		}
		if _, err := os.Stat(filepath.Join(out, r.Report)); err != nil || !strings.HasSuffix(r.Report, ".xml") {
			t.Errorf("%s: report %q: %v", name, r.Report, err)
		}
	}
	expect("ann", grade.StatusGraded, true, maxScore, "")
	expect("bob", grade.StatusGraded, false, maxScore-1, "")
	expect("cat", grade.StatusError, false, 0, "the build failed")
	expect("dan", grade.StatusError, false, 0, "timed out after 25s while building")
	expect("eve lee", grade.StatusError, false, 0, "no Dockerfile")
	if r := byName["bob"]; r.Checks[0].ID != "runs-as-nonroot" || r.Checks[0].Status != "fail" || r.ImageBytes == 0 {
		t.Errorf("bob's checks %+v, image %d bytes", r.Checks, r.ImageBytes)
	}
	if byName["eve lee"].Report != "eve-lee.xml" {
		t.Errorf("eve's report is %q", byName["eve lee"].Report)
	}

	var gb grade.Gradebook
	if data, err := os.ReadFile(filepath.Join(out, grade.GradebookJSON)); err != nil || json.Unmarshal(data, &gb) != nil || len(gb.Students) != 5 {
		t.Fatalf("gradebook: %v %+v", err, gb)
	}
	if csvData, err := os.ReadFile(filepath.Join(out, grade.GradebookCSV)); err != nil || strings.Count(string(csvData), "\n") != 6 {
		t.Errorf("gradebook.csv: %v\n%s", err, csvData)
	}

	// Nothing the run made is left: no image (an intermediate one of a
	// failed build included) and no container, a stopped build's own too.
	if got := containersOf(t, ctx, e); len(got) > 0 {
		t.Errorf("containers left: %v", got)
	}
	if after := sessionImages(t, ctx, e); !slices.Equal(after, imagesBefore) {
		t.Errorf("images before the run %v, after %v", imagesBefore, after)
	}

	// --resume after a complete run grades nobody again.
	book, done, err = grade.OpenBook(out, report.FormatJUnit, ex, true)
	if err != nil || len(done) != 5 {
		t.Fatalf("resume: %d done, %v", len(done), err)
	}
	events = nil
	if sum, err := g.Run(ctx, grade.Plan{Pack: pack, Exercise: ex, Students: students, Jobs: 3, Timeout: time.Minute}, book, done,
		func(ev grade.Event) { events = append(events, ev.Student.Name) }); err != nil || sum.Resumed != 5 || len(events) != 0 {
		t.Errorf("resume: %v, %d resumed, events %v", err, sum.Resumed, events)
	}
}
