package check

import (
	"reflect"
	"testing"
)

func TestTally(t *testing.T) {
	rep := Report{Results: []Result{
		{ID: "a", Status: StatusPass, Required: true},
		{ID: "b", Status: StatusFail, Required: true},
		{ID: "c", Status: StatusError, Required: true},
		{ID: "d", Status: StatusSkip, Required: true},
		{ID: "e", Status: StatusWarn},
		{ID: "f", Status: StatusFail},
	}}
	got := rep.Tally()
	want := Tally{Passed: 1, Failed: 2, Warned: 1, Errors: 1, Skipped: 1, Required: 4, RequiredPassed: 1,
		RequiredFailed: []string{"b"}, RequiredUnjudged: []string{"c", "d"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tally = %+v\nwant   %+v", got, want)
	}
	if got.Outcome() != OutcomeFailed {
		t.Errorf("a failed required check outranks unjudged ones: %v", got.Outcome())
	}
	rep.Results[1].Status = StatusPass
	if o := rep.Outcome(); o != OutcomeIncomplete {
		t.Errorf("unjudged required checks: %v", o)
	}
	if r, ok := rep.FirstUnjudged(); !ok || r.ID != "c" {
		t.Errorf("FirstUnjudged = %v %v", r.ID, ok)
	}
	rep.Results = rep.Results[:2]
	if !rep.Passed() {
		t.Error("all required passed, advisory ignored: want passed")
	}
}
