package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"shipshape/internal/attempt"
	"shipshape/internal/course"
	"shipshape/internal/ids"
	"shipshape/internal/packs"
	"shipshape/internal/report"
	"shipshape/internal/scaffold"
	"shipshape/internal/termsafe"
)

// loadPackArg loads --pack: a directory, a .tar.gz or .zip archive, or the
// id of an installed pack when no file of that name exists.
func (a *app) loadPackArg(opts course.Options) (*course.Pack, error) {
	path := a.packPath
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && ids.Valid(path) {
		if s, serr := packs.Default(); serr == nil && s.Has(path) {
			return s.Open(path)
		}
	}
	return packs.Load(path, opts, a.scratch())
}

func newPackCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pack",
		Short: "Install, list, remove, create and validate lesson packs",
		Long:  help("pack"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError("pack needs a subcommand: install, list, remove, new or validate (see '%s --help')", cmd.CommandPath())
		},
	}
	cmd.AddCommand(newPackInstallCmd(a), newPackListCmd(a), newPackRemoveCmd(a), newPackNewCmd(a), newPackValidateCmd(a))
	return cmd
}

func exactlyOne(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usageError("%s needs exactly one %s (see '%s --help')", cmd.Name(), what, cmd.CommandPath())
		}
		return nil
	}
}

func newPackInstallCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "install PATH",
		Short:   "Validate a pack (directory, .tar.gz or .zip) and install it",
		Long:    help("pack-install"),
		Example: "  shipshape pack install mypack.tar.gz\n  shipshape --pack mypack",
		Args:    exactlyOne("PATH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := packs.Default()
			if err != nil {
				return err
			}
			if _, err := os.Stat(args[0]); err != nil {
				return usageError("cannot install %s: %v", args[0], err)
			}
			inst, err := s.Install(args[0])
			if err != nil {
				return packRefused(err)
			}
			for _, w := range inst.Warnings {
				fmt.Fprintln(a.stderr, "shipshape: warning: "+termsafe.Text(w.String()))
			}
			report.Installed(a.stdout, inst)
			return nil
		},
	}
}

// packRefused turns a refusal into exit status 1 with every problem listed.
func packRefused(err error) error {
	if packs.Refused(err) {
		return &exitError{code: 1, err: err}
	}
	return err
}

func newPackListCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List installed packs (broken ones with the reason)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := packs.Default()
			if err != nil {
				return err
			}
			list, err := s.List()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, report.PackList(s.Dir, list))
			}
			report.PackListText(a.stdout, s.Dir, list)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newPackRemoveCmd(a *app) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "remove ID",
		Short: "Remove an installed pack (your progress in it is kept)",
		Args:  exactlyOne("pack ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			s, err := packs.Default()
			if err != nil {
				return err
			}
			if !ids.Valid(id) {
				return usageError("%q is not a pack id; see 'shipshape pack list'", id)
			}
			if !s.Has(id) {
				return usageError("no installed pack %q; see 'shipshape pack list'", id)
			}
			if !yes {
				ok, err := confirm(a, fmt.Sprintf("Remove the installed pack %s?", id), "Not removing")
				if err != nil {
					return err
				}
				if !ok {
					fmt.Fprintln(a.stdout, "Nothing removed.")
					return nil
				}
			}
			if err := s.Remove(id); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Removed %s. Your progress in it is kept; reinstall the pack to continue, or reset it with 'shipshape --pack %s progress reset --all'.\n", id, id)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func newPackNewCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "new DIR",
		Short:   "Create a working skeleton pack in a new or empty directory",
		Long:    help("pack-new"),
		Example: "  shipshape pack new mypack\n  shipshape pack validate mypack --docker",
		Args:    exactlyOne("DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
				return usageError("%s is not empty; choose a new directory so nothing of yours is overwritten", dir)
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return usageError("cannot use %s: %v", dir, err)
			}
			id := scaffold.ID(dir)
			if err := scaffold.Write(dir, id); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, `Created the pack %q in %s.
Next:
  1. Write your lessons (the .md files) and adapt workspace/starter and workspace/solutions.
  2. Check it, building the starter and solution (the starter must fail, the solution pass):
       shipshape pack validate %s --docker
  3. Share it as one file; students run 'shipshape pack install %s.tar.gz':
       tar czf %s.tar.gz -C %s .
See docs/authoring.md.
`, id, termsafe.Line(dir), termsafe.Line(dir), id, id, termsafe.Line(dir))
			return nil
		},
	}
}

func newPackValidateCmd(a *app) *cobra.Command {
	var withDocker bool
	cmd := &cobra.Command{
		Use:     "validate PATH",
		Short:   "Check a pack and print every problem as file:line: message",
		Long:    help("pack-validate"),
		Example: "  shipshape pack validate mypack\n  shipshape pack validate mypack.tar.gz --docker",
		Args:    exactlyOne("PATH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPackValidate(cmd.Context(), a, args[0], withDocker)
		},
	}
	cmd.Flags().BoolVar(&withDocker, "docker", false, "build the starter and solution of each exercise and prove starter fails, solution passes")
	return cmd
}

func runPackValidate(ctx context.Context, a *app, path string, withDocker bool) error {
	if _, err := os.Stat(path); err != nil {
		return usageError("cannot validate %s: %v", path, err)
	}
	fsys, err := packs.OpenFS(path, a.scratch())
	if err != nil {
		fmt.Fprintln(a.stdout, termsafe.Text(err.Error()))
		return &exitError{code: 1}
	}
	p, problems, err := course.Validate(fsys, path, packs.Options())
	if err != nil {
		fmt.Fprintln(a.stdout, termsafe.Text(err.Error()))
		return &exitError{code: 1}
	}
	if !report.Validation(a.stdout, path, p, problems) {
		return &exitError{code: 1}
	}
	if !withDocker {
		return nil
	}
	return validateWithDocker(ctx, a, p)
}

// validateWithDocker proves each exercise with a reference solution: the
// starter must fail its checks and the solution pass them.
func validateWithDocker(ctx context.Context, a *app, p *course.Pack) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	session, dc, err := a.connected(ctx)
	if err != nil {
		return err
	}
	defer session.Close()
	proved, bad := 0, 0
	_, err = attempt.Prove(ctx, dc, p, a.scratch(), func(pr attempt.Proof) {
		if pr.Skipped == "" {
			proved++
			if !pr.OK() {
				bad++
			}
		}
		report.Proof(a.stdout, pr)
	})
	if err != nil {
		return &exitError{code: 2, err: errors.New(session.ExplainProofError(err, ctx.Err() != nil))}
	}
	switch {
	case bad > 0:
		fmt.Fprintf(a.stdout, "docker: %d of %d exercises failed the validation\n", bad, proved)
		return &exitError{code: 1}
	case proved == 0:
		fmt.Fprintln(a.stdout, "docker: no exercise has a reference solution to prove")
	default:
		fmt.Fprintf(a.stdout, "docker: ok: %d exercises: every starter fails and every solution passes\n", proved)
	}
	return nil
}
