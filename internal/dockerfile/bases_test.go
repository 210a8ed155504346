package dockerfile

import (
	"slices"
	"strings"
	"testing"
)

func TestBaseImagesResolveArgsAndSkipStages(t *testing.T) {
	const df = `ARG PYTHON_IMAGE=python:3.13-slim
ARG UNSET
FROM ${PYTHON_IMAGE} AS builder
RUN true
FROM builder AS test
FROM scratch AS empty
FROM $PYTHON_IMAGE
FROM busybox:${UNSET}
`
	f, err := Parse(strings.NewReader(df))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args map[string]string
		want []string
	}{
		{nil, []string{"python:3.13-slim", "busybox:"}},
		{map[string]string{"PYTHON_IMAGE": "mirror.school:5000/python:3.13-slim", "UNSET": "1.36"}, []string{"mirror.school:5000/python:3.13-slim", "busybox:1.36"}},
		// An ARG the Dockerfile does not declare changes nothing.
		{map[string]string{"OTHER": "x"}, []string{"python:3.13-slim", "busybox:"}},
	} {
		if got := f.BaseImages(tc.args); !slices.Equal(got, tc.want) {
			t.Errorf("BaseImages(%v) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
