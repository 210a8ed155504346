package lab_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"shipshape/internal/docker"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/lab"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m, nil)) }

// writeDir writes files (name → content) into a new temporary directory.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// build builds a Dockerfile in which BASE stands for the test base image.
// Images built FROM the base inherit its session labels, so the suite's
// cleanup removes them.
func build(t *testing.T, e *dockertest.Env, l *lab.Lab, tag, dockerfile string, extra map[string]string) (lab.BuildResult, []lab.BuildEvent) {
	t.Helper()
	files := map[string]string{"Dockerfile": strings.ReplaceAll(dockerfile, "BASE", e.Base)}
	for k, v := range extra {
		files[k] = v
	}
	dir := writeDir(t, files)
	// NoCache: BuildKit keeps its cache across test runs and would show
	// "CACHED" steps without their output.
	var events []lab.BuildEvent
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := l.Build(ctx, lab.BuildRequest{Dir: dir, Tag: tag, NoCache: true}, func(ev lab.BuildEvent) { events = append(events, ev) })
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return res, events
}

func testTag(e *dockertest.Env, name string) string {
	return "shipshape-test/lab-" + name + ":" + e.Docker.Session()
}

// classicStep is the classic builder's step header.
var classicStep = regexp.MustCompile(`^Step \d+/\d+ : `)

func TestBuildHonoursDockerignoreAndReportsSteps(t *testing.T) {
	e := dockertest.Need(t)
	l := lab.New(e.Docker)
	tag := testTag(e, "ctx")
	res, events := build(t, e, l, tag, "FROM BASE\nCOPY . /ctx/\nRUN echo built-it\n", map[string]string{
		".dockerignore": "Dockerfile\n.dockerignore\nsecret.txt\ncache/\n",
		"secret.txt":    "hunter2",
		"cache/big":     "x",
		"app.txt":       "app",
	})
	if !res.OK() {
		t.Fatalf("build failed: %s at %s\n%s", res.Error, res.FailedStep, strings.Join(res.Log, "\n"))
	}
	if !strings.HasPrefix(res.ImageID, "sha256:") {
		t.Errorf("image id %q", res.ImageID)
	}
	var steps []string
	sawEcho := false
	for _, ev := range events {
		if ev.Step != "" {
			steps = append(steps, ev.Step)
		}
		sawEcho = sawEcho || ev.Line == "built-it"
	}
	// The classic builder numbers every instruction and adds shipshape's
	// labels as last steps ("Step 3/5 : RUN ..."); BuildKit numbers the
	// stage's instructions ("[3/3] RUN ...") among internal steps of its own.
	if !slices.ContainsFunc(steps, func(s string) bool {
		return classicStep.MatchString(s) && strings.HasSuffix(s, "RUN echo built-it") && strings.HasPrefix(s, "Step 3/") || strings.HasPrefix(s, "[3/3] RUN echo built-it")
	}) {
		t.Errorf("no step names the RUN as the third instruction: %q", steps)
	}
	if !sawEcho {
		t.Errorf("the RUN output is not in the events: %q", res.Log)
	}
	ctx := context.Background()
	id, err := e.Docker.CreateContainer(ctx, dockerSpec(tag))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Docker.RemoveContainer(ctx, id)
	// The Dockerfile and .dockerignore are sent (the build could not run
	// otherwise), and the daemon, like docker build, leaves them out of
	// COPY when .dockerignore excludes them.
	for path, want := range map[string]bool{"/ctx/app.txt": true, "/ctx/Dockerfile": false, "/ctx/.dockerignore": false,
		"/ctx/secret.txt": false, "/ctx/cache": false} {
		got, err := e.Docker.PathExists(ctx, id, path)
		if err != nil || got != want {
			t.Errorf("%s exists=%v (%v), want %v", path, got, err, want)
		}
	}
	// Built images carry the built label.
	out, err := exec.Command("docker", "image", "inspect", "-f", `{{index .Config.Labels "dev.shipshape.built"}}`, tag).Output()
	if err == nil && strings.TrimSpace(string(out)) != "true" {
		t.Errorf("built label %q", out)
	}
}

func TestBuildFailureNamesStep(t *testing.T) {
	e := dockertest.Need(t)
	l := lab.New(e.Docker)
	res, _ := build(t, e, l, testTag(e, "fail"), "FROM BASE\nRUN echo one\nRUN echo about to fail && false\nRUN echo never\n", nil)
	if res.OK() {
		t.Fatal("a failing RUN built")
	}
	// Classic: "Step 3/6 : RUN ..." and "returned a non-zero code: 1";
	// BuildKit: "[3/4] RUN ..." and "did not complete successfully: exit
	// code: 1".
	if !(strings.HasPrefix(res.FailedStep, "Step 3/") && strings.Contains(res.FailedStep, " : RUN echo about to fail")) && !strings.HasPrefix(res.FailedStep, "[3/4] RUN echo about to fail") {
		t.Errorf("failed step %q", res.FailedStep)
	}
	if !strings.Contains(res.Error, "non-zero code: 1") && !strings.Contains(res.Error, "exit code: 1") {
		t.Errorf("error %q", res.Error)
	}
	if len(res.Log) == 0 || !strings.Contains(res.Log[len(res.Log)-1], "ERROR") {
		t.Errorf("log %q", res.Log)
	}
	// A Dockerfile the builder cannot parse is a failed build too, not a
	// Docker error.
	res, _ = build(t, e, l, testTag(e, "bad"), "FROM BASE\nBOGUS instruction\n", nil)
	if res.OK() || res.Error == "" {
		t.Errorf("unknown instruction: %+v", res)
	}
}

func TestBuildDaemonDown(t *testing.T) {
	d, err := docker.New(docker.Options{Host: "unix:///nonexistent/docker.sock"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dir := writeDir(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	_, err = lab.New(d).Build(context.Background(), lab.BuildRequest{Dir: dir, Tag: "x:y"}, nil)
	if docker.KindOf(err) != docker.Unreachable {
		t.Errorf("err %v, want unreachable", err)
	}
}

const healthyDockerfile = `FROM BASE
RUN echo '#!/bin/sh' > /run.sh && echo 'echo hello from the app; echo oops >&2; exec httpd -f -p 8080 -h /www' >> /run.sh && chmod +x /run.sh
HEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O /dev/null http://127.0.0.1:8080/index.html
USER 10001
CMD ["/run.sh"]
`

func TestRunFollowsHealthAndLogs(t *testing.T) {
	e := dockertest.Need(t)
	// busybox httpd ignores SIGTERM as PID 1: stopping it waits the whole
	// grace period, which Docker's 10 s would spend for nothing here.
	l := lab.New(e.Docker, lab.WithStopGrace(time.Second))
	tag := testTag(e, "run")
	if res, _ := build(t, e, l, tag, healthyDockerfile, nil); !res.OK() {
		t.Fatalf("build: %s", res.Error)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	r, err := l.Run(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	var health []string
	var logs []string
	for ev := range r.Events() {
		if ev.Health != "" {
			health = append(health, ev.Health)
		}
		if ev.LogLine != "" {
			logs = append(logs, ev.LogLine)
		}
		if ev.Err != nil {
			t.Errorf("event error: %v", ev.Err)
		}
		if ev.Health == "healthy" && len(logs) >= 2 {
			break
		}
	}
	// The image says --interval=30s; the lab probes faster.
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("healthy only after %s", d)
	}
	if strings.Join(health, ",") != "starting,healthy" {
		t.Errorf("health %q", health)
	}
	if !strings.Contains(strings.Join(logs, "|"), "hello from the app") || !strings.Contains(strings.Join(logs, "|"), "oops") {
		t.Errorf("logs %q", logs)
	}
	s, err := e.Docker.StatsNow(ctx, r.ID())
	if err != nil {
		t.Fatal(err)
	}
	if s.Read.IsZero() || s.CPUNanos == 0 || s.SystemNanos == 0 || s.OnlineCPUs == 0 {
		t.Errorf("stats of a running container without its counters: %+v", s)
	}
	if s.MemoryBytes == 0 || s.PIDs == 0 {
		t.Errorf("stats %+v", s)
	}
	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for range r.Events() {
	}
	if n, err := e.CountContainers(ctx, tag); err != nil || n != 0 {
		t.Errorf("%d containers of %s left (%v)", n, tag, err)
	}
	if err := r.Stop(ctx); err != nil {
		t.Errorf("second stop: %v", err)
	}
}

// buildPair builds a dev image from devDockerfile and the prod image
// every measure test compares it with (healthyDockerfile).
func buildPair(t *testing.T, e *dockertest.Env, l *lab.Lab, name, devDockerfile string) (dev, prod string) {
	t.Helper()
	dev, prod = testTag(e, name+"dev"), testTag(e, name+"prod")
	for _, b := range [][2]string{{dev, devDockerfile}, {prod, healthyDockerfile}} {
		if res, _ := build(t, e, l, b[0], b[1], nil); !res.OK() {
			t.Fatalf("build %s: %s", b[0], res.Error)
		}
	}
	return dev, prod
}

// TestMeasureTellsBusyFromIdle: the idle CPU share is the rate between
// two reads, so an app that spins after it answers its probe shows a
// core's worth and one that waits shows next to nothing.
func TestMeasureTellsBusyFromIdle(t *testing.T) {
	e := dockertest.Need(t)
	l := lab.New(e.Docker, lab.WithStopGrace(time.Second))
	// httpd without -f goes to the background; the shell then spins.
	busy, idle := buildPair(t, e, l, "busy", "FROM BASE\nCMD [\"sh\", \"-c\", \"httpd -p 8080 -h /www; while :; do :; done\"]\n")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m := l.Measure(ctx, busy, idle, nil)
	if m.Dev.IdleErr != "" || m.Prod.IdleErr != "" || m.Dev.ProbeFrom != idle {
		t.Fatalf("not sampled: busy %+v idle %+v", m.Dev, m.Prod)
	}
	if m.Dev.Idle.CPUPercent < 30 || m.Prod.Idle.CPUPercent > 20 {
		t.Errorf("CPU: spinning app %.1f %% over %s, waiting app %.1f %% over %s",
			m.Dev.Idle.CPUPercent, m.Dev.IdleWindow, m.Prod.Idle.CPUPercent, m.Prod.IdleWindow)
	}
}

func TestRunReportsExit(t *testing.T) {
	e := dockertest.Need(t)
	l := lab.New(e.Docker)
	tag := testTag(e, "exit")
	if res, _ := build(t, e, l, tag, "FROM BASE\nCMD [\"sh\", \"-c\", \"echo bye; exit 3\"]\n", nil); !res.OK() {
		t.Fatalf("build: %s", res.Error)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := l.Run(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop(ctx)
	var exited *lab.RunEvent
	var logs []string
	for ev := range r.Events() {
		if ev.LogLine != "" {
			logs = append(logs, ev.LogLine)
		}
		if ev.Exited {
			exited = &ev
		}
	}
	if exited == nil || exited.ExitCode != 3 {
		t.Errorf("exit event %+v", exited)
	}
	if strings.Join(logs, "|") != "bye" {
		t.Errorf("logs %q", logs)
	}
}

func TestMeasure(t *testing.T) {
	e := dockertest.Need(t)
	l := lab.New(e.Docker, lab.WithStopGrace(2*time.Second))
	dev, prod := buildPair(t, e, l, "m", "FROM BASE\nRUN dd if=/dev/zero of=/big bs=1024 count=2048\nCMD [\"sh\", \"-c\", \"trap 'exit 0' TERM; httpd -p 8080 -h /www; while :; do sleep 1 & wait $!; done\"]\n")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var progress []string
	m := l.Measure(ctx, dev, prod, func(s string) { progress = append(progress, s) })
	for _, f := range []lab.ImageFacts{m.Dev, m.Prod} {
		if !f.Measured || f.Err != "" || f.Size == 0 || len(f.Layers) == 0 || f.Idle.MemoryBytes == 0 || f.IdleErr != "" {
			t.Errorf("%s: %+v", f.Ref, f)
		}
		// The daemon's own read times: at least the window apart.
		if f.IdleWindow < lab.IdleCPUWindow*9/10 || f.IdleWindow > 5*time.Second {
			t.Errorf("%s: idle window %s", f.Ref, f.IdleWindow)
		}
		if !f.Stopped || f.StopTime <= 0 || f.LayerCount == 0 {
			t.Errorf("%s: stopped %v in %s with %d, %d layers", f.Ref, f.Stopped, f.StopTime, f.ExitCode, f.LayerCount)
		}
	}
	// dev's shell exits on SIGTERM; prod's httpd, PID 1 without a handler,
	// ignores it and is killed after the grace period.
	if m.Dev.ExitCode != 0 || m.Dev.StopTime > 1500*time.Millisecond || m.Prod.ExitCode != 137 || m.Prod.StopTime < 2*time.Second {
		t.Errorf("stop: dev %d after %s, prod %d after %s", m.Dev.ExitCode, m.Dev.StopTime, m.Prod.ExitCode, m.Prod.StopTime)
	}
	if m.Cancelled {
		t.Error("measurement says cancelled")
	}
	if m.Dev.Size <= m.Prod.Size {
		t.Errorf("dev %d should be bigger than prod %d", m.Dev.Size, m.Prod.Size)
	}
	if !strings.Contains(m.Dev.Layers[0].CreatedBy, "dd if=/dev/zero") {
		t.Errorf("largest dev layer %q", m.Dev.Layers[0].CreatedBy)
	}
	// The dev image has no HEALTHCHECK: prod's probe times it to the
	// same app's answer. Only prod has a schedule of its own: 30s.
	if m.Dev.StartupToHealthy <= 0 || m.Dev.ProbeFrom != prod || m.Prod.StartupToHealthy <= 0 || m.Prod.StartupToHealthy > 15*time.Second || m.Prod.ProbeFrom != "" {
		t.Errorf("startup dev %s (probe of %q) prod %s (probe of %q)", m.Dev.StartupToHealthy, m.Dev.ProbeFrom, m.Prod.StartupToHealthy, m.Prod.ProbeFrom)
	}
	if m.Dev.ReportedHealthy != 0 || m.Prod.ReportedHealthy < 30*time.Second || m.Prod.ReportedRule == "" {
		t.Errorf("reported healthy dev %s prod %s (%s)", m.Dev.ReportedHealthy, m.Prod.ReportedHealthy, m.Prod.ReportedRule)
	}
	if len(progress) == 0 {
		t.Error("no progress")
	}
	missing := l.Measure(ctx, "shipshape-test/nope:nope", prod, nil)
	if !missing.Dev.Missing || missing.Dev.Err == "" || !missing.Prod.Measured {
		t.Errorf("missing dev: %+v", missing.Dev)
	}
	for _, ref := range []string{dev, prod} {
		if n, _ := e.CountContainers(ctx, ref); n != 0 {
			t.Errorf("%d containers of %s left", n, ref)
		}
	}
}

// TestMeasureStopAndCancel: an image that ignores SIGTERM is killed after
// the grace period (exit code 137, the stop time that long), and a
// measurement cancelled while it waits says so and leaves nothing behind.
func TestMeasureStopAndCancel(t *testing.T) {
	e := dockertest.Need(t)
	l := lab.New(e.Docker, lab.WithStopGrace(2*time.Second))
	deaf := testTag(e, "mdeaf")
	if res, _ := build(t, e, l, deaf, "FROM BASE\nHEALTHCHECK --interval=1s CMD [\"true\"]\nCMD [\"sh\", \"-c\", \"trap '' TERM; while :; do sleep 1; done\"]\n", nil); !res.OK() {
		t.Fatalf("build: %s", res.Error)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m := l.Measure(ctx, deaf, deaf, nil)
	if f := m.Prod; !f.Measured || !f.Stopped || f.ExitCode != 137 || f.StopTime < 2*time.Second || f.StopTime > 6*time.Second {
		t.Errorf("stop of an image ignoring SIGTERM: %+v", f)
	}

	slow := testTag(e, "mslow")
	if res, _ := build(t, e, l, slow, "FROM BASE\nHEALTHCHECK --interval=1s CMD [\"test\", \"-f\", \"/tmp/ready\"]\nCMD [\"sh\", \"-c\", \"sleep 30; touch /tmp/ready; sleep 3600\"]\n", nil); !res.OK() {
		t.Fatalf("build: %s", res.Error)
	}
	cctx, ccancel := context.WithCancel(ctx)
	time.AfterFunc(1500*time.Millisecond, ccancel)
	start := time.Now()
	m = l.Measure(cctx, slow, slow, nil)
	if !m.Cancelled || m.Prod.Measured || time.Since(start) > 20*time.Second {
		t.Errorf("cancelled measurement after %s: %+v", time.Since(start), m)
	}
	for _, ref := range []string{deaf, slow} {
		if n, _ := e.CountContainers(ctx, ref); n != 0 {
			t.Errorf("%d containers of %s left", n, ref)
		}
	}
}

func noTrivy(string) (string, error) { return "", exec.ErrNotFound }

// TestScannerWithoutDaemon: a Lab that only watches has no daemon to look
// for a Trivy image on, and says there is no scanner rather than panicking.
func TestScannerWithoutDaemon(t *testing.T) {
	if s, ok := lab.New(nil, lab.WithLookPath(noTrivy)).Scanner(context.Background()); ok {
		t.Fatalf("scanner %q without trivy or a daemon", s)
	}
	found := func(string) (string, error) { return "/usr/bin/trivy", nil }
	if s, ok := lab.New(nil, lab.WithLookPath(found)).Scanner(context.Background()); !ok || s != lab.ScannerPath {
		t.Fatalf("scanner %q, %v; want the binary on PATH", s, ok)
	}
}

func TestScanWithoutScanner(t *testing.T) {
	e := dockertest.Need(t)
	l := lab.New(e.Docker, lab.WithLookPath(noTrivy))
	if refs, _ := e.Docker.TrivyImageRefs(context.Background()); len(refs) > 0 {
		t.Skipf("a Trivy image is present: %v", refs)
	}
	if s, ok := l.Scanner(context.Background()); ok {
		t.Fatalf("scanner %q", s)
	}
	_, err := l.Scan(context.Background(), e.Base, t.TempDir())
	if !errors.Is(err, lab.ErrNoScanner) {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{"brew install trivy", "choco install trivy", "scoop install trivy", "install.sh", "docker pull aquasec/trivy", "--output report.json"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no %q in %s", want, err)
		}
	}
}

// fakeTrivy writes a trivy stand-in that writes a clean report for id.
func fakeTrivy(t *testing.T, id string) string {
	dir := t.TempDir()
	script := `#!/bin/sh
out=""
while [ $# -gt 0 ]; do
  case $1 in --output) out=$2; shift;; esac
  shift
done
printf '%s\n' "$*" > "` + dir + `/args"
cat > "$out" <<JSON
{"SchemaVersion":2,"ArtifactName":"x","ArtifactType":"container_image","Metadata":{"ImageID":"` + id + `"},
 "Results":[{"Target":"x (debian 12)","Class":"os-pkgs","Type":"debian","Vulnerabilities":[
  {"VulnerabilityID":"CVE-2024-1","PkgName":"libc6","InstalledVersion":"2.36","FixedVersion":"2.37","Severity":"CRITICAL"}]}]}
JSON
`
	p := filepath.Join(dir, "trivy")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScanWithTrivyOnPath(t *testing.T) {
	e := dockertest.Need(t)
	ctx := context.Background()
	info, err := e.Docker.InspectImage(ctx, e.Base)
	if err != nil {
		t.Fatal(err)
	}
	bin := fakeTrivy(t, info.ID)
	l := lab.New(e.Docker, lab.WithLookPath(func(string) (string, error) { return bin, nil }))
	if s, ok := l.Scanner(ctx); !ok || s != lab.ScannerPath {
		t.Errorf("scanner %q %v", s, ok)
	}
	res, err := l.Scan(ctx, e.Base, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if res.Report == nil || res.Report.Counts()["CRITICAL"] != 1 || res.Scanner != lab.ScannerPath {
		t.Errorf("result %+v", res)
	}
	if _, err := os.Stat(res.ReportPath); err != nil {
		t.Error(err)
	}
	// A report about another image is refused.
	other := fakeTrivy(t, "sha256:"+strings.Repeat("ab", 32))
	l = lab.New(e.Docker, lab.WithLookPath(func(string) (string, error) { return other, nil }))
	if _, err := l.Scan(ctx, e.Base, t.TempDir()); err == nil || !strings.Contains(err.Error(), "not "+e.Base) {
		t.Errorf("report for another image: %v", err)
	}
}

// TestScanWithTrivyImage runs the whole in-container route with a stand-in
// tagged aquasec/trivy: like Trivy, it reads the saved image copied in and
// names the config digest and the layer digests (diff_ids) in its report,
// so the binding check proves that the right image went in. On the
// containerd store the config digest is not the inspect ID; the layers
// still bind the report.
func TestScanWithTrivyImage(t *testing.T) {
	e := dockertest.Need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l := lab.New(e.Docker, lab.WithLookPath(noTrivy))
	tag := "aquasec/trivy:shipshape-test-" + e.Docker.Session()
	entry := `#!/bin/sh
set -e
in=""; out=""
while [ $# -gt 0 ]; do
  case $1 in --input) in=$2; shift;; --output) out=$2; shift;; esac
  shift
done
cfg=$(tar -xOf "$in" manifest.json | sed -n 's/.*"Config":"\([^"]*\)".*/\1/p')
id=$(echo "$cfg" | sed -n 's/^\(blobs\/sha256\/\)\{0,1\}\([0-9a-f]\{64\}\).*/\2/p')
diffs=$(tar -xOf "$in" "$cfg" | sed -n 's/.*"diff_ids":\[\([^]]*\)\].*/\1/p')
echo scanning "$id"
printf '{"SchemaVersion":2,"ArtifactName":"%s","Metadata":{"ImageID":"sha256:%s","DiffIDs":[%s]},"Results":[]}\n' "$in" "$id" "$diffs" > "$out"
`
	res, _ := build(t, e, l, tag, "FROM BASE\nRUN ln -s busybox /bin/tar && ln -s busybox /bin/sed\nCOPY entry /entry\nENTRYPOINT [\"/entry\"]\n", map[string]string{"entry": entry})
	if !res.OK() {
		t.Fatalf("build: %s\n%s", res.Error, strings.Join(res.Log, "\n"))
	}
	if s, ok := l.Scanner(ctx); !ok || s != "image "+tag {
		t.Fatalf("scanner %q %v", s, ok)
	}
	target := testTag(e, "scanned")
	if res, _ := build(t, e, l, target, "FROM BASE\nRUN echo x > /x\n", nil); !res.OK() {
		t.Fatal(res.Error)
	}
	sr, err := l.Scan(ctx, target, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if sr.Report == nil || sr.Scanner != "image "+tag {
		t.Errorf("scan %+v", sr)
	}
	if n, _ := e.CountContainers(ctx, tag); n != 0 {
		t.Errorf("%d trivy containers left", n)
	}
}

func dockerSpec(ref string) checkSpec { return checkSpec{Image: ref, Purpose: "test"} }

// TestBuildCancel cancels a build in the middle of a long RUN: Build
// returns promptly with the context's error and the builder's container
// is gone.
func TestBuildCancel(t *testing.T) {
	e := dockertest.Need(t)
	l := lab.New(e.Docker)
	dir := writeDir(t, map[string]string{"Dockerfile": "FROM " + e.Base + "\nRUN echo started && sleep 60\n"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	// NoCache: a BuildKit cache from an earlier run would skip the RUN.
	_, err := l.Build(ctx, lab.BuildRequest{Dir: dir, Tag: testTag(e, "cancel"), NoCache: true}, func(ev lab.BuildEvent) {
		if ev.Line == "started" {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("cancel took %s", d)
	}
	// The classic builder removes its container once it notices.
	deadline := time.Now().Add(15 * time.Second)
	for {
		n, err := e.CountContainers(context.Background(), e.Base)
		if err == nil && n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d build containers left (%v)", n, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
