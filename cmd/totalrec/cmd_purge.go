package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
)

func newPurgeCommand(opts *globalOptions) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "purge --yes",
		Short: "Drop Totalrec's tables from the catalogue database (for uninstalling)",
		Long: `purge drops every totalrec_* table: the catalogue, holds, run reports and the
rest. The recordings on disk and the CDR are not touched. It refuses without --yes.
'install.sh --uninstall --purge' runs it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPurge(cmd.Context(), opts, yes)
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "really drop the tables")
	return cmd
}

func runPurge(ctx context.Context, opts *globalOptions, yes bool) error {
	if !yes {
		return fmt.Errorf("purge drops the whole catalogue; say --yes to do it: %w", recordings.ErrRefused)
	}
	a, err := opts.openApp(ctx, false)
	if errors.Is(err, catalog.ErrNoCatalogue) {
		// Uninstalling twice, or before the first scan, is not an error.
		fmt.Fprintf(opts.stdout, "nothing to drop: %v\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	defer a.Close()
	tables, err := a.cat.Purge(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "dropped %d tables: %s\n", len(tables), strings.Join(tables, ", "))
	return nil
}
