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
	"shipshape/internal/lab"
)

func TestValidateRepoMatchesPacks(t *testing.T) {
	if docker.ValidateRepo != attempt.ImageRepo {
		t.Fatalf("docker.ValidateRepo %q != attempt.ImageRepo %q: RemoveBuiltImage would refuse every image pack validate builds",
			docker.ValidateRepo, attempt.ImageRepo)
	}
}

// TestRemoveBuiltImageGuards builds an image the way pack validate does and
// a learner's image FROM it, which inherits the built label: only the
// first may be removed.
func TestRemoveBuiltImageGuards(t *testing.T) {
	e := dockertest.Need(t)
	ctx := context.Background()
	api := e.API()

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+e.Base+"\nRUN true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	built := docker.ValidateRepo + "/shipshape-test-" + docker.NewSession()[:8] + ":starter"
	res, err := e.Docker.BuildImage(ctx, lab.BuildRequest{Dir: dir, Tag: built}, nil)
	if err != nil || !res.OK() {
		t.Fatalf("build: %v %+v", err, res)
	}
	defer api.ImageRemove(ctx, built, image.RemoveOptions{Force: true})

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
}
