// Package lessons embeds the built-in course, which is a lesson pack like any
// instructor's pack: a pack.yaml manifest and one Markdown file per lesson.
package lessons

import "embed"

// FS holds the built-in pack. Its root is the pack root.
//
//go:embed pack.yaml *.md
var FS embed.FS
