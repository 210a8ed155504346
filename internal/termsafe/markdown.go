package termsafe

import (
	"strings"
	"unicode/utf8"
)

// Markdown prepares untrusted Markdown for rendering. It removes escape
// sequences and control characters as Text does, then replaces every
// numeric character reference that would decode to a control character or
// an invalid code point with U+FFFD, which is visible and harmless.
//
// This is needed because the renderer decodes references after parsing:
// glamour passes text, code spans and HTML through html.UnescapeString, so
// "&#27;" becomes a real ESC byte. The decoders disagree on details, and a
// reference is replaced if any of them would produce a control:
//
//   - html.UnescapeString accepts references without the trailing ';' and
//     lets large numbers wrap around in 32 bits ("&#4294967323;" is ESC);
//   - goldmark parses decimal references with strconv base 0, so a leading
//     zero means octal ("&#033;" is ESC).
//
// References are replaced wherever they appear, code blocks included, so a
// lesson cannot show "&#27;" literally; that is the price of not depending
// on how the renderer treats each node. Named references need no handling:
// the only HTML5 names that decode to control characters are &Tab; and
// &NewLine;, which are allowed. Run the renderer's output through Rendered
// as well; Markdown only narrows what reaches it.
func Markdown(s string) string {
	s = Text(s)
	if !strings.Contains(s, "&#") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '&' || i+1 >= len(s) || s[i+1] != '#' {
			continue
		}
		end, bad := numericRef(s, i+2)
		if end < 0 {
			continue
		}
		if bad {
			b.WriteString(s[last:i])
			b.WriteRune(utf8.RuneError)
			last = end
		}
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// numericRef looks at the text after "&#" starting at s[j]. It returns the
// index after the reference (including an optional ';') and whether any
// decoder could turn it into a disallowed code point, or end -1 if there is
// no reference.
func numericRef(s string, j int) (end int, bad bool) {
	hex := j < len(s) && (s[j] == 'x' || s[j] == 'X')
	start := j
	if hex {
		start++
	}
	k := start
	for k < len(s) && isDigit(s[k], hex) {
		k++
	}
	if k == start {
		return -1, false
	}
	digits := s[start:k]
	if k < len(s) && s[k] == ';' {
		k++
	}
	if hex {
		return k, disallowed(parse(digits, 16))
	}
	if disallowed(parse(digits, 10)) {
		return k, true
	}
	// goldmark's octal reading of a leading zero.
	if len(digits) > 1 && digits[0] == '0' && allOctal(digits) {
		return k, disallowed(parse(digits, 8))
	}
	return k, false
}

func isDigit(c byte, hex bool) bool {
	if c >= '0' && c <= '9' {
		return true
	}
	return hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')
}

func allOctal(d string) bool {
	for i := 0; i < len(d); i++ {
		if d[i] > '7' {
			return false
		}
	}
	return true
}

// parse returns the value of digits in base, or -1 if it is larger than
// any code point; anything that large is disallowed, which also covers
// decoders that wrap around.
func parse(digits string, base int64) int64 {
	var v int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		var d int64
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case c >= 'a' && c <= 'f':
			d = int64(c-'a') + 10
		default:
			d = int64(c-'A') + 10
		}
		v = v*base + d
		if v > utf8.MaxRune {
			return -1
		}
	}
	return v
}

// disallowed reports whether a decoded reference must not reach the
// renderer: NUL, C0 controls other than tab and newline, DEL, C1 controls,
// surrogates and values beyond Unicode.
func disallowed(v int64) bool {
	switch {
	case v < 0 || v > utf8.MaxRune:
		return true
	case v == '\t' || v == '\n':
		return false
	case v < 0x20:
		return true
	case v >= del && v <= 0x9f:
		return true
	case v >= 0xd800 && v <= 0xdfff:
		return true
	}
	return false
}
