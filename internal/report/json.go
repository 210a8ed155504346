// Package report writes the verdicts of checks and of the deployment
// checklist for people and machines: text, JSON and JUnit XML. Everything
// that came from a pack, a container or the daemon is sanitized on the
// way out, in every format.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSON writes v as indented JSON, with DEL and the C1 controls
// (U+0080–U+009F) escaped. Go's encoder escapes C0 controls but leaves
// these raw, and U+009B is the one-byte CSI of many terminals: pack text
// (titles, evidence) piped to a terminal must not drive it. escapeHTML
// keeps encoding/json's escaping of <, > and & where a command had it.
func JSON(w io.Writer, v any, escapeHTML bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeControls(buf.Bytes()))
	return err
}

// escapeControls rewrites DEL and the UTF-8 encodings of U+0080–U+009F
// (0xC2 0x80–0x9F) as \u escapes. JSON's structure is ASCII, so these can
// only occur inside strings, where the escape means the same character.
func escapeControls(b []byte) []byte {
	// Bytes, not runes: ContainsAny would read "\xc2" as U+FFFD.
	if bytes.IndexByte(b, 0x7f) < 0 && bytes.IndexByte(b, 0xc2) < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == 0x7f:
			out = append(out, `\u007f`...)
		case b[i] == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f:
			out = fmt.Appendf(out, `\u%04x`, b[i+1])
			i++
		default:
			out = append(out, b[i])
		}
	}
	return out
}
