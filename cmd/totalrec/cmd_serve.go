package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings/daemon"
)

type serveOptions struct {
	listen string
	noScan bool
}

func newServeCommand(opts *globalOptions) *cobra.Command {
	var so serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web interface and the JSON API, and keep the catalogue up to date",
		Long: `serve runs the web interface (search, player, downloads) and the JSON API under
/api/v1, and scans the spool at startup and every scan_interval. People sign in
with accounts made by totalrec user add, or through the FreePBX module (single
sign-on with sso_secret); CRMs use tokens from totalrec token add. Each sees the
recordings of their extensions only. SIGINT or SIGTERM stop it gracefully.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), opts, so)
		},
	}
	cmd.Flags().StringVar(&so.listen, "listen", "", "address to listen on (default 127.0.0.1:8080; $TOTALREC_LISTEN)")
	cmd.Flags().BoolVar(&so.noScan, "no-scan", false, "do not scan the spool (startup and periodic)")
	return cmd
}

func runServe(ctx context.Context, opts *globalOptions, so serveOptions) error {
	a, err := opts.openApp(ctx, true)
	if err != nil {
		return err
	}
	defer a.Close()
	listen := so.listen
	if listen == "" {
		listen = a.cfg.Listen
	}
	return daemon.Run(ctx, a.env(), daemon.Options{
		Listen: listen, ScanAtStart: !so.noScan, ScanEvery: a.cfg.ScanInterval, NoScan: so.noScan, Version: version,
		Ready: func(url string) {
			fmt.Fprintf(opts.stdout, "Totalrec is serving on %s\n", url)
			fmt.Fprintln(opts.stdout, "Sign in with an account from `totalrec user add`, or open it from FreePBX (Reports › Call Recordings).")
		},
	})
}
