package docker

import (
	"archive/tar"
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"

	"shipshape/internal/termsafe"
)

// HostURL is the daemon address in use, for tools such as trivy that must
// talk to the same daemon (lab sets their DOCKER_HOST from it).
func (c *Client) HostURL() string { return c.host.URL }

// TrivyRepos are the repositories Trivy's image is published under.
var TrivyRepos = []string{"aquasec/trivy", "docker.io/aquasec/trivy", "ghcr.io/aquasecurity/trivy", "public.ecr.aws/aquasecurity/trivy"}

// TrivyImageRefs implements lab.Docker: the tags of Trivy images
// already on the daemon, newest first. It never pulls.
func (c *Client) TrivyImageRefs(ctx context.Context) ([]string, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	is, err := c.api.ImageList(ctx, image.ListOptions{})
	if err != nil {
		return nil, c.classify("list images", "", err)
	}
	sort.Slice(is, func(i, j int) bool { return is[i].Created > is[j].Created })
	var out []string
	for _, x := range is {
		for _, t := range x.RepoTags {
			repo := t[:max(0, strings.LastIndexByte(t, ':'))]
			for _, r := range TrivyRepos {
				if repo == r {
					out = append(out, t)
				}
			}
		}
	}
	return out, nil
}

// RunTrivyImage implements lab.Docker. It saves target from the
// daemon into a throwaway, labelled container of trivyRef (`docker save`,
// copied in as /tmp/image.tar), so no Docker socket is ever mounted, runs
// `trivy image --input` there with the vulnerability scanner only, and
// writes the JSON report to report. The container is removed in any case.
func (c *Client) RunTrivyImage(ctx context.Context, trivyRef, target string, report io.Writer) error {
	op := fmt.Sprintf("scan %s with %s", target, trivyRef)
	// In the scratch directory, not os.TempDir(): a saved image is as big
	// as the image, and the next shipshape removes it after a kill -9.
	spool, err := c.scratch.CreateTemp("save", ".tar")
	if err != nil {
		return fmt.Errorf("cannot %s: %w", op, err)
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	// docker save takes as long as the image is big: no per-call timeout,
	// but a bound on silence.
	sctx, w := c.watch(ctx, "no data from docker save", false)
	rc, err := c.api.ImageSave(sctx, []string{target})
	var n int64
	if err == nil {
		n, err = io.Copy(spool, w.reader(rc))
		rc.Close()
	}
	stalled := w.stalled(sctx)
	w.stop()
	switch {
	case stalled != nil:
		return c.classify(op, "", stalled)
	case err != nil && n == 0:
		return c.classify(op, target, err)
	case err != nil:
		return fmt.Errorf("cannot %s: saving the image failed: %w", op, err)
	}

	cctx, cancel := c.call(ctx)
	cfg := &container.Config{
		Image:  trivyRef,
		Cmd:    []string{"image", "--scanners", "vuln", "--format", "json", "--output", "/tmp/report.json", "--input", "/tmp/image.tar"},
		Labels: c.Labels("scan"),
	}
	id, err := c.createContainer(cctx, cfg, &container.HostConfig{}, "scan")
	cancel()
	if err != nil {
		return c.classify(op, trivyRef, err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		defer cancel()
		_ = c.RemoveContainer(rctx, id)
	}()

	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("cannot %s: %w", op, err)
	}
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := tw.WriteHeader(&tar.Header{Name: "image.tar", Mode: 0o644, Size: n, ModTime: time.Now()})
		if err == nil {
			_, err = io.Copy(tw, spool)
		}
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	// The daemon reading the tarball is the copy's sign of life; after the
	// last byte it has the idle bound to unpack it and answer.
	cctx, w = c.watch(ctx, "the copy of the saved image into the scan container made no progress", false)
	err = c.api.CopyToContainer(cctx, id, "/tmp", w.reader(pr), container.CopyToContainerOptions{})
	pr.Close()
	stalled = w.stalled(cctx)
	w.stop()
	if stalled != nil {
		return c.classify(op, "", stalled)
	}
	if err != nil {
		return c.classify(op, "", err)
	}
	// A scan has no natural time limit either; a daemon that does not say
	// the container exited and answers nothing else has stalled.
	wctx, w := c.watch(ctx, "no exit from the scan", true)
	defer w.stop()
	waitC, errC := c.api.ContainerWait(wctx, id, container.WaitConditionNextExit)
	sctx, cancel = c.call(ctx)
	err = c.api.ContainerStart(sctx, id, container.StartOptions{})
	cancel()
	if err != nil {
		return c.classify(op, "", err)
	}
	var code int64
	select {
	case res := <-waitC:
		code = res.StatusCode
	case err := <-errC:
		if se := w.stalled(wctx); se != nil {
			return c.classify(op, "", se)
		}
		return c.classify(op, "", err)
	case <-ctx.Done():
		return fmt.Errorf("cannot %s: %w", op, ctx.Err())
	}
	if code != 0 {
		logs, _ := c.Logs(context.WithoutCancel(ctx), id, 5)
		return fmt.Errorf("cannot %s: trivy exited with code %d: %s", op, code, termsafe.Line(strings.TrimSpace(lastLine(logs))))
	}
	cctx, cancel = c.call(ctx)
	defer cancel()
	out, _, err := c.api.CopyFromContainer(cctx, id, "/tmp/report.json")
	if err != nil {
		return c.classify(op, "", err)
	}
	defer out.Close()
	tr := tar.NewReader(out)
	if _, err := tr.Next(); err != nil {
		return fmt.Errorf("cannot %s: reading the report failed: %w", op, err)
	}
	if _, err := io.Copy(report, io.LimitReader(tr, 256<<20)); err != nil {
		return fmt.Errorf("cannot %s: reading the report failed: %w", op, err)
	}
	return nil
}

func lastLine(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	last := ""
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			last = t
		}
	}
	return last
}
