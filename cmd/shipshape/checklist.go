package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"shipshape/internal/check"
	"shipshape/internal/checklist"
	"shipshape/internal/human"
	"shipshape/internal/termsafe"
)

// checklistOptions are the flags of `shipshape checklist`.
type checklistOptions struct {
	image, devImage, dir, format, trivyReport string
	devImageSet                               bool
}

func newChecklistCmd(a *app) *cobra.Command {
	var o checklistOptions
	cmd := &cobra.Command{
		Use:   "checklist",
		Short: "Run the deployment checklist against your prod image (exit 0 ok, 1 failed, 2 could not check)",
		Long: `Go through the course's deployment checklist: every item a check can judge
is judged against your prod image and workspace (✓ or ✗); the others say
"check yourself" and show as ticked when you ticked them in the course.

Exit status: 0 when no judged item failed, 1 when one failed, 2 when the
checklist could not be checked (Docker daemon unreachable, image missing,
a check that could not run).`,
		Example: `  shipshape checklist
  shipshape checklist --image task-api:prod --dir ./shipshape-workspace
  shipshape checklist --trivy-report report.json --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("image") {
				o.image = ""
			}
			o.devImageSet = cmd.Flags().Changed("dev-image")
			if !o.devImageSet {
				o.devImage = ""
			}
			return runChecklist(cmd.Context(), a, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.image, "image", "task-api:prod", "the prod image to check, `REF`")
	f.StringVar(&o.devImage, "dev-image", "task-api:dev", "the dev image to compare sizes with, `REF` (used when it exists)")
	f.StringVar(&o.dir, "dir", ".", "the `DIR` holding the Dockerfile and .dockerignore")
	f.StringVar(&o.format, "format", "text", "output `FORMAT`: text or json")
	f.StringVar(&o.trivyReport, "trivy-report", "", "a Trivy JSON report (`FILE`) of the image, for the security-scan item")
	return cmd
}

func runChecklist(ctx context.Context, a *app, o checklistOptions) error {
	if o.format != "text" && o.format != "json" {
		return usageError("unknown --format %q: use text or json", o.format)
	}
	pack, err := a.loadPack()
	if err != nil {
		return err
	}
	o.image, o.devImage = defaultImages(pack, o.image, o.devImage)
	ctx, stop := interruptible(ctx)
	defer stop()

	dc, info, err := connectForImage(ctx, a, o.image)
	if err != nil {
		return err
	}
	defer closeDocker(dc)
	// The size comparison needs the dev image; without one (not built, no
	// --dev-image) the item is judged by the size bound alone.
	if !o.devImageSet {
		if ok, err := dc.ImageExists(ctx, o.devImage); err != nil || !ok {
			o.devImage = ""
		}
	}
	target := check.Target{Image: o.image, DevImage: o.devImage, Dir: o.dir, TrivyReport: o.trivyReport}
	results := checklist.Run(ctx, check.NewEngine(dc), target, nil)
	if ctx.Err() != nil {
		return &exitError{code: 2, err: fmt.Errorf("interrupted; the containers made for the checklist were removed")}
	}

	var ticked map[string]bool
	if st, err := a.loadProgress(pack); err == nil {
		ticked = st.Checklist
	}
	if o.format == "json" {
		err = writeChecklistJSON(a.stdout, o.image, info.ID, results, ticked)
	} else {
		writeChecklistText(a.stdout, o.image, info.ID, results, ticked)
	}
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("cannot write the checklist: %w", err)}
	}
	switch checklist.OutcomeOf(results) {
	case checklist.Failed:
		var ids []string
		for _, r := range results {
			if r.Status == checklist.Fail {
				ids = append(ids, r.Item.ID)
			}
		}
		return &exitError{code: 1, err: fmt.Errorf("%d checklist item(s) failed: %s", len(ids), strings.Join(ids, ", "))}
	case checklist.Incomplete:
		for _, r := range results {
			if r.Status == checklist.Error {
				reason := r.Item.ID
				if len(r.Evidence) > 0 {
					reason += ": " + r.Evidence[0]
				}
				if r.Hint != "" {
					reason += " — " + r.Hint
				}
				return &exitError{code: 2, err: fmt.Errorf("could not check the checklist: %s", termsafe.Line(reason))}
			}
		}
	}
	return nil
}

// checklistJSON is the stable shape of `checklist --format json`.
type checklistJSON struct {
	Image   string              `json:"image"`
	ImageID string              `json:"image_id"`
	Items   []checklistItemJSON `json:"items"`
}

type checklistItemJSON struct {
	ID       string   `json:"id"`
	Section  string   `json:"section"`
	Text     string   `json:"text"`
	Status   string   `json:"status"`
	Evidence []string `json:"evidence"`
	// Ticked is set for items the learner ticked in the course.
	Ticked bool `json:"ticked"`
}

func writeChecklistJSON(w io.Writer, image, imageID string, results []checklist.ItemResult, ticked map[string]bool) error {
	doc := checklistJSON{Image: image, ImageID: imageID, Items: []checklistItemJSON{}}
	for _, r := range results {
		ev := r.Evidence
		if ev == nil {
			ev = []string{}
		}
		doc.Items = append(doc.Items, checklistItemJSON{ID: r.Item.ID, Section: r.Item.Section, Text: r.Item.Text,
			Status: string(r.Status), Evidence: ev, Ticked: ticked[r.Item.ID]})
	}
	return encodeJSON(w, doc, false)
}

func writeChecklistText(w io.Writer, image, imageID string, results []checklist.ItemResult, ticked map[string]bool) {
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
