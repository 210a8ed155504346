package lab_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/docker/dockertest"
	"shipshape/internal/lab"
)

// trivyCache is a Trivy cache directory holding a tiny vulnerability
// database (db/trivy.db and db/metadata.json) with one made-up advisory:
// CVE-2099-0001, CRITICAL, in Debian 12's openssl before 3.0.99-1. The
// real database is a download from ghcr.io, which tests cannot reach;
// testdata/trivydbgen writes this one with trivy-db's own packages.
const trivyCache = "testdata/trivy-cache"

// debianLike is a Dockerfile for an image Trivy takes for Debian 12
// (etc/debian_version) with one installed package, openssl at version,
// in the dpkg database: enough for Trivy's Debian scanner, with no
// registry and no real Debian.
func debianLike(version string) string {
	return "FROM BASE\n" +
		`RUN mkdir -p /var/lib/dpkg && echo 12.5 > /etc/debian_version && ` +
		`printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' > /etc/os-release && ` +
		`printf 'Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: ` + version +
		`\nDescription: shipshape test package\n\n' > /var/lib/dpkg/status` + "\n"
}

// copyTrivyCache copies the committed database into a fresh directory,
// because trivy writes its scan cache (fanal/) next to it.
func copyTrivyCache(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"trivy.db", "metadata.json"} {
		data, err := os.ReadFile(filepath.Join(trivyCache, "db", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "db", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestScanWithRealTrivy runs a real trivy binary from PATH, offline, on
// two Debian-like images: one with a vulnerable openssl, one with the
// fixed version. It is skipped without trivy (CI does not build it),
// even under SHIPSHAPE_REQUIRE_DOCKER=1.
func TestScanWithRealTrivy(t *testing.T) {
	if _, err := exec.LookPath("trivy"); err != nil {
		t.Skip("no trivy binary on PATH; to run this test, build one offline: " +
			"GOEXPERIMENT=jsonv2 GOBIN=/tmp/trivybin go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0, " +
			"then PATH=/tmp/trivybin:$PATH go test ./internal/lab/ -run RealTrivy")
	}
	e := dockertest.Need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// Images built FROM the base carry the session labels, so the suite
	// removes them.
	vulnerable, err := e.Build(ctx, "trivy-vulnerable", debianLike("3.0.0-1"))
	if err != nil {
		t.Fatal(err)
	}
	clean, err := e.Build(ctx, "trivy-clean", debianLike("3.0.99-1"))
	if err != nil {
		t.Fatal(err)
	}

	// Everything through the environment, so Scan runs trivy with the
	// same flags it gives learners: the committed database, never a
	// download.
	l := lab.New(e.Docker, lab.WithScannerEnv(
		"TRIVY_CACHE_DIR="+copyTrivyCache(t),
		"TRIVY_SKIP_DB_UPDATE=true",
		"TRIVY_SKIP_JAVA_DB_UPDATE=true",
		"TRIVY_OFFLINE_SCAN=true",
		"TRIVY_DISABLE_TELEMETRY=true",
		"TRIVY_SKIP_VERSION_CHECK=true",
	))
	if s, ok := l.Scanner(ctx); !ok || s != lab.ScannerPath {
		t.Fatalf("scanner %q %v, want trivy on PATH", s, ok)
	}
	reports := t.TempDir()

	res, err := l.Scan(ctx, vulnerable, reports)
	if err != nil {
		t.Fatalf("scan: %v (if trivy says the DB schema does not match, regenerate %s with testdata/trivydbgen)", err, trivyCache)
	}
	rep := res.Report
	if rep.Metadata.OS == nil || rep.Metadata.OS.Family != "debian" {
		t.Errorf("trivy did not take the image for Debian: OS %+v", rep.Metadata.OS)
	}
	if c := rep.Counts(); c["CRITICAL"] != 1 {
		t.Errorf("counts %v, want 1 CRITICAL", c)
	}
	crit := rep.Findings("CRITICAL")
	if len(crit) != 1 {
		t.Fatalf("CRITICAL findings %v", crit)
	}
	if got, want := crit[0].String(), "CRITICAL CVE-2099-0001 openssl 3.0.0-1 (fixed in 3.0.99-1)"; got != want {
		t.Errorf("finding %q, want %q", got, want)
	}

	// scan.no_critical fails on the report trivy wrote...
	engine := check.NewEngine(e.Docker)
	spec := []check.Spec{{ID: "scan", Kind: "scan.no_critical", Required: true}}
	got := engine.Run(ctx, spec, check.Target{Image: vulnerable, TrivyReport: res.ReportPath}, nil).Results[0]
	if got.Status != check.StatusFail || !strings.Contains(strings.Join(got.Evidence, "\n"), "CVE-2099-0001 openssl 3.0.0-1") {
		t.Errorf("vulnerable image: %s %q, want fail naming CVE-2099-0001", got.Status, got.Evidence)
	}

	// ...and passes once openssl is at the fixed version.
	res, err = l.Scan(ctx, clean, reports)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	if rep := res.Report; rep.Metadata.OS == nil || rep.Metadata.OS.Family != "debian" || len(rep.Findings()) != 0 {
		t.Errorf("clean image: OS %+v, findings %v", rep.Metadata.OS, rep.Findings())
	}
	got = engine.Run(ctx, spec, check.Target{Image: clean, TrivyReport: res.ReportPath}, nil).Results[0]
	if got.Status != check.StatusPass || !strings.Contains(strings.Join(got.Evidence, "\n"), "0 CRITICAL") {
		t.Errorf("clean image: %s %q, want pass", got.Status, got.Evidence)
	}
}
