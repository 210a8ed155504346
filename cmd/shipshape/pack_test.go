package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/docker/dockertest"
	"shipshape/internal/packs"
	"shipshape/internal/report"
)

func useDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(packs.EnvDataDir, dir)
	useStateDir(t)
	return dir
}

func TestPackNewValidatesClean(t *testing.T) {
	useDataDir(t)
	dir := filepath.Join(t.TempDir(), "My Course!")
	out, errOut, code := run(t, "", "pack", "new", dir)
	if code != 0 {
		t.Fatalf("new: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"my-course"`) {
		t.Errorf("new output: %s", out)
	}
	for _, f := range []string{"pack.yaml", "01-welcome.md", "02-non-root.md", "workspace/starter/Dockerfile", "workspace/starter/app.sh", "workspace/solutions/1.1/Dockerfile"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("scaffold lacks %s", f)
		}
	}
	out, errOut, code = run(t, "", "pack", "validate", dir)
	if code != 0 || !strings.Contains(out, "ok:") || !strings.Contains(out, "2 lessons, 1 exercise, 2 checks") {
		t.Fatalf("validate: exit %d\n%s%s", code, out, errOut)
	}
	// The scaffold must use what this pack teaches to check.
	body, _ := os.ReadFile(filepath.Join(dir, "02-non-root.md"))
	for _, want := range []string{"kind: dockerfile.nonroot_final", "kind: container.command", "solution: workspace/solutions/1.1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("exercise lacks %q", want)
		}
	}
	// A non-empty directory is refused.
	if _, errOut, code := run(t, "", "pack", "new", dir); code != 2 || !strings.Contains(errOut, "not empty") {
		t.Errorf("new into non-empty: exit %d %s", code, errOut)
	}
}

func TestPackValidateExitCodes(t *testing.T) {
	useDataDir(t)
	dir := filepath.Join(t.TempDir(), "p")
	if _, errOut, code := run(t, "", "pack", "new", dir); code != 0 {
		t.Fatal(errOut)
	}
	if _, errOut, code := run(t, "", "pack", "validate"); code != 2 || !strings.Contains(errOut, "exactly one PATH") {
		t.Errorf("no path: exit %d %s", code, errOut)
	}
	if _, _, code := run(t, "", "pack", "validate", filepath.Join(dir, "nope")); code != 2 {
		t.Errorf("missing path: exit %d", code)
	}
	lesson := filepath.Join(dir, "01-welcome.md")
	body, _ := os.ReadFile(lesson)
	bad := strings.Replace(string(body), "Replace this lesson", "Replace \x1b]52;c;cm0gLXJm\x07 this [gone](no-such-lesson) lesson", 1)
	must(t, os.WriteFile(lesson, []byte(bad), 0o644))
	ex := filepath.Join(dir, "02-non-root.md")
	exBody, _ := os.ReadFile(ex)
	must(t, os.WriteFile(ex, []byte(strings.Replace(string(exBody), "timeout_seconds: 10", "timeout_seconds: 10\n        privileged: true", 1)), 0o644))
	out, _, code := run(t, "", "pack", "validate", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		`02-non-root.md:21: check "runs-as-nonroot": unknown parameter "privileged"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Error("output carries ESC")
	}
	// With the check fixed, lint problems of the body show up with their lines.
	must(t, os.WriteFile(ex, exBody, 0o644))
	out, _, code = run(t, "", "pack", "validate", dir)
	if code != 1 || !strings.Contains(out, "01-welcome.md:9: contains the control character U+001B") ||
		!strings.Contains(out, `01-welcome.md:9: link "no-such-lesson": no lesson with id "no-such-lesson"`) {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestPackInstallListRemove(t *testing.T) {
	data := useDataDir(t)
	src := filepath.Join(t.TempDir(), "course")
	if _, errOut, code := run(t, "", "pack", "new", src); code != 0 {
		t.Fatal(errOut)
	}
	archive := filepath.Join(t.TempDir(), "course.tar.gz")
	if out, err := exec.Command("tar", "czf", archive, "-C", src, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	if out, _, code := run(t, "", "pack", "validate", archive); code != 0 {
		t.Fatalf("validate archive: %d %s", code, out)
	}
	out, errOut, code := run(t, "", "pack", "install", archive)
	if code != 0 || !strings.Contains(out, "Installed course 0.1.0") {
		t.Fatalf("install: %d %s %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "packs", "course", "pack.yaml")); err != nil {
		t.Errorf("not in the data dir: %v", err)
	}
	// A new version replaces the old one and says so.
	yaml := filepath.Join(src, "pack.yaml")
	m, _ := os.ReadFile(yaml)
	must(t, os.WriteFile(yaml, []byte(strings.Replace(string(m), `version: "0.1.0"`, `version: "0.2.0"`, 1)), 0o644))
	out, _, code = run(t, "", "pack", "install", src)
	if code != 0 || !strings.Contains(out, "Updated course from 0.1.0 to 0.2.0") {
		t.Errorf("upgrade: %d %s", code, out)
	}
	out, _, code = run(t, "", "pack", "list", "--json")
	var doc struct {
		Packs []report.PackRow `json:"packs"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Packs) != 1 || doc.Packs[0].Version != "0.2.0" {
		t.Errorf("list --json: %d %s", code, out)
	}
	// The installed pack opens by id.
	out, errOut, code = run(t, "", "--pack", "course", "list")
	if code != 0 || !strings.Contains(out, "Run as a non-root user") {
		t.Errorf("--pack ID: %d %s %s", code, out, errOut)
	}
	// And an archive opens directly.
	if out, errOut, code := run(t, "", "--pack", archive, "list"); code != 0 || !strings.Contains(out, "0.1.0") {
		t.Errorf("--pack archive: %d %s %s", code, out, errOut)
	}
	// A hostile pack is refused with exit 1 and changes nothing.
	evil := filepath.Join(t.TempDir(), "evil")
	must(t, os.MkdirAll(evil, 0o755))
	must(t, exec.Command("cp", "-r", src+"/.", evil).Run())
	must(t, os.Symlink("/etc/passwd", filepath.Join(evil, "passwd.md")))
	if _, errOut, code := run(t, "", "pack", "install", evil); code != 1 || !strings.Contains(errOut, `"passwd.md" is a symbolic link`) {
		t.Errorf("hostile install: %d %s", code, errOut)
	}
	if _, errOut, code := run(t, "", "pack", "remove", "course"); code != 2 || !strings.Contains(errOut, "--yes") {
		t.Errorf("remove without a terminal: %d %s", code, errOut)
	}
	if out, _, code := run(t, "", "pack", "remove", "course", "--yes"); code != 0 || !strings.Contains(out, "Removed course") {
		t.Errorf("remove: %d %s", code, out)
	}
	if _, errOut, code := run(t, "", "pack", "remove", "course", "--yes"); code != 2 || !strings.Contains(errOut, "no installed pack") {
		t.Errorf("second remove: %d %s", code, errOut)
	}
	if out, _, _ := run(t, "", "pack", "list"); !strings.Contains(out, "No packs installed") {
		t.Errorf("list after remove: %s", out)
	}
	if _, _, code := run(t, "", "pack", "install"); code != 2 {
		t.Errorf("install without PATH: %d", code)
	}
}

// TestPackValidateDocker builds the scaffold's starter and solution (on
// the busybox base instead of alpine, which cannot be pulled here) and
// proves the starter fails and the solution passes; then breaks the
// solution and expects exit 1.
func TestPackValidateDocker(t *testing.T) {
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
	useDataDir(t)
	dir := filepath.Join(t.TempDir(), "dk")
	if _, errOut, code := run(t, "", "pack", "new", dir); code != 0 {
		t.Fatal(errOut)
	}
	for _, f := range []string{"workspace/starter/Dockerfile", "workspace/solutions/1.1/Dockerfile"} {
		p := filepath.Join(dir, f)
		b, _ := os.ReadFile(p)
		s := strings.Replace(string(b), "FROM alpine:3.20", "FROM "+e.Base, 1)
		s = strings.Replace(s, "RUN adduser -D -u 10001 app\n", "", 1) // the base has the user
		must(t, os.WriteFile(p, []byte(s), 0o644))
	}
	out, errOut, code := run(t, "", "pack", "validate", dir, "--docker")
	t.Logf("%s%s", out, errOut)
	if code != 0 || !strings.Contains(out, "exercise 1.1: starter fails as it should (2 required failed: final-user, runs-as-nonroot)") ||
		!strings.Contains(out, "exercise 1.1: solution passes") {
		t.Fatalf("exit %d", code)
	}
	// A solution that does not solve the exercise is caught.
	sol := filepath.Join(dir, "workspace/solutions/1.1/Dockerfile")
	b, _ := os.ReadFile(sol)
	must(t, os.WriteFile(sol, []byte(strings.Replace(string(b), "USER 10001", "USER 10001\nUSER root", 1)), 0o644))
	out, errOut, code = run(t, "", "pack", "validate", dir, "--docker")
	t.Logf("%s%s", out, errOut)
	if code != 1 || !strings.Contains(out, "the solution FAILS") {
		t.Errorf("broken solution: exit %d", code)
	}
	// A starter that already passes asks nothing of the learner.
	must(t, os.WriteFile(sol, b, 0o644))
	starter := filepath.Join(dir, "workspace/starter/Dockerfile")
	must(t, os.WriteFile(starter, b, 0o644))
	out, errOut, code = run(t, "", "pack", "validate", dir, "--docker")
	t.Logf("%s%s", out, errOut)
	if code != 1 || !strings.Contains(out, "the starter PASSES every required check") {
		t.Errorf("passing starter: exit %d", code)
	}
	if imgs, _ := exec.Command("docker", "images", "-q", "shipshape-validate/*").Output(); len(strings.TrimSpace(string(imgs))) > 0 {
		t.Errorf("images left behind: %s", imgs)
	}
}

func TestPackValidateHostileArchive(t *testing.T) {
	useDataDir(t)
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("pack.yaml")
	_, _ = w.Write([]byte("format_version: 1\n"))
	w, _ = zw.Create("../../escape.md")
	_, _ = w.Write([]byte("x"))
	must(t, zw.Close())
	archive := filepath.Join(dir, "evil.zip")
	must(t, os.WriteFile(archive, buf.Bytes(), 0o644))
	out, _, code := run(t, "", "pack", "validate", archive)
	if code != 1 || !strings.Contains(out, `archive entry "../../escape.md"`) {
		t.Errorf("exit %d: %s", code, out)
	}
	if _, errOut, code := run(t, "", "pack", "install", archive); code != 1 || !strings.Contains(errOut, `"../../escape.md"`) {
		t.Errorf("install: exit %d: %s", code, errOut)
	}
	if _, errOut, code := run(t, "", "--pack", archive, "list"); code == 0 || !strings.Contains(errOut, `"../../escape.md"`) {
		t.Errorf("--pack: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape.md")); err == nil {
		t.Error("wrote outside")
	}
}

// TestPackListJSONEscapesC1: the data directory's name reaches the
// output; a U+009B in it must arrive escaped.
func TestPackListJSONEscapesC1(t *testing.T) {
	useStateDir(t)
	t.Setenv(packs.EnvDataDir, filepath.Join(t.TempDir(), "x\u009b2J"))
	out, errOut, code := run(t, "", "pack", "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "\u009b") || !strings.Contains(out, `x\u009b2J`) {
		t.Errorf("output %q", out)
	}
}
