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
	return &cobra.Command{
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
}

func runDoctor(ctx context.Context, a *app) error {
	findings, usable := doctor.Examine(ctx, a.dockerOptions())
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
