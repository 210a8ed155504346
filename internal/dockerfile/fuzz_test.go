package dockerfile

import (
	"strings"
	"testing"
)

// FuzzParse checks that no Dockerfile makes Parse or the analyses panic, and
// that accepted files have a final stage. Seeds live in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(syllabus)
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse(strings.NewReader(src))
		if err != nil {
			return
		}
		if len(file.Stages()) == 0 {
			t.Fatal("accepted a Dockerfile without stages")
		}
		for _, fn := range []func() Finding{file.Multistage, file.CacheOrder, file.NonRootFinal} {
			fd := fn()
			if fd.Status != Unknown && len(fd.Evidence) == 0 {
				t.Fatalf("status %v without evidence", fd.Status)
			}
		}
	})
}
