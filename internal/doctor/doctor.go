// Package doctor examines what the exercises need of the learner's
// machine: a reachable Docker daemon and which address was used, the
// engine, its network and image store, the builder the docker CLI will
// use, Trivy, and free disk. Each problem comes with advice.
package doctor

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"shipshape/internal/docker"
	"shipshape/internal/lab"
)

// minFreeBytes is the free space below which doctor warns: the Task API
// images and their build cache take a few gigabytes.
const minFreeBytes = 5_000_000_000

// Finding is one thing doctor looked at: its Status is ok, warn or fail,
// with Advice for the last two.
type Finding struct {
	What, Status, Detail, Advice string
}

// Examine looks at the machine and the daemon opts name, and at the base
// images of project's Dockerfile, finding by finding. usable says whether
// the daemon can run the exercises.
func Examine(ctx context.Context, opts docker.Options, project Project) (findings []Finding, usable bool) {
	add := func(what, status, detail, advice string) {
		findings = append(findings, Finding{What: what, Status: status, Detail: detail, Advice: advice})
	}
	// scanners looks for Trivy the way scanning does: a daemon that answers
	// may hold an aquasec/trivy image to scan with.
	scanners := lab.New(nil)
	dc, err := docker.New(opts)
	if err != nil {
		add("Docker daemon", "fail", err.Error(), "Fix the docker context or pass --host unix:///var/run/docker.sock.")
	} else {
		defer dc.Close()
		d := dc.Diagnose(ctx)
		src := fmt.Sprintf("%s (from %s)", d.Host.URL, d.Host.Source)
		if d.Err != nil {
			add("Docker daemon", "fail", d.Err.Error(), docker.Advice(d.Err))
		} else {
			usable = true
			scanners = lab.New(dc)
			add("Docker daemon", "ok", "reachable at "+src, "")
			add("Engine", "ok", fmt.Sprintf("Docker Engine %s, API %s (shipshape needs %s or newer), %s %s", d.EngineVersion, d.APIVersion, docker.MinAPIVersion, d.OS, d.Arch), "")
			if d.NoDefaultBridge || dc.BridgeBroken(ctx) {
				add("Network", "warn", "the engine's default bridge network does not work: `docker run` without --network fails (docker0 may have been deleted, for example by a second dockerd started with --bridge=none)",
					"Restart the Docker daemon to recreate it (`sudo systemctl restart docker`). shipshape's checks run without a network and still work; the exercise screen's run (r) needs the bridge.")
			}
			if d.ContainerdStore {
				add("Image store", "ok", "containerd (image IDs are manifest digests; `docker image ls` sizes count compressed and unpacked data)",
					"shipshape's size checks measure the unpacked layers, the same figure on either store.")
			}
			if d.UsernsRemap {
				add("User namespaces", "warn", "the engine remaps user ids (userns-remap)", "image.user_nonroot reads process uids as the host sees them; judge it from the image's USER.")
			}
			switch {
			case d.FreeBytes < 0:
				add("Free disk", "ok", "not measurable from here (the engine runs in a VM or on another machine)", "")
			case d.FreeBytes < minFreeBytes:
				add("Free disk", "warn", fmt.Sprintf("%.1f GB free in %s", float64(d.FreeBytes)/1e9, d.RootDir), "Free space with `docker system prune` (it removes stopped containers and unused images).")
			default:
				add("Free disk", "ok", fmt.Sprintf("%.1f GB free in %s", float64(d.FreeBytes)/1e9, d.RootDir), "")
			}
			baseImages(ctx, add, dc, project)
		}
		builder(add, d)
	}
	trivy(ctx, add, scanners.Scanner)

	return findings, usable
}

// builder reports how the learner's `docker build` will build, which
// depends on the CLI and its buildx plugin as much as on the engine.
func builder(add func(what, status, detail, advice string), d docker.Diagnosis) {
	if _, err := exec.LookPath("docker"); err != nil {
		add("Builder", "fail", "no docker command in PATH", "Install the Docker CLI (it comes with Docker Desktop or the docker-ce-cli package).")
		return
	}
	cli, _ := runTool("docker", "version", "--format", "{{.Client.Version}}")
	bx, bxErr := runTool("docker", "buildx", "version")
	b := docker.DescribeCLIBuild(firstLine(cli), bxErr == nil, d.BuilderVersion, os.Getenv("DOCKER_BUILDKIT"))
	switch {
	case b.Broken:
		add("Builder", "fail", b.Why, "Install the buildx plugin (docker-buildx-plugin, or docker-buildx on Debian), or unset DOCKER_BUILDKIT.")
	case b.BuildKit && bxErr == nil:
		add("Builder", "ok", b.Why+" ("+firstLine(bx)+")", "")
	case b.BuildKit:
		add("Builder", "ok", b.Why, "")
	default:
		advice := "Install the buildx plugin (docker-buildx-plugin, or docker-buildx on Debian) for BuildKit; cache mounts and <Dockerfile>.dockerignore need it."
		if d.BuilderVersion == "2" {
			advice += " shipshape's own builds (b in the exercise screen) already use the engine's BuildKit."
		}
		add("Builder", "warn", b.Why, advice)
	}
}

func trivy(ctx context.Context, add func(what, status, detail, advice string), scanner func(context.Context) (string, bool)) {
	name, ok := scanner(ctx)
	switch {
	case !ok:
		add("Trivy", "warn", "no trivy on PATH and no aquasec/trivy image on the daemon (needed for exercise 3.3)",
			"Install Trivy (https://trivy.dev) or `docker pull aquasec/trivy` (shipshape never pulls it), or scan elsewhere and pass the JSON report with --trivy-report.")
		return
	case name != lab.ScannerPath:
		add("Trivy", "ok", name+" on the daemon (no trivy on PATH)", "")
		return
	}
	out, err := runTool("trivy", "--version")
	if err != nil {
		add("Trivy", "warn", "trivy is installed but `trivy --version` failed: "+err.Error(), "Reinstall Trivy.")
		return
	}
	add("Trivy", "ok", firstLine(out), "")
}

// runTool runs a helper with a timeout, so a hung plugin cannot hang doctor.
func runTool(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = &out
	cmd.Stderr = io.Discard
	err := cmd.Run()
	return out.String(), err
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
