// Command trivydbgen writes the tiny Trivy vulnerability database that
// internal/lab's Trivy integration test scans with, so the test needs no
// network: the real database is a download from ghcr.io.
//
// It uses trivy-db's own packages, so the file has exactly the layout and
// schema a real trivy reads. It is a separate module (this directory has
// its own go.mod) to keep trivy-db and its dependencies out of
// shipshape's go.mod. Regenerate the committed files after a trivy-db
// schema change (db.SchemaVersion) with:
//
//	cd internal/lab/testdata/trivydbgen && go run . ../trivy-cache
//
// which writes ../trivy-cache/db/trivy.db and ../trivy-cache/db/metadata.json.
// Bump the trivy-db version in go.mod to match the trivy being tested
// (see trivy's own go.mod).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/metadata"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/vulnerability"
)

// The one advisory: Debian 12's openssl is vulnerable before 3.0.99-1.
// The ID is made up so nobody mistakes it for a real flaw.
const (
	release  = "debian 12"
	pkgName  = "openssl"
	vulnID   = "CVE-2099-0001"
	fixedIn  = "3.0.99-1"
	vulnName = "shipshape test: made-up CRITICAL flaw in openssl"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run . CACHE_DIR")
		os.Exit(2)
	}
	if err := write(filepath.Join(os.Args[1], "db")); err != nil {
		fmt.Fprintln(os.Stderr, "trivydbgen:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	// Start from nothing: bolt would add to an existing file.
	if err := os.Remove(db.Path(dir)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("cannot remove the old database: %w", err)
	}
	if err := db.Init(dir); err != nil {
		return fmt.Errorf("cannot create the database: %w", err)
	}
	defer db.Close()
	dbc := db.Config{}
	err := dbc.BatchUpdate(func(tx *bolt.Tx) error {
		if err := dbc.PutDataSource(tx, release, types.DataSource{ID: vulnerability.Debian,
			Name: "Debian Security Tracker", URL: "https://salsa.debian.org/security-tracker-team/security-tracker"}); err != nil {
			return err
		}
		// The layout trivy-db's build leaves behind: advisories under
		// "<release>" / "<source package>", keyed by vulnerability ID.
		if err := dbc.PutAdvisory(tx, []string{release, pkgName}, vulnID, types.Advisory{FixedVersion: fixedIn}); err != nil {
			return err
		}
		return dbc.PutVulnerability(tx, vulnID, types.Vulnerability{
			Title:    vulnName,
			Severity: "CRITICAL",
			VendorSeverity: types.VendorSeverity{
				vulnerability.Debian: types.SeverityCritical,
				vulnerability.NVD:    types.SeverityCritical,
			},
		})
	})
	if err != nil {
		return fmt.Errorf("cannot write the advisory: %w", err)
	}
	// Fixed dates keep the committed file stable; NextUpdate far ahead
	// means even a trivy run without --skip-db-update will not try to
	// download a newer database.
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return metadata.NewClient(dir).Update(metadata.Metadata{
		Version:      db.SchemaVersion,
		NextUpdate:   at.AddDate(100, 0, 0),
		UpdatedAt:    at,
		DownloadedAt: at,
	})
}
