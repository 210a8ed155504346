package report

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/course"
)

func ciReport() (*course.Exercise, check.Report) {
	ex := &course.Exercise{ID: "3.1", Title: "Harden the image"}
	rep := check.Report{Target: check.Target{Image: "task-api:prod", Dir: "app"}, Results: []check.Result{
		{ID: "nonroot", Kind: "dockerfile.nonroot_final", Title: "Final stage runs as non-root, with a colon: and, comma", Status: check.StatusFail, Required: true,
			Evidence: []string{"line 7: final stage (FROM python) has no USER: runs as root", "100% sure"}, Hint: "add USER app", Lesson: "02-non-root"},
		{ID: "health", Kind: "image.healthcheck_defined", Title: "Declares a HEALTHCHECK", Status: check.StatusWarn,
			Evidence: []string{"::add-mask::hunter2", "::error file=x::forged"}},
		{ID: "ignore", Kind: "dockerignore.present", Title: "Has a .dockerignore", Status: check.StatusPass, Required: true},
		{ID: "scan", Kind: "scan.no_critical", Title: "No critical CVEs", Status: check.StatusError, Required: true, Evidence: []string{"no report"}},
	}}
	return ex, rep
}

// The syntax GitHub documents for workflow commands.
var workflowCommand = regexp.MustCompile(`^::(error|warning|notice)(?: ([^:]*))?::(.*)$`)

func unescapeData(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(s)
}

func unescapeProperty(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

type annotation struct {
	level, file, title, message string
	line                        int
}

// parseGitHub reads the output as the runner does: commands outside a
// ::stop-commands:: block are obeyed, text inside is printed.
func parseGitHub(t *testing.T, out string) []annotation {
	t.Helper()
	var got []annotation
	stopToken := ""
	for _, line := range strings.Split(out, "\n") {
		// The runner trims a line before it looks for a command.
		line = strings.TrimSpace(line)
		if stopToken != "" {
			if line == "::"+stopToken+"::" {
				stopToken = ""
			}
			continue
		}
		if tok, ok := strings.CutPrefix(line, "::stop-commands::"); ok {
			stopToken = tok
			continue
		}
		if !strings.HasPrefix(line, "::") {
			continue
		}
		m := workflowCommand.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a workflow command: %q", line)
		}
		a := annotation{level: m[1], message: unescapeData(m[3])}
		for _, kv := range strings.Split(m[2], ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "file":
				a.file = unescapeProperty(v)
			case "line":
				a.line, _ = strconv.Atoi(v)
			case "title":
				a.title = unescapeProperty(v)
			}
		}
		got = append(got, a)
	}
	if stopToken != "" {
		t.Fatal("commands were never resumed")
	}
	return got
}

func TestCheckGitHub(t *testing.T) {
	ex, rep := ciReport()
	var b bytes.Buffer
	if err := CheckGitHub(&b, ex, rep); err != nil {
		t.Fatal(err)
	}
	got := parseGitHub(t, b.String())
	if len(got) != 3 {
		t.Fatalf("%d annotations, want 3 (fail, warn, error; pass has none):\n%s", len(got), b.String())
	}
	fail := got[0]
	if fail.level != "error" || fail.file != "app/Dockerfile" || fail.line != 7 ||
		fail.title != "3.1 nonroot: Final stage runs as non-root, with a colon: and, comma" ||
		!strings.Contains(fail.message, "100% sure\nhint: add USER app\nread: 02-non-root") {
		t.Errorf("failed check: %+v", fail)
	}
	if warn := got[1]; warn.level != "warning" || warn.line != 0 || warn.file != "app/Dockerfile" ||
		!strings.Contains(warn.message, "::add-mask::hunter2") {
		t.Errorf("advisory check: %+v", warn)
	}
	if e := got[2]; e.level != "error" || !strings.HasSuffix(e.title, "(could not check)") {
		t.Errorf("unjudged check: %+v", e)
	}
	// Text from the image ("::add-mask::") is printed inside the quoted
	// block; parseGitHub fails on any other command outside it.
	if !strings.Contains(b.String(), "::add-mask::hunter2") {
		t.Error("the evidence is missing from the text")
	}
}

func TestCheckSummaryEscapes(t *testing.T) {
	ex, rep := ciReport()
	rep.Results[0].Evidence = []string{"a | b <script>"}
	var b bytes.Buffer
	if err := CheckSummary(&b, ex, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, `a \| b &lt;script&gt;`) || !strings.Contains(out, "1 of 3 required checks passed") {
		t.Errorf("summary:\n%s", out)
	}
}

func TestCheckSARIFValidates(t *testing.T) {
	ex, rep := ciReport()
	var b bytes.Buffer
	if err := CheckSARIF(&b, ex, rep); err != nil {
		t.Fatal(err)
	}
	log, err := sarif.FromBytes(b.Bytes(), sarif.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Validate(); err != nil {
		t.Fatalf("not valid SARIF 2.1.0: %v\n%s", err, b.String())
	}
	run := log.Runs[0]
	if len(run.Results) != 4 || len(run.Tool.Driver.Rules) != 4 {
		t.Fatalf("%d results, %d rules", len(run.Results), len(run.Tool.Driver.Rules))
	}
	r := run.Results[0]
	pl := r.Locations[0].PhysicalLocation
	if *r.RuleID != "3.1/nonroot" || r.Level != "error" || *pl.ArtifactLocation.URI != "app/Dockerfile" || *pl.Region.StartLine != 7 {
		t.Errorf("first result: rule %s level %s at %s:%d", *r.RuleID, r.Level, *pl.ArtifactLocation.URI, *pl.Region.StartLine)
	}
	if lv := run.Results[1].Level; lv != "warning" {
		t.Errorf("advisory: %s", lv)
	}
	if k := run.Results[2].Kind; k != "pass" {
		t.Errorf("passed: kind %s", k)
	}
}

func TestChecklistCI(t *testing.T) {
	items := []checklist.ItemResult{
		{Item: checklist.Item{ID: "non-root", Section: "Security", Text: "Runs as non-root"}, Status: checklist.Fail, Evidence: []string{"uid 0"}, Hint: "USER"},
		{Item: checklist.Item{ID: "logs", Section: "Ops", Text: "Logs to stdout"}, Status: checklist.Manual},
		{Item: checklist.Item{ID: "size", Section: "Size", Text: "Small"}, Status: checklist.Pass},
	}
	var b bytes.Buffer
	if err := ChecklistGitHub(&b, ".", "app:prod", "sha256:abc", items, nil); err != nil {
		t.Fatal(err)
	}
	got := parseGitHub(t, b.String())
	if len(got) != 1 || got[0].file != "Dockerfile" || !strings.Contains(got[0].title, "non-root") {
		t.Errorf("annotations %+v", got)
	}
	b.Reset()
	if err := ChecklistSARIF(&b, ".", items); err != nil {
		t.Fatal(err)
	}
	log, err := sarif.FromBytes(b.Bytes(), sarif.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Validate(); err != nil {
		t.Fatalf("not valid SARIF: %v", err)
	}
	if n := len(log.Runs[0].Results); n != 2 {
		t.Errorf("%d results, want 2 (the manual item is not judged)", n)
	}
}
