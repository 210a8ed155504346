package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"shipshape/internal/dockerfile"
	"shipshape/internal/workspace"
)

// Project is the learner's project doctor reads the base images of: the
// directory with the Dockerfile and the build flags given to shipshape
// (they win over the directory's shipshape.yaml, as in the builds).
type Project struct {
	Dir       string
	BuildArgs map[string]string
	Pull      bool
}

// imageFinder says whether an image is on the daemon without pulling it.
type imageFinder interface {
	ImageExists(ctx context.Context, ref string) (bool, error)
}

// baseImages reports, per base image of the project's Dockerfile (FROM
// lines with ARG defaults and build arguments substituted), whether the
// daemon has it or a build would have to pull it. It never contacts a
// registry: where none is reachable, a pull would fail or hang, and the
// learner needs to know before they build.
func baseImages(ctx context.Context, add func(what, status, detail, advice string), d imageFinder, p Project) {
	const what = "Base image"
	if p.Dir == "" {
		return
	}
	path := filepath.Join(p.Dir, "Dockerfile")
	f, err := dockerfile.ParseFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		add(what, "ok", "no Dockerfile in "+p.Dir+" to read the FROM lines of", "Run doctor in your project directory, or pass --dir.")
		return
	case err != nil:
		add(what, "warn", err.Error(), "Fix the Dockerfile; the build will say the same.")
		return
	}
	cfg, err := workspace.LoadConfig(p.Dir)
	if err != nil {
		add(what, "warn", err.Error(), "Fix "+workspace.ConfigName+" or remove it; the builds refuse it too.")
		return
	}
	args := workspace.MergeArgs(cfg.Build.Args, p.BuildArgs)
	pull := p.Pull || cfg.Build.Pull
	bases := f.BaseImages(args)
	if len(bases) == 0 {
		add(what, "ok", "the Dockerfile builds FROM scratch only: nothing to pull", "")
		return
	}
	for _, ref := range bases {
		if strings.Contains(ref, "$") || strings.HasSuffix(ref, ":") || strings.HasSuffix(ref, "@") {
			add(what, "warn", fmt.Sprintf("FROM %s: an ARG in it has no value", ref),
				"Give the ARG a default in the Dockerfile, a value under build.args in "+workspace.ConfigName+", or pass --build-arg.")
			continue
		}
		ok, err := d.ImageExists(ctx, ref)
		switch {
		case err != nil:
			add(what, "warn", fmt.Sprintf("%s: cannot tell whether the daemon has it: %v", ref, err), "Check the name; the build needs a valid image reference.")
		case ok && pull:
			add(what, "warn", ref+" is on the daemon, but --pull (or build.pull) makes every build ask its registry for a newer one",
				"Without a registry reachable from the daemon those builds fail; drop --pull (and build.pull) to build from the copy the daemon has.")
		case ok:
			add(what, "ok", ref+" is on the daemon; builds use it without a registry", "")
		default:
			add(what, "warn", ref+" is not on the daemon: the first build pulls it from its registry",
				"Without a registry reachable from the daemon, load the image (docker load -i FILE) or name a local mirror or offline twin under build.args in "+
					workspace.ConfigName+" (e.g. PYTHON_IMAGE: registry.school.example/python:3.13-slim), or pass --build-arg.")
		}
	}
}
