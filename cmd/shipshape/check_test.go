package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"shipshape/internal/attempt"
	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/progress"
)

func TestCheckUsageErrors(t *testing.T) {
	useStateDir(t)
	for _, args := range [][]string{
		{"check"},
		{"check", "9.9"},
		{"check", "3.2", "--format", "yaml"},
	} {
		_, errOut, code := run(t, "", args...)
		if code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, errOut)
		}
	}
}

func TestCheckDaemonDown(t *testing.T) {
	useStateDir(t)
	// 3.1 reads the Dockerfile too (dockerfile.build_checks), and a
	// directory without one is reported before the daemon is asked.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, "", "--host", "unix:///nonexistent/docker.sock", "check", "3.1", "--dir", dir)
	if code != 2 || !strings.Contains(errOut, "cannot reach the Docker daemon") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestCheckAgainstDaemon runs the headless contract against fixture images.
func TestCheckAgainstDaemon(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e, reason, err := dockertest.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e == nil {
		dockertest.Skip(t, reason)
	}
	t.Cleanup(func() {
		if err := e.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	good, err := e.Build(ctx, "cli-good", `FROM BASE
USER app
HEALTHCHECK --interval=30s --timeout=3s CMD ["wget","-q","-O-","http://127.0.0.1:8080/"]
CMD ["sh","-c","trap 'exit 0' TERM; httpd -p 8080 -h /www; while :; do sleep 1 & wait $!; done"]
`)
	if err != nil {
		t.Fatal(err)
	}
	root, err := e.Build(ctx, "cli-root", "FROM BASE\nCMD [\"sleep\",\"3600\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	dev, err := e.Build(ctx, "cli-dev", "FROM BASE\nRUN dd if=/dev/zero of=/big bs=1000 count=2000\n")
	if err != nil {
		t.Fatal(err)
	}
	state := useStateDir(t)

	t.Run("pass", func(t *testing.T) {
		out, errOut, code := run(t, "", "check", "3.1", "--image", good, "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		for _, k := range []string{"exercise", "image", "image_id", "passed", "started_at", "duration_ms", "checks"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("json lacks %q", k)
			}
		}
		if doc["passed"] != true || doc["exercise"] != "3.1" || doc["image"] != good {
			t.Errorf("json %v", doc)
		}
		checks := doc["checks"].([]any)
		for _, c := range checks {
			m := c.(map[string]any)
			for _, k := range []string{"id", "kind", "title", "status", "required", "evidence", "hint", "lesson", "duration_ms"} {
				if _, ok := m[k]; !ok {
					t.Errorf("check json lacks %q: %v", k, m)
				}
			}
		}
		st, _, err := progress.Load(state, "phase3-production-readiness")
		if err != nil {
			t.Fatal(err)
		}
		ep := st.Exercises["3.1"]
		if ep == nil || len(ep.Attempts) != 1 || !ep.Attempts[0].Passed || len(ep.Attempts[0].Checks) != len(checks) {
			t.Errorf("progress not recorded: %+v", ep)
		}
	})

	t.Run("fail", func(t *testing.T) {
		out, errOut, code := run(t, "", "check", "3.1", "--image", root)
		if code != 1 {
			t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
		}
		t.Logf("stdout:\n%s\nstderr: %s", out, errOut)
		if !strings.Contains(out, "FAIL   Runs as a non-root user") || !strings.Contains(out, "NOT PASSED") {
			t.Errorf("text output:\n%s", out)
		}
	})

	t.Run("image-missing", func(t *testing.T) {
		_, errOut, code := run(t, "", "check", "3.1", "--image", "shipshape-test/missing:nope")
		if code != 2 || !strings.Contains(errOut, `image "shipshape-test/missing:nope" not found`) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})

	t.Run("junit-3.2", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM python:3.13-slim AS build\nCOPY requirements.txt .\nRUN pip install --prefix=/install -r requirements.txt\nCOPY . .\nFROM python:3.13-slim\nCOPY --from=build /install /usr/local\nUSER 10001\n"), 0o644)
		os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(".git\n.env\n.venv\n**/__pycache__\n**/*.pyc\n"), 0o644)
		file := filepath.Join(t.TempDir(), "r.xml")
		_, errOut, code := run(t, "", "check", "3.2", "--image", good, "--dev-image", dev, "--dir", dir, "--format", "junit", "--output", file)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if code != 0 {
			t.Fatalf("exit %d, stderr %q\n%s", code, errOut, b)
		}
		var doc struct {
			Suites []struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
				Cases    []struct {
					Name string `xml:"name,attr"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("not XML: %v\n%s", err, b)
		}
		pack, err := course.Builtin(course.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ex, _ := pack.Exercise("3.2")
		n := len(ex.Checks)
		if len(doc.Suites) != 1 || doc.Suites[0].Tests != n || doc.Suites[0].Failures != 0 || len(doc.Suites[0].Cases) != n {
			t.Errorf("junit:\n%s", b)
		}
	})
}

// TestBuiltinChecksValidate loads the built-in course with the engine's
// kind registry as validator: every declared kind and parameter must exist.
func TestBuiltinChecksValidate(t *testing.T) {
	p, err := course.Builtin(course.Options{CheckKind: check.ValidateParams})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ex := range p.Exercises() {
		for _, s := range attempt.Specs(ex) {
			if _, err := check.Build(s); err != nil {
				t.Errorf("exercise %s: %v", ex.ID, err)
			}
			n++
		}
	}
	if n == 0 {
		t.Error("no checks declared")
	}
}

// A --dir without a Dockerfile could not be checked: exit 2 and the path,
// not a failed exercise.
func TestCheckWithoutDockerfileIsExit2(t *testing.T) {
	useStateDir(t)
	dir := t.TempDir()
	_, errOut, code := run(t, "", "check", "3.2", "--dir", dir)
	if code != 2 || !strings.Contains(errOut, "no Dockerfile in "+dir) {
		t.Errorf("exit %d, stderr %q; want 2 naming %s", code, errOut, dir)
	}
}

// With the daemon down, CI still gets a JUnit report: every check an
// error with the reason.
func TestCheckDaemonDownWritesJUnit(t *testing.T) {
	useStateDir(t)
	out := filepath.Join(t.TempDir(), "results.xml")
	_, errOut, code := run(t, "", "--host", "unix:///nonexistent/docker.sock", "check", "3.1",
		"--dir", "../../exercises/task-api/starter", "--format", "junit", "--output", out)
	if code != 2 || errOut == "" {
		t.Fatalf("exit %d, stderr %q; want 2 and the reason", code, errOut)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no report written: %v", err)
	}
	var doc struct {
		Suites []struct {
			Tests  int `xml:"tests,attr"`
			Errors int `xml:"errors,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Suites[0]
	if s.Tests == 0 || s.Errors != s.Tests || !strings.Contains(string(b), "cannot reach the Docker daemon") {
		t.Errorf("report: %d tests, %d errors\n%s", s.Tests, s.Errors, b)
	}
}

// A FIFO where the Dockerfile should be ends the check at once (exit 2),
// instead of hanging it.
func TestCheckFIFODockerfile(t *testing.T) {
	useStateDir(t)
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "Dockerfile"), 0o600); err != nil {
		t.Skip("no mkfifo:", err)
	}
	done := make(chan int, 1)
	go func() { _, _, code := run(t, "", "check", "3.2", "--dir", dir); done <- code }()
	select {
	case code := <-done:
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("check hung on a FIFO Dockerfile")
	}
}
