package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/docker/docker/api/types/build"

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
	src := dockerfileSource{name: df}
	if req.DockerfileData != nil {
		// A Dockerfile from outside the context goes in under a name of
		// its own, as `docker build -f -` sends it.
		src = dockerfileSource{name: ".dockerfile.shipshape-" + NewSession()[:8], data: req.DockerfileData}
		opts.Dockerfile = src.name
	}
	// Which project and which Dockerfile made the image, so a check can
	// say when the image is older than the Dockerfile it reads.
	if df == "Dockerfile" && src.data == nil {
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
	if c.wantBuildKit(ctx, req.Dir, src) {
		res, err = c.buildKit(bctx, req.Dir, src, op, opts, w, onEvent)
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
		res, err = c.classicBuild(bctx, req.Dir, src, op, opts, w, onEvent)
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
func (c *Client) classicBuild(ctx context.Context, dir string, df dockerfileSource, op string, opts build.ImageBuildOptions, w *watchdog, onEvent func(lab.BuildEvent)) (lab.BuildResult, error) {
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

// errText is the daemon's message without the SDK's prefix.
func errText(err error) string {
	s := err.Error()
	if i := strings.Index(s, "Error response from daemon: "); i >= 0 {
		s = s[i+len("Error response from daemon: "):]
	}
	return strings.TrimSpace(s)
}
