// Command totalrec-hook is MixMonitor's post-command: `totalrec hook` in a binary
// that links only the hook (package hook) and the configuration loader, so that
// Asterisk starts it in a fraction of the time the full totalrec binary takes. It
// takes the same flags as `totalrec hook` and totalrec's global flags, and exits
// 0 when the recording was catalogued or journalled, 2 when it was called wrongly
// and 1 otherwise.
//
//	totalrec-hook --file '^{MIXMONITOR_FILENAME}' --uniqueid '^{UNIQUEID}'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/totalrec/totalrec/recordings/hook"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stderr, os.Getenv))
}

func run(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("totalrec-hook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c hook.Call
	fs.StringVar(&c.File, "file", "", "the recording's absolute path (MixMonitor's ^{MIXMONITOR_FILENAME})")
	fs.StringVar(&c.UniqueID, "uniqueid", "", "the channel's uniqueid")
	fs.StringVar(&c.RecordedBy, "recorded-by", "", "the policy that recorded the call: forced, policy, ondemand")
	fs.StringVar(&c.Announced, "announced", "", "non-empty when the caller heard that the call is recorded")
	fs.DurationVar(&c.Timeout, "timeout", 1500*time.Millisecond, "how long to wait for the daemon before journalling")
	// totalrec's global flags, for the configuration.
	global := map[string]*string{}
	for name, usage := range map[string]string{
		"config":   "config file (default /etc/totalrec/totalrec.conf; $TOTALREC_CONFIG)",
		"spool":    "recordings spool root ($TOTALREC_SPOOL)",
		"db":       "catalogue DSN ($TOTALREC_DB)",
		"cdr-db":   "CDR database DSN ($TOTALREC_CDR_DB)",
		"data-dir": "data directory (default /var/lib/totalrec; $TOTALREC_DATA_DIR)",
		"fs-root":  "look for FreePBX's configuration under this directory instead of / ($TOTALREC_FS_ROOT)",
	} {
		global[name] = fs.String(name, "", usage)
	}
	fs.Bool("verbose", false, "accepted for compatibility with totalrec; the hook logs nothing")
	fs.Bool("v", false, "the same as --verbose")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "totalrec-hook: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	flags := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		if p, ok := global[f.Name]; ok && f.Name != "fs-root" {
			flags[f.Name] = *p
		}
	})
	c.Load.Flags, c.Load.ConfigFile, c.Load.Getenv = flags, *global["config"], getenv
	if c.Load.Root = *global["fs-root"]; c.Load.Root == "" {
		c.Load.Root = getenv("TOTALREC_FS_ROOT")
	}
	if c.File == "" {
		fmt.Fprintln(stderr, "totalrec-hook: --file is required")
		return 2
	}
	err := hook.Run(ctx, c)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "totalrec-hook: %v\n", err)
	if errors.Is(err, hook.ErrOutsideSpool) {
		return 2
	}
	return 1
}
