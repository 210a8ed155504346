// Package exercises embeds the exercise material of the built-in course:
// the Task API starter and the reference solutions.
package exercises

import "embed"

// FS holds task-api/ (starter, solutions, testbase). all: keeps the
// dotfiles (.dockerignore, .env.example) that the exercises are about.
//
//go:embed all:task-api
var FS embed.FS
