package docker

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"shipshape/internal/lab"
)

// buildStream encodes builder messages the way the daemon sends them.
func buildStream(t *testing.T, msgs ...map[string]string) *strings.Reader {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, m := range msgs {
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
	}
	return strings.NewReader(b.String())
}

func TestReadBuildStreamCapsLines(t *testing.T) {
	// A RUN step drawing a progress bar with \r and never a newline, sent
	// in many small messages as the builder does.
	var msgs []map[string]string
	msgs = append(msgs, map[string]string{"stream": "Step 1/2 : RUN ./progress\n"})
	for i := 0; i < 4000; i++ {
		msgs = append(msgs, map[string]string{"stream": "\r[=====>    ] 50% é"})
	}
	msgs = append(msgs, map[string]string{"stream": " done\n"}, map[string]string{"stream": "Successfully built 0123456789ab\n"})
	var events int
	res, err := readBuildStream(context.Background(), "build t", buildStream(t, msgs...), func(lab.BuildEvent) { events++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Log) < 4 {
		t.Fatalf("the long line was not split: %d lines", len(res.Log))
	}
	total := 0
	for i, l := range res.Log {
		if len(l) > maxLogLine {
			t.Errorf("line %d is %d bytes, over %d", i, len(l), maxLogLine)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d was cut inside a rune", i)
		}
		if strings.ContainsRune(l, '\r') {
			t.Errorf("line %d keeps a carriage return", i)
		}
		total += len(l)
	}
	if want := len("Step 1/2 : RUN ./progress") + 4000*len("[=====>    ] 50% é") + len(" done") + len("Successfully built 0123456789ab"); total != want {
		t.Errorf("log holds %d bytes of text, want %d: text was lost", total, want)
	}
	if events != len(res.Log) {
		t.Errorf("%d events for %d lines", events, len(res.Log))
	}
	if res.ImageID != "0123456789ab" {
		t.Errorf("image id %q", res.ImageID)
	}
}

func TestReadBuildStreamError(t *testing.T) {
	res, err := readBuildStream(context.Background(), "build t", buildStream(t,
		map[string]string{"stream": "Step 1/2 : FROM base\n"},
		map[string]string{"stream": "Step 2/2 : RUN false"},
		map[string]string{"error": "the command '/bin/sh -c false' returned a non-zero code: 1\x1b[2J"},
	), func(lab.BuildEvent) {})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Step 1/2 : FROM base", "Step 2/2 : RUN false", "ERROR: the command '/bin/sh -c false' returned a non-zero code: 1"}
	if strings.Join(res.Log, "|") != strings.Join(want, "|") {
		t.Errorf("log %q, want %q", res.Log, want)
	}
	if res.FailedStep != "Step 2/2 : RUN false" {
		t.Errorf("failed step %q", res.FailedStep)
	}
}

func TestLineWriterSplitsLongLines(t *testing.T) {
	var got []string
	w := &lineWriter{stream: "stdout", on: func(_, l string) { got = append(got, l) }}
	// One write far larger than the cap, with and without a newline.
	if _, err := w.Write([]byte(strings.Repeat("x", 3*maxLogLine+5) + "\nshort\r\n" + strings.Repeat("y", 10))); err != nil {
		t.Fatal(err)
	}
	if len(w.buf) > maxLogLine {
		t.Errorf("buffer holds %d bytes", len(w.buf))
	}
	w.flush()
	want := []int{maxLogLine, maxLogLine, maxLogLine, 5, 5, 10}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	for i, n := range want {
		if len(got[i]) != n {
			t.Errorf("line %d: %d bytes, want %d", i, len(got[i]), n)
		}
	}
	if got[4] != "short" {
		t.Errorf("line 4 = %q", got[4])
	}
}
