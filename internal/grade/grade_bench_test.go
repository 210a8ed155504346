package grade_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shipshape/internal/attempt"
	"shipshape/internal/course"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/grade"
	"shipshape/internal/lab"
	"shipshape/internal/report"
	"shipshape/internal/scratch"
)

// benchPack is the pack fixture with one cheap exercise (b.1): one short
// container run and three reads of the image and the Dockerfile.
func benchPack(tb testing.TB) (*course.Pack, *course.Exercise) {
	tb.Helper()
	p, err := course.Load(os.DirFS("testdata/benchpack"), "testdata/benchpack", course.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	ex, _ := p.Exercise("b.1")
	return p, ex
}

// benchClass writes n small workspaces, two in three passing, each with
// a Dockerfile of its own (no build is a mere cache hit).
func benchClass(tb testing.TB, e *dockertest.Env, n int) string {
	tb.Helper()
	root := tb.TempDir()
	for i := range n {
		df := fmt.Sprintf("FROM %s\nLABEL student=%d\nHEALTHCHECK --interval=5s CMD [\"true\"]\n", e.Base, i)
		if i%3 != 2 {
			df += "USER 10001:10001\n"
		}
		df += "CMD [\"sleep\", \"30\"]\n"
		dir := filepath.Join(root, fmt.Sprintf("student%02d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

// peakMemory samples the Go heap while fn runs and reads the process's
// peak resident set (VmHWM, reset first where Linux allows it), in MB.
func peakMemory(fn func()) (heapMB, rssMB float64) {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-t.C:
			case <-stop:
				return
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return float64(peak.Load()) / 1e6, vmHWM()
}

// vmHWM is the process's peak resident set in MB, or 0 where /proc has none.
func vmHWM() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1e3
		}
	}
	return 0
}

// BenchmarkGradeClass grades 30 small workspaces with as many jobs as the
// machine has CPUs, beside its baseline in the same run: the same 30 one
// after the other, each as an instructor's script would do it (build the
// image, `shipshape check` it, remove it), timed as the sum of those. The
// speedup is baseline over grade. SHIPSHAPE_BENCH_JOBS=N grades with N
// jobs instead, to see where the daemon stops keeping up.
//
//	go test -run '^$' -bench BenchmarkGradeClass -benchtime 1x ./internal/grade
func BenchmarkGradeClass(b *testing.B) {
	e := dockertest.Need(b)
	const class = 30
	pack, ex := benchPack(b)
	roster := benchClass(b, e, class)
	students, err := grade.ReadRoster(roster)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	runner := &attempt.Runner{Engines: engines{e.Docker}, Reports: attempt.NewReports("")}
	jobs := runtime.NumCPU()
	if s := os.Getenv("SHIPSHAPE_BENCH_JOBS"); s != "" {
		jobs, _ = strconv.Atoi(s)
	}
	var gradeTime, seqTime time.Duration
	var gradeHeap, gradeRSS, seqHeap, seqRSS float64
	for b.Loop() {
		// The baseline: one student at a time, build, check, remove.
		start := time.Now()
		seqHeap, seqRSS = peakMemory(func() {
			for i, st := range students {
				tag := fmt.Sprintf("%s/bench:seq-%d", grade.ImageRepo, i)
				res, err := e.Docker.BuildImage(ctx, lab.BuildRequest{Dir: st.Dir, Tag: tag}, nil)
				if err != nil || !res.OK() {
					b.Fatalf("build %s: %v %s", st.Name, err, res.Error)
				}
				if _, err := runner.Check(ctx, ex, attempt.Target{Image: tag, Dir: st.Dir}, nil); err != nil {
					b.Fatal(err)
				}
				if err := e.Docker.RemoveBuiltImage(ctx, tag); err != nil {
					b.Fatal(err)
				}
			}
		})
		seqTime += time.Since(start)

		book, done, err := grade.OpenBook(filepath.Join(b.TempDir(), "grades"), report.FormatJSON, ex, false)
		if err != nil {
			b.Fatal(err)
		}
		g := &grade.Grader{Engine: e.Docker, Runner: runner, Scratch: scratch.Open(b.TempDir())}
		start = time.Now()
		var sum grade.Summary
		gradeHeap, gradeRSS = peakMemory(func() {
			sum, err = g.Run(ctx, grade.Plan{Pack: pack, Exercise: ex, Students: students, Jobs: jobs, Timeout: 5 * time.Minute}, book, done, nil)
		})
		gradeTime += time.Since(start)
		if err != nil || len(sum.Rows) != class {
			b.Fatalf("grade: %v, %d rows", err, len(sum.Rows))
		}
		for _, r := range sum.Rows {
			var i int
			_, _ = fmt.Sscanf(r.Student, "student%d", &i)
			if r.Status != grade.StatusGraded || r.Passed != (i%3 != 2) {
				b.Fatalf("row %+v", r)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(gradeTime.Seconds()/n, "grade-s")
	b.ReportMetric(seqTime.Seconds()/n, "sequential-s")
	b.ReportMetric(seqTime.Seconds()/gradeTime.Seconds(), "speedup")
	b.ReportMetric(float64(jobs), "jobs")
	b.ReportMetric(gradeHeap, "grade-peak-heap-MB")
	b.ReportMetric(seqHeap, "sequential-peak-heap-MB")
	if gradeRSS > 0 {
		b.ReportMetric(gradeRSS, "grade-peak-rss-MB")
		b.ReportMetric(seqRSS, "sequential-peak-rss-MB")
	}
}
