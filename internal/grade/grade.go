// Package grade grades a class: every student workspace of a roster is
// built into an image of its own, judged by an exercise's checks through
// the one attempt pipeline (internal/attempt), scored with the points the
// pack gives, recorded as it finishes and removed. The command in
// cmd/shipshape only wires flags to it.
package grade

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"shipshape/internal/attempt"
	"shipshape/internal/check"
	"shipshape/internal/course"
	"shipshape/internal/docker"
	"shipshape/internal/lab"
	"shipshape/internal/scratch"
	"shipshape/internal/termsafe"
	"shipshape/internal/workspace"
)

// ImageRepo is the repository students' images are tagged in; the Docker
// adapter removes images there and nowhere else (docker.GradeRepo).
const ImageRepo = "shipshape-grade"

// LabelStudent names the student an image was built for.
const LabelStudent = "dev.shipshape.grade.student"

// removeTimeout bounds the removal of one image, also after Ctrl-C.
const removeTimeout = 60 * time.Second

// ErrInterrupted is returned when ctx ended before every student was
// graded; the finished ones are recorded.
var ErrInterrupted = errors.New("interrupted")

// Plan is what a run grades and how.
type Plan struct {
	Pack     *course.Pack
	Exercise *course.Exercise
	Students []Student
	// Jobs is how many students are graded at once (at least 1).
	Jobs int
	// Timeout bounds one student: build, checks and all.
	Timeout time.Duration
	// BuildArgs are passed to every build, as docker build --build-arg.
	BuildArgs map[string]string
	// DevImage is the image size comparisons judge against. Empty: when
	// the exercise needs one, the pack's starter is built once as it.
	DevImage string
}

// Engine is what grading needs of the Docker engine: what pack
// validation needs (building and removing the images it built), and
// removing what a build that failed left behind, also after a crash. The adapter in
// internal/docker implements it.
type Engine interface {
	attempt.Builder
	RemoveStepImage(ctx context.Context, id string) error
	// TrackImage records an image in the ledger, for the next shipshape to
	// remove should this one be killed.
	TrackImage(ctx context.Context, ref string) error
}

// Grader grades with one Docker connection.
type Grader struct {
	// Engine builds and removes the students' images.
	Engine Engine
	// Runner judges them.
	Runner *attempt.Runner
	// Scratch is where the starter is copied to build the dev image.
	Scratch *scratch.Dir
}

// Event is what a progress display hears.
type Event struct {
	// Started or Finished is set; Finished carries the student's row.
	Started  bool
	Finished *Row
	Student  Student
}

// Summary is the outcome of a run.
type Summary struct {
	// Rows are the finished students' rows in roster order, those of an
	// earlier run (resumed) included.
	Rows []Row
	// Resumed counts the students an earlier run had graded.
	Resumed int
	// Pending lists the students not graded (the run was interrupted).
	Pending []string
	// Cleanup names what could not be removed (images, a stopped build's
	// step container), with why; nil when everything was.
	Cleanup error
}

// Run grades plan's students, saving each one's report and row to book
// as they finish and the gradebook at the end (also when interrupted).
// Students in done (an earlier run's rows) are not graded again. onEvent,
// when not nil, is called from one goroutine at a time. The error is for
// a run that could not go on: ctx ended (ErrInterrupted), the daemon
// stopped answering, or the dev image could not be built; the finished
// rows are saved even then.
func (g *Grader) Run(ctx context.Context, plan Plan, book *Book, done map[string]Row, onEvent func(Event)) (sum Summary, err error) {
	if onEvent == nil {
		onEvent = func(Event) {}
	}
	jobs := max(plan.Jobs, 1)
	run := runID()
	rows := make([]*Row, len(plan.Students))
	var todo []int
	for i, st := range plan.Students {
		if r, ok := done[st.ID]; ok {
			rows[i] = &r
			sum.Resumed++
			continue
		}
		todo = append(todo, i)
	}
	var cleanup cleanupErrors
	defer func() {
		for i, r := range rows {
			if r != nil {
				sum.Rows = append(sum.Rows, *r)
			} else {
				sum.Pending = append(sum.Pending, plan.Students[i].Name)
			}
		}
		sum.Cleanup = cleanup.err()
		if werr := book.Write(plan.Pack.ID, sum.Rows, sum.Pending); werr != nil {
			err = errors.Join(err, werr)
		}
	}()
	if len(todo) == 0 {
		return sum, nil
	}

	// A fault of the daemon or the machine stops the run rather than
	// give every student left an error row that is not theirs.
	rctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	s := &student{g: g, plan: plan, specs: attempt.Specs(plan.Exercise), run: run, cleanup: &cleanup}
	s.dev = plan.DevImage
	if s.dev == "" && attempt.NeedsDevImage(s.specs) {
		tag := fmt.Sprintf("%s/%s:starter-%s", ImageRepo, tagPart(plan.Pack.ID+"-"+plan.Exercise.ID), run)
		defer s.remove(ctx, tag)
		if berr := s.buildStarter(rctx, tag); berr != nil {
			if ctx.Err() != nil {
				return sum, ErrInterrupted
			}
			return sum, berr
		}
		s.dev = tag
	}

	var eventMu sync.Mutex
	emit := func(ev Event) {
		eventMu.Lock()
		defer eventMu.Unlock()
		onEvent(ev)
	}
	work := make(chan int)
	type result struct {
		i   int
		row Row
		rep check.Report
	}
	results := make(chan result)
	var wg sync.WaitGroup
	for range min(jobs, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				emit(Event{Started: true, Student: plan.Students[i]})
				row, rep, gerr := s.grade(rctx, plan.Students[i])
				switch {
				case gerr != nil:
					stop(gerr)
				case rctx.Err() == nil:
					results <- result{i, row, rep}
				}
			}
		}()
	}
	go func() {
		defer close(work)
		for _, i := range todo {
			select {
			case work <- i:
			case <-rctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	for res := range results {
		if serr := book.Save(plan.Students[res.i], &res.row, res.rep); serr != nil {
			// The disk is the problem, not the student: stop, as for the daemon.
			stop(serr)
			continue
		}
		rows[res.i] = &res.row
		emit(Event{Finished: &res.row, Student: plan.Students[res.i]})
	}
	if rctx.Err() != nil {
		if ctx.Err() != nil {
			return sum, ErrInterrupted
		}
		return sum, context.Cause(rctx)
	}
	return sum, nil
}

// student grades one student at a time; its fields are shared by the
// workers and only read.
type student struct {
	g       *Grader
	plan    Plan
	specs   []check.Spec
	run     string
	dev     string
	cleanup *cleanupErrors
}

// grade builds, judges and removes st's image. A problem of the student's
// (no Dockerfile, a failing or hanging build, checks that ran out of time)
// is an error row; the error is for one of the daemon or the machine,
// which stops the run.
func (s *student) grade(ctx context.Context, st Student) (row Row, rep check.Report, err error) {
	start := time.Now()
	ex := s.plan.Exercise
	row = Row{Student: st.Name, Exercise: ex.ID, MaxScore: MaxScore(ex)}
	tag := fmt.Sprintf("%s/%s:%s-%s", ImageRepo, tagPart(s.plan.Pack.ID+"-"+ex.ID), st.ID, s.run)
	target := attempt.Target{Image: tag, DevImage: s.dev, Dir: st.Dir}
	sctx, cancel := context.WithTimeout(ctx, s.plan.Timeout)
	defer cancel()
	fail := func(reason string) (Row, check.Report, error) {
		rep := attempt.Unjudged(ex, target, reason)
		row.Status, row.Error = StatusError, termsafe.Line(reason)
		score(&row, ex, rep)
		row.Score = 0
		row.DurationSeconds, row.GradedAt = time.Since(start).Seconds(), time.Now().UTC()
		return row, rep, nil
	}
	timedOut := func() bool { return ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) }
	if reason := malformed(st.Dir); reason != "" {
		return fail(reason)
	}
	// Removed whatever happened, also after a timeout or Ctrl-C: a build
	// cut short may still have tagged its image.
	defer s.remove(ctx, tag)
	trace := buildTrace{record: s.recorder(ctx)}
	res, berr := s.g.Engine.BuildImage(sctx, lab.BuildRequest{Dir: st.Dir, Tag: tag, BuildArgs: s.plan.BuildArgs,
		Labels: map[string]string{LabelStudent: st.Name}}, trace.see)
	if sctx.Err() != nil {
		s.awaitRemoved(ctx, st, trace.containers)
	}
	if !res.OK() {
		s.removeSteps(ctx, trace.images)
	}
	switch {
	case ctx.Err() != nil:
		return row, rep, ctx.Err()
	case timedOut():
		return fail(fmt.Sprintf("timed out after %s while building the image (a step that never ends?); the build was stopped", s.plan.Timeout))
	case berr != nil && engineProblem(berr):
		return row, rep, attempt.Reason(berr)
	case berr != nil:
		return fail("cannot build the image: " + berr.Error())
	case !res.OK():
		reason := strings.TrimSpace(res.FailedStep + ": " + res.Error)
		if res.FailedStep == "" {
			reason = strings.TrimSpace(res.Error)
		}
		if reason == "" {
			reason = "the builder reported no image"
		}
		return fail("the build failed: " + reason)
	}
	if info, ierr := s.g.Engine.InspectImage(sctx, tag); ierr == nil {
		row.ImageBytes = info.Size
	}
	rep, cerr := s.g.Runner.Check(sctx, ex, target, nil)
	switch {
	case ctx.Err() != nil:
		return row, rep, ctx.Err()
	case timedOut() || errors.Is(cerr, attempt.ErrCancelled):
		size := row.ImageBytes
		r, rp, _ := fail(fmt.Sprintf("timed out after %s while checking the image (a container that never becomes healthy or never stops?); "+
			"the containers it started were removed", s.plan.Timeout))
		r.ImageBytes = size
		return r, rp, nil
	case cerr != nil && engineProblem(cerr):
		return row, rep, cerr
	case cerr != nil:
		return fail(cerr.Error())
	}
	score(&row, ex, rep)
	row.Passed = rep.Passed()
	row.Status = StatusGraded
	if rep.Outcome() == check.OutcomeIncomplete {
		row.Status = StatusIncomplete
		if r, ok := rep.FirstUnjudged(); ok {
			row.Error = termsafe.Line(r.Reason())
		}
	}
	row.DurationSeconds, row.GradedAt = time.Since(start).Seconds(), time.Now().UTC()
	return row, rep, nil
}

// malformed says why dir cannot be built, or "".
func malformed(dir string) string {
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Sprintf("the workspace %s cannot be read: %s", dir, unwrapPath(err))
	case !st.IsDir():
		return fmt.Sprintf("the workspace %s is not a directory", dir)
	}
	f, err := os.Open(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Sprintf("no Dockerfile in the workspace %s", dir)
		}
		return fmt.Sprintf("the Dockerfile in %s cannot be read: %s", dir, unwrapPath(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return fmt.Sprintf("the Dockerfile in %s is not a regular file", dir)
	}
	return ""
}

// buildStarter builds the pack's starter once as tag, the dev image every
// student's image is compared with, as pack validation does.
func (s *student) buildStarter(ctx context.Context, tag string) error {
	g, plan := s.g, s.plan
	p := plan.Pack
	if p.Workspace == nil {
		return fmt.Errorf("exercise %s compares with a dev image, and the pack has no starter to build one from; pass --dev-image REF", plan.Exercise.ID)
	}
	tmp, err := g.Scratch.MkdirTemp("grade")
	if err != nil {
		return fmt.Errorf("cannot prepare the starter: %w", err)
	}
	defer os.RemoveAll(tmp)
	if _, err := workspace.Init(p.FS, p.Workspace.Starter, tmp, false); err != nil {
		return fmt.Errorf("cannot copy the pack's starter: %w", err)
	}
	trace := buildTrace{record: s.recorder(ctx)}
	res, err := g.Engine.BuildImage(ctx, lab.BuildRequest{Dir: tmp, Tag: tag, BuildArgs: plan.BuildArgs}, trace.see)
	if !res.OK() {
		s.removeSteps(ctx, trace.images)
	}
	if err != nil {
		return fmt.Errorf("cannot build the pack's starter as the dev image: %w", attempt.Reason(err))
	}
	if !res.OK() {
		return fmt.Errorf("the pack's starter, built as the dev image to compare with, failed to build: %s %s; "+
			"pass --build-arg for its base image, or --dev-image REF", termsafe.Line(res.FailedStep), termsafe.Line(res.Error))
	}
	return nil
}

// recorder records a build's step images in the ledger as they are
// committed, by their full id: after a kill -9 mid-build the next
// shipshape removes them, as it removes the students' images. Those of a
// build that finishes go with its image (they are its parents).
func (s *student) recorder(ctx context.Context) func(string) {
	return func(short string) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
		defer cancel()
		info, err := s.g.Engine.InspectImage(rctx, short)
		if err == nil {
			err = s.g.Engine.TrackImage(rctx, info.ID)
		}
		if err != nil {
			s.cleanup.add("the step image "+short, fmt.Errorf("cannot record it for removal after a crash: %w", err))
		}
	}
}

// removeSteps removes the images a build that did not finish committed
// for its steps, newest first (children before parents).
func (s *student) removeSteps(ctx context.Context, ids []string) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
	defer cancel()
	for i := len(ids) - 1; i >= 0; i-- {
		if err := s.g.Engine.RemoveStepImage(rctx, ids[i]); err != nil {
			s.cleanup.add("the step image "+ids[i], err)
		}
	}
}

// remove removes a student's image, also after ctx ended.
func (s *student) remove(ctx context.Context, tag string) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
	defer cancel()
	if err := s.g.Engine.RemoveBuiltImage(rctx, tag); err != nil {
		s.cleanup.add(tag, err)
	}
}

// The classic builder's log names the container each step runs in and
// the image it commits: "---> Running in 3f2a…", "Removing intermediate
// container 3f2a…", "---> 9c1e…". A step answered from the cache says
// "---> Using cache" instead, and its image is not this build's.
var (
	runningIn   = regexp.MustCompile(`^\s*---> Running in ([0-9a-f]{12,64})\s*$`)
	removedStep = regexp.MustCompile(`^\s*Removing intermediate container [0-9a-f]{12,64}\s*$`)
	stepImage   = regexp.MustCompile(`^\s*---> ([0-9a-f]{12,64})\s*$`)
)

// buildTrace collects, from a classic build's log, the containers it ran
// steps in and the images it committed. When a build is cut short the
// daemon kills and removes the step container, but only after the
// request has ended; the images of the steps that did finish are left as
// cache when the build does not produce the final image.
type buildTrace struct {
	containers, images []string
	committed          bool
	// record, when not nil, gets each image as it is committed.
	record func(id string)
}

func (b *buildTrace) see(ev lab.BuildEvent) {
	switch l := ev.Line; {
	case runningIn.MatchString(l):
		b.containers = append(b.containers, runningIn.FindStringSubmatch(l)[1])
	case removedStep.MatchString(l):
		b.committed = true
	case b.committed && stepImage.MatchString(l):
		id := stepImage.FindStringSubmatch(l)[1]
		b.images = append(b.images, id)
		b.committed = false
		if b.record != nil {
			b.record(id)
		}
	}
}

// stepContainerGrace is how long the daemon gets to remove the step
// container of a build that was stopped.
const stepContainerGrace = 30 * time.Second

// awaitRemoved waits until the daemon has removed the step containers of
// st's stopped build, so that the run leaves none behind; one still there
// after the grace is named in the cleanup note.
func (s *student) awaitRemoved(ctx context.Context, st Student, ids []string) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stepContainerGrace)
	defer cancel()
	for _, id := range ids {
		for {
			_, err := s.g.Engine.InspectContainer(wctx, id)
			if docker.KindOf(err) == docker.NotFound {
				break
			}
			if wctx.Err() != nil {
				s.cleanup.add("the build container "+id+" of "+termsafe.Line(st.Name),
					errors.New("the daemon has not removed it; remove it with `docker rm -f "+id+"`"))
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// engineProblem reports whether err is about the daemon or the machine,
// not the student's work.
func engineProblem(err error) bool {
	var ep interface{ EngineProblem() bool }
	return errors.As(err, &ep) && ep.EngineProblem()
}

// cleanupErrors collects what a run could not remove: images, and step
// containers of stopped builds that the daemon kept.
type cleanupErrors struct {
	mu   sync.Mutex
	errs []error
}

func (c *cleanupErrors) add(tag string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Errorf("%s: %w", tag, err))
}

func (c *cleanupErrors) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errs) == 0 {
		return nil
	}
	return fmt.Errorf("cannot make sure everything the run made was removed (see `docker images %s/*`, and remove what is there with `docker rmi`): %w",
		ImageRepo, errors.Join(c.errs...))
}

var notTagChars = regexp.MustCompile(`[^a-z0-9._-]+`)

// tagPart makes an id usable in an image repository name.
func tagPart(s string) string {
	return strings.Trim(notTagChars.ReplaceAllString(strings.ToLower(s), "-"), ".-_")
}

// runID tells this run's images from those of any other, a resumed run
// of the same class included.
func runID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Counts are the summary's rows by outcome.
func (s Summary) Counts() (passed, failed, errored int) {
	for _, r := range s.Rows {
		switch {
		case r.Passed:
			passed++
		case r.Status == StatusError:
			errored++
		default:
			failed++
		}
	}
	return passed, failed, errored
}

// Todo counts the students of the roster that an earlier run (done) has
// not graded.
func Todo(students []Student, done map[string]Row) int {
	n := len(students)
	for _, st := range students {
		if _, ok := done[st.ID]; ok {
			n--
		}
	}
	return n
}
