package docker

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/stdcopy"

	"shipshape/internal/check"
	"shipshape/internal/lab"
	"shipshape/internal/ledger"
	"shipshape/internal/termsafe"
)

// LabelBuilt marks images built by shipshape for the learner. It is the
// only label they get: learners run these images themselves, and a
// cleanup must never take their containers for shipshape's leftovers.
const LabelBuilt = "dev.shipshape.built"

// MaxBuildLog bounds BuildResult.Log, in lines; the oldest go first.
const MaxBuildLog = 2000

var _ lab.Docker = (*Client)(nil)

// stepLine matches the classic builder's step header, "Step 4/11 : RUN ...".
var stepLine = regexp.MustCompile(`^Step \d+/\d+ : `)

// builtLine matches the classic builder's last words on older engines
// that send no aux message with the image id.
var builtLine = regexp.MustCompile(`^Successfully built ([0-9a-f]{12,64})\s*$`)

// BuildImage implements lab.Docker. It builds with BuildKit when the
// engine's default builder is BuildKit or the Dockerfile needs it (RUN
// --mount, heredocs, a syntax directive, COPY --chmod/--link), as `docker
// build` would; the context then goes to the daemon through a BuildKit
// session (see buildKit). Otherwise, or when the engine cannot hold a
// BuildKit session, it uses the classic builder (BuilderV1), which
// answers on every engine from 20.10 on; a fallback is noted in the log.
// Newer engines may print a deprecation warning for the classic builder
// into the log; the build still works. With the classic builder each label
// is applied as one more step (two: built and source), so the step count the
// learner sees is that much more than the Dockerfile's instructions.
// Failures of the build itself (a RUN that fails, a bad Dockerfile, a base
// image that cannot be found) are in the result; the error is only for
// trouble with Docker or the context directory.
func (c *Client) BuildImage(ctx context.Context, req lab.BuildRequest, onEvent func(lab.BuildEvent)) (lab.BuildResult, error) {
	start := time.Now()
	if onEvent == nil {
		onEvent = func(lab.BuildEvent) {}
	}
	df := req.Dockerfile
	if df == "" {
		df = "Dockerfile"
	}
	if st, err := os.Stat(req.Dir); err != nil || !st.IsDir() {
		return lab.BuildResult{}, fmt.Errorf("cannot build %s: the build context must be a directory", req.Dir)
	}
	args := map[string]*string{}
	for k, v := range req.BuildArgs {
		args[k] = &v
	}
	opts := build.ImageBuildOptions{
		Tags: []string{req.Tag}, Dockerfile: df, Target: req.Target, BuildArgs: args, NoCache: req.NoCache, NetworkMode: req.Network,
		Labels: map[string]string{LabelBuilt: "true"}, Remove: true, ForceRemove: true,
		Version: build.BuilderV1,
	}
	if req.Tag == "" {
		opts.Tags = nil
	}
	// Which project and which Dockerfile made the image, so a check can
	// say when the image is older than the Dockerfile it reads.
	if df == "Dockerfile" {
		if b, err := os.ReadFile(filepath.Join(req.Dir, df)); err == nil {
			abs, _ := filepath.Abs(req.Dir)
			opts.Labels[check.LabelSource] = check.SourceLabel(b, abs)
		}
	}
	for k, v := range req.Labels {
		if _, own := opts.Labels[k]; !own {
			opts.Labels[k] = v
		}
	}
	op := "build " + req.Tag
	var res lab.BuildResult
	var err error
	classic := true
	// A build has no natural time limit, but a daemon that sends nothing
	// and answers nothing for the idle bound has stalled.
	bctx, w := c.watch(ctx, "no progress message from the build", true)
	defer w.stop()
	if c.wantBuildKit(ctx, filepath.Join(req.Dir, df)) {
		res, err = c.buildKit(bctx, req.Dir, df, op, opts, w, onEvent)
		classic = errors.Is(err, errNoBuildKit)
	}
	if classic {
		note := ""
		if err != nil {
			why := strings.TrimPrefix(err.Error(), errNoBuildKit.Error()+": ")
			note = termsafe.Line("note: this engine cannot build with BuildKit (" + why + "); using the classic builder, " +
				"which does not understand RUN --mount, heredocs or COPY --chmod/--link")
			onEvent(lab.BuildEvent{Line: note})
		}
		res, err = c.classicBuild(bctx, req.Dir, df, op, opts, w, onEvent)
		if note != "" {
			res.Log = append([]string{note}, res.Log...)
		}
	}
	if se := w.stalled(bctx); err != nil && se != nil {
		return res, c.classify(op, "", se)
	}
	if err != nil {
		return res, err
	}
	res.Duration = time.Since(start)
	if res.Error != "" {
		res.ImageID = ""
		return res, buildOutOfDisk(op, res)
	}
	// The aux message carries the full id; the "Successfully built" line
	// only a short one, so resolve it.
	ref := res.ImageID
	if req.Tag != "" {
		ref = req.Tag
	}
	if ref == "" {
		res.Error = "the builder reported no image"
		return res, nil
	}
	info, err := c.InspectImage(ctx, ref)
	if err != nil {
		return res, err
	}
	res.ImageID = info.ID
	if ownRepo(req.Tag) {
		// pack validate's and grade's images are shipshape's own: recorded,
		// a kill -9 during a run leaves them for the next start to remove.
		e := c.entry(ledger.Image)
		e.Ref, e.ID = withTag(req.Tag), info.ID
		_ = c.ledger.Record(e)
	}
	return res, nil
}

// classicBuild runs the build with the classic builder (BuilderV1),
// sending the context as a tar.
// The daemon reading the context and every byte of its answer count as
// signs of life for w.
func (c *Client) classicBuild(ctx context.Context, dir, df, op string, opts build.ImageBuildOptions, w *watchdog, onEvent func(lab.BuildEvent)) (lab.BuildResult, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeContext(pw, dir, df)) }()
	defer pr.Close()
	resp, err := c.api.ImageBuild(ctx, w.reader(pr), opts)
	if err != nil {
		cerr := c.classify(op, "", err)
		var e *Error
		if ctx.Err() != nil || (errors.As(cerr, &e) && e.EngineProblem()) {
			return lab.BuildResult{}, cerr
		}
		// The daemon refused the build before it began (a Dockerfile it
		// cannot parse, a missing Dockerfile): the learner's to fix.
		res := lab.BuildResult{Error: termsafe.Line(errText(err))}
		res.Log = []string{res.Error}
		onEvent(lab.BuildEvent{Line: res.Error})
		return res, nil
	}
	defer resp.Body.Close()
	return readBuildStream(ctx, op, w.reader(resp.Body), onEvent)
}

// buildMessage is one JSON message of a build's response stream, from
// either builder.
type buildMessage struct {
	Stream      string                    `json:"stream"`
	Status      string                    `json:"status"`
	Progress    string                    `json:"progress"`
	ID          string                    `json:"id"`
	Error       string                    `json:"error"`
	ErrorDetail *struct{ Message string } `json:"errorDetail"`
	Aux         json.RawMessage           `json:"aux"`
}

// errorText is the build error the message carries, if any.
func (m buildMessage) errorText() string {
	if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
		return termsafe.Line(strings.TrimSpace(m.ErrorDetail.Message))
	}
	return termsafe.Line(strings.TrimSpace(m.Error))
}

// eachBuildMessage decodes a build's response stream and hands every
// message to fn, until the stream ends.
func eachBuildMessage(ctx context.Context, op string, body io.Reader, fn func(buildMessage)) error {
	dec := json.NewDecoder(body)
	for {
		var m buildMessage
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("cannot %s: %w", op, ctx.Err())
			}
			return fmt.Errorf("cannot %s: the build output broke off: %w", op, err)
		}
		fn(m)
	}
}

// buildLog keeps the last MaxBuildLog lines of a build and reports each.
type buildLog struct {
	res     *lab.BuildResult
	onEvent func(lab.BuildEvent)
}

func (b buildLog) add(ev lab.BuildEvent) {
	b.res.Log = append(b.res.Log, ev.Line)
	if len(b.res.Log) > MaxBuildLog {
		b.res.Log = b.res.Log[len(b.res.Log)-MaxBuildLog:]
	}
	b.onEvent(ev)
}

// readBuildStream turns the classic builder's JSON messages into log
// lines and events. Lines go through a lineWriter, so output without
// newlines (\r progress bars, binary written by a RUN step) is cut into
// lines of at most maxLogLine bytes instead of growing one without bound.
func readBuildStream(ctx context.Context, op string, body io.Reader, onEvent func(lab.BuildEvent)) (lab.BuildResult, error) {
	res := lab.BuildResult{}
	log := buildLog{res: &res, onEvent: onEvent}
	var step string
	lines := &lineWriter{on: func(_, l string) {
		ev := lab.BuildEvent{Line: l}
		if stepLine.MatchString(l) {
			step = l
			ev.Step = l
		}
		if m := builtLine.FindStringSubmatch(l); m != nil && res.ImageID == "" {
			res.ImageID = m[1]
		}
		log.add(ev)
	}}
	err := eachBuildMessage(ctx, op, body, func(m buildMessage) {
		switch {
		case m.Stream != "":
			lines.WriteString(m.Stream)
		case m.Status != "" && m.Progress == "":
			// Pulls of a base image report status lines; progress bars are
			// left out, they are noise in a log.
			s := m.Status
			if m.ID != "" {
				s = m.ID + ": " + s
			}
			lines.WriteString(s + "\n")
		}
		if len(m.Aux) > 0 {
			var aux struct{ ID string }
			if json.Unmarshal(m.Aux, &aux) == nil && aux.ID != "" {
				res.ImageID = aux.ID
			}
		}
		if msg := m.errorText(); msg != "" {
			lines.flush()
			res.Error = msg
			res.FailedStep = step
			log.add(lab.BuildEvent{Line: "ERROR: " + res.Error})
		}
	})
	lines.flush()
	return res, err
}

// HostURL is the daemon address in use, for tools such as trivy that must
// talk to the same daemon (lab sets their DOCKER_HOST from it).
func (c *Client) HostURL() string { return c.host.URL }

// errText is the daemon's message without the SDK's prefix.
func errText(err error) string {
	s := err.Error()
	if i := strings.Index(s, "Error response from daemon: "); i >= 0 {
		s = s[i+len("Error response from daemon: "):]
	}
	return strings.TrimSpace(s)
}

// FollowLogs implements lab.Docker. Lines are sanitized for the terminal;
// stream is "stdout" or "stderr". It returns nil when the container stops
// or ctx ends.
func (c *Client) FollowLogs(ctx context.Context, id string, onLine func(stream, line string)) error {
	cctx, cancel := c.call(ctx)
	ci, err := c.api.ContainerInspect(cctx, id)
	cancel()
	if err != nil {
		return c.classify("inspect container "+short(id), "", err)
	}
	rc, err := c.api.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: true})
	if err != nil {
		return c.classify("follow the logs of container "+short(id), "", err)
	}
	defer rc.Close()
	// Closing the body is what ends a blocked read when ctx ends.
	stop := context.AfterFunc(ctx, func() { rc.Close() })
	defer stop()
	out := &lineWriter{stream: "stdout", on: onLine}
	errw := &lineWriter{stream: "stderr", on: onLine}
	if ci.Config != nil && ci.Config.Tty {
		_, err = io.Copy(out, rc)
	} else {
		_, err = stdcopy.StdCopy(out, errw, rc)
	}
	out.flush()
	errw.flush()
	if ctx.Err() != nil || err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
		return nil
	}
	return fmt.Errorf("cannot follow the logs of container %s: %w", short(id), err)
}

// lineWriter splits a byte stream into sanitized lines; an overlong line
// is cut into pieces of at most maxLogLine bytes so a container or a build
// printing without newlines cannot exhaust memory.
type lineWriter struct {
	stream string
	on     func(stream, line string)
	buf    []byte
}

const maxLogLine = 16 << 10

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	w.split()
	return len(p), nil
}

// WriteString is Write for text that arrives as a string (the builder's
// JSON stream).
func (w *lineWriter) WriteString(s string) {
	w.buf = append(w.buf, s...)
	w.split()
}

func (w *lineWriter) split() {
	for {
		if i := bytes.IndexByte(w.buf, '\n'); i >= 0 && i <= maxLogLine {
			w.emit(w.buf[:i])
			w.buf = w.buf[i+1:]
			continue
		}
		if len(w.buf) <= maxLogLine {
			break
		}
		// Cut at a rune boundary so the piece stays UTF-8.
		n := maxLogLine
		for n > maxLogLine-utf8.UTFMax && !utf8.RuneStart(w.buf[n]) {
			n--
		}
		w.emit(w.buf[:n])
		w.buf = w.buf[n:]
	}
	if len(w.buf) == 0 {
		w.buf = nil // let a large backing array go
	}
}

func (w *lineWriter) emit(b []byte) {
	w.on(w.stream, termsafe.Line(strings.TrimRight(string(b), "\r")))
}

func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.emit(w.buf)
	}
	w.buf = nil
}

// Stats implements lab.Docker. With stream=false the daemon waits for a
// second sample before answering, so precpu_stats is filled and the CPU
// percentage is a real rate (on API 1.41 and newer; one-shot mode, which
// skips that wait, is deliberately not used).
func (c *Client) Stats(ctx context.Context, id string) (lab.Stats, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	r, err := c.api.ContainerStats(ctx, id, false)
	if err != nil {
		return lab.Stats{}, c.classify("read the resource use of container "+short(id), "", err)
	}
	defer r.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		return lab.Stats{}, fmt.Errorf("cannot read the resource use of container %s: %w", short(id), err)
	}
	return statsFrom(s), nil
}

// statsFrom computes the numbers `docker stats` shows: memory without the
// reclaimable page cache, and CPU as a percentage of one core times the
// online cores.
func statsFrom(s container.StatsResponse) lab.Stats {
	out := lab.Stats{MemoryLimitBytes: s.MemoryStats.Limit, PIDs: s.PidsStats.Current}
	mem := s.MemoryStats.Usage
	// cgroup v1 reports total_inactive_file, v2 inactive_file.
	for _, k := range []string{"total_inactive_file", "inactive_file"} {
		if v, ok := s.MemoryStats.Stats[k]; ok && v < mem {
			mem -= v
			break
		}
	}
	out.MemoryBytes = mem
	cpuDelta := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	sysDelta := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	online := float64(s.CPUStats.OnlineCPUs)
	if online == 0 {
		online = float64(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	if s.PreCPUStats.SystemUsage > 0 && sysDelta > 0 && cpuDelta > 0 {
		out.CPUPercent = cpuDelta / sysDelta * online * 100
	}
	return out
}

// ImageExists implements lab.Docker.
func (c *Client) ImageExists(ctx context.Context, ref string) (bool, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.api.ImageInspect(ctx, ref)
	if err == nil {
		return true, nil
	}
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	return false, c.classify(fmt.Sprintf("look for image %q", ref), ref, err)
}

// TrivyRepos are the repositories Trivy's image is published under.
var TrivyRepos = []string{"aquasec/trivy", "docker.io/aquasec/trivy", "ghcr.io/aquasecurity/trivy", "public.ecr.aws/aquasecurity/trivy"}

// TrivyImageRefs implements lab.Docker: the tags of Trivy images
// already on the daemon, newest first. It never pulls.
func (c *Client) TrivyImageRefs(ctx context.Context) ([]string, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	is, err := c.api.ImageList(ctx, image.ListOptions{})
	if err != nil {
		return nil, c.classify("list images", "", err)
	}
	sort.Slice(is, func(i, j int) bool { return is[i].Created > is[j].Created })
	var out []string
	for _, x := range is {
		for _, t := range x.RepoTags {
			repo := t[:max(0, strings.LastIndexByte(t, ':'))]
			for _, r := range TrivyRepos {
				if repo == r {
					out = append(out, t)
				}
			}
		}
	}
	return out, nil
}

// RunTrivyImage implements lab.Docker. It saves target from the
// daemon into a throwaway, labelled container of trivyRef (`docker save`,
// copied in as /tmp/image.tar), so no Docker socket is ever mounted, runs
// `trivy image --input` there with the vulnerability scanner only, and
// writes the JSON report to report. The container is removed in any case.
func (c *Client) RunTrivyImage(ctx context.Context, trivyRef, target string, report io.Writer) error {
	op := fmt.Sprintf("scan %s with %s", target, trivyRef)
	// In the scratch directory, not os.TempDir(): a saved image is as big
	// as the image, and the next shipshape removes it after a kill -9.
	spool, err := c.scratch.CreateTemp("save", ".tar")
	if err != nil {
		return fmt.Errorf("cannot %s: %w", op, err)
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	// docker save takes as long as the image is big: no per-call timeout,
	// but a bound on silence.
	sctx, w := c.watch(ctx, "no data from docker save", false)
	rc, err := c.api.ImageSave(sctx, []string{target})
	var n int64
	if err == nil {
		n, err = io.Copy(spool, w.reader(rc))
		rc.Close()
	}
	stalled := w.stalled(sctx)
	w.stop()
	switch {
	case stalled != nil:
		return c.classify(op, "", stalled)
	case err != nil && n == 0:
		return c.classify(op, target, err)
	case err != nil:
		return fmt.Errorf("cannot %s: saving the image failed: %w", op, err)
	}

	cctx, cancel := c.call(ctx)
	cfg := &container.Config{
		Image:  trivyRef,
		Cmd:    []string{"image", "--scanners", "vuln", "--format", "json", "--output", "/tmp/report.json", "--input", "/tmp/image.tar"},
		Labels: c.Labels("scan"),
	}
	id, err := c.createContainer(cctx, cfg, &container.HostConfig{}, "scan")
	cancel()
	if err != nil {
		return c.classify(op, trivyRef, err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		defer cancel()
		_ = c.RemoveContainer(rctx, id)
	}()

	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("cannot %s: %w", op, err)
	}
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := tw.WriteHeader(&tar.Header{Name: "image.tar", Mode: 0o644, Size: n, ModTime: time.Now()})
		if err == nil {
			_, err = io.Copy(tw, spool)
		}
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	// The daemon reading the tarball is the copy's sign of life; after the
	// last byte it has the idle bound to unpack it and answer.
	cctx, w = c.watch(ctx, "the copy of the saved image into the scan container made no progress", false)
	err = c.api.CopyToContainer(cctx, id, "/tmp", w.reader(pr), container.CopyToContainerOptions{})
	pr.Close()
	stalled = w.stalled(cctx)
	w.stop()
	if stalled != nil {
		return c.classify(op, "", stalled)
	}
	if err != nil {
		return c.classify(op, "", err)
	}
	// A scan has no natural time limit either; a daemon that does not say
	// the container exited and answers nothing else has stalled.
	wctx, w := c.watch(ctx, "no exit from the scan", true)
	defer w.stop()
	waitC, errC := c.api.ContainerWait(wctx, id, container.WaitConditionNextExit)
	sctx, cancel = c.call(ctx)
	err = c.api.ContainerStart(sctx, id, container.StartOptions{})
	cancel()
	if err != nil {
		return c.classify(op, "", err)
	}
	var code int64
	select {
	case res := <-waitC:
		code = res.StatusCode
	case err := <-errC:
		if se := w.stalled(wctx); se != nil {
			return c.classify(op, "", se)
		}
		return c.classify(op, "", err)
	case <-ctx.Done():
		return fmt.Errorf("cannot %s: %w", op, ctx.Err())
	}
	if code != 0 {
		logs, _ := c.Logs(context.WithoutCancel(ctx), id, 5)
		return fmt.Errorf("cannot %s: trivy exited with code %d: %s", op, code, termsafe.Line(strings.TrimSpace(lastLine(logs))))
	}
	cctx, cancel = c.call(ctx)
	defer cancel()
	out, _, err := c.api.CopyFromContainer(cctx, id, "/tmp/report.json")
	if err != nil {
		return c.classify(op, "", err)
	}
	defer out.Close()
	tr := tar.NewReader(out)
	if _, err := tr.Next(); err != nil {
		return fmt.Errorf("cannot %s: reading the report failed: %w", op, err)
	}
	if _, err := io.Copy(report, io.LimitReader(tr, 256<<20)); err != nil {
		return fmt.Errorf("cannot %s: reading the report failed: %w", op, err)
	}
	return nil
}

func lastLine(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	last := ""
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			last = t
		}
	}
	return last
}
