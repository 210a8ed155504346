package check_test

import (
	"context"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/docker/dockertest"
)

// spec31 is exercise 3.1 as the built-in course declares it.
var spec31 = []check.Spec{
	{ID: "nonroot", Kind: "image.user_nonroot", Required: true},
	{ID: "hc", Kind: "image.healthcheck_defined", Required: true},
	{ID: "healthy", Kind: "container.healthy", Required: true},
	{ID: "ro", Kind: "container.readonly_rootfs"},
	{ID: "secrets", Kind: "image.no_secrets"},
}

// BenchmarkHealthy compares, in one run, on an image declaring
// HEALTHCHECK --interval=30s:
//   - check31: the whole of exercise 3.1 through the engine;
//   - healthy: container.healthy alone through the engine;
//   - naive: start the container and poll inspect until Docker says
//     healthy, with the image's own timing (what a script would do);
//   - floor: `docker run --rm IMAGE true`.
//
// Run it with: go test -run '^$' -bench Healthy ./internal/check/
func BenchmarkHealthy(b *testing.B) {
	e := dockertest.Need(b)
	ref := images["good"]
	ctx := context.Background()
	eng := check.NewEngine(e.Docker)
	perOp := map[string]time.Duration{}
	measure := func(name string, fn func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			start := time.Now()
			for i := 0; i < b.N; i++ {
				fn(b)
			}
			d := time.Since(start) / time.Duration(b.N)
			perOp[name] = d
			b.ReportMetric(d.Seconds(), "s/op")
		})
	}
	measure("check31", func(b *testing.B) {
		rep := eng.Run(ctx, spec31, check.Target{Image: ref}, nil)
		if !rep.Passed() {
			b.Fatalf("3.1 did not pass: %+v", rep.Results)
		}
	})
	measure("healthy", func(b *testing.B) {
		rep := eng.Run(ctx, spec31[2:3], check.Target{Image: ref}, nil)
		if !rep.Passed() {
			b.Fatalf("not healthy: %+v", rep.Results)
		}
	})
	measure("naive", func(b *testing.B) {
		id, err := e.Docker.CreateContainer(ctx, check.ContainerSpec{Image: ref, Purpose: "naive"})
		if err != nil {
			b.Fatal(err)
		}
		defer e.Docker.RemoveContainer(context.Background(), id)
		if err := e.Docker.StartContainer(ctx, id); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for {
			st, err := e.Docker.InspectContainer(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			if st.Health == "healthy" {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("never healthy")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	measure("floor", func(b *testing.B) {
		if err := e.Run(ctx, ref, "true"); err != nil {
			b.Fatal(err)
		}
	})
	if perOp["naive"] > 0 && perOp["floor"] > 0 {
		b.Logf("check31 %s, healthy %s, naive %s, floor %s: naive/check31 = %.1fx, check31/floor = %.1fx, healthy/floor = %.1fx",
			perOp["check31"].Round(time.Millisecond), perOp["healthy"].Round(time.Millisecond),
			perOp["naive"].Round(time.Millisecond), perOp["floor"].Round(time.Millisecond),
			float64(perOp["naive"])/float64(perOp["check31"]),
			float64(perOp["check31"])/float64(perOp["floor"]),
			float64(perOp["healthy"])/float64(perOp["floor"]))
	}
}
