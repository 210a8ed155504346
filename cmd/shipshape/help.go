package main

import (
	"embed"
	"strings"
)

// The long help of the commands is text in help/, NAME.txt for each
// command (pack-install.txt for `pack install`), edited as prose and read
// as `shipshape NAME --help` shows it.
//
//go:embed help
var helpFiles embed.FS

// help is the long help of the command name.
func help(name string) string {
	b, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic("no help/" + name + ".txt in this build") // a file missing from the repository
	}
	return strings.TrimRight(string(b), "\n")
}
