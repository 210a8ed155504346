package lab_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"shipshape/exercises/testbed"
	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/lab"
	"shipshape/internal/workspace"
)

// taskAPI is the Task API as a learner builds it, on the python twin
// (testbed.PythonBase): the unchanged starter as dev and two reference
// solutions as prod images, built once per test binary.
type taskAPI struct {
	pack       *course.Pack
	base       testbed.Base
	dev        string
	sol31      string
	sol34      string
	sol34Specs []check.Spec
	sol31Specs []check.Spec
}

var (
	taskAPIOnce sync.Once
	taskAPIImgs taskAPI
	taskAPIErr  error
)

// needTaskAPI builds (once) the starter and the 3.1 and 3.4 solutions on
// the python twin, or the busybox stand-in when the twin is not cached.
func needTaskAPI(b *testing.B, e *dockertest.Env) taskAPI {
	b.Helper()
	// The workspaces are only needed while building.
	taskAPIOnce.Do(func() { taskAPIImgs, taskAPIErr = buildTaskAPI(e, b.TempDir()) })
	if taskAPIErr != nil {
		b.Fatal(taskAPIErr)
	}
	if taskAPIImgs.base.Note != "" {
		b.Log(taskAPIImgs.base.Note)
	}
	return taskAPIImgs
}

func buildTaskAPI(e *dockertest.Env, dir string) (taskAPI, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var t taskAPI
	pack, err := course.Builtin(course.Options{CheckKind: check.ValidateParams})
	if err != nil {
		return t, err
	}
	t.pack = pack
	session := e.Docker.Session()
	t.base, err = testbed.PythonBase(ctx, e.Docker.Host().URL, "shipshape-test/python:"+session,
		docker.LabelSession+"="+session)
	if err != nil {
		return t, err
	}
	l := lab.New(e.Docker)
	buildWS := func(name, solution, tag string) error {
		ws := filepath.Join(dir, name)
		if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, ws, false); err != nil {
			return err
		}
		if solution != "" {
			if _, err := workspace.Apply(pack.FS, solution, ws); err != nil {
				return err
			}
		}
		res, err := l.Build(ctx, lab.BuildRequest{Dir: ws, Tag: tag, BuildArgs: map[string]string{"PYTHON_IMAGE": t.base.Ref}}, nil)
		if err != nil {
			return err
		}
		if !res.OK() {
			return &buildError{tag: tag, res: res}
		}
		return nil
	}
	t.dev = "shipshape-test/task-api:dev-" + session
	if err := buildWS("dev", "", t.dev); err != nil {
		return t, err
	}
	for _, s := range []struct {
		id    string
		tag   *string
		specs *[]check.Spec
	}{{"3.1", &t.sol31, &t.sol31Specs}, {"3.4", &t.sol34, &t.sol34Specs}} {
		ex, _ := pack.Exercise(s.id)
		*s.tag = "shipshape-test/task-api:prod-" + strings.ReplaceAll(s.id, ".", "") + "-" + session
		if err := buildWS(s.id, ex.Solution, *s.tag); err != nil {
			return t, err
		}
		for _, c := range ex.Checks {
			*s.specs = append(*s.specs, check.Spec{ID: c.ID, Kind: c.Kind, Required: c.Required(), Params: c.Params})
		}
	}
	return t, nil
}

type buildError struct {
	tag string
	res lab.BuildResult
}

func (b *buildError) Error() string {
	return "build " + b.tag + " failed at " + b.res.FailedStep + ": " + b.res.Error + "\n" + strings.Join(b.res.Log, "\n")
}

// BenchmarkCheck31 times `check 3.1` of the reference solution on the
// python twin beside its floor, `docker run --rm IMAGE true` of the same
// image, run in the same iteration so both see the same daemon and load.
// Its x-floor metric is the ratio; issue 13 sets the bound at 2.5.
//
//	go test -run '^$' -bench Check31 -benchtime 5x ./internal/lab/
func BenchmarkCheck31(b *testing.B) {
	e := dockertest.Need(b)
	imgs := needTaskAPI(b, e)
	benchCheck(b, e, imgs.sol31, imgs.dev, imgs.sol31Specs)
}

// BenchmarkCheck34 is BenchmarkCheck31 for exercise 3.4, whose checks
// start the container for the uid, the health and the shutdown verdicts.
func BenchmarkCheck34(b *testing.B) {
	e := dockertest.Need(b)
	imgs := needTaskAPI(b, e)
	benchCheck(b, e, imgs.sol34, imgs.dev, imgs.sol34Specs)
}

// benchCheck runs the checks of an exercise beside two floors, each
// iteration all three in turn: `docker run --rm IMAGE true` (x-floor, the
// ratio issue 13 bounds), and one container of the image probed every
// 100 ms until Docker reports it healthy, then removed (x-health-floor: the
// best a health verdict can do, since it waits for the app itself).
func benchCheck(b *testing.B, e *dockertest.Env, image, dev string, specs []check.Spec) {
	ctx := context.Background()
	eng := check.NewEngine(e.Docker)
	info, err := e.Docker.InspectImage(ctx, image)
	if err != nil {
		b.Fatal(err)
	}
	var checkTime, floorTime, healthTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := e.Run(ctx, image, "true"); err != nil {
			b.Fatal(err)
		}
		floorTime += time.Since(start)

		start = time.Now()
		healthFloor(b, e, info)
		healthTime += time.Since(start)

		start = time.Now()
		rep := eng.Run(ctx, specs, check.Target{Image: image, DevImage: dev}, nil)
		checkTime += time.Since(start)
		if !rep.Passed() {
			b.Fatalf("the reference solution did not pass: %+v", rep.Results)
		}
	}
	n := time.Duration(b.N)
	b.ReportMetric((checkTime / n).Seconds(), "check-s/op")
	b.ReportMetric((floorTime / n).Seconds(), "floor-s/op")
	b.ReportMetric((healthTime / n).Seconds(), "health-floor-s/op")
	b.ReportMetric(float64(checkTime)/float64(floorTime), "x-floor")
	b.ReportMetric(float64(checkTime)/float64(healthTime), "x-health-floor")
}

// healthFloor starts one container of info probed every 100 ms, waits
// until Docker reports it healthy and removes it.
func healthFloor(b *testing.B, e *dockertest.Env, info check.ImageInfo) {
	spec, deadline, ok := check.HealthContainer(info, "floor", 100*time.Millisecond, time.Minute)
	if !ok {
		b.Fatal("the image has no HEALTHCHECK")
	}
	ctx := context.Background()
	id, err := e.Docker.CreateContainer(ctx, spec)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := e.Docker.RemoveContainer(ctx, id); err != nil {
			b.Fatal(err)
		}
	}()
	if _, err := check.WaitHealthy(ctx, e.Docker, id, deadline); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMeasure34 times the measure view of exercise 3.4 (lab.Measure
// of the starter as dev against the 3.4 solution as prod); issue 13 sets
// the bound at 3 s. The floor of the prod image is measured beside it,
// and where the time goes: the slower image's time to healthy, its idle
// window (the daemon's two resource reads: at once on Engine 26, a
// sampler round a second apart on 20.10) and its stop.
//
//	go test -run '^$' -bench Measure34 -benchtime 3x ./internal/lab/
func BenchmarkMeasure34(b *testing.B) {
	e := dockertest.Need(b)
	imgs := needTaskAPI(b, e)
	ctx := context.Background()
	l := lab.New(e.Docker)
	var measureTime, floorTime, healthy, idle, stop time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := e.Run(ctx, imgs.sol34, "true"); err != nil {
			b.Fatal(err)
		}
		floorTime += time.Since(start)
		start = time.Now()
		m := l.Measure(ctx, imgs.dev, imgs.sol34, nil)
		measureTime += time.Since(start)
		for _, f := range []lab.ImageFacts{m.Dev, m.Prod} {
			if f.Err != "" || !f.Measured {
				b.Fatalf("measure %s: %+v", f.Ref, f)
			}
		}
		slower := m.Dev
		if m.Prod.StartupToHealthy+m.Prod.IdleWindow+m.Prod.StopTime > slower.StartupToHealthy+slower.IdleWindow+slower.StopTime {
			slower = m.Prod
		}
		healthy += slower.StartupToHealthy
		idle += slower.IdleWindow
		stop += slower.StopTime
	}
	n := time.Duration(b.N)
	b.ReportMetric((healthy / n).Seconds(), "healthy-s/op")
	b.ReportMetric((idle / n).Seconds(), "idle-s/op")
	b.ReportMetric((stop / n).Seconds(), "stop-s/op")
	b.ReportMetric((measureTime / n).Seconds(), "measure-s/op")
	b.ReportMetric((floorTime / n).Seconds(), "floor-s/op")
	b.ReportMetric(float64(measureTime)/float64(floorTime), "x-floor")
}
