package docker

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	controlapi "github.com/moby/buildkit/api/services/control"
	"google.golang.org/protobuf/types/known/timestamppb"

	"shipshape/internal/lab"
)

// traceMsg encodes a StatusResponse the way the daemon sends it.
func traceMsg(t *testing.T, st *controlapi.StatusResponse) map[string]any {
	t.Helper()
	dt, err := st.MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{"id": "moby.buildkit.trace", "aux": dt}
}

func anyStream(t *testing.T, msgs ...map[string]any) *strings.Reader {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, m := range msgs {
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
	}
	return strings.NewReader(b.String())
}

func TestReadBuildKitStream(t *testing.T) {
	now := timestamppb.New(time.Now())
	from := &controlapi.Vertex{Digest: "sha256:a", Name: "[1/3] FROM base", Started: now, Completed: now, Cached: true}
	run := &controlapi.Vertex{Digest: "sha256:b", Name: "[2/3] RUN make\x1b[2J", Started: now}
	other := &controlapi.Vertex{Digest: "sha256:c", Name: "[3/3] RUN other", Started: now}
	failed := &controlapi.Vertex{Digest: "sha256:b", Name: run.Name, Started: now, Completed: now, Error: "executor failed running [/bin/sh -c make]: exit code: 2"}
	cancelled := &controlapi.Vertex{Digest: "sha256:c", Name: other.Name, Started: now, Completed: now, Error: "context canceled"}
	var events []lab.BuildEvent
	res, err := readBuildKitStream(context.Background(), "build t", anyStream(t,
		traceMsg(t, &controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{from}}),
		traceMsg(t, &controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{run, other}}),
		traceMsg(t, &controlapi.StatusResponse{Logs: []*controlapi.VertexLog{{Vertex: "sha256:b", Msg: []byte("compil")}}}),
		traceMsg(t, &controlapi.StatusResponse{Logs: []*controlapi.VertexLog{{Vertex: "sha256:b", Msg: []byte("ing\nmake: *** error\n")}}}),
		traceMsg(t, &controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{cancelled}}),
		traceMsg(t, &controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{failed}}),
		map[string]any{"errorDetail": map[string]string{"message": failed.Error}, "error": failed.Error},
	), func(ev lab.BuildEvent) { events = append(events, ev) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"CACHED [1/3] FROM base", "[2/3] RUN make", "[3/3] RUN other", "compiling", "make: *** error",
		"ERROR: executor failed running [/bin/sh -c make]: exit code: 2"}
	if strings.Join(res.Log, "|") != strings.Join(want, "|") {
		t.Errorf("log %q\nwant %q", res.Log, want)
	}
	if len(events) != len(want) || events[1].Step != "[2/3] RUN make" || events[3].Step != "" {
		t.Errorf("events %+v", events)
	}
	if res.FailedStep != "[2/3] RUN make" {
		t.Errorf("failed step %q, want the RUN step, not the cancelled one", res.FailedStep)
	}
	if res.Error != failed.Error {
		t.Errorf("error %q", res.Error)
	}
}

func TestReadBuildKitStreamImageID(t *testing.T) {
	res, err := readBuildKitStream(context.Background(), "build t", anyStream(t,
		map[string]any{"id": "moby.image.id", "aux": map[string]string{"ID": "sha256:0123"}},
		map[string]any{"stream": "Successfully tagged t:1\n"},
	), func(lab.BuildEvent) {})
	if err != nil {
		t.Fatal(err)
	}
	if res.ImageID != "sha256:0123" || res.Error != "" || strings.Join(res.Log, "|") != "Successfully tagged t:1" {
		t.Errorf("result %+v", res)
	}
}

// TestBuildKitFallsBackToClassic fakes an engine without BuildKit
// sessions: /session cannot be upgraded and version=2 builds are refused,
// as a daemon with BuildKit disabled answers. The build must go on with
// the classic builder and say so in the log.
func TestBuildKitFallsBackToClassic(t *testing.T) {
	var mu sync.Mutex
	var versions []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		w.Header().Set("Builder-Version", "1")
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			_, _ = io.WriteString(w, "OK")
		case strings.HasSuffix(r.URL.Path, "/session"):
			http.Error(w, `{"message":"page not found"}`, http.StatusNotFound)
		case strings.HasSuffix(r.URL.Path, "/build"):
			v := r.URL.Query().Get("version")
			mu.Lock()
			versions = append(versions, v)
			mu.Unlock()
			if v == "2" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"message":"buildkit is not enabled on daemon"}`)
				return
			}
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = io.WriteString(w, `{"stream":"Step 1/2 : FROM base\n"}`+"\n"+`{"aux":{"ID":"sha256:0123"}}`+"\n")
		case strings.Contains(r.URL.Path, "/images/"):
			_, _ = io.WriteString(w, `{"Id":"sha256:0123"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := New(Options{Host: "tcp://" + srv.Listener.Addr().String(), Env: Env{Getenv: func(string) string { return "" }, Exists: func(string) bool { return false }}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM base\nRUN --mount=type=cache,target=/c true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := c.BuildImage(ctx, lab.BuildRequest{Dir: dir, Tag: "t:1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// The failed /session dial cancels the version=2 request, which may
	// then reach the fake engine before the classic one, after it, or not
	// at all; what matters is that the classic builder ran and built.
	if !slices.Contains(versions, "1") {
		t.Errorf("builder versions tried: %v, want the classic builder among them", versions)
	}
	if len(res.Log) == 0 || !strings.Contains(res.Log[0], "classic builder") {
		t.Errorf("no note about the fallback: %q", res.Log)
	}
	if res.ImageID != "sha256:0123" || res.Error != "" {
		t.Errorf("result %+v", res)
	}
	t.Logf("note: %s", res.Log[0])
}
