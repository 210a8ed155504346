package report

import (
	"fmt"
	"io"

	"shipshape/internal/packs"
	"shipshape/internal/termsafe"
)

// PackRow is one row of `pack list --json`.
type PackRow struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Version string `json:"version,omitempty"`
	Path    string `json:"path"`
	Error   string `json:"error,omitempty"`
}

// PackListDoc is the stable shape of `pack list --json`.
type PackListDoc struct {
	Dir   string    `json:"dir"`
	Packs []PackRow `json:"packs"`
}

// PackList is the document of `pack list --json` for the packs in dir.
func PackList(dir string, list []packs.Installed) PackListDoc {
	doc := PackListDoc{Dir: dir, Packs: make([]PackRow, 0, len(list))}
	for _, p := range list {
		r := PackRow{ID: p.ID, Title: p.Title, Version: p.Version, Path: p.Path}
		if p.Err != nil {
			r.Error = p.Err.Error()
		}
		doc.Packs = append(doc.Packs, r)
	}
	return doc
}

// PackListText writes the installed packs, broken ones with the reason.
func PackListText(w io.Writer, dir string, list []packs.Installed) {
	if len(list) == 0 {
		fmt.Fprintf(w, "No packs installed (in %s). Install one with: shipshape pack install FILE\n", termsafe.Line(dir))
		return
	}
	// Ids come from directory names, which may hold anything,
	// escape sequences included.
	for _, p := range list {
		if p.Err != nil {
			fmt.Fprintf(w, "%-24s BROKEN  %s\n", termsafe.Line(p.ID), termsafe.Line(p.Err.Error()))
			continue
		}
		fmt.Fprintf(w, "%-24s %-8s %s\n", termsafe.Line(p.ID), termsafe.Line(p.Version), termsafe.Line(p.Title))
	}
	for _, p := range list {
		if p.Err != nil {
			fmt.Fprintf(w, "\nA broken pack can be reinstalled (shipshape pack install FILE) or removed (shipshape pack remove %s).\n", termsafe.Line(p.ID))
			break
		}
	}
}
