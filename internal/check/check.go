// Package check judges exercises: it turns declared checks (a kind plus
// parameters) into verdicts with evidence, running independent checks
// concurrently against a Docker engine reached through the small Docker
// interface declared here.
package check

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Status is the verdict of one check.
type Status string

// The verdicts a check can reach.
const (
	// StatusPass means the check's condition holds.
	StatusPass Status = "pass"
	// StatusFail means a required check's condition does not hold.
	StatusFail Status = "fail"
	// StatusWarn means an advisory check (or an advisory part of a check,
	// such as a size target) does not hold.
	StatusWarn Status = "warn"
	// StatusError means the check could not be judged (Docker unreachable,
	// image missing, malformed input...).
	StatusError Status = "error"
	// StatusSkip means the check was not run.
	StatusSkip Status = "skip"
)

// Spec declares one check of an exercise. It mirrors course.Check without
// depending on the course package.
type Spec struct {
	ID       string
	Kind     string
	Required bool
	Params   map[string]any
	Hint     string
	Lesson   string
}

// Target is what an exercise is checked against.
type Target struct {
	// Image is the image under test (task-api:prod by default).
	Image string
	// DevImage is the learner's dev image, used by image.smaller_than.
	DevImage string
	// Dir holds the Dockerfile and .dockerignore.
	Dir string
	// TrivyReport is the path of a Trivy JSON report, for scan.no_critical.
	TrivyReport string
}

// Result is the verdict of one check with what was observed.
type Result struct {
	ID       string
	Kind     string
	Title    string
	Status   Status
	Required bool
	Evidence []string
	Hint     string
	Lesson   string
	Duration time.Duration
}

// Report is the outcome of Engine.Run.
type Report struct {
	Target    Target
	ImageID   string
	StartedAt time.Time
	Duration  time.Duration
	Results   []Result
	// Notes are what the learner should know about the attempt as a
	// whole, such as an image older than its Dockerfile.
	Notes []string
}

// Outcome summarises a report the way the headless command's exit code does.
type Outcome int

// The possible outcomes, in the order of the exit codes they map to.
const (
	// OutcomePassed means every required check passed.
	OutcomePassed Outcome = iota
	// OutcomeFailed means at least one required check failed.
	OutcomeFailed
	// OutcomeIncomplete means no required check failed but at least one
	// could not be judged.
	OutcomeIncomplete
)

// Tally counts a report's verdicts once, for every counter and exit code
// derived from them (the text summary, JUnit, the TUI, pack validation).
type Tally struct {
	// Passed, Failed, Warned, Errors and Skipped count every check.
	Passed, Failed, Warned, Errors, Skipped int
	// Required counts the required checks and RequiredPassed those of
	// them that passed.
	Required, RequiredPassed int
	// RequiredFailed names the required checks that failed, and
	// RequiredUnjudged those that could not be judged (error or skip).
	RequiredFailed, RequiredUnjudged []string
}

// Tally counts r's verdicts.
func (r Report) Tally() Tally {
	var t Tally
	for _, res := range r.Results {
		switch res.Status {
		case StatusPass:
			t.Passed++
		case StatusFail:
			t.Failed++
		case StatusWarn:
			t.Warned++
		case StatusError:
			t.Errors++
		case StatusSkip:
			t.Skipped++
		}
		if !res.Required {
			continue
		}
		t.Required++
		switch res.Status {
		case StatusPass:
			t.RequiredPassed++
		case StatusFail:
			t.RequiredFailed = append(t.RequiredFailed, res.ID)
		case StatusError, StatusSkip:
			t.RequiredUnjudged = append(t.RequiredUnjudged, res.ID)
		}
	}
	return t
}

// Outcome tells whether the exercise passed. A definite failure outranks
// a check that could not be judged: the learner has something to fix either way.
func (t Tally) Outcome() Outcome {
	switch {
	case len(t.RequiredFailed) > 0:
		return OutcomeFailed
	case len(t.RequiredUnjudged) > 0:
		return OutcomeIncomplete
	}
	return OutcomePassed
}

// FirstUnjudged is the first required check that could not be judged.
func (r Report) FirstUnjudged() (Result, bool) {
	for _, res := range r.Results {
		if res.Required && (res.Status == StatusError || res.Status == StatusSkip) {
			return res, true
		}
	}
	return Result{}, false
}

// Reason says in one line why r has its status: its id, first evidence
// and hint.
func (r Result) Reason() string {
	reason := r.ID
	if len(r.Evidence) > 0 {
		reason += ": " + r.Evidence[0]
	}
	if r.Hint != "" {
		reason += " — " + r.Hint
	}
	return reason
}

// Outcome is r's tally's outcome.
func (r Report) Outcome() Outcome { return r.Tally().Outcome() }

// Passed reports whether every required check passed.
func (r Report) Passed() bool { return r.Outcome() == OutcomePassed }

// EventType says what happened to a check during a run.
type EventType int

// Event types.
const (
	// EventStarted is sent when a check begins.
	EventStarted EventType = iota
	// EventFinished is sent with the check's result.
	EventFinished
)

// Event reports progress of one check; Index is the check's position in
// the specs passed to Run. Events of different checks arrive from different
// goroutines, but calls to the callback are serialised.
type Event struct {
	Type   EventType
	Index  int
	Spec   Spec
	Title  string
	Result Result
}

// Engine runs checks. It is safe for concurrent use.
type Engine struct {
	docker      Docker
	parallel    int
	stopTimeout time.Duration
	healthCap   time.Duration
	fastProbe   time.Duration
}

// Option configures an Engine.
type Option func(*Engine)

// WithStopTimeout sets the grace period container.graceful_shutdown gives
// a container before Docker kills it (default 10s, Docker's own default).
func WithStopTimeout(d time.Duration) Option {
	return func(e *Engine) {
		if d > 0 {
			e.stopTimeout = d
		}
	}
}

// NewEngine returns an engine using d for the Docker kinds. d may be nil:
// then Docker kinds end in StatusError and the others still run.
func NewEngine(d Docker, opts ...Option) *Engine {
	e := &Engine{
		docker:      d,
		parallel:    4,
		stopTimeout: 10 * time.Second,
		healthCap:   60 * time.Second,
		fastProbe:   250 * time.Millisecond,
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

// env is what one run shares between its checks.
type env struct {
	engine *Engine
	docker Docker
	target Target

	mu     sync.Mutex
	images map[string]*imageEntry
	// apps are the containers checks share, by network mode (see
	// appRun); extra are those made for checks evaluated outside Run.
	apps  map[bool]*appRun
	extra []*appRun
}

type imageEntry struct {
	once sync.Once
	info ImageInfo
	err  error
}

// image inspects ref once per run, since most checks need it.
func (e *env) image(ctx context.Context, ref string) (ImageInfo, error) {
	if e.docker == nil {
		return ImageInfo{}, errNoDocker
	}
	e.mu.Lock()
	ent, ok := e.images[ref]
	if !ok {
		ent = &imageEntry{}
		e.images[ref] = ent
	}
	e.mu.Unlock()
	ent.once.Do(func() {
		ent.info, ent.err = e.docker.InspectImage(ctx, ref)
	})
	return ent.info, ent.err
}

var errNoDocker = errors.New("no Docker engine is connected")

// Run evaluates specs against target, concurrently, and returns the results
// in the order of specs. onEvent, when not nil, is called as each check
// starts and finishes (never concurrently). When ctx is cancelled the
// checks still running end with StatusError and their containers are
// removed before Run returns.
func (e *Engine) Run(ctx context.Context, specs []Spec, target Target, onEvent func(Event)) Report {
	start := time.Now()
	rep := Report{Target: target, StartedAt: start, Results: make([]Result, len(specs))}
	en := &env{engine: e, docker: e.docker, target: target, images: map[string]*imageEntry{}}

	var emitMu sync.Mutex
	emit := func(ev Event) {
		if onEvent == nil {
			return
		}
		emitMu.Lock()
		defer emitMu.Unlock()
		onEvent(ev)
	}

	checks := make([]Check, len(specs))
	buildErrs := make([]error, len(specs))
	for i, spec := range specs {
		checks[i], buildErrs[i] = Build(spec)
	}
	en.planApps(checks)
	sem := make(chan struct{}, e.parallel)
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, buildErr := checks[i], buildErrs[i]
			defer en.release(c)
			title := spec.Kind
			if buildErr == nil {
				title = c.Title()
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				res := c.result(spec, title, StatusError, []string{"not run: " + ctx.Err().Error()}, 0)
				rep.Results[i] = res
				emit(Event{Type: EventFinished, Index: i, Spec: spec, Title: title, Result: res})
				return
			}
			defer func() { <-sem }()
			emit(Event{Type: EventStarted, Index: i, Spec: spec, Title: title})
			var res Result
			if buildErr != nil {
				res = c.result(spec, title, StatusError, []string{buildErr.Error()}, 0)
			} else {
				res = c.Evaluate(ctx, en)
			}
			rep.Results[i] = res
			emit(Event{Type: EventFinished, Index: i, Spec: spec, Title: title, Result: res})
		}()
	}
	wg.Wait()
	en.closeApps(ctx)
	if target.Image != "" && e.docker != nil {
		if info, err := en.image(ctx, target.Image); err == nil {
			rep.ImageID = info.ID
			if note := staleness(info, target.Dir); note != "" {
				rep.Notes = append(rep.Notes, note)
			}
		}
	}
	rep.Duration = time.Since(start)
	return rep
}

// Check is one declared check, ready to evaluate.
type Check struct {
	spec Spec
	kind *kind
	p    params
}

// Build validates a spec and turns it into a Check.
func Build(spec Spec) (Check, error) {
	k, ok := kinds[spec.Kind]
	if !ok {
		return Check{spec: spec}, fmt.Errorf("unknown check kind %q", spec.Kind)
	}
	p, err := parseParams(k, spec.Params)
	if err != nil {
		return Check{spec: spec}, fmt.Errorf("check %q (%s): %w", spec.ID, spec.Kind, err)
	}
	return Check{spec: spec, kind: k, p: p}, nil
}

// Title is the short human title of the check.
func (c Check) Title() string {
	if c.kind == nil {
		return c.spec.Kind
	}
	return c.kind.title(c.p)
}

// Evaluate runs the check and returns its result. Advisory failures come
// back as StatusWarn.
func (c Check) Evaluate(ctx context.Context, en *env) Result {
	start := time.Now()
	v := c.kind.eval(ctx, en, c.p)
	if v.status == StatusFail && !c.spec.Required {
		v.status = StatusWarn
	}
	res := c.result(c.spec, c.Title(), v.status, v.evidence, time.Since(start))
	if v.status == StatusError && v.advice != "" {
		res.Hint = v.advice
	}
	return res
}

func (c Check) result(spec Spec, title string, st Status, evidence []string, d time.Duration) Result {
	for i := range evidence {
		evidence[i] = clean(evidence[i])
	}
	return Result{
		ID: spec.ID, Kind: spec.Kind, Title: title, Status: st, Required: spec.Required,
		Evidence: evidence, Hint: spec.Hint, Lesson: spec.Lesson, Duration: d,
	}
}

// verdict is what a kind's evaluation returns.
type verdict struct {
	status   Status
	evidence []string
	advice   string
	// cause is the error of a StatusError verdict.
	cause error
}

func pass(ev ...string) verdict { return verdict{status: StatusPass, evidence: ev} }
func fail(ev ...string) verdict { return verdict{status: StatusFail, evidence: ev} }

// adviser is implemented by the Docker adapter's classified errors.
type adviser interface{ Advice() string }

// errorVerdict turns an error into StatusError, keeping the adapter's
// advice (what the learner can do) when there is one.
func errorVerdict(what string, err error, ev ...string) verdict {
	v := verdict{status: StatusError, evidence: append([]string{what + ": " + err.Error()}, ev...), cause: err}
	var a adviser
	if errors.As(err, &a) {
		v.advice = a.Advice()
	}
	if errors.Is(err, context.Canceled) {
		v.advice = "The check was cancelled; run it again."
	}
	return v
}
