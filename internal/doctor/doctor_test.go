package doctor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDoctorTrivyLikeScanning: doctor names the scanner that scanning would
// use, so a Trivy image on the daemon counts, as it does for exercise 3.3.
func TestDoctorTrivyLikeScanning(t *testing.T) {
	for _, tc := range []struct {
		name           string
		found          string
		ok             bool
		status, detail string
	}{
		{"image on the daemon", "image aquasec/trivy:0.57.1", true, "ok", "image aquasec/trivy:0.57.1 on the daemon"},
		{"none", "", false, "warn", "no aquasec/trivy image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lines []Finding
			add := func(what, status, detail, advice string) {
				lines = append(lines, Finding{what, status, detail, advice})
			}
			trivy(context.Background(), add, func(context.Context) (string, bool) { return tc.found, tc.ok })
			if len(lines) != 1 || lines[0].Status != tc.status || !strings.Contains(lines[0].Detail, tc.detail) {
				t.Fatalf("doctor says %+v; want %s containing %q", lines, tc.status, tc.detail)
			}
			if !tc.ok && !strings.Contains(lines[0].Advice, "docker pull aquasec/trivy") {
				t.Errorf("the advice does not offer the image: %q", lines[0].Advice)
			}
		})
	}
}

type fakeImages map[string]bool

func (f fakeImages) ImageExists(_ context.Context, ref string) (bool, error) { return f[ref], nil }

// TestDoctorBaseImages: doctor resolves the FROM lines as the builds
// would (ARG defaults, shipshape.yaml, --build-arg) and says per base
// image whether the daemon has it, never asking a registry.
func TestDoctorBaseImages(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Dockerfile", "ARG PYTHON_IMAGE=python:3.13-slim\nFROM ${PYTHON_IMAGE} AS builder\nFROM builder\nFROM busybox:1.36\n")
	for _, tc := range []struct {
		name    string
		yaml    string
		project Project
		want    []string
	}{
		{"defaults", "", Project{Dir: dir}, []string{"warn python:3.13-slim is not on the daemon", "ok busybox:1.36 is on the daemon"}},
		{"shipshape.yaml", "build:\n  args:\n    PYTHON_IMAGE: shipshape-test/python:3.13-slim\n", Project{Dir: dir},
			[]string{"ok shipshape-test/python:3.13-slim is on the daemon", "ok busybox:1.36 is on the daemon"}},
		{"flag over file, and --pull", "build:\n  args:\n    PYTHON_IMAGE: nope:1\n",
			Project{Dir: dir, BuildArgs: map[string]string{"PYTHON_IMAGE": "shipshape-test/python:3.13-slim"}, Pull: true},
			[]string{"warn shipshape-test/python:3.13-slim is on the daemon, but --pull", "warn busybox:1.36 is on the daemon, but --pull"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(filepath.Join(dir, "shipshape.yaml"))
			if tc.yaml != "" {
				write("shipshape.yaml", tc.yaml)
			}
			var got []string
			add := func(what, status, detail, advice string) { got = append(got, status+" "+detail) }
			baseImages(context.Background(), add, fakeImages{"busybox:1.36": true, "shipshape-test/python:3.13-slim": true}, tc.project)
			if len(got) != len(tc.want) {
				t.Fatalf("doctor says %q; want %q", got, tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("finding %d: %q, want it to start with %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}
