package scan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	prodID  = "sha256:3b1f7e5c9a2d4f6b8c0e1a3d5f7b9c1e3a5d7f9b1c3e5a7d9f1b3c5e7a9d1f3b"
	otherID = "sha256:9e0c2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e"
)

func load(t *testing.T, name string) (*Report, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return ParseReport(f)
}

func TestParseReportErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"truncated.json", "not valid JSON"},
		{"table.txt", "not valid JSON"},
		{"not-trivy.json", "SchemaVersion is missing"},
		{"schema1.json", "unsupported Trivy report schema version 1"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := load(t, tt.file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	inline := []struct{ in, want string }{
		{"", "empty"},
		{"  \n", "empty"},
		{"[1,2]", "not a JSON object"},
		{`{"SchemaVersion": 2}`, "ArtifactName is missing"},
		{`{"SchemaVersion": "2", "ArtifactName": "x"}`, "cannot decode"},
		{`{"SchemaVersion": 3, "ArtifactName": "x"}`, "version 3"},
	}
	for _, tt := range inline {
		_, err := ParseReport(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseReport(%q) err = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestParseReportTooLarge(t *testing.T) {
	big := strings.NewReader(`{"SchemaVersion":2,"ArtifactName":"` + strings.Repeat("x", MaxReportSize) + `"}`)
	if _, err := ParseReport(big); err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseReportFields(t *testing.T) {
	r, err := load(t, "clean.json")
	if err != nil {
		t.Fatal(err)
	}
	if r.SchemaVersion != 2 || r.ArtifactName != "task-api:prod" || r.ArtifactType != "container_image" ||
		r.Metadata.ImageID != prodID || r.Metadata.OS == nil || r.Metadata.OS.Family != "debian" ||
		r.Metadata.ImageConfig == nil || r.Metadata.ImageConfig.Config.User != "appuser" || len(r.Results) != 2 ||
		r.Results[1].Class != "lang-pkgs" {
		t.Errorf("report = %+v", r)
	}
	r, err = load(t, "critical.json")
	if err != nil {
		t.Fatal(err)
	}
	v := r.Results[0].Vulnerabilities[1]
	if v.VulnerabilityID != "CVE-2023-0002" || v.PkgName != "libssl3" || v.InstalledVersion != "3.0.9-1" ||
		v.FixedVersion != "3.0.11-1~deb12u1" || v.Status != "fixed" || v.Severity != "CRITICAL" || v.Title == "" {
		t.Errorf("vulnerability = %+v", v)
	}
	if len(r.Metadata.RepoDigests) != 1 {
		t.Errorf("repo digests = %q", r.Metadata.RepoDigests)
	}
}

func TestMatchesImage(t *testing.T) {
	r, err := load(t, "clean.json")
	if err != nil {
		t.Fatal(err)
	}
	other, err := load(t, "other-image.json")
	if err != nil {
		t.Fatal(err)
	}
	none, err := load(t, "no-image-id.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		r    *Report
		id   string
		want bool
	}{
		{"full id", r, prodID, true},
		{"without prefix", r, strings.TrimPrefix(prodID, "sha256:"), true},
		{"upper case", r, strings.ToUpper(prodID), true},
		{"other image", r, otherID, false},
		{"other report", other, prodID, false},
		{"short id", r, prodID[7:19], false},
		{"empty id", r, "", false},
		{"report without id", none, "", false},
		{"report without id vs real", none, prodID, false},
		{"bare prefix", r, "sha256:", false},
	}
	for _, tt := range tests {
		if got := tt.r.MatchesImage(tt.id, nil); got != tt.want {
			t.Errorf("%s: MatchesImage(%q) = %v", tt.name, tt.id, got)
		}
	}
}

// On the containerd store inspect's ID is a manifest digest, which a
// report never names: the layer digests bind it, all of them, in order.
func TestMatchesImageByLayers(t *testing.T) {
	l1, l2 := "sha256:"+strings.Repeat("1", 64), "sha256:"+strings.Repeat("2", 64)
	manifest := "sha256:" + strings.Repeat("9", 64)
	r := &Report{}
	r.Metadata.ImageID = "sha256:" + strings.Repeat("c", 64)
	r.Metadata.DiffIDs = []string{l1, l2}
	for _, tt := range []struct {
		name   string
		layers []string
		want   bool
	}{
		{"same layers", []string{l1, l2}, true},
		{"layers without prefix", []string{l1[7:], l2[7:]}, true},
		{"one layer more", []string{l1, l2, l1}, false},
		{"other order", []string{l2, l1}, false},
		{"a layer changed", []string{l1, l1}, false},
		{"no layers", nil, false},
	} {
		if got := r.MatchesImage(manifest, tt.layers); got != tt.want {
			t.Errorf("%s: MatchesImage = %v, want %v", tt.name, got, tt.want)
		}
	}
	empty := &Report{}
	if empty.MatchesImage(manifest, []string{""}) {
		t.Error("a report without layers matched an image with an empty layer digest")
	}
}

func TestCountsAndFindings(t *testing.T) {
	clean, err := load(t, "clean.json")
	if err != nil {
		t.Fatal(err)
	}
	for sev, n := range clean.Counts() {
		if n != 0 {
			t.Errorf("clean %s = %d", sev, n)
		}
	}
	if len(clean.Counts()) != 5 || len(clean.Findings()) != 0 {
		t.Errorf("clean counts %v findings %v", clean.Counts(), clean.Findings())
	}

	r, err := load(t, "critical.json")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"CRITICAL": 3, "HIGH": 1, "MEDIUM": 1, "LOW": 1, "UNKNOWN": 1}
	got := r.Counts()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("count %s = %d, want %d", k, got[k], v)
		}
	}
	crit := r.Findings("critical")
	var lines []string
	for _, f := range crit {
		lines = append(lines, f.String())
	}
	wantLines := []string{
		"CRITICAL CVE-2023-0002 libssl3 3.0.9-1 (fixed in 3.0.11-1~deb12u1)",
		"CRITICAL CVE-2023-0006 starlette 0.27.0 (fixed in 0.36.2)",
		"CRITICAL CVE-2023-0001 zlib1g 1:1.2.13.dfsg-1 (will_not_fix)",
	}
	if strings.Join(lines, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("critical findings:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
	}
	all := r.Findings()
	var order []string
	for _, f := range all {
		order = append(order, f.Severity+" "+f.PkgName)
	}
	wantOrder := "CRITICAL libssl3,CRITICAL starlette,CRITICAL zlib1g,HIGH libssl3,MEDIUM coreutils,LOW bash,UNKNOWN login"
	if strings.Join(order, ",") != wantOrder {
		t.Errorf("order = %s", strings.Join(order, ","))
	}
	if hc := r.Findings("HIGH", "CRITICAL"); len(hc) != 4 {
		t.Errorf("HIGH+CRITICAL = %d", len(hc))
	}
	if f := (Finding{Severity: "LOW", ID: "X", PkgName: "p", InstalledVersion: "1"}); f.String() != "LOW X p 1 (no fix yet)" {
		t.Errorf("String = %q", f.String())
	}
}

func TestUnknownSeverityNormalised(t *testing.T) {
	r, err := ParseReport(strings.NewReader(`{"SchemaVersion":2,"ArtifactName":"x","Results":[{"Target":"t","Vulnerabilities":[{"VulnerabilityID":"A","PkgName":"p","InstalledVersion":"1","Severity":"bogus"},{"VulnerabilityID":"B","PkgName":"p","InstalledVersion":"1","Severity":"critical"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Counts(); c["UNKNOWN"] != 1 || c["CRITICAL"] != 1 {
		t.Errorf("counts = %v", c)
	}
}
