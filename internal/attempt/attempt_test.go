package attempt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/lab"
)

// fakeEngine answers the image questions of the checks used here; any
// other call panics through the nil embedded interface, which would show a
// test wrongly reaching for containers.
type fakeEngine struct {
	lab.Docker
	images map[string]check.ImageInfo
	// inspected counts InspectImage calls per reference.
	inspected map[string]int
}

func (f *fakeEngine) InspectImage(_ context.Context, ref string) (check.ImageInfo, error) {
	if f.inspected == nil {
		f.inspected = map[string]int{}
	}
	f.inspected[ref]++
	info, ok := f.images[ref]
	if !ok {
		return check.ImageInfo{}, errors.New("No such image: " + ref)
	}
	return info, nil
}

func (f *fakeEngine) ImageExists(_ context.Context, ref string) (bool, error) {
	_, ok := f.images[ref]
	return ok, nil
}

// CreateContainer refuses: the checklist's runtime items then end as
// errors, which these tests do not judge.
func (f *fakeEngine) CreateContainer(context.Context, check.ContainerSpec) (string, error) {
	return "", errors.New("this fake runs no containers")
}

// TrivyImageRefs: no Trivy image on this engine.
func (f *fakeEngine) TrivyImageRefs(context.Context) ([]string, error) { return nil, nil }

func (f *fakeEngine) HostURL() string { return "unix:///fake.sock" }

func (f *fakeEngine) EngineVersion(context.Context) (string, error) { return "26.1.5", nil }

func (f *fakeEngine) ImageHistory(_ context.Context, ref string) ([]check.Layer, error) {
	return []check.Layer{{Size: f.images[ref].Size}}, nil
}

// connector hands out its engine, or its error.
type connector struct {
	eng   Engine
	err   error
	calls int
}

func (c *connector) Connect(context.Context) (Engine, error) {
	c.calls++
	return c.eng, c.err
}

func exercise(checks ...course.Check) *course.Exercise {
	return &course.Exercise{ID: "9.9", Title: "test", Checks: checks}
}

var (
	healthcheck = course.Check{ID: "health", Kind: "image.healthcheck_defined", Hint: "add HEALTHCHECK"}
	multistage  = course.Check{ID: "stages", Kind: "dockerfile.multistage"}
	scanned     = course.Check{ID: "scan", Kind: "scan.no_critical"}
)

func workdir(t *testing.T, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	if dockerfile != "" {
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func healthy() check.ImageInfo {
	return check.ImageInfo{ID: "sha256:" + strings.Repeat("a", 64), Ref: "app:prod",
		Healthcheck: &check.Healthcheck{Test: []string{"CMD", "true"}, Interval: 10 * time.Second, Timeout: 3 * time.Second}}
}

func TestCheckJudgesWithTheEngine(t *testing.T) {
	eng := &fakeEngine{images: map[string]check.ImageInfo{"app:prod": healthy()}}
	r := &Runner{Engines: &connector{eng: eng}, Reports: NewReports("")}
	rep, err := r.Check(context.Background(), exercise(healthcheck), Target{Image: "app:prod", Dir: workdir(t, "")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome() != check.OutcomePassed || rep.Results[0].Status != check.StatusPass {
		t.Errorf("report %+v", rep.Results)
	}
	if eng.inspected["app:prod"] == 0 {
		t.Error("the image was never inspected before the checks")
	}
	eng.images["app:prod"] = check.ImageInfo{ID: "sha256:b", Ref: "app:prod"}
	rep, err = r.Check(context.Background(), exercise(healthcheck), Target{Image: "app:prod", Dir: workdir(t, "")}, nil)
	if err != nil || rep.Outcome() != check.OutcomeFailed {
		t.Errorf("image without HEALTHCHECK: %v, %+v", err, rep.Results)
	}
}

// A Dockerfile-only exercise never connects: it is judged without Docker.
func TestCheckWithoutDockerNeedsNoDaemon(t *testing.T) {
	c := &connector{err: errors.New("no daemon")}
	r := &Runner{Engines: c, Reports: NewReports("")}
	dir := workdir(t, "FROM base AS build\nRUN true\nFROM base\nCOPY --from=build /x /x\n")
	rep, err := r.Check(context.Background(), exercise(multistage), Target{Image: "app:prod", Dir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.calls != 0 {
		t.Errorf("connected %d times for a Dockerfile check", c.calls)
	}
	if rep.Results[0].Status != check.StatusPass {
		t.Errorf("multistage: %+v", rep.Results[0])
	}
}

func TestCheckCannotJudge(t *testing.T) {
	ctx := context.Background()
	t.Run("no Dockerfile", func(t *testing.T) {
		dir := workdir(t, "")
		r := &Runner{Engines: &connector{err: errors.New("unused")}, Reports: NewReports("")}
		_, err := r.Check(ctx, exercise(multistage), Target{Image: "app:prod", Dir: dir}, nil)
		if err == nil || !strings.Contains(err.Error(), "no Dockerfile in "+dir) || !strings.Contains(err.Error(), "--dir") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("daemon down", func(t *testing.T) {
		down := &docker.Error{Kind: docker.Unreachable, Op: "connect", Err: errors.New("dial unix: no such file")}
		r := &Runner{Engines: &connector{err: down}, Reports: NewReports("")}
		_, err := r.Check(ctx, exercise(healthcheck), Target{Image: "app:prod", Dir: workdir(t, "")}, nil)
		if err == nil || docker.Advice(down) == "" || !strings.Contains(err.Error(), docker.Advice(down)) {
			t.Errorf("err = %v, want the adapter's advice %q", err, docker.Advice(down))
		}
	})
	t.Run("daemon down still judges the Dockerfile", func(t *testing.T) {
		down := &docker.Error{Kind: docker.Unreachable, Op: "connect", Err: errors.New("dial unix: no such file")}
		r := &Runner{Engines: &connector{err: down}, Reports: NewReports(""), ImportAdvice: "press I to import it"}
		dir := workdir(t, "FROM python:3.13-slim AS build\nFROM python:3.13-slim\nCOPY --from=build /opt /opt\n")
		rep, err := r.Check(ctx, exercise(multistage, healthcheck, scanned), Target{Image: "app:prod", Dir: dir}, nil)
		if err == nil || !strings.Contains(err.Error(), docker.Advice(down)) {
			t.Fatalf("err = %v, want the reason with the adapter's advice", err)
		}
		if len(rep.Results) != 3 {
			t.Fatalf("results %+v, want all three checks", rep.Results)
		}
		if st := rep.Results[0].Status; st != check.StatusPass {
			t.Errorf("the Dockerfile's check: %s %v, want judged without the daemon", st, rep.Results[0].Evidence)
		}
		for _, res := range rep.Results[1:] {
			if res.Status != check.StatusError || len(res.Evidence) != 1 ||
				!strings.HasPrefix(res.Evidence[0], "could not check: cannot reach the Docker daemon") {
				t.Errorf("%s: %s %q, want could not check with the reason", res.ID, res.Status, res.Evidence)
			}
		}
		if h := rep.Results[2].Hint; !strings.Contains(h, "press I to import it") {
			t.Errorf("scan hint %q does not say how this front end takes a report", h)
		}
	})
	t.Run("image missing", func(t *testing.T) {
		r := &Runner{Engines: &connector{eng: &fakeEngine{}}, Reports: NewReports("")}
		_, err := r.Check(ctx, exercise(healthcheck), Target{Image: "app:prod", Dir: workdir(t, "")}, nil)
		if err == nil || !strings.Contains(err.Error(), "app:prod") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		eng := &fakeEngine{images: map[string]check.ImageInfo{"app:prod": healthy()}}
		r := &Runner{Engines: &connector{eng: eng}, Reports: NewReports("")}
		_, err := r.Check(cctx, exercise(healthcheck), Target{Image: "app:prod", Dir: workdir(t, "")}, nil)
		if !errors.Is(err, ErrCancelled) {
			t.Errorf("err = %v, want ErrCancelled", err)
		}
	})
}

// An advisory Dockerfile check (Docker's build checks in 3.1) does not
// stop an exercise judged by its image when there is no Dockerfile: it
// reports the missing file itself.
func TestAdvisoryDockerfileCheckDoesNotBlock(t *testing.T) {
	eng := &fakeEngine{images: map[string]check.ImageInfo{"app:prod": healthy()}}
	r := &Runner{Engines: &connector{eng: eng}, Reports: NewReports("")}
	lint := course.Check{ID: "lint", Kind: "dockerfile.build_checks", Level: course.LevelAdvisory}
	rep, err := r.Check(context.Background(), exercise(healthcheck, lint), Target{Image: "app:prod", Dir: workdir(t, "")}, nil)
	if err != nil {
		t.Fatalf("an advisory check stopped the exercise: %v", err)
	}
	if rep.Outcome() != check.OutcomePassed || rep.Results[1].Status == check.StatusPass {
		t.Errorf("results %+v", rep.Results)
	}
}

// The scan check reads the learner's report; one imported or scanned in
// the session replaces it for that image only.
func TestReportsLookup(t *testing.T) {
	r := NewReports("given.json")
	if got := r.Get("app:prod"); got != "given.json" {
		t.Errorf("Get = %q, want the given report", got)
	}
	r.Set("app:prod", "scanned.json")
	if r.Get("app:prod") != "scanned.json" || r.Get("other:tag") != "given.json" {
		t.Errorf("after Set: %q, %q", r.Get("app:prod"), r.Get("other:tag"))
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.Import("app:prod", bad); err == nil {
		t.Error("a file that is no Trivy report was imported")
	}
	if r.Get("app:prod") != "scanned.json" {
		t.Error("a refused import replaced the report")
	}
}

// A scan check without a report and without Trivy is an error that says
// how to install Trivy, never a pass.
func TestMissingScanIsExplained(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no trivy binary
	eng := &fakeEngine{images: map[string]check.ImageInfo{"app:prod": healthy()}}
	var notes []string
	r := &Runner{Engines: &connector{eng: eng}, Reports: NewReports(""), ReportDir: t.TempDir(),
		Notify: func(n string) { notes = append(notes, n) }}
	rep, err := r.Check(context.Background(), exercise(scanned), Target{Image: "app:prod", Dir: workdir(t, "")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := rep.Results[0]
	if res.Status != check.StatusError || !strings.Contains(res.Hint, "--trivy-report") {
		t.Errorf("scan result %+v", res)
	}
	if len(notes) == 0 || !strings.Contains(notes[0], "scanning app:prod") {
		t.Errorf("notes %q", notes)
	}

	// The TUI has no flag: its hint names its own way in.
	r.ImportAdvice = "press I to import it"
	rep, err = r.Check(context.Background(), exercise(scanned), Target{Image: "app:prod", Dir: workdir(t, "")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h := rep.Results[0].Hint; !strings.Contains(h, "press I to import it") || strings.Contains(h, "--trivy-report") {
		t.Errorf("TUI's scan hint %q", h)
	}
}

// The TUI's workspace and the CLI's runner are one pipeline: the same
// exercise and target give the same verdicts through both.
func TestWorkspaceAndRunnerAgree(t *testing.T) {
	eng := &fakeEngine{images: map[string]check.ImageInfo{"app:prod": healthy()}}
	r := &Runner{Engines: &connector{eng: eng}, Reports: NewReports("")}
	dir := workdir(t, "FROM base\n")
	tgt := Target{Image: "app:prod", DevImage: "app:dev", Dir: dir}
	ex := exercise(healthcheck, multistage)
	cli, err := r.Check(context.Background(), ex, tgt, nil)
	if err != nil {
		t.Fatal(err)
	}
	tui, err := NewWorkspace(r, &course.Pack{}, tgt, BuildFlags{}).Check(context.Background(), ex, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cli.Results) != 2 || len(tui.Results) != len(cli.Results) {
		t.Fatalf("results: %d and %d", len(cli.Results), len(tui.Results))
	}
	for i := range cli.Results {
		if cli.Results[i].Status != tui.Results[i].Status {
			t.Errorf("%s: CLI %s, TUI %s", cli.Results[i].ID, cli.Results[i].Status, tui.Results[i].Status)
		}
	}
}

// Without a dev image the checklist judges size by the bound alone; a dev
// image the learner named is kept, so its absence is reported.
func TestChecklistDevImage(t *testing.T) {
	info := healthy()
	info.Size = 100 << 20
	eng := &fakeEngine{images: map[string]check.ImageInfo{"app:prod": info}}
	r := &Runner{Engines: &connector{eng: eng}, Reports: NewReports("")}
	pack, err := course.Builtin(course.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := r.Checklist(context.Background(), pack, Target{Image: "app:prod", DevImage: "app:dev", Dir: workdir(t, "FROM x\n")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cl.ImageID != info.ID || len(cl.Items) == 0 {
		t.Fatalf("checklist %+v", cl)
	}
	if eng.inspected["app:dev"] != 0 {
		t.Error("the missing dev image was judged although the learner did not name it")
	}
	_ = checklist.OutcomeOf(cl.Items)
}

func TestUnjudgedReport(t *testing.T) {
	rep := Unjudged(exercise(healthcheck, multistage), Target{Image: "app:prod"}, "no daemon\x1b[2J")
	if len(rep.Results) != 2 || rep.Outcome() != check.OutcomeIncomplete {
		t.Fatalf("%+v", rep)
	}
	for _, r := range rep.Results {
		if r.Status != check.StatusError || strings.ContainsRune(r.Evidence[0], 0x1b) || r.Title == "" {
			t.Errorf("%+v", r)
		}
	}
}

func TestNeedsDevImage(t *testing.T) {
	for _, tc := range []struct {
		spec check.Spec
		want bool
	}{
		{check.Spec{Kind: "image.smaller_than"}, true},
		{check.Spec{Kind: "image.smaller_than", Params: map[string]any{"than": "dev"}}, true},
		{check.Spec{Kind: "image.smaller_than", Params: map[string]any{"than": "python:3.13"}}, false},
		{check.Spec{Kind: "container.command", Params: map[string]any{"image": "dev"}}, true},
		{check.Spec{Kind: "container.command", Params: map[string]any{"argv": []any{"true"}}}, false},
		{check.Spec{Kind: "image.size_max"}, false},
	} {
		if got := NeedsDevImage([]check.Spec{tc.spec}); got != tc.want {
			t.Errorf("%s %v: %v, want %v", tc.spec.Kind, tc.spec.Params, got, tc.want)
		}
	}
}
