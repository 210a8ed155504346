package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/human"
	"shipshape/internal/termsafe"
)

// Format is an output format of a report.
type Format string

// The formats; the checklist has no JUnit form.
const (
	FormatText  Format = "text"
	FormatJSON  Format = "json"
	FormatJUnit Format = "junit"
	// FormatGitHub is GitHub Actions' workflow commands: annotations on
	// the Dockerfile line.
	FormatGitHub Format = "github"
	// FormatSARIF is SARIF 2.1.0, for code-scanning dashboards.
	FormatSARIF Format = "sarif"
)

// CheckFormats are the formats a check report comes in.
var CheckFormats = []Format{FormatText, FormatJSON, FormatJUnit, FormatGitHub, FormatSARIF}

// ParseFormat is s when it is one of allowed, else an error naming them.
func ParseFormat(s string, allowed ...Format) (Format, error) {
	names := make([]string, len(allowed))
	for i, f := range allowed {
		if string(f) == s {
			return f, nil
		}
		names[i] = string(f)
	}
	list := strings.Join(names, ", ")
	if n := len(names); n > 1 {
		list = strings.Join(names[:n-1], ", ") + " or " + names[n-1]
	}
	return "", fmt.Errorf("unknown --format %q: use %s", s, list)
}

// WriteCheck writes rep in format f to the file output, or to stdout when
// output is "". In GitHub Actions (format github) the job summary gets a
// table of the checks too.
func WriteCheck(stdout io.Writer, output string, f Format, ex *course.Exercise, rep check.Report) error {
	out := stdout
	var file *os.File
	if output != "" {
		var err error
		if file, err = os.Create(output); err != nil {
			return err
		}
		out = file
	}
	err := Check(out, f, ex, rep)
	if f == FormatGitHub && err == nil {
		err = AppendJobSummary(func(w io.Writer) error { return CheckSummary(w, ex, rep) })
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Check writes rep in format f.
func Check(w io.Writer, f Format, ex *course.Exercise, rep check.Report) error {
	switch f {
	case FormatJSON:
		return CheckJSON(w, ex.ID, rep)
	case FormatJUnit:
		return CheckJUnit(w, ex, rep)
	case FormatGitHub:
		return CheckGitHub(w, ex, rep)
	case FormatSARIF:
		return CheckSARIF(w, ex, rep)
	}
	CheckText(w, ex, rep)
	return nil
}

// CheckDoc is the stable shape of `check --format json`.
type CheckDoc struct {
	Exercise string `json:"exercise"`
	Image    string `json:"image"`
	ImageID  string `json:"image_id"`
	Passed   bool   `json:"passed"`
	// Notes are about the attempt as a whole (an image older than its
	// Dockerfile); omitted when there are none.
	Notes      []string         `json:"notes,omitempty"`
	StartedAt  time.Time        `json:"started_at"`
	DurationMS int64            `json:"duration_ms"`
	Checks     []CheckResultDoc `json:"checks"`
}

// CheckResultDoc is one check of a CheckDoc.
type CheckResultDoc struct {
	ID         string   `json:"id"`
	Kind       string   `json:"kind"`
	Title      string   `json:"title"`
	Status     string   `json:"status"`
	Required   bool     `json:"required"`
	Evidence   []string `json:"evidence"`
	Hint       string   `json:"hint"`
	Lesson     string   `json:"lesson"`
	DurationMS int64    `json:"duration_ms"`
}

// CheckJSON writes rep as the stable JSON of `check --format json`.
func CheckJSON(w io.Writer, exerciseID string, rep check.Report) error {
	doc := CheckDoc{
		Exercise: exerciseID, Image: rep.Target.Image, ImageID: rep.ImageID, Passed: rep.Passed(),
		StartedAt: rep.StartedAt.UTC(), DurationMS: rep.Duration.Milliseconds(), Checks: []CheckResultDoc{},
		Notes: rep.Notes,
	}
	for _, r := range rep.Results {
		ev := r.Evidence
		if ev == nil {
			ev = []string{}
		}
		doc.Checks = append(doc.Checks, CheckResultDoc{
			ID: r.ID, Kind: r.Kind, Title: r.Title, Status: string(r.Status), Required: r.Required,
			Evidence: ev, Hint: r.Hint, Lesson: r.Lesson, DurationMS: r.Duration.Milliseconds(),
		})
	}
	return JSON(w, doc, false)
}

var statusLabel = map[check.Status]string{
	check.StatusPass: "PASS ", check.StatusFail: "FAIL ", check.StatusWarn: "WARN ",
	check.StatusError: "ERROR", check.StatusSkip: "SKIP ",
}

// CheckText writes rep for a person: every check with its evidence, and
// the hint and lesson of those that did not pass.
func CheckText(w io.Writer, ex *course.Exercise, rep check.Report) {
	id := ""
	if rep.ImageID != "" {
		id = " (" + human.ShortID(rep.ImageID) + ")"
	}
	fmt.Fprintf(w, "Exercise %s: %s\n", ex.ID, termsafe.Line(ex.Title))
	if rep.Target.Image != "" {
		fmt.Fprintf(w, "Image %s%s\n", termsafe.Line(rep.Target.Image), id)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", termsafe.Line(n))
	}
	fmt.Fprintln(w)
	for _, r := range rep.Results {
		level := "required"
		if !r.Required {
			level = "advisory"
		}
		fmt.Fprintf(w, "%s  %s  [%s, %s, %s]\n", statusLabel[r.Status], termsafe.Line(r.Title), r.ID, level, r.Duration.Round(10*time.Millisecond))
		for _, e := range r.Evidence {
			for _, line := range strings.Split(termsafe.Text(e), "\n") {
				fmt.Fprintf(w, "       %s\n", line)
			}
		}
		if r.Status != check.StatusPass && r.Status != check.StatusSkip {
			if r.Hint != "" {
				fmt.Fprintf(w, "       hint: %s\n", termsafe.Line(r.Hint))
			}
			if r.Lesson != "" && r.Status != check.StatusError {
				fmt.Fprintf(w, "       read: %s\n", termsafe.Line(r.Lesson))
			}
		}
	}
	fmt.Fprintln(w)
	tally := rep.Tally()
	verdict := "PASSED"
	switch tally.Outcome() {
	case check.OutcomeFailed:
		verdict = "NOT PASSED"
	case check.OutcomeIncomplete:
		verdict = "COULD NOT CHECK"
	}
	fmt.Fprintf(w, "%s: %d of %d required checks passed", verdict, tally.RequiredPassed, tally.Required)
	if tally.Warned > 0 {
		fmt.Fprintf(w, ", %d advisory warning(s)", tally.Warned)
	}
	fmt.Fprintf(w, " in %s\n", rep.Duration.Round(100*time.Millisecond))
}

// JUnit XML, the subset CI systems read.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
	// SystemOut carries the report's notes.
	SystemOut string `xml:"system-out,omitempty"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

func junitSeconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// CheckJUnit writes rep as JUnit XML, one suite with a case per check.
func CheckJUnit(w io.Writer, ex *course.Exercise, rep check.Report) error {
	s := junitSuite{
		Name: "shipshape " + ex.ID + " " + ex.Title, Time: junitSeconds(rep.Duration),
		Timestamp: rep.StartedAt.UTC().Format("2006-01-02T15:04:05"),
		SystemOut: strings.Join(rep.Notes, "\n"),
	}
	for _, r := range rep.Results {
		c := junitCase{Name: r.ID + ": " + r.Title, Classname: "shipshape." + ex.ID + "." + r.Kind, Time: junitSeconds(r.Duration)}
		body := strings.Join(r.Evidence, "\n")
		if r.Hint != "" {
			body += "\nhint: " + r.Hint
		}
		if r.Lesson != "" {
			body += "\nread: " + r.Lesson
		}
		msg := ""
		if len(r.Evidence) > 0 {
			msg = r.Evidence[0]
		}
		switch r.Status {
		case check.StatusFail:
			c.Failure = &junitProblem{Message: msg, Type: "fail", Body: body}
		case check.StatusError:
			c.Error = &junitProblem{Message: msg, Type: "error", Body: body}
		case check.StatusSkip:
			c.Skipped = &junitProblem{Message: msg}
		case check.StatusWarn:
			c.SystemOut = "advisory check not met (warning):\n" + body
		default:
			c.SystemOut = strings.Join(r.Evidence, "\n")
		}
		s.Cases = append(s.Cases, c)
	}
	tally := rep.Tally()
	s.Tests, s.Failures, s.Errors, s.Skipped = len(rep.Results), tally.Failed, tally.Errors, tally.Skipped
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
