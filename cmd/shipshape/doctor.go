package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"shipshape/internal/doctor"
	"shipshape/internal/termsafe"
)

func newDoctorCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check your setup: Docker daemon, engine and API version, builder, Trivy, free disk",
		Long:  help("doctor"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return runDoctor(ctx, a)
		},
	}
	// The project whose base images doctor looks for, as the TUI builds it.
	cmd.Flags().StringVar(&a.dir, "dir", ".", "project `DIR` whose Dockerfile's base images to look for")
	cmd.Flags().StringArrayVar(&a.buildArgList, "build-arg", nil, "`KEY=VALUE` for the Dockerfile's ARG KEY, as in the TUI's builds (over the project's shipshape.yaml)")
	cmd.Flags().BoolVar(&a.pull, "pull", false, "say what --pull would mean for the builds")
	return cmd
}

func runDoctor(ctx context.Context, a *app) error {
	args, err := parseBuildArgs(a.buildArgList)
	if err != nil {
		return err
	}
	findings, usable := doctor.Examine(ctx, a.dockerOptions(), doctor.Project{Dir: a.dir, BuildArgs: args, Pull: a.pull})
	for _, f := range findings {
		fmt.Fprintf(a.stdout, "%-4s  %-16s %s\n", strings.ToUpper(f.Status), f.What, termsafe.Line(f.Detail))
		if f.Advice != "" {
			fmt.Fprintf(a.stdout, "      %-16s → %s\n", "", termsafe.Line(f.Advice))
		}
	}
	if !usable {
		return &exitError{code: 2, err: fmt.Errorf("the Docker daemon is not usable; see above")}
	}
	return nil
}
