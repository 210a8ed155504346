package render

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// TestResizeBurstRendersOnce is six resizes while a slow lesson renders:
// one glamour render at a time, the requests in between dropped, and the
// newest one rendered once the running one ends.
func TestResizeBurstRendersOnce(t *testing.T) {
	md := strings.Repeat(strings.Repeat("word ", 50)+"\n\n", 600) // about 100 ms
	r := New(0)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = r.Render("slow", md, 40+i, Dark)
		}()
	}
	wg.Wait()
	superseded := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, ErrSuperseded):
			superseded++
		case err != nil:
			t.Fatal(err)
		}
	}
	if r.peak != 1 {
		t.Errorf("%d renders of one lesson ran at once, want 1", r.peak)
	}
	if r.renders > 2 || superseded < 4 {
		t.Errorf("%d renders, %d superseded; want at most 2 renders for a burst of 6", r.renders, superseded)
	}
	// Another lesson is not held up by this one.
	if _, err := r.Render("other", "# Other\n", 40, Dark); err != nil {
		t.Fatal(err)
	}
	if len(r.flights) != 0 {
		t.Errorf("flights left behind: %v", r.flights)
	}
}
