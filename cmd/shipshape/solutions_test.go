package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/exercises/testbed"
	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/lab"
	"shipshape/internal/report"
	"shipshape/internal/workspace"
)

// TestReferenceSolutions proves the course on the real app: on the
// python:3.13-slim twin (see exercises/testbed), the unchanged starter
// fails every exercise and each reference solution, built as a learner
// builds it, passes its own, 3.3 with a Trivy report bound to the image.
// The matrix (make test-engines) runs it on Engine 26 too, with the
// classic and the containerd image store.
// buildTaskAPI builds the Task API in dir on the python base, as a learner
// does, and fails the test with the build's log if it does not build.
func buildTaskAPI(t *testing.T, ctx context.Context, l *lab.Lab, base testbed.Base, dir, tag string) lab.BuildResult {
	t.Helper()
	req := lab.BuildRequest{Dir: dir, Tag: tag, BuildArgs: map[string]string{"PYTHON_IMAGE": base.Ref}}
	if os.Getenv("SHIPSHAPE_ENGINE") == "26-nobridge" {
		// Without a default bridge RUN steps cannot have the default
		// network either; the twin's pip installs from its own wheelhouse.
		req.Network = "none"
	}
	res, err := l.Build(ctx, req, nil)
	if err != nil {
		t.Fatalf("build %s: %v", tag, err)
	}
	if !res.OK() {
		t.Fatalf("build %s failed at %q: %s\n%s", tag, res.FailedStep, res.Error, strings.Join(res.Log, "\n"))
	}
	return res
}

func TestReferenceSolutions(t *testing.T) {
	ctx, e := openDockerEnv(t, 15*time.Minute)
	useStateDir(t)
	base := pythonBase(t, ctx, e)
	pack, err := course.Builtin(course.Options{CheckKind: check.ValidateParams})
	if err != nil {
		t.Fatal(err)
	}
	l := lab.New(e.Docker)
	session := e.Docker.Session()
	build := func(dir, tag string) { buildTaskAPI(t, ctx, l, base, dir, tag) }
	starter := filepath.Join(t.TempDir(), "starter")
	if out, errOut, code := run(t, "", "init", starter); code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
	}
	devTag := "shipshape-test/task-api:dev-" + session
	build(starter, devTag)

	// A report as `trivy image --format json` writes it for the image: it
	// names the image's layers, which bind it on both image stores. The
	// starter's has a CRITICAL finding, as an old base image would.
	trivyReport := func(t *testing.T, tag string, critical bool) string {
		info, err := e.Docker.InspectImage(ctx, tag)
		if err != nil {
			t.Fatal(err)
		}
		results := []any{}
		if critical {
			results = append(results, map[string]any{"Target": tag + " (debian 13.0)", "Class": "os-pkgs", "Type": "debian",
				"Vulnerabilities": []any{map[string]any{"VulnerabilityID": "CVE-2025-0001", "PkgName": "libssl3t64",
					"InstalledVersion": "3.5.0-1", "FixedVersion": "3.5.1-1", "Severity": "CRITICAL"}}})
		}
		doc := map[string]any{"SchemaVersion": 2, "ArtifactName": tag, "ArtifactType": "container_image",
			"Metadata": map[string]any{"ImageID": info.ID, "DiffIDs": info.DiffIDs}, "Results": results}
		b, _ := json.Marshal(doc)
		path := filepath.Join(t.TempDir(), "report.json")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	checkJSON := func(t *testing.T, args ...string) (report.CheckDoc, int, string) {
		t.Helper()
		out, errOut, code := run(t, "", append(append([]string{"check"}, args...), "--format", "json")...)
		var doc report.CheckDoc
		if code != 2 {
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("check %v: %v\n%s%s", args, err, out, errOut)
			}
		}
		return doc, code, out + errOut
	}
	failing := func(doc report.CheckDoc) string {
		var b strings.Builder
		for _, c := range doc.Checks {
			if c.Status != "pass" {
				fmt.Fprintf(&b, "  %s %s (%s): %s\n", c.Status, c.ID, c.Kind, strings.Join(c.Evidence, " | "))
			}
		}
		return b.String()
	}

	// 3.2 with a final stage that lost the venv's PATH: the image cannot
	// start, and the verdict says so with the daemon's own reason (it
	// passed 6 of 6 when no 3.2 check started the container).
	t.Run("3.2-without-path", func(t *testing.T) {
		ex, _ := pack.Exercise("3.2")
		ws := filepath.Join(t.TempDir(), "ws")
		if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, ws, false); err != nil {
			t.Fatal(err)
		}
		if _, err := workspace.Apply(pack.FS, ex.Solution, ws); err != nil {
			t.Fatal(err)
		}
		df := filepath.Join(ws, "Dockerfile")
		src, err := os.ReadFile(df)
		if err != nil {
			t.Fatal(err)
		}
		runtime := strings.Index(string(src), "AS runtime")
		broken := string(src[:runtime]) + strings.Replace(string(src[runtime:]), `PATH="/opt/venv/bin:$PATH" \`, `\`, 1)
		if broken == string(src) {
			t.Fatal("the 3.2 solution has no PATH line in its final stage to remove")
		}
		if err := os.WriteFile(df, []byte(broken), 0o644); err != nil {
			t.Fatal(err)
		}
		tag := "shipshape-test/task-api:nopath-" + session
		build(ws, tag)
		doc, code, out := checkJSON(t, "3.2", "--image", tag, "--dev-image", devTag, "--dir", ws)
		if code != 1 || doc.Passed || !strings.Contains(out, "executable file not found") {
			t.Errorf("3.2 of an image that cannot start: exit %d, want 1 with the daemon's reason\n%s", code, failing(doc))
		}
	})

	for _, ex := range pack.Exercises() {
		t.Run(ex.ID, func(t *testing.T) {
			extra := []string{}
			if ex.ID == "3.3" {
				extra = append(extra, "--trivy-report", trivyReport(t, devTag, true))
			}
			// The starter, unchanged, does not pass.
			doc, code, out := checkJSON(t, append([]string{ex.ID, "--image", devTag, "--dev-image", devTag, "--dir", starter}, extra...)...)
			if code != 1 || doc.Passed {
				t.Errorf("the starter: check %s exit %d, want 1\n%s", ex.ID, code, out)
			}
			if ex.Solution == "" {
				t.Fatalf("exercise %s has no reference solution", ex.ID)
			}
			ws := filepath.Join(t.TempDir(), "ws")
			if _, err := workspace.Init(pack.FS, pack.Workspace.Starter, ws, false); err != nil {
				t.Fatal(err)
			}
			if _, err := workspace.Apply(pack.FS, ex.Solution, ws); err != nil {
				t.Fatal(err)
			}
			prodTag := "shipshape-test/task-api:prod-" + strings.ReplaceAll(ex.ID, ".", "") + "-" + session
			build(ws, prodTag)
			extra = extra[:0]
			if ex.ID == "3.3" {
				extra = append(extra, "--trivy-report", trivyReport(t, prodTag, false))
			}
			doc, code, out = checkJSON(t, append([]string{ex.ID, "--image", prodTag, "--dev-image", devTag, "--dir", ws}, extra...)...)
			if code != 0 || !doc.Passed {
				t.Errorf("the reference solution of %s: exit %d, want 0; not passing:\n%s\n%s", ex.ID, code, failing(doc), out)
			}
			if ex.ID == "3.4" {
				// The measure view of 3.4 (m in the exercise screen): both
				// images start and are sampled; prod turns healthy and is
				// smaller.
				m := l.Measure(ctx, devTag, prodTag, nil)
				for _, f := range []lab.ImageFacts{m.Dev, m.Prod} {
					if f.Err != "" || f.Size == 0 || len(f.Layers) == 0 || !f.Measured {
						t.Errorf("measure %s: %+v", f.Ref, f)
					}
					t.Logf("measure %s: %d bytes, %d layers, healthy after %s", f.Ref, f.Size, len(f.Layers), f.StartupToHealthy)
				}
				// The starter has no HEALTHCHECK; the solution turns healthy.
				if m.Prod.StartupToHealthy <= 0 {
					t.Errorf("measure: no time to healthy for prod: %+v", m.Prod)
				}
				if base.Real && m.Prod.Size >= m.Dev.Size {
					t.Errorf("measure: prod %d bytes is not smaller than dev %d", m.Prod.Size, m.Dev.Size)
				}
			}
			if base.Note != "" {
				t.Log(base.Note)
			}
		})
	}
}
