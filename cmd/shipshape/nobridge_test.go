package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/lab"
	"shipshape/internal/report"
	"shipshape/internal/workspace"
)

// withNetwork hands every container the engine's default network, as
// checks did before they ran with network mode none.
type withNetwork struct{ *docker.Client }

func (w withNetwork) CreateContainer(ctx context.Context, spec check.ContainerSpec) (string, error) {
	spec.Network = true
	return w.Client.CreateContainer(ctx, spec)
}

// TestWithoutDefaultBridge runs on an engine whose docker0 is gone while
// its bridge network is still listed (engine.sh's 26-nobridge: what a
// second dockerd started with --bridge=none does to the host's docker0). A correct image passes 3.1,
// because checks need no network; the same checks with the default
// network report the machine's fault as an error, never as the learner's
// failure; a wrong image still fails with its own reason; doctor says
// what is wrong. Elsewhere it skips, except under
// SHIPSHAPE_ENGINE=26-nobridge.
func TestWithoutDefaultBridge(t *testing.T) {
	ctx, e := openDockerEnv(t, 10*time.Minute)
	if d := e.Docker.Diagnose(ctx); !d.NoDefaultBridge && !e.Docker.BridgeBroken(ctx) {
		if os.Getenv("SHIPSHAPE_ENGINE") == "26-nobridge" {
			t.Fatal("SHIPSHAPE_ENGINE=26-nobridge but the engine has a default bridge")
		}
		t.Skip("the engine has its default bridge (make test-engines runs this on 26-nobridge)")
	}
	useStateDir(t)
	out, _, _ := run(t, "", "doctor")
	if !strings.Contains(out, "default bridge network does not work") {
		t.Errorf("doctor does not say the bridge is missing:\n%s", out)
	}

	base := pythonBase(t, ctx, e)
	pack, err := course.Builtin(course.Options{CheckKind: check.ValidateParams})
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := pack.Exercise("3.1")
	l := lab.New(e.Docker)
	build := func(dir, tag string) { buildTaskAPI(t, ctx, l, base, dir, tag) }
	session := e.Docker.Session()
	starter := filepath.Join(t.TempDir(), "starter")
	if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, starter, false); err != nil {
		t.Fatal(err)
	}
	devTag := "shipshape-test/task-api:dev-" + session
	build(starter, devTag)
	ws := filepath.Join(t.TempDir(), "ws")
	if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, ws, false); err != nil {
		t.Fatal(err)
	}
	if _, err := workspace.Apply(pack.FS, ex.Solution, ws); err != nil {
		t.Fatal(err)
	}
	prodTag := "shipshape-test/task-api:prod-" + session
	build(ws, prodTag)

	// A correct image passes: no check needs the bridge.
	o, errOut, code := run(t, "", "check", "3.1", "--image", prodTag, "--dir", ws, "--format", "json")
	if code != 0 {
		t.Errorf("check 3.1 of a correct image without a bridge: exit %d, want 0\n%s%s", code, o, errOut)
	}
	// A wrong image fails, for its own reason.
	o, _, code = run(t, "", "check", "3.1", "--image", devTag, "--dir", starter, "--format", "json")
	var doc report.CheckDoc
	_ = json.Unmarshal([]byte(o), &doc)
	if code != 1 || !strings.Contains(o, "uid 0") {
		t.Errorf("check 3.1 of the root image: exit %d, want 1 with the uid 0 evidence\n%s", code, o)
	}

	// With the default network, the same correct image is not the
	// learner's failure: every runtime check is an error with advice.
	var specs []check.Spec
	for _, c := range ex.Checks {
		specs = append(specs, check.Spec{ID: c.ID, Kind: c.Kind, Required: c.Required(), Params: c.Params})
	}
	rep := check.NewEngine(withNetwork{e.Docker}).Run(ctx, specs, check.Target{Image: prodTag, Dir: ws}, nil)
	if rep.Outcome() != check.OutcomeIncomplete {
		t.Errorf("with the default network: outcome %v, want incomplete (could not check)", rep.Outcome())
	}
	for _, r := range rep.Results {
		if r.Status == check.StatusFail {
			t.Errorf("%s failed (the learner's fault) for the machine's: %v", r.ID, r.Evidence)
		}
		if check.NeedsDocker(r.Kind) && r.Status == check.StatusError && !strings.Contains(strings.Join(r.Evidence, " "), "not your image") {
			t.Errorf("%s: the error does not say the engine is at fault: %v", r.ID, r.Evidence)
		}
	}
	// The learner's own run needs the network: its error says so.
	if _, err := l.Run(ctx, prodTag); docker.KindOf(err) != docker.MachineFault {
		t.Errorf("run without a bridge: %v (kind %v), want an engine fault", err, docker.KindOf(err))
	}
}
