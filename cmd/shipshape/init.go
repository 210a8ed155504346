package main

import (
	"errors"
	"path/filepath"

	"github.com/spf13/cobra"

	"shipshape/internal/report"
	"shipshape/internal/workspace"
)

// defaultWorkspace is where `shipshape init` writes the starter.
const defaultWorkspace = "shipshape-workspace"

func newInitCmd(a *app) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write the exercises' starter project (the Task API) into DIR",
		Long:  help("init"),
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			dir := defaultWorkspace
			if len(args) == 1 {
				dir = args[0]
			}
			pack, err := a.loadPack()
			if err != nil {
				return err
			}
			if pack.Workspace == nil {
				return usageError("the pack %q has no starter project to write", pack.Title)
			}
			res, err := workspace.Init(pack.FS, pack.Workspace.Starter, dir, force)
			if errors.Is(err, workspace.ErrNotEmpty) {
				return usageError("%v", err)
			}
			if err != nil {
				return err
			}
			abs, _ := filepath.Abs(dir)
			report.Init(a.stdout, pack, res, abs, dir, a.packPath)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "write into a directory that already has files (changed files are backed up)")
	return cmd
}
