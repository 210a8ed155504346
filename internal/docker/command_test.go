package docker_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/image"

	"shipshape/internal/attempt"
	"shipshape/internal/docker"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/grade"
	"shipshape/internal/lab"
	"shipshape/internal/ledger"
)

func TestValidateRepoMatchesPacks(t *testing.T) {
	if docker.ValidateRepo != attempt.ImageRepo {
		t.Fatalf("docker.ValidateRepo %q != attempt.ImageRepo %q: RemoveBuiltImage would refuse every image pack validate builds",
			docker.ValidateRepo, attempt.ImageRepo)
	}
}

func TestGradeRepoMatchesGrade(t *testing.T) {
	if docker.GradeRepo != grade.ImageRepo {
		t.Fatalf("docker.GradeRepo %q != grade.ImageRepo %q: RemoveBuiltImage would refuse every image grade builds",
			docker.GradeRepo, grade.ImageRepo)
	}
}

// TestRemoveBuiltImageGuards builds an image the way pack validate and
// grade do and a learner's image FROM it, which inherits the built label:
// only the first may be removed. The first is in the ledger from the
// moment it is built, so a kill -9 leaves it for the next start.
func TestRemoveBuiltImageGuards(t *testing.T) {
	e := dockertest.Need(t)
	for _, repo := range []string{docker.ValidateRepo, docker.GradeRepo} {
		t.Run(repo, func(t *testing.T) { testRemoveBuiltImageGuards(t, e, repo) })
	}
}

func testRemoveBuiltImageGuards(t *testing.T, e *dockertest.Env, repo string) {
	ctx := context.Background()
	api := e.API()

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+e.Base+"\nRUN true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	built := repo + "/shipshape-test-" + docker.NewSession()[:8] + ":starter"
	res, err := e.Docker.BuildImage(ctx, lab.BuildRequest{Dir: dir, Tag: built, Labels: map[string]string{"dev.shipshape.student": "ann", docker.LabelBuilt: "no"}}, nil)
	if err != nil || !res.OK() {
		t.Fatalf("build: %v %+v", err, res)
	}
	defer api.ImageRemove(ctx, built, image.RemoveOptions{Force: true})
	if !recorded(t, e, built) {
		t.Errorf("%s is not in the ledger: a kill -9 would leave it for good", built)
	}
	bi, err := api.ImageInspect(ctx, built)
	if err != nil {
		t.Fatal(err)
	}
	if got := bi.Config.Labels; got["dev.shipshape.student"] != "ann" || got[docker.LabelBuilt] != "true" {
		t.Errorf("labels %v: want the request's added and shipshape's own kept", got)
	}

	learner, err := e.Build(ctx, "learner-from-built", "FROM "+built+"\nRUN true\n")
	if err != nil {
		t.Fatal(err)
	}
	ii, err := api.ImageInspect(ctx, learner)
	if err != nil {
		t.Fatal(err)
	}
	if ii.Config.Labels[docker.LabelBuilt] != "true" {
		t.Fatalf("the learner's image did not inherit %s; the test proves nothing", docker.LabelBuilt)
	}
	if err := e.Docker.RemoveBuiltImage(ctx, learner); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("the learner's image: %v, want a refusal", err)
	}
	if _, err := api.ImageInspect(ctx, learner); err != nil {
		t.Fatalf("the learner's image is gone: %v", err)
	}
	if _, err := api.ImageRemove(ctx, learner, image.RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}

	if err := e.Docker.RemoveBuiltImage(ctx, built); err != nil {
		t.Fatalf("the built image: %v", err)
	}
	if _, err := api.ImageInspect(ctx, built); err == nil {
		t.Error("the built image is still there")
	}
	if err := e.Docker.RemoveBuiltImage(ctx, built); err != nil {
		t.Errorf("a missing image: %v", err)
	}
	if recorded(t, e, built) {
		t.Errorf("%s is still in the ledger after its removal", built)
	}
}

// recorded reports whether the ledger holds an image entry for ref.
func recorded(t *testing.T, e *dockertest.Env, ref string) bool {
	t.Helper()
	entries, err := e.Ledger.Entries()
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if en.Kind == ledger.Image && en.Ref == ref {
			return true
		}
	}
	return false
}
