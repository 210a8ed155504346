package dockerfile

import (
	"bytes"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// buildKitFlags are instruction flags the classic builder rejects.
var buildKitFlags = []string{"--mount", "--network", "--security", "--link", "--chmod", "--exclude", "--parents", "--checksum", "--keep-git-dir"}

// NeedsBuildKit reports whether a Dockerfile uses what only BuildKit
// understands: a syntax directive, heredocs, or flags such as RUN --mount
// and COPY --chmod/--link. A Dockerfile that does not parse is left to
// the builder, which explains the error.
func NeedsBuildKit(dt []byte) bool {
	if _, _, _, ok := parser.DetectSyntax(dt); ok {
		return true
	}
	res, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return false
	}
	for _, n := range res.AST.Children {
		if len(n.Heredocs) > 0 {
			return true
		}
		for _, f := range n.Flags {
			for _, bk := range buildKitFlags {
				if f == bk || strings.HasPrefix(f, bk+"=") {
					return true
				}
			}
		}
	}
	return false
}
