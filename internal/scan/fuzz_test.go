package scan

import (
	"bytes"
	"testing"
)

// FuzzParseReport checks that no input panics and that every accepted report
// can be summarised. Seeds live in testdata/fuzz/FuzzParseReport.
func FuzzParseReport(f *testing.F) {
	f.Add([]byte(`{"SchemaVersion":2,"ArtifactName":"x","Metadata":{"ImageID":"sha256:00"},"Results":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseReport(bytes.NewReader(data))
		if err != nil {
			if r != nil {
				t.Fatal("report returned with an error")
			}
			return
		}
		if r.SchemaVersion != SupportedSchemaVersion {
			t.Fatalf("accepted schema %d", r.SchemaVersion)
		}
		total := 0
		for _, n := range r.Counts() {
			total += n
		}
		if got := len(r.Findings()); got != total {
			t.Fatalf("Findings() = %d, Counts total = %d", got, total)
		}
		if r.MatchesImage("", nil) {
			t.Fatal("matched an empty image ID")
		}
	})
}
