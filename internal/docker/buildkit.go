package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/docker/docker/api/types/build"
	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/filesync"
	"github.com/tonistiigi/fsutil"
	fstypes "github.com/tonistiigi/fsutil/types"

	"shipshape/internal/dockerfile"
	"shipshape/internal/lab"
	"shipshape/internal/termsafe"
)

// errNoBuildKit means the BuildKit session could not be set up, so the
// build should be retried with the classic builder.
var errNoBuildKit = errors.New("BuildKit is not available")

// wantBuildKit decides the builder: BuildKit when the engine defaults to
// it (as `docker build` on that engine would) or when the Dockerfile
// needs it; the classic builder otherwise, because it works everywhere.
// A Dockerfile that cannot be read is left to the classic builder, whose
// refusal the learner gets as the build's error.
func (c *Client) wantBuildKit(ctx context.Context, dir string, df dockerfileSource) bool {
	dt := df.data
	if dt == nil {
		var err error
		if dt, err = os.ReadFile(filepath.Join(dir, df.name)); err != nil {
			return false
		}
	}
	if dockerfile.NeedsBuildKit(dt) {
		return true
	}
	pctx, cancel := c.call(ctx)
	defer cancel()
	p, err := c.api.Ping(pctx)
	return err == nil && p.BuilderVersion == build.BuilderBuildKit
}

// buildKit runs a build with BuildKit: the daemon pulls the context and
// the Dockerfile through a session over a hijacked /session connection,
// as the docker CLI does without buildx. It returns errNoBuildKit
// (wrapped) when the session cannot be set up.
func (c *Client) buildKit(ctx context.Context, dir string, src dockerfileSource, op string, opts build.ImageBuildOptions, w *watchdog, onEvent func(lab.BuildEvent)) (lab.BuildResult, error) {
	pats, err := readIgnore(dir)
	if err != nil {
		return lab.BuildResult{}, err
	}
	df := src.name
	dfPath := filepath.Join(dir, df)
	if src.data != nil {
		// The frontend reads the Dockerfile from a directory of its own,
		// so one from outside the context is written to a scratch one.
		tmp, err := c.scratch.MkdirTemp("dockerfile")
		if err != nil {
			return lab.BuildResult{}, fmt.Errorf("cannot %s: %w", op, err)
		}
		defer os.RemoveAll(tmp)
		dfPath = filepath.Join(tmp, df)
		if err := os.WriteFile(dfPath, src.data, 0o644); err != nil {
			return lab.BuildResult{}, fmt.Errorf("cannot %s: %w", op, err)
		}
	}
	ctxFS, err := fsutil.NewFS(dir)
	if err != nil {
		return lab.BuildResult{}, fmt.Errorf("cannot %s: %w", op, err)
	}
	dfFS, err := fsutil.NewFS(filepath.Dir(dfPath))
	if err != nil {
		return lab.BuildResult{}, fmt.Errorf("cannot %s: %w", op, err)
	}
	// The frontend applies .dockerignore itself too; excluding here as
	// well keeps ignored files (secrets, node_modules) from ever leaving
	// the machine. The Dockerfile and .dockerignore must stay readable to
	// the frontend, which asks for them by name, so our own patterns
	// re-include them; the daemon's patterns come last, so that when the
	// frontend sends the context for a COPY with .dockerignore's excludes,
	// a .dockerignore that lists the Dockerfile or itself keeps them out
	// of the image, as `docker build` does. Owners become root as the CLI
	// makes them.
	keep := []string{"!.dockerignore", "!" + filepath.ToSlash(filepath.Clean(df))}
	filter := func(name string, o *fsutil.FilterOpt) error {
		if name == "context" && len(pats) > 0 {
			o.ExcludePatterns = slices.Concat(pats, keep, o.ExcludePatterns)
		}
		o.Map = func(_ string, st *fstypes.Stat) fsutil.MapResult {
			st.Uid, st.Gid = 0, 0
			return fsutil.MapResultKeep
		}
		return nil
	}

	abs, _ := filepath.Abs(dir)
	key := sha256.Sum256([]byte(c.host.URL + "\x00" + abs))
	s, err := session.NewSession(ctx, hex.EncodeToString(key[:]))
	if err != nil {
		return lab.BuildResult{}, fmt.Errorf("%w: %v", errNoBuildKit, err)
	}
	s.Allow(filesync.NewFSSyncProvider(filesync.StaticDirSource{"context": ctxFS, "dockerfile": dfFS}, filter))

	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var sessErr error
	runDone := make(chan struct{})
	go func() {
		defer close(runDone)
		err := s.Run(bctx, func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
			return c.api.DialHijack(ctx, "/session", proto, meta)
		})
		if err != nil {
			// Without a session the daemon would wait for it in vain.
			sessErr = err
			cancel()
		}
	}()
	// end stops the session; after it sessErr may be read.
	end := sync.OnceFunc(func() {
		cancel() // first: Close waits for a dial in progress
		s.Close()
		<-runDone
	})
	defer end()

	opts.Version = build.BuilderBuildKit
	opts.RemoteContext = "client-session"
	opts.SessionID = s.ID()
	opts.Dockerfile = filepath.Base(dfPath)
	// Remove and ForceRemove are classic-builder notions.
	opts.Remove, opts.ForceRemove = false, false
	resp, err := c.api.ImageBuild(bctx, nil, opts)
	if err != nil {
		if ctx.Err() != nil {
			return lab.BuildResult{}, fmt.Errorf("cannot %s: %w", op, ctx.Err())
		}
		var e *Error
		if cerr := c.classify(op, "", err); errors.As(cerr, &e) && e.EngineProblem() {
			return lab.BuildResult{}, cerr
		}
		// BuildKit reports a learner's mistakes in the stream, so a
		// refusal here means the engine cannot build this way.
		end()
		return lab.BuildResult{}, fmt.Errorf("%w: %s", errNoBuildKit, sessionProblem(sessErr, err))
	}
	defer resp.Body.Close()
	res, err := readBuildKitStream(bctx, op, w.reader(resp.Body), onEvent)
	if err != nil && ctx.Err() != nil {
		return res, fmt.Errorf("cannot %s: %w", op, ctx.Err())
	}
	if err != nil && len(res.Log) == 0 {
		end()
		if sessErr != nil {
			return res, fmt.Errorf("%w: %s", errNoBuildKit, sessionProblem(sessErr, err))
		}
	}
	return res, err
}

// sessionProblem says why BuildKit could not be used: the engine's
// refusal of the build if it gave one, else why the session failed (whose
// failure cancels the build request).
func sessionProblem(sessErr, buildErr error) string {
	if sessErr != nil && (buildErr == nil || errors.Is(buildErr, context.Canceled)) {
		return strings.TrimSpace(errText(sessErr))
	}
	return errText(buildErr)
}

// bkVertex is what readBuildKitStream remembers of one build step.
type bkVertex struct {
	name    string
	started bool
	failed  bool
	out     *lineWriter
}

// readBuildKitStream turns BuildKit's progress (protobuf StatusResponse
// messages, base64 in the aux field of "moby.buildkit.trace" messages)
// into log lines and events. A vertex is a step: its name ("[2/5] RUN
// ...") becomes BuildEvent.Step when it starts, its output the lines.
func readBuildKitStream(ctx context.Context, op string, body io.Reader, onEvent func(lab.BuildEvent)) (lab.BuildResult, error) {
	res := lab.BuildResult{}
	log := buildLog{res: &res, onEvent: onEvent}
	vertexes := map[string]*bkVertex{}
	var order []*bkVertex
	vertex := func(dg string) *bkVertex {
		v := vertexes[dg]
		if v == nil {
			v = &bkVertex{out: &lineWriter{on: func(_, l string) { log.add(lab.BuildEvent{Line: l}) }}}
			vertexes[dg] = v
			order = append(order, v)
		}
		return v
	}
	stream := &lineWriter{on: func(_, l string) { log.add(lab.BuildEvent{Line: l}) }}
	flushAll := func() {
		stream.flush()
		for _, v := range order {
			v.out.flush()
		}
	}
	err := eachBuildMessage(ctx, op, body, func(m buildMessage) {
		if m.Stream != "" {
			stream.WriteString(m.Stream)
		}
		switch {
		case m.ID == "moby.buildkit.trace" && len(m.Aux) > 0:
			var dt []byte
			var st controlapi.StatusResponse
			if json.Unmarshal(m.Aux, &dt) != nil || st.UnmarshalVT(dt) != nil {
				return // progress is best effort; the result comes apart
			}
			for _, vx := range st.Vertexes {
				v := vertex(vx.Digest)
				v.name = termsafe.Line(vx.Name)
				if !v.started && (vx.Started != nil || vx.Cached) {
					v.started = true
					line := v.name
					if vx.Cached {
						line = "CACHED " + line
					}
					log.add(lab.BuildEvent{Step: v.name, Line: line})
				}
				if vx.Error != "" && !v.failed {
					v.failed = true
					v.out.flush()
					// Steps cancelled because another failed are not the cause.
					if res.FailedStep == "" && !strings.Contains(vx.Error, "context canceled") {
						res.FailedStep = v.name
					}
				}
			}
			for _, l := range st.Logs {
				vertex(l.Vertex).out.Write(l.Msg)
			}
		case m.ID == "moby.image.id" && len(m.Aux) > 0:
			var aux struct{ ID string }
			if json.Unmarshal(m.Aux, &aux) == nil && aux.ID != "" {
				res.ImageID = aux.ID
			}
		}
		if msg := m.errorText(); msg != "" {
			flushAll()
			res.Error = msg
			log.add(lab.BuildEvent{Line: "ERROR: " + res.Error})
		}
	})
	flushAll()
	return res, err
}
