// Package scan reads vulnerability reports written by Trivy
// (`trivy image --format json`, schema version 2) and summarises them for
// the scan.no_critical check. It runs no scanner itself.
package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// MaxReportSize bounds how much of a report ParseReport reads. Reports for
// large images with every scanner enabled reach a few tens of megabytes.
const MaxReportSize = 64 << 20

// SupportedSchemaVersion is the Trivy JSON schema this package understands.
const SupportedSchemaVersion = 2

// Severities in decreasing order, as Trivy spells them.
var Severities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"}

// Report is the part of a Trivy JSON report the course uses. Field names
// follow Trivy's pkg/types.Report.
type Report struct {
	SchemaVersion int
	CreatedAt     string `json:",omitempty"`
	ArtifactName  string
	ArtifactType  string
	Metadata      Metadata
	Results       []Result
}

// Metadata describes the scanned artifact.
type Metadata struct {
	OS          *OS          `json:",omitempty"`
	ImageID     string       `json:",omitempty"`
	DiffIDs     []string     `json:",omitempty"`
	RepoTags    []string     `json:",omitempty"`
	RepoDigests []string     `json:",omitempty"`
	ImageConfig *ImageConfig `json:",omitempty"`
}

// OS is the detected operating system of the image.
type OS struct {
	Family string
	Name   string
	EOSL   bool `json:",omitempty"`
}

// ImageConfig is the OCI image configuration Trivy copies into the report
// (lower-case keys, as in the OCI spec).
type ImageConfig struct {
	Architecture string          `json:"architecture,omitempty"`
	OS           string          `json:"os,omitempty"`
	Created      string          `json:"created,omitempty"`
	Config       ContainerConfig `json:"config"`
}

// ContainerConfig is the runtime part of ImageConfig.
type ContainerConfig struct {
	User       string   `json:"User,omitempty"`
	Env        []string `json:"Env,omitempty"`
	Cmd        []string `json:"Cmd,omitempty"`
	Entrypoint []string `json:"Entrypoint,omitempty"`
}

// Result is one scan target: the OS packages, or one language's packages.
type Result struct {
	Target          string
	Class           string          `json:",omitempty"`
	Type            string          `json:",omitempty"`
	Vulnerabilities []Vulnerability `json:",omitempty"`
}

// Vulnerability is one detected vulnerability (Trivy's
// types.DetectedVulnerability).
type Vulnerability struct {
	VulnerabilityID  string
	PkgID            string `json:",omitempty"`
	PkgName          string
	InstalledVersion string
	FixedVersion     string `json:",omitempty"`
	Status           string `json:",omitempty"`
	Severity         string
	Title            string `json:",omitempty"`
	PrimaryURL       string `json:",omitempty"`
}

// ParseReport decodes a Trivy JSON report. It rejects input that is not
// JSON, JSON that is not a Trivy report, and schema versions other than 2,
// each with a message that says what to run instead.
func ParseReport(r io.Reader) (*Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxReportSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read scan report: %w", err)
	}
	if len(data) > MaxReportSize {
		return nil, fmt.Errorf("scan report is larger than %d MiB; is it the right file?", MaxReportSize>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("scan report is empty: run trivy image --format json --output report.json IMAGE")
	}
	// Probe the shape first, so a table report or another tool's JSON gets
	// a precise message instead of a type error.
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("scan report is not valid JSON (at byte %d): was it cut short, or written without --format json?", offset(err))
		}
		return nil, fmt.Errorf("scan report is not a JSON object: %w", err)
	}
	if _, ok := probe["SchemaVersion"]; !ok {
		return nil, errors.New("not a Trivy report: SchemaVersion is missing (write it with trivy image --format json)")
	}
	if _, ok := probe["ArtifactName"]; !ok {
		return nil, errors.New("not a Trivy report: ArtifactName is missing (write it with trivy image --format json)")
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("cannot decode Trivy report: %w", err)
	}
	if rep.SchemaVersion != SupportedSchemaVersion {
		return nil, fmt.Errorf("unsupported Trivy report schema version %d (want %d): use a current Trivy release", rep.SchemaVersion, SupportedSchemaVersion)
	}
	return &rep, nil
}

func offset(err error) int64 {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return syn.Offset
	}
	return 0
}

// MatchesImage reports whether the report is about the image with the given
// ID (as docker image inspect prints it) and layer digests (inspect's
// RootFS.Layers). IDs compare in full, with or without the sha256: prefix.
// On the containerd image store the inspect ID is a manifest or index
// digest while Trivy names the config digest, so the two never agree
// there; the layer digests do, on both stores, and bind the report to the
// very content that was scanned. An empty ID and no layers on either side
// never match, so a report without image metadata cannot pass for any
// image.
func (r *Report) MatchesImage(imageID string, diffIDs []string) bool {
	a, b := normID(r.Metadata.ImageID), normID(imageID)
	if a != "" && a == b {
		return true
	}
	if len(diffIDs) == 0 || len(r.Metadata.DiffIDs) != len(diffIDs) {
		return false
	}
	for i := range diffIDs {
		x, y := normID(r.Metadata.DiffIDs[i]), normID(diffIDs[i])
		if x == "" || x != y {
			return false
		}
	}
	return true
}

func normID(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) != 64 || strings.Trim(id, "0123456789abcdef") != "" {
		return ""
	}
	return id
}

// Finding is one distinct vulnerability in one installed package.
type Finding struct {
	ID               string
	Severity         string
	PkgName          string
	InstalledVersion string
	FixedVersion     string
	Status           string
	Title            string
	Target           string
}

// String is the evidence line: "CRITICAL CVE-2024-1 openssl 3.0.1 (fixed in 3.0.2)".
func (f Finding) String() string {
	s := fmt.Sprintf("%s %s %s %s", f.Severity, f.ID, f.PkgName, f.InstalledVersion)
	switch {
	case f.FixedVersion != "":
		s += " (fixed in " + f.FixedVersion + ")"
	case f.Status != "":
		s += " (" + f.Status + ")"
	default:
		s += " (no fix yet)"
	}
	return s
}

// severity normalises a severity; anything Trivy might add later counts as
// UNKNOWN rather than disappearing.
func severity(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if slices.Contains(Severities, s) {
		return s
	}
	return "UNKNOWN"
}

func rank(s string) int { return slices.Index(Severities, s) }

// all returns every finding, deduplicated per (id, package, installed
// version): the same package is often reported by several targets.
func (r *Report) all() []Finding {
	type key struct{ id, pkg, ver string }
	seen := map[key]bool{}
	var out []Finding
	for _, res := range r.Results {
		for _, v := range res.Vulnerabilities {
			k := key{v.VulnerabilityID, v.PkgName, v.InstalledVersion}
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, Finding{
				ID: v.VulnerabilityID, Severity: severity(v.Severity), PkgName: v.PkgName,
				InstalledVersion: v.InstalledVersion, FixedVersion: v.FixedVersion,
				Status: v.Status, Title: v.Title, Target: res.Target,
			})
		}
	}
	return out
}

// Counts returns the number of distinct findings per severity; every key of
// Severities is present.
func (r *Report) Counts() map[string]int {
	out := make(map[string]int, len(Severities))
	for _, s := range Severities {
		out[s] = 0
	}
	for _, f := range r.all() {
		out[f.Severity]++
	}
	return out
}

// Findings returns the distinct findings with the given severities (all
// when none are given), most severe first, then by package, version and ID.
func (r *Report) Findings(severities ...string) []Finding {
	want := map[string]bool{}
	for _, s := range severities {
		want[severity(s)] = true
	}
	var out []Finding
	for _, f := range r.all() {
		if len(want) == 0 || want[f.Severity] {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b Finding) int {
		if d := rank(a.Severity) - rank(b.Severity); d != 0 {
			return d
		}
		return cmpStrings(a.PkgName, b.PkgName, a.InstalledVersion, b.InstalledVersion, a.ID, b.ID)
	})
	return out
}

func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}
