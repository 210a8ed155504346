package main

import (
	"io"

	"github.com/spf13/cobra"

	"shipshape/internal/report"
	"shipshape/internal/summary"
)

func newListCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the lessons and exercises with your progress",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			pack, err := a.loadPack()
			if err != nil {
				return err
			}
			st, err := a.loadProgress(pack)
			if err != nil {
				return err
			}
			sum := summary.Of(pack, st)
			if asJSON {
				return writeJSON(a.stdout, report.List(pack, sum))
			}
			report.ListText(a.stdout, pack, sum)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON for scripts")
	return cmd
}

// writeJSON writes a document for scripts.
func writeJSON(w io.Writer, v any) error {
	return report.JSON(w, v, true)
}
