package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"shipshape/internal/packs"
)

func TestJSONEscapesC1Controls(t *testing.T) {
	var b bytes.Buffer
	in := map[string]string{"t": "a\u009b31mb\u0085c\u007fd é\u00a0ü", "u": "\u0085 only"}
	must(t, encodeJSON(&b, in, false))
	out := b.String()
	if strings.ContainsAny(out, "\u009b\u0085\u007f") || !strings.Contains(out, `"\u0085 only"`) {
		t.Errorf("raw controls in %q", out)
	}
	if !strings.Contains(out, `\u009b31mb\u0085c\u007fd é`+"\u00a0ü") {
		t.Errorf("output %q", out)
	}
	var back map[string]string
	must(t, json.Unmarshal(b.Bytes(), &back))
	if back["t"] != in["t"] || back["u"] != in["u"] {
		t.Errorf("round trip %q, want %q", back["t"], in["t"])
	}
}

// TestPackListJSONEscapesC1: the data directory's name reaches the
// output; a U+009B in it must arrive escaped.
func TestPackListJSONEscapesC1(t *testing.T) {
	useStateDir(t)
	t.Setenv(packs.EnvDataDir, filepath.Join(t.TempDir(), "x\u009b2J"))
	out, errOut, code := run(t, "", "pack", "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "\u009b") || !strings.Contains(out, `x\u009b2J`) {
		t.Errorf("output %q", out)
	}
}
