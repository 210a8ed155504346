package main

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/human"
	"shipshape/internal/progress"
	"shipshape/internal/termsafe"
)

// checkOptions are the flags of `shipshape check`.
type checkOptions struct {
	image, devImage, dir, format, output, trivyReport string
}

func newCheckCmd(a *app) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check EXERCISE",
		Short: "Check an exercise against your image and Dockerfile (exit 0 passed, 1 failed, 2 could not check)",
		Long: `Check an exercise, such as 3.1, against your Docker images, Dockerfile and
.dockerignore, and record the result in your progress.

Exit status: 0 when every required check passed, 1 when a required check
failed, 2 when the exercise could not be checked (usage error, Docker
daemon unreachable, image missing); the reason is then printed on stderr.`,
		Example: `  shipshape check 3.1
  shipshape check 3.2 --image task-api:prod --dev-image task-api:dev --dir .
  shipshape check 3.3 --trivy-report report.json --format json
  shipshape check 3.4 --format junit --output results.xml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("check needs exactly one EXERCISE, such as 3.1 (see '%s --help')", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("image") {
				o.image = ""
			}
			if !cmd.Flags().Changed("dev-image") {
				o.devImage = ""
			}
			return runCheck(cmd.Context(), a, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.image, "image", "task-api:prod", "the image to check, `REF`")
	f.StringVar(&o.devImage, "dev-image", "task-api:dev", "the dev image to compare sizes with, `REF`")
	f.StringVar(&o.dir, "dir", ".", "the `DIR` holding the Dockerfile and .dockerignore")
	f.StringVar(&o.format, "format", "text", "output `FORMAT`: text, json or junit")
	f.StringVarP(&o.output, "output", "o", "", "write the results to `FILE` instead of standard output")
	f.StringVar(&o.trivyReport, "trivy-report", "", "a Trivy JSON report (`FILE`) of the image, for scan.no_critical")
	return cmd
}

func runCheck(ctx context.Context, a *app, exerciseID string, o checkOptions) error {
	switch o.format {
	case "text", "json", "junit":
	default:
		return usageError("unknown --format %q: use text, json or junit", o.format)
	}
	pack, err := a.loadPack()
	if err != nil {
		return err
	}
	ex, _ := pack.Exercise(exerciseID)
	if ex == nil {
		var ids []string
		for _, e := range pack.Exercises() {
			ids = append(ids, e.ID)
		}
		return usageError("no exercise %q in %s (exercises: %s)", exerciseID, pack.Title, strings.Join(ids, ", "))
	}
	o.image, o.devImage = defaultImages(pack, o.image, o.devImage)
	specs := specsOf(ex)

	// A --dir without a Dockerfile is a wrong directory, not a failed
	// exercise: say where shipshape looked.
	if needsDockerfile(specs) {
		abs, _ := filepath.Abs(o.dir)
		if st, err := os.Stat(filepath.Join(abs, "Dockerfile")); err != nil || !st.Mode().IsRegular() {
			return couldNotCheck(a, ex, specs, o, fmt.Errorf("no Dockerfile in %s; run the check in the directory that holds your Dockerfile, or pass --dir DIR", abs))
		}
	}

	ctx, stop := interruptible(ctx)
	defer stop()

	target := check.Target{Image: o.image, DevImage: o.devImage, Dir: o.dir, TrivyReport: o.trivyReport}
	// Without a report, Trivy runs when it is available (never pulled).
	wantScan := needsScan(specs) && target.TrivyReport == ""
	var d check.Docker
	var dc *docker.Client
	if needsDocker(specs) || wantScan {
		// One connection, and one sweep of stale leftovers, serves both
		// the checks and the scan.
		dc, _, err = connectForImage(ctx, a, o.image)
		if err != nil {
			return couldNotCheck(a, ex, specs, o, err)
		}
		defer closeDocker(dc)
		if needsDocker(specs) {
			d = dc
		}
	}
	var scanErr error
	if wantScan {
		if o.format == "text" {
			fmt.Fprintf(a.stderr, "shipshape: scanning %s with Trivy…\n", termsafe.Line(o.image))
		}
		target.TrivyReport, scanErr = scanForCheck(ctx, dc, o.image)
	}
	rep := check.NewEngine(d).Run(ctx, specs, target, nil)
	explainMissingScan(&rep, scanErr)
	if ctx.Err() != nil {
		return &exitError{code: 2, err: errors.New("interrupted; the containers made for the check were removed")}
	}

	recordAttempt(a, pack, ex.ID, rep)

	if err := writeCheckReport(a, ex, rep, o); err != nil {
		return err
	}

	switch rep.Outcome() {
	case check.OutcomeFailed:
		var ids []string
		for _, r := range rep.Results {
			if r.Required && r.Status == check.StatusFail {
				ids = append(ids, r.ID)
			}
		}
		return &exitError{code: 1, err: fmt.Errorf("exercise %s not passed: %d required check(s) failed: %s", ex.ID, len(ids), strings.Join(ids, ", "))}
	case check.OutcomeIncomplete:
		for _, r := range rep.Results {
			if r.Required && (r.Status == check.StatusError || r.Status == check.StatusSkip) {
				reason := r.ID
				if len(r.Evidence) > 0 {
					reason += ": " + r.Evidence[0]
				}
				if r.Hint != "" {
					reason += " — " + r.Hint
				}
				return &exitError{code: 2, err: fmt.Errorf("could not check exercise %s: %s", ex.ID, termsafe.Line(reason))}
			}
		}
	}
	return nil
}

// defaultImages fills in the images to check: flags win, then the pack's
// workspace, then the contract's defaults.
func defaultImages(pack *course.Pack, image, devImage string) (string, string) {
	if image == "" {
		image = "task-api:prod"
		if pack.Workspace != nil && pack.Workspace.Image != "" {
			image = pack.Workspace.Image
		}
	}
	if devImage == "" {
		devImage = "task-api:dev"
		if pack.Workspace != nil && pack.Workspace.DevImage != "" {
			devImage = pack.Workspace.DevImage
		}
	}
	return image, devImage
}

// specsOf converts the pack's declarations for the engine.
// writeCheckReport writes rep in the chosen format to --output or stdout.
func writeCheckReport(a *app, ex *course.Exercise, rep check.Report, o checkOptions) error {
	out := a.stdout
	var file *os.File
	var err error
	if o.output != "" {
		file, err = os.Create(o.output)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("cannot write the results: %w", err)}
		}
		out = file
	}
	switch o.format {
	case "json":
		err = writeCheckJSON(out, ex.ID, rep)
	case "junit":
		err = writeCheckJUnit(out, ex, rep)
	default:
		writeCheckText(out, ex, rep)
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("cannot write the results: %w", err)}
	}
	return nil
}

// couldNotCheck ends a check that could not run (exit 2, the reason on
// stderr). A machine-readable report is still written, every check an
// error with the reason, because CI needs a report to show even then;
// the text format has only the message.
func couldNotCheck(a *app, ex *course.Exercise, specs []check.Spec, o checkOptions, reason error) error {
	msg := reason.Error()
	var xe *exitError
	if errors.As(reason, &xe) {
		msg = xe.err.Error()
	}
	if o.format != "text" {
		rep := check.Report{Target: check.Target{Image: o.image, DevImage: o.devImage, Dir: o.dir}, StartedAt: time.Now()}
		for _, sp := range specs {
			title := sp.Kind
			if c, err := check.Build(sp); err == nil {
				title = c.Title()
			}
			rep.Results = append(rep.Results, check.Result{ID: sp.ID, Kind: sp.Kind, Title: title, Status: check.StatusError,
				Required: sp.Required, Evidence: []string{termsafe.Line(msg)}, Hint: sp.Hint, Lesson: sp.Lesson})
		}
		if err := writeCheckReport(a, ex, rep, o); err != nil {
			return err
		}
	}
	if xe != nil {
		return xe
	}
	return &exitError{code: 2, err: reason}
}

// needsDockerfile reports whether a check reads the Dockerfile.
func needsDockerfile(specs []check.Spec) bool {
	for _, s := range specs {
		if strings.HasPrefix(s.Kind, "dockerfile.") {
			return true
		}
	}
	return false
}

func specsOf(ex *course.Exercise) []check.Spec {
	specs := make([]check.Spec, 0, len(ex.Checks))
	for _, c := range ex.Checks {
		specs = append(specs, check.Spec{ID: c.ID, Kind: c.Kind, Required: c.Required(), Params: c.Params, Hint: c.Hint, Lesson: c.Lesson})
	}
	return specs
}

func needsDocker(specs []check.Spec) bool {
	for _, s := range specs {
		if check.NeedsDocker(s.Kind) {
			return true
		}
	}
	return false
}

// connectDocker connects to the daemon chosen by --host and the
// environment, and removes leftovers of shipshape sessions that died.
func connectDocker(ctx context.Context, a *app) (*docker.Client, error) {
	dc, err := docker.Connect(ctx, a.dockerOptions())
	if err != nil {
		return nil, &exitError{code: 2, err: dockerReason(err)}
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := dc.RemoveStale(cctx); err != nil {
		fmt.Fprintln(a.stderr, "shipshape: note: "+termsafe.Line(err.Error()))
	}
	return dc, nil
}

// connectForImage connects as connectDocker does and makes sure image
// exists: checking a missing image would only produce a wall of errors.
// On error nothing is left open.
func connectForImage(ctx context.Context, a *app, image string) (*docker.Client, check.ImageInfo, error) {
	dc, err := connectDocker(ctx, a)
	if err != nil {
		return nil, check.ImageInfo{}, err
	}
	info, err := dc.InspectImage(ctx, image)
	if err != nil {
		closeDocker(dc)
		return nil, check.ImageInfo{}, &exitError{code: 2, err: dockerReason(err)}
	}
	return dc, info, nil
}

// interruptible is ctx (or a background context) cancelled by Ctrl-C or
// SIGTERM, so the commands that make containers can remove them on the
// way out.
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// closeDocker removes what this session made, even after Ctrl-C.
func closeDocker(dc *docker.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = dc.RemoveSession(ctx)
	_ = dc.Close()
}

// dockerReason is the one-line message for a Docker error: what happened
// and what to do.
func dockerReason(err error) error {
	if adv := docker.Advice(err); adv != "" {
		return fmt.Errorf("%v. %s", err, adv)
	}
	return err
}

// recordAttempt stores the run in the progress store; failing to do so is worth
// a note but does not change the verdict.
func recordAttempt(a *app, pack *course.Pack, exerciseID string, rep check.Report) {
	att := attemptOf(rep)
	store, err := a.openProgress(pack)
	if err == nil {
		err = store.RecordAttempt(exerciseID, att)
		if cerr := store.Close(); err == nil {
			err = cerr
		}
	}
	switch {
	case errors.Is(err, progress.ErrNewerFile):
		// openProgress has printed why and what to do.
		fmt.Fprintln(a.stderr, "shipshape: note: this result was not recorded, because the progress file is from a newer shipshape (see above)")
	case errors.Is(err, progress.ErrReadOnly):
		fmt.Fprintln(a.stderr, "shipshape: note: this result was not recorded: another shipshape (the course in another terminal?) "+
			"holds your progress; check from there with c, or close it and check again")
	case err != nil:
		fmt.Fprintln(a.stderr, "shipshape: note: the result was not saved to your progress: "+termsafe.Line(err.Error()))
	}
}

// attemptOf is the progress record of a check run.
func attemptOf(rep check.Report) progress.Attempt {
	att := progress.Attempt{
		StartedAt: rep.StartedAt, DurationMS: rep.Duration.Milliseconds(),
		Image: rep.Target.Image, ImageID: rep.ImageID, Passed: rep.Passed(),
	}
	for _, r := range rep.Results {
		att.Checks = append(att.Checks, progress.CheckRecord{
			ID: r.ID, Kind: r.Kind, Title: r.Title, Status: string(r.Status), Required: r.Required,
			Evidence: r.Evidence, DurationMS: r.Duration.Milliseconds(),
		})
	}
	return att
}

// checkRunJSON is the stable shape of `check --format json`.
type checkRunJSON struct {
	Exercise string `json:"exercise"`
	Image    string `json:"image"`
	ImageID  string `json:"image_id"`
	Passed   bool   `json:"passed"`
	// Notes are about the attempt as a whole (an image older than its
	// Dockerfile); omitted when there are none.
	Notes      []string          `json:"notes,omitempty"`
	StartedAt  time.Time         `json:"started_at"`
	DurationMS int64             `json:"duration_ms"`
	Checks     []checkResultJSON `json:"checks"`
}

type checkResultJSON struct {
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

func writeCheckJSON(w io.Writer, exerciseID string, rep check.Report) error {
	doc := checkRunJSON{
		Exercise: exerciseID, Image: rep.Target.Image, ImageID: rep.ImageID, Passed: rep.Passed(),
		StartedAt: rep.StartedAt.UTC(), DurationMS: rep.Duration.Milliseconds(), Checks: []checkResultJSON{},
		Notes: rep.Notes,
	}
	for _, r := range rep.Results {
		ev := r.Evidence
		if ev == nil {
			ev = []string{}
		}
		doc.Checks = append(doc.Checks, checkResultJSON{
			ID: r.ID, Kind: r.Kind, Title: r.Title, Status: string(r.Status), Required: r.Required,
			Evidence: ev, Hint: r.Hint, Lesson: r.Lesson, DurationMS: r.Duration.Milliseconds(),
		})
	}
	return encodeJSON(w, doc, false)
}

var statusLabel = map[check.Status]string{
	check.StatusPass: "PASS ", check.StatusFail: "FAIL ", check.StatusWarn: "WARN ",
	check.StatusError: "ERROR", check.StatusSkip: "SKIP ",
}

func writeCheckText(w io.Writer, ex *course.Exercise, rep check.Report) {
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
	var req, reqPassed, warns int
	for _, r := range rep.Results {
		level := "required"
		if !r.Required {
			level = "advisory"
		} else {
			req++
			if r.Status == check.StatusPass {
				reqPassed++
			}
		}
		if r.Status == check.StatusWarn {
			warns++
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
	verdict := "PASSED"
	switch rep.Outcome() {
	case check.OutcomeFailed:
		verdict = "NOT PASSED"
	case check.OutcomeIncomplete:
		verdict = "COULD NOT CHECK"
	}
	fmt.Fprintf(w, "%s: %d of %d required checks passed", verdict, reqPassed, req)
	if warns > 0 {
		fmt.Fprintf(w, ", %d advisory warning(s)", warns)
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

func writeCheckJUnit(w io.Writer, ex *course.Exercise, rep check.Report) error {
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
			s.Failures++
		case check.StatusError:
			c.Error = &junitProblem{Message: msg, Type: "error", Body: body}
			s.Errors++
		case check.StatusSkip:
			c.Skipped = &junitProblem{Message: msg}
			s.Skipped++
		case check.StatusWarn:
			c.SystemOut = "advisory check not met (warning):\n" + body
		default:
			c.SystemOut = strings.Join(r.Evidence, "\n")
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
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
