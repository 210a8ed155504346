// Package human formats values for people the one way shipshape prints
// them everywhere: sizes, counts of things, and Docker ids. The check
// evidence, the CLI and the TUI show the same image, so they must show the
// same numbers for it.
package human

import (
	"fmt"
	"strconv"
	"strings"
)

// Size formats bytes in decimal units with about three significant digits,
// like `docker image ls` (412 MB, 12.3 MB, 1.98 MB, 1 kB).
func Size(b int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f := float64(b)
	i := 0
	for f >= 999.5 && i < len(units)-1 {
		f /= 1000
		i++
	}
	var s string
	switch {
	case f >= 100 || i == 0:
		s = strconv.FormatFloat(f, 'f', 0, 64)
	case f >= 10:
		s = strconv.FormatFloat(f, 'f', 1, 64)
	default:
		s = strconv.FormatFloat(f, 'f', 2, 64)
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + " " + units[i]
}

// Count says "1 lesson" or "3 lessons"; word is a singular noun whose
// plural takes an s.
func Count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// ShortID is the 12-character form Docker prints of an image or container
// id, without the "sha256:" of image ids.
func ShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
