package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newConfigCommand(opts *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective configuration and where each value came from",
		Long: `config prints every setting totalrec would use, and its source: a default,
FreePBX's own files (/etc/freepbx.conf, /etc/amportal.conf, asterisk.conf), the
config file, a TOTALREC_* environment variable or a flag. Passwords are redacted.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			l, err := opts.loadConfig()
			if err != nil {
				return err
			}
			entries := l.Redacted()
			if asJSON {
				return writeJSON(opts.stdout, entries)
			}
			tw := tabwriter.NewWriter(opts.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
			for _, e := range entries {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Key, dash(e.Value), e.Source)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
