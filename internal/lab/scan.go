package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"shipshape/internal/safefile"
	"shipshape/internal/scan"
	"shipshape/internal/termsafe"
)

// ErrNoScanner means neither a trivy binary nor a Trivy image is
// available. Its message says how to get one on each system.
var ErrNoScanner = errors.New(`no vulnerability scanner found: shipshape needs Trivy, either a "trivy" binary on PATH or an aquasec/trivy image on the Docker daemon (shipshape never pulls it for you).
Install Trivy:
  Linux:   Debian/Ubuntu and RHEL/Fedora have Trivy's apt and rpm repositories (https://trivy.dev, "Installation"),
           or: curl -sfL https://raw.githubusercontent.com/aquasecurity/trivy/main/contrib/install.sh | sh -s -- -b /usr/local/bin
           or pull the image yourself: docker pull aquasec/trivy
  macOS:   brew install trivy
  Windows: choco install trivy, or scoop install trivy, or unzip trivy_*_windows-64bit.zip from https://github.com/aquasecurity/trivy/releases
Or scan elsewhere with: trivy image --scanners vuln --format json --output report.json IMAGE, and give shipshape that report.`)

// ScannerPath is how Scanner names a trivy binary found on PATH.
const ScannerPath = "trivy on PATH"

// Scanner says which scanner Scan would use: "trivy on PATH" or
// "image aquasec/trivy:TAG" (a Trivy image already on the daemon, used
// when there is no binary). ok is false when there is none; a Lab without
// a daemon can only find the binary.
func (l *Lab) Scanner(ctx context.Context) (string, bool) {
	if _, err := l.lookPath("trivy"); err == nil {
		return ScannerPath, true
	}
	if l.docker != nil {
		if refs, err := l.docker.TrivyImageRefs(ctx); err == nil && len(refs) > 0 {
			return "image " + refs[0], true
		}
	}
	return "", false
}

// Scan scans imageRef for vulnerabilities with Trivy (vulnerability
// scanner only, JSON output), writes the report into reportDir and parses
// it. A report that is not about this very image is an error. Without a
// scanner the error is ErrNoScanner.
func (l *Lab) Scan(ctx context.Context, imageRef, reportDir string) (ScanResult, error) {
	info, err := l.docker.InspectImage(ctx, imageRef)
	if err != nil {
		return ScanResult{}, fmt.Errorf("cannot scan %s: %w", imageRef, err)
	}
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return ScanResult{}, fmt.Errorf("cannot scan %s: %w", imageRef, err)
	}
	path := filepath.Join(reportDir, "trivy-"+fileSafe(imageRef)+".json")
	res := ScanResult{ReportPath: path}

	if bin, err := l.lookPath("trivy"); err == nil {
		res.Scanner = ScannerPath
		if err := l.runTrivyBinary(ctx, bin, imageRef, path); err != nil {
			return res, err
		}
	} else if name, ok := l.Scanner(ctx); ok {
		res.Scanner = name
		var buf bytes.Buffer
		if err := l.docker.RunTrivyImage(ctx, strings.TrimPrefix(name, "image "), imageRef, &buf); err != nil {
			return res, err
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return res, fmt.Errorf("cannot save the scan report: %w", err)
		}
	} else {
		return ScanResult{}, ErrNoScanner
	}

	f, err := safefile.Open(path)
	if err != nil {
		return res, fmt.Errorf("cannot read the scan report: %w", err)
	}
	defer f.Close()
	rep, err := scan.ParseReport(f)
	if err != nil {
		return res, err
	}
	if !rep.MatchesImage(info.ID, info.DiffIDs) {
		return res, fmt.Errorf("the scan report %s is about image %q, not %s (%s)", path, rep.Metadata.ImageID, imageRef, info.ID)
	}
	res.Report = rep
	return res, nil
}

// runTrivyBinary runs trivy from PATH against the daemon's copy of ref.
func (l *Lab) runTrivyBinary(ctx context.Context, bin, ref, out string) error {
	cmd := exec.CommandContext(ctx, bin, "image", "--scanners", "vuln", "--format", "json",
		"--image-src", "docker", "--output", out, "--quiet", ref)
	cmd.Env = append(os.Environ(), l.env...)
	// trivy must scan the image in the daemon shipshape talks to, which
	// may come from --host or a docker context trivy does not read.
	if host := l.docker.HostURL(); host != "" {
		cmd.Env = append(cmd.Env, "DOCKER_HOST="+host)
	}
	// Only the end of stderr is shown, so only the end is kept: a trivy
	// logging at length must not grow shipshape's memory with it.
	stderr := &tailWriter{max: maxTrivyStderr}
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("cannot scan %s: %w", ref, ctx.Err())
		}
		msg := lastLines(stderr.String(), 3)
		return fmt.Errorf("cannot scan %s: trivy failed (%v): %s", ref, err, termsafe.Line(msg))
	}
	return nil
}

// maxTrivyStderr bounds how much of trivy's stderr is kept for the error
// message.
const maxTrivyStderr = 64 << 10

// tailWriter keeps the last max bytes written to it. It trims only when it
// holds twice that, so each byte is copied a bounded number of times.
type tailWriter struct {
	max int
	buf []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= w.max {
		w.buf = append(w.buf[:0], p[len(p)-w.max:]...)
		return n, nil
	}
	w.buf = append(w.buf, p...)
	if len(w.buf) > 2*w.max {
		w.buf = append(w.buf[:0], w.buf[len(w.buf)-w.max:]...)
	}
	return n, nil
}

// String returns the kept tail; its first line may be cut.
func (w *tailWriter) String() string {
	b := w.buf
	if len(b) > w.max {
		b = b[len(b)-w.max:]
	}
	return string(b)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// fileSafe turns an image reference into a file name part.
func fileSafe(ref string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, ref)
}
