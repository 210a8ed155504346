package termsafe

import (
	"fmt"
	"unicode/utf8"
)

// Control is one control character, or one numeric character reference
// that a Markdown renderer would decode into a control character, found in
// untrusted text.
type Control struct {
	// Offset is the byte offset in the text where it starts.
	Offset int
	// Len is its length in bytes.
	Len int
	// Desc says what it is, for a person: "the control character U+001B
	// (ESC)" or "the character reference \"&#27;\", which decodes to a
	// control character".
	Desc string
}

// FindControls reports the control characters of s (C0 except newline and
// tab, DEL, C1, and bytes that are not UTF-8) and the numeric character
// references Markdown would turn into such characters, in order, at most
// max of them (all when max <= 0). Authors' tools use it to point at the
// exact place; display goes through Text or Markdown instead.
func FindControls(s string, max int) []Control {
	var out []Control
	for i := 0; i < len(s) && (max <= 0 || len(out) < max); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			out = append(out, Control{Offset: i, Len: 1, Desc: fmt.Sprintf("the byte 0x%02X, which is not UTF-8 text", s[i])})
		case r == '\n' || r == '\t':
		case r < 0x20 || (r >= del && r <= 0x9f):
			out = append(out, Control{Offset: i, Len: size, Desc: fmt.Sprintf("the control character %U%s", r, controlName(r))})
		case r == '&' && i+1 < len(s) && s[i+1] == '#':
			if end, bad := numericRef(s, i+2); end > 0 {
				if bad {
					out = append(out, Control{Offset: i, Len: end - i,
						Desc: fmt.Sprintf("the character reference %q, which decodes to a control character", s[i:end])})
				}
				i = end
				continue
			}
		}
		i += size
	}
	return out
}

// controlName names the controls that start escape sequences.
func controlName(r rune) string {
	switch r {
	case 0x1b:
		return " (ESC, starts an escape sequence)"
	case 0x07:
		return " (BEL)"
	case 0x0d:
		return " (carriage return)"
	case 0x9b:
		return " (CSI)"
	case 0x9d:
		return " (OSC)"
	case 0x90:
		return " (DCS)"
	}
	return ""
}
