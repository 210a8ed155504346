// Package ids holds the one rule for the ids a pack declares: the pack's own,
// its lessons' and its checks'. An id becomes a file name (the progress file),
// a directory name (an installed pack) and part of a link, so every package
// that takes one checks it here rather than with a copy of the rule.
package ids

import "strings"

// MaxLen is the longest id, in bytes; ids are ASCII, so also in characters.
const MaxLen = 64

// Rule says in words what Valid accepts, for messages that ask a person to
// fix an id.
const Rule = "lowercase letters, digits and hyphens (at most 64), starting with a letter or digit"

// Valid reports whether id follows the rule: 1 to MaxLen lowercase ASCII
// letters, digits and hyphens, not starting with a hyphen.
func Valid(id string) bool {
	if id == "" || len(id) > MaxLen || id[0] == '-' {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !idByte(id[i]) {
			return false
		}
	}
	return true
}

func idByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
}

// FromName derives an id from a free-form name such as a directory name:
// lowercased, every run of other characters becomes one hyphen, hyphens are
// trimmed from both ends, and the result is cut to maxLen (at most MaxLen).
// It returns "" when nothing of name is usable, so the caller picks a default.
func FromName(name string, maxLen int) string {
	maxLen = min(maxLen, MaxLen)
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < 128 && idByte(byte(r)) && r != '-' {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	id := strings.Trim(b.String(), "-")
	if len(id) > maxLen {
		id = strings.TrimRight(id[:maxLen], "-")
	}
	return id
}
