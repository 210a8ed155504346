package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"shipshape/internal/attempt"
	"shipshape/internal/checklist"
	"shipshape/internal/report"
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
		Long:  help("checklist"),
		Example: `  shipshape checklist
  shipshape checklist --image task-api:prod --dir ./shipshape-workspace
  shipshape checklist --trivy-report report.json --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.devImageSet = cmd.Flags().Changed("dev-image")
			return runChecklist(cmd.Context(), a, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.image, "image", "", "the prod image to check, `REF` (default: the pack's, task-api:prod)")
	f.StringVar(&o.devImage, "dev-image", "", "the dev image to compare sizes with, `REF` (default: the pack's, task-api:dev, used when it exists)")
	f.StringVar(&o.dir, "dir", ".", "the `DIR` holding the Dockerfile and .dockerignore")
	f.StringVar(&o.format, "format", "text", "output `FORMAT`: text, json, github (Actions annotations) or sarif")
	f.StringVar(&o.trivyReport, "trivy-report", "", "a Trivy JSON report (`FILE`) of the image, for the security-scan item")
	return cmd
}

func runChecklist(ctx context.Context, a *app, o checklistOptions) error {
	format, err := report.ParseFormat(o.format, report.FormatText, report.FormatJSON, report.FormatGitHub, report.FormatSARIF)
	if err != nil {
		return usageError("%v", err)
	}
	pack, err := a.loadPack()
	if err != nil {
		return err
	}
	target := attempt.TargetFor(pack, o.image, o.devImage, o.dir)
	target.DevImageNamed = o.devImageSet
	ctx, stop := interruptible(ctx)
	defer stop()
	session := a.session()
	defer session.Close()
	cl, err := a.runner(session, o.trivyReport).Checklist(ctx, pack, target, nil)
	switch {
	case errors.Is(err, attempt.ErrCancelled):
		return &exitError{code: 2, err: errors.New("interrupted; the containers made for the checklist were removed")}
	case err != nil:
		return &exitError{code: 2, err: err}
	}

	var ticked map[string]bool
	if st, err := a.loadProgress(pack); err == nil {
		ticked = st.Checklist
	}
	err = report.Checklist(a.stdout, format, o.dir, cl.Image, cl.ImageID, cl.Items, ticked)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("cannot write the checklist: %w", err)}
	}
	switch checklist.OutcomeOf(cl.Items) {
	case checklist.Failed:
		ids := checklist.FailedIDs(cl.Items)
		return &exitError{code: 1, err: fmt.Errorf("%d checklist item(s) failed: %s", len(ids), strings.Join(ids, ", "))}
	case checklist.Incomplete:
		if r, ok := checklist.FirstError(cl.Items); ok {
			return &exitError{code: 2, err: fmt.Errorf("could not check the checklist: %s", termsafe.Line(r.Reason()))}
		}
	}
	return nil
}
