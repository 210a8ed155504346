package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"shipshape/internal/termsafe"
	"shipshape/internal/workspace"
)

// defaultWorkspace is where `shipshape init` writes the starter.
const defaultWorkspace = "shipshape-workspace"

func newInitCmd(a *app) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write the exercises' starter project (the Task API) into DIR",
		Long: `Write the starter project of the course's exercises into DIR
(default ./shipshape-workspace). A directory that already has files is
refused unless --force is given; even then, every file of yours that differs
from the starter is kept as FILE.backup-TIME before it is replaced.

The reference solutions are not copied; the exercise screen offers them once
you pass, or earlier if you confirm.`,
		Args: cobra.MaximumNArgs(1),
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
			fmt.Fprintf(a.stdout, "Wrote %d file(s) of the starter to %s", len(res.Written), termsafe.Line(abs))
			if len(res.Unchanged) > 0 {
				fmt.Fprintf(a.stdout, " (%d already up to date)", len(res.Unchanged))
			}
			fmt.Fprintln(a.stdout, ".")
			var kept []string
			for f, b := range res.BackedUp {
				kept = append(kept, fmt.Sprintf("  your %s is kept as %s", termsafe.Line(f), termsafe.Line(b)))
			}
			sort.Strings(kept)
			for _, k := range kept {
				fmt.Fprintln(a.stdout, k)
			}
			first := ""
			if exs := pack.Exercises(); len(exs) > 0 {
				first = " (then open exercise " + termsafe.Line(exs[0].ID) + ")"
			}
			packFlag := ""
			if a.packPath != "" {
				packFlag = " --pack " + termsafe.Line(a.packPath)
			}
			fmt.Fprintf(a.stdout, "\nNext:\n  cd %s\n  docker build -t %s .\n  shipshape%s%s\n",
				termsafe.Line(dir), termsafe.Line(pack.Workspace.DevImage), packFlag, first)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "write into a directory that already has files (changed files are backed up)")
	return cmd
}
