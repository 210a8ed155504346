package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONEscapesC1Controls(t *testing.T) {
	var b bytes.Buffer
	in := map[string]string{"t": "a\u009b31mb\u0085c\u007fd é\u00a0ü", "u": "\u0085 only"}
	if err := JSON(&b, in, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\u009b\u0085\u007f") || !strings.Contains(out, `"\u0085 only"`) {
		t.Errorf("raw controls in %q", out)
	}
	if !strings.Contains(out, `\u009b31mb\u0085c\u007fd é`+"\u00a0ü") {
		t.Errorf("output %q", out)
	}
	var back map[string]string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back["t"] != in["t"] || back["u"] != in["u"] {
		t.Errorf("round trip %q, want %q", back["t"], in["t"])
	}
}
