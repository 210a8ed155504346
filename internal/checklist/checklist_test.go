package checklist_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/docker/dockertest"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m, nil)) }

func TestItemsAreWellFormed(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	manual := 0
	for _, it := range checklist.Items {
		if !kebab.MatchString(it.ID) || seen[it.ID] {
			t.Errorf("bad or duplicate id %q", it.ID)
		}
		seen[it.ID] = true
		if it.Section == "" || it.Text == "" {
			t.Errorf("%s: no section or text", it.ID)
		}
		for _, k := range it.Kinds {
			if !check.KnownKind(k) {
				t.Errorf("%s: unknown kind %q", it.ID, k)
			}
		}
		if len(it.Kinds) == 0 {
			manual++
		}
	}
	// The syllabus has 19 items; 11 no machine can judge.
	if len(checklist.Items) != 19 || manual != 11 {
		t.Errorf("%d items, %d manual", len(checklist.Items), manual)
	}
	if _, ok := checklist.Lookup("non-root"); !ok {
		t.Error("no non-root item")
	}
}

func TestRunWithoutDocker(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(".git\n.env\n.venv\nvenv\n**/__pycache__\n**/*.pyc\n"), 0o644)
	res := checklist.Run(context.Background(), check.NewEngine(nil), check.Target{Image: "x:y", Dir: dir}, nil)
	byID := map[string]checklist.ItemResult{}
	for _, r := range res {
		byID[r.Item.ID] = r
	}
	if st := byID["dockerignore"].Status; st != checklist.Pass {
		t.Errorf("dockerignore %s %v", st, byID["dockerignore"].Evidence)
	}
	if st := byID["non-root"].Status; st != checklist.Error {
		t.Errorf("non-root without docker: %s", st)
	}
	if r := byID["security-scan"]; r.Status != checklist.Manual || !strings.Contains(strings.Join(r.Evidence, " "), "--trivy-report") {
		t.Errorf("security-scan without a report: %+v", r)
	}
	if st := byID["tests-pass"].Status; st != checklist.Manual {
		t.Errorf("tests-pass %s", st)
	}
	if checklist.OutcomeOf(res) != checklist.Incomplete {
		t.Errorf("outcome %v", checklist.OutcomeOf(res))
	}
}

func TestRunAgainstImages(t *testing.T) {
	e := dockertest.Need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	good, err := e.Build(ctx, "checklist-good", `FROM BASE
HEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O /dev/null http://127.0.0.1:8080/index.html
USER 10001
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
`)
	if err != nil {
		t.Fatal(err)
	}
	root, err := e.Build(ctx, "checklist-root", "FROM BASE\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(".git\n.env\n.venv\nvenv\n**/__pycache__\n**/*.pyc\n"), 0o644)
	engine := check.NewEngine(e.Docker)

	res := checklist.Run(ctx, engine, check.Target{Image: good, DevImage: root, Dir: dir}, nil)
	for _, r := range res {
		want := checklist.Manual
		if len(r.Item.Kinds) > 0 && r.Item.ID != "security-scan" {
			want = checklist.Pass
		}
		// busybox httpd ignores SIGTERM as PID 1.
		if r.Item.ID == "graceful-shutdown" || r.Item.ID == "image-size" {
			continue
		}
		if r.Status != want {
			t.Errorf("%s: %s, want %s: %v", r.Item.ID, r.Status, want, r.Evidence)
		}
	}

	res = checklist.Run(ctx, engine, check.Target{Image: root, Dir: dir}, nil)
	for _, r := range res {
		if r.Item.ID == "non-root" && (r.Status != checklist.Fail || !strings.Contains(strings.Join(r.Evidence, " "), "uid")) {
			t.Errorf("root image: %+v", r)
		}
		if r.Item.ID == "health-check-works" && r.Status != checklist.Fail {
			t.Errorf("no healthcheck: %+v", r)
		}
	}
	if checklist.OutcomeOf(res) != checklist.Failed {
		t.Error("a root image passed the checklist")
	}
}
