package report

import (
	"fmt"
	"io"

	"shipshape/internal/checklist"
	"shipshape/internal/human"
	"shipshape/internal/termsafe"
)

// Checklist writes the judged checklist in format f (text, json, github or
// sarif); dir is the workspace, where annotations point.
func Checklist(w io.Writer, f Format, dir, image, imageID string, items []checklist.ItemResult, ticked map[string]bool) error {
	switch f {
	case FormatJSON:
		return ChecklistJSON(w, image, imageID, items, ticked)
	case FormatGitHub:
		return ChecklistGitHub(w, dir, image, imageID, items, ticked)
	case FormatSARIF:
		return ChecklistSARIF(w, dir, items)
	}
	ChecklistText(w, image, imageID, items, ticked)
	return nil
}

// ChecklistDoc is the stable shape of `checklist --format json`.
type ChecklistDoc struct {
	Image   string             `json:"image"`
	ImageID string             `json:"image_id"`
	Items   []ChecklistItemDoc `json:"items"`
}

// ChecklistItemDoc is one item of a ChecklistDoc.
type ChecklistItemDoc struct {
	ID       string   `json:"id"`
	Section  string   `json:"section"`
	Text     string   `json:"text"`
	Status   string   `json:"status"`
	Evidence []string `json:"evidence"`
	// Ticked is set for items the learner ticked in the course.
	Ticked bool `json:"ticked"`
}

// ChecklistJSON writes the checklist as the stable JSON of
// `checklist --format json`; ticked are the items the learner ticked.
func ChecklistJSON(w io.Writer, image, imageID string, results []checklist.ItemResult, ticked map[string]bool) error {
	doc := ChecklistDoc{Image: image, ImageID: imageID, Items: []ChecklistItemDoc{}}
	for _, r := range results {
		ev := r.Evidence
		if ev == nil {
			ev = []string{}
		}
		doc.Items = append(doc.Items, ChecklistItemDoc{ID: r.Item.ID, Section: r.Item.Section, Text: r.Item.Text,
			Status: string(r.Status), Evidence: ev, Ticked: ticked[r.Item.ID]})
	}
	return JSON(w, doc, false)
}

// ChecklistText writes the checklist for a person, by section.
func ChecklistText(w io.Writer, image, imageID string, results []checklist.ItemResult, ticked map[string]bool) {
	fmt.Fprintf(w, "Deployment checklist for %s (%s)\n", termsafe.Line(image), human.ShortID(imageID))
	section := ""
	counts := map[checklist.Status]int{}
	nTicked := 0
	for _, r := range results {
		if r.Item.Section != section {
			section = r.Item.Section
			fmt.Fprintf(w, "\n%s\n", termsafe.Line(section))
		}
		counts[r.Status]++
		text := termsafe.Line(r.Item.Text)
		switch r.Status {
		case checklist.Pass:
			fmt.Fprintf(w, "  ✓ %s\n", text)
		case checklist.Fail:
			fmt.Fprintf(w, "  ✗ %s\n", text)
		case checklist.Error:
			fmt.Fprintf(w, "  ! %s (could not check)\n", text)
		default:
			if ticked[r.Item.ID] {
				nTicked++
				fmt.Fprintf(w, "  ☑ %s (ticked by you)\n", text)
			} else {
				fmt.Fprintf(w, "  ☐ %s: check yourself\n", text)
			}
		}
		if r.Status == checklist.Fail || r.Status == checklist.Error || r.Status == checklist.Manual {
			for _, e := range r.Evidence {
				fmt.Fprintf(w, "      %s\n", termsafe.Line(e))
			}
			if r.Hint != "" {
				fmt.Fprintf(w, "      hint: %s\n", termsafe.Line(r.Hint))
			}
		}
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %d could not be checked, %d to check yourself (%d ticked)\n",
		counts[checklist.Pass], counts[checklist.Fail], counts[checklist.Error], counts[checklist.Manual], nTicked)
}
