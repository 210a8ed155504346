// Package termsafe makes untrusted text safe to print in a terminal.
//
// Container logs, daemon errors and lesson packs written by other people can
// carry escape sequences that move the cursor, clear the screen, set the
// window title, write to the clipboard (OSC 52) or open links to local files.
// Everything that reaches the screen from such a source goes through one of
// the functions here first.
//
// The scanner follows ECMA-48 the way xterm-like terminals do: 7-bit (ESC x)
// and 8-bit (C1) introducers, both as UTF-8 encoded code points and as raw
// bytes, CSI sequences up to their final byte, and control strings (OSC, DCS,
// SOS, PM, APC) up to BEL or ST. A control string that is never terminated
// is dropped up to the end of the input, as a terminal would swallow it; an
// ESC inside a control string ends it there, and CAN or SUB cancel it.
package termsafe

import (
	"strings"
	"unicode/utf8"
)

// Control characters and introducers the scanner needs by name.
const (
	bel = 0x07
	can = 0x18
	sub = 0x1a
	esc = 0x1b
	del = 0x7f

	c1DCS = 0x90
	c1SOS = 0x98
	c1CSI = 0x9b
	c1ST  = 0x9c
	c1OSC = 0x9d
	c1PM  = 0x9e
	c1APC = 0x9f
)

// mode selects what the scanner keeps.
type mode int

const (
	// modeText keeps printable text, newlines and tabs.
	modeText mode = iota
	// modeLine keeps printable text and turns newlines and tabs into spaces.
	modeLine
	// modeRendered keeps what modeText keeps plus SGR sequences and OSC 8
	// hyperlinks to http(s) URLs.
	modeRendered
)

// Text returns s with every escape sequence and every control character
// removed, except newline and tab. A CRLF pair becomes a newline; a lone
// carriage return is removed because it would let later text overwrite
// earlier text on the same line. Bytes that are not valid UTF-8 become
// U+FFFD, so the result is always valid UTF-8.
//
// Use it for untrusted plain text: container logs, daemon errors, lesson
// titles shown in lists.
func Text(s string) string {
	return clean(s, modeText)
}

// Line is like Text but also turns newlines and tabs into spaces, for text
// shown in a one-line field.
func Line(s string) string {
	return clean(s, modeLine)
}

// Rendered sanitizes the output of a Markdown renderer. It keeps SGR
// sequences (CSI with only digits, ';' and ':' as parameters and the final
// byte 'm'), OSC 8 hyperlinks whose URI starts with http:// or https:// and
// the OSC 8 sequence that closes a hyperlink, terminated by BEL or ST; it
// drops every other escape sequence and every control character except
// newline and tab. Kept sequences are re-emitted in 7-bit form.
func Rendered(s string) string {
	return clean(s, modeRendered)
}

// plain reports whether s has nothing the scanner would change, so the
// common case costs one pass and no allocation.
func plain(s string, m mode) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < del {
			continue
		}
		if (c == '\n' || c == '\t') && m != modeLine {
			continue
		}
		return false
	}
	return true
}

func clean(s string, m mode) string {
	if plain(s, m) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := decode(s, i)
		if r == utf8.RuneError && size == 1 {
			// Invalid UTF-8 that is not a raw C1 control.
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		switch {
		case r == esc:
			i = escape(&b, s, i+size, m)
		case r == c1CSI:
			i = csi(&b, s, i+size, m)
		case r == c1OSC || r == c1DCS || r == c1SOS || r == c1PM || r == c1APC:
			i = controlString(&b, s, i+size, r == c1OSC, m)
		case r == '\r':
			// CRLF becomes LF (the LF is kept on the next turn); a lone CR
			// is dropped.
			i += size
		case r == '\n' || r == '\t':
			if m == modeLine {
				b.WriteByte(' ')
			} else {
				b.WriteByte(byte(r))
			}
			i += size
		case r < 0x20 || (r >= del && r <= 0x9f):
			i += size
		default:
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return b.String()
}

// decode returns the code point at s[i]. A byte in 0x80–0x9F that is not
// part of a valid UTF-8 sequence is returned as the C1 control it would be
// in an 8-bit terminal, so raw 8-bit introducers are recognised too. Any
// other invalid byte is returned as (utf8.RuneError, 1).
func decode(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 && c >= 0x80 && c <= 0x9f {
		return rune(c), 1
	}
	return r, size
}

// escape consumes the sequence after an ESC at s[j-1] and returns the index
// of the first byte after it.
func escape(b *strings.Builder, s string, j int, m mode) int {
	if j >= len(s) {
		return j
	}
	c := s[j]
	switch {
	case c == '[':
		return csi(b, s, j+1, m)
	case c == ']':
		return controlString(b, s, j+1, true, m)
	case c == 'P' || c == 'X' || c == '^' || c == '_':
		return controlString(b, s, j+1, false, m)
	case c >= 0x20 && c <= 0x2f:
		// nF sequence: intermediates, then one final byte.
		k := j
		for k < len(s) && s[k] >= 0x20 && s[k] <= 0x2f {
			k++
		}
		if k < len(s) && s[k] >= 0x30 && s[k] <= 0x7e {
			k++
		}
		return k
	case c >= 0x30 && c <= 0x7e:
		// Two-byte sequence such as ESC 7 or ESC c (full reset).
		return j + 1
	default:
		// A lone ESC: drop it and let the caller look at c afresh (another
		// ESC, a control to drop, or text to keep).
		return j
	}
}

// csi consumes a control sequence whose parameters start at s[j] and
// returns the index after it. In modeRendered an SGR sequence is copied.
func csi(b *strings.Builder, s string, j int, m mode) int {
	k := j
	for k < len(s) && s[k] >= 0x20 && s[k] <= 0x3f {
		k++
	}
	if k >= len(s) || s[k] < 0x40 || s[k] > 0x7e {
		// Unterminated or interrupted by a byte that cannot be part of a
		// CSI: drop what we have; the interrupting byte is handled by the
		// caller.
		return k
	}
	if m == modeRendered && s[k] == 'm' && sgrParams(s[j:k]) {
		b.WriteString("\x1b[")
		b.WriteString(s[j:k])
		b.WriteByte('m')
	}
	return k + 1
}

func sgrParams(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if (c < '0' || c > '9') && c != ';' && c != ':' {
			return false
		}
	}
	return true
}

// controlString consumes an OSC, DCS, SOS, PM or APC string whose payload
// starts at s[j] and returns the index after it. In modeRendered an OSC 8
// hyperlink to an http(s) URL is copied.
func controlString(b *strings.Builder, s string, j int, osc bool, m mode) int {
	for k := j; k < len(s); {
		c := s[k]
		switch {
		case c == bel:
			emitOSC(b, s[j:k], "\a", osc, m)
			return k + 1
		case c == esc:
			if k+1 < len(s) && s[k+1] == '\\' {
				emitOSC(b, s[j:k], "\x1b\\", osc, m)
				return k + 2
			}
			// ESC aborts the string and starts a new sequence.
			return k
		case c == can || c == sub:
			return k + 1
		case c < utf8.RuneSelf:
			k++
		default:
			r, size := decode(s, k)
			if r == c1ST {
				emitOSC(b, s[j:k], "\x1b\\", osc, m)
				return k + size
			}
			k += size
		}
	}
	return len(s)
}

// emitOSC writes payload back as an OSC sequence if it is an allowed OSC 8
// hyperlink and m is modeRendered.
func emitOSC(b *strings.Builder, payload, term string, osc bool, m mode) {
	if m != modeRendered || !osc {
		return
	}
	params, uri, ok := hyperlink(payload)
	if !ok {
		return
	}
	b.WriteString("\x1b]8;")
	b.WriteString(params)
	b.WriteByte(';')
	b.WriteString(uri)
	b.WriteString(term)
}

// hyperlink parses an OSC 8 payload ("8;params;uri"). It accepts the closing
// form (empty URI) and http(s) URIs made of printable ASCII. Parameters with
// unexpected characters are dropped rather than the whole link, since they
// only carry an optional id.
func hyperlink(payload string) (params, uri string, ok bool) {
	rest, found := strings.CutPrefix(payload, "8;")
	if !found {
		return "", "", false
	}
	params, uri, found = strings.Cut(rest, ";")
	if !found {
		return "", "", false
	}
	if !safeParams(params) {
		params = ""
	}
	if uri == "" {
		return params, "", true
	}
	lower := strings.ToLower(uri[:min(len(uri), len("https://"))])
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return "", "", false
	}
	for i := 0; i < len(uri); i++ {
		if uri[i] <= ' ' || uri[i] >= del {
			return "", "", false
		}
	}
	return params, uri, true
}

func safeParams(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '=' || c == ':' || c == '-' || c == '_' || c == '.':
		default:
			return false
		}
	}
	return true
}
